/**
 * @module Reading a Chaos Mesh experiment's status (pure). Chaos Mesh (2.x, `status` of every
 * chaos kind) keeps one record per selected target in `status.experiment.containerRecords[]`
 * (`id`, `selectorKey`, `phase` "Injected" or "Not Injected", `injectedCount`, `recoveredCount`,
 * `events[]` with `type` Succeeded/Failed and `operation` Apply/Recover), the phase it drives them
 * to in `status.experiment.desiredPhase` (Run or Stop), and conditions `Selected`, `AllInjected`,
 * `AllRecovered`, `Paused` (status "True"/"False"). It adds the finalizer `chaos-mesh/records` and
 * removes it only once every record is recovered, so an object that is gone is recovered.
 */

/** One selected target (a pod, or a container of one) and where its fault stands. */
export interface ChaosRecord {
  readonly id: string;
  readonly phase: string;
  readonly injectedCount: number;
  readonly recoveredCount: number;
  /** The message of its newest Failed event, if any (why an injection or recovery failed). */
  readonly lastFailure?: string;
}

/** What an experiment's status says. */
export interface ChaosState {
  readonly records: readonly ChaosRecord[];
  readonly desiredPhase: string | null;
  /** Condition statuses by type (`Selected`, `AllInjected`, `AllRecovered`, `Paused`), "True"/"False". */
  readonly conditions: Readonly<Record<string, string>>;
  /** At least one target was selected and every one is injected (AllInjected=True, or every record's phase Injected). */
  readonly injected: boolean;
  /** Every record is recovered (AllRecovered=True, or no record in phase Injected and each recovered as often as injected). */
  readonly recovered: boolean;
  /** Chaos Mesh selected no target (Selected=False): nothing will ever be injected. */
  readonly nothingSelected: boolean;
  /** Failed events of records, newest last (why an injection failed). */
  readonly failures: readonly string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The phase Chaos Mesh gives a record whose fault is in force. */
export const injectedPhase = 'Injected';

/** Reads an experiment object's status (pure; any missing part reads as "nothing yet"). */
export function chaosState(obj: unknown): ChaosState {
  const status = isRecord(obj) && isRecord(obj.status) ? obj.status : {};
  const experiment = isRecord(status.experiment) ? status.experiment : {};
  const failures: string[] = [];
  const records: ChaosRecord[] = (Array.isArray(experiment.containerRecords) ? experiment.containerRecords : []).filter(isRecord).map((r) => {
    const events = (Array.isArray(r.events) ? r.events : []).filter(isRecord);
    const failed = events.filter((e) => e.type === 'Failed').map((e) => `${typeof r.id === 'string' ? r.id : '?'}: ${typeof e.operation === 'string' ? e.operation : '?'} failed: ${typeof e.message === 'string' ? e.message : ''}`);
    failures.push(...failed);
    const last = failed[failed.length - 1];
    return {
      id: typeof r.id === 'string' ? r.id : '',
      phase: typeof r.phase === 'string' ? r.phase : '',
      injectedCount: typeof r.injectedCount === 'number' ? r.injectedCount : 0,
      recoveredCount: typeof r.recoveredCount === 'number' ? r.recoveredCount : 0,
      ...(last === undefined ? {} : { lastFailure: last }),
    };
  });
  const conditions: Record<string, string> = {};
  for (const c of (Array.isArray(status.conditions) ? status.conditions : []).filter(isRecord)) {
    if (typeof c.type === 'string' && typeof c.status === 'string') conditions[c.type] = c.status;
  }
  const everyInjected = records.length > 0 && records.every((r) => r.phase === injectedPhase);
  const everyRecovered = records.every((r) => r.phase !== injectedPhase && r.recoveredCount >= r.injectedCount);
  return {
    records,
    desiredPhase: typeof experiment.desiredPhase === 'string' ? experiment.desiredPhase : null,
    conditions,
    injected: conditions['AllInjected'] === 'True' || everyInjected,
    recovered: conditions['AllRecovered'] === 'True' || (records.length > 0 && everyRecovered),
    nothingSelected: conditions['Selected'] === 'False',
    failures,
  };
}

/** One line: records and their phases, the conditions (pure). */
export function chaosStateText(s: ChaosState): string {
  const phases = s.records.map((r) => `${r.id} ${r.phase || 'no phase'} (injected ${r.injectedCount}, recovered ${r.recoveredCount})`);
  const conds = Object.entries(s.conditions).map(([k, v]) => `${k}=${v}`);
  return `${s.records.length} record(s)${phases.length > 0 ? `: ${phases.join('; ')}` : ''}${conds.length > 0 ? `; ${conds.join(', ')}` : ''}${s.desiredPhase === null ? '' : `; desired ${s.desiredPhase}`}`;
}
