/**
 * @module Changes a run makes to what it did not create (the operator's limits): what they set,
 * the journal descriptor that restores them without the run's memory, and the mechanism interface
 * a target offers. A change is journalled before it is made, like a fault, and restored at the end
 * of its window, on error, on Ctrl-C, or by `cleanup` after a kill.
 */

/** The limits operator-limits puts on the operator. */
export interface OperatorLimits {
  /** CPU limit, cores. */
  cpuCores: number;
  /** Memory limit, MiB; absent: unchanged. */
  memoryMiB?: number;
  /** The sandbox twin's concurrent reconciles (a cluster's bindy has no such knob). */
  workers?: number;
}

/** The sandbox's operator twin restarted with fewer workers in control groups that cap it; restored by restarting it with its arguments of before. */
export interface SandboxLimitsDescriptor {
  readonly change: 'sandbox-operator-limits';
  readonly version: 1;
  /** The sandbox home (state.json). */
  readonly home: string;
  /** That sandbox's own folder: a sandbox started later in the same home is another one, never restarted. */
  readonly sandboxDir: string;
  /** The operator part's start arguments before the change. */
  readonly originalArgs: readonly string[];
  /** The control groups made for it (removed on restore). */
  readonly cgroups: readonly string[];
}

/** A container's resources of bindy's Deployment patched; restored by patching them back. */
export interface DeploymentLimitsDescriptor {
  readonly change: 'deployment-resources';
  readonly version: 1;
  /** The API server the Deployment lives on: a restore refuses another one. */
  readonly server: string;
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  /** The container's `resources` before the change (null: it had none). */
  readonly original: Readonly<Record<string, unknown>> | null;
  /** The resources the run set: a restore patches back only from these (anything else is someone's edit, left alone). */
  readonly applied: Readonly<Record<string, unknown>>;
}

/** How to restore a change, whatever made it. */
export type ChangeDescriptor = SandboxLimitsDescriptor | DeploymentLimitsDescriptor;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks a journalled descriptor (throws with what is wrong). */
export function parseChangeDescriptor(v: unknown): ChangeDescriptor {
  if (!isRecord(v) || v.version !== 1) throw new Error('not a change descriptor of version 1');
  if (v.change === 'sandbox-operator-limits') {
    if (typeof v.home !== 'string' || typeof v.sandboxDir !== 'string' || !isStringList(v.originalArgs) || !isStringList(v.cgroups)) {
      throw new Error('a sandbox-operator-limits descriptor needs home, sandboxDir, originalArgs and cgroups');
    }
    return { change: v.change, version: 1, home: v.home, sandboxDir: v.sandboxDir, originalArgs: v.originalArgs, cgroups: v.cgroups };
  }
  if (v.change === 'deployment-resources') {
    const { server, namespace, name, container, original, applied } = v;
    if (typeof server !== 'string' || typeof namespace !== 'string' || typeof name !== 'string' || typeof container !== 'string' || !(original === null || isRecord(original)) || !isRecord(applied)) {
      throw new Error('a deployment-resources descriptor needs server, namespace, name, container, original and applied');
    }
    return { change: v.change, version: 1, server, namespace, name, container, original, applied };
  }
  throw new Error(`unknown change ${JSON.stringify(v.change)}`);
}

/** One line naming what a change acts on. */
export function changeTargetText(d: ChangeDescriptor): string {
  return d.change === 'sandbox-operator-limits' ? 'the sandbox operator twin (workers, control groups)' : `container ${d.container} of Deployment ${d.namespace}/${d.name}`;
}

/** What a restore did, with the proof. */
export interface RestoreOutcome {
  /** Everything is as before the change (proven, not assumed). */
  readonly restored: boolean;
  /** It was already as before (an earlier restore). */
  readonly already: boolean;
  readonly evidence: string;
}

/** A change in force. */
export interface AppliedChange {
  /** Wall-clock time the change was in force (ISO). */
  readonly appliedAt: string;
  readonly descriptor: ChangeDescriptor;
  /** What was changed, in one line (with the values before and after). */
  readonly text: string;
  /** Restores it and proves it (idempotent). */
  restore(): Promise<RestoreOutcome>;
}

/** Lowers the operator's limits on a target. */
export interface OperatorLimitsMechanism {
  /** `sandbox-operator-limits` or `deployment-resources`. */
  readonly name: ChangeDescriptor['change'];
  /** Why these limits cannot be set here (said before any load), or undefined when they can. */
  unsupportedReason(limits: OperatorLimits): string | undefined;
  /** Sets them; `journal` receives the descriptor before anything changes. `key` names the change (unique per run). */
  apply(limits: OperatorLimits, key: string, journal: (d: ChangeDescriptor) => void): Promise<AppliedChange>;
}
