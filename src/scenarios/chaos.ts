/**
 * @module The chaos scenario: background load from the sustained engine while each planned fault
 * is applied (journalled first), held, reverted and proven reverted; the steady state is checked
 * before, sampled during, and after the revert the run waits (bounded) for convergence: no object
 * written before the revert still not Ready, and every Ready record served as desired. Per
 * experiment: a verdict per invariant, with its numbers. Every fault still in force is reverted on
 * the way out (end, error, Ctrl-C) before cleanup, which needs a working operator.
 */
import { performance } from 'node:perf_hooks';
import { chaosMetrics } from '../judge/criteria.js';
import { measureSustained } from '../drive/sustained-measure.js';
import { runSustainedSession, type SustainedSessionResult } from '../drive/sustained-session.js';
import { sleep } from '../drive/sleep.js';
import { FaultLedger, type FaultRecord } from '../faults/fault-ledger.js';
import type { AppliedFault } from '../faults/fault.js';
import { auditRecordOf, auditZoneOf, type AuditRecord, type AuditReport } from '../judge/served-audit.js';
import type { DnsZoneObject, RecordObject } from '../model/fixtures/objects.js';
import { isRecordKind, type BindyKind } from '../model/kinds.js';
import { DnsGapProber, serverName } from '../observe/dns-gap.js';
import { listRunObjects, readinessOf, isReadyNow, type Readiness } from '../observe/run-readiness.js';
import { auditServed } from '../observe/served-audit.js';
import type { ChaosExperimentResult, ChaosInvariant, ChaosSection, RunResult } from '../report/result/index.js';
import type { Target } from '../targets/target.js';
import { planChaos, type ChaosPlanData, type PlannedFault } from './chaos-plan.js';
import { recordStream } from './sustained-plan.js';
import { mergeObservers } from './scenario.js';
import type { DriveContext, DriveOutcome, ObserverSections, RunObserver, Scenario, ScenarioPlan, Verification } from './scenario.js';

/** How often the steady state is sampled during a fault and while waiting for convergence, ms. */
const sampleEveryMs = 2000;

/** The records the run created, by name, so deleted ones can be audited as not served any more. */
class CreatedRecords {
  readonly byName = new Map<string, RecordObject>();
  wrap(source: () => Iterator<RecordObject>): () => Iterator<RecordObject> {
    return () => {
      const it = source();
      return {
        next: () => {
          const r = it.next();
          if (r.done !== true) this.byName.set(`${r.value.kind}/${r.value.metadata.name}`, r.value);
          return r;
        },
      };
    };
  }
}

/** The audit's input from what the API holds now and what the run created. */
function auditInputs(live: readonly RecordObject[], created: CreatedRecords, zones: readonly DnsZoneObject[], onlyReady: boolean): { desired: AuditRecord[]; deleted: AuditRecord[] } {
  const present = new Set(live.map((r) => `${r.kind}/${r.metadata.name}`));
  const desired = live.filter((r) => !onlyReady || isReadyNow(r)).map(auditRecordOf);
  const deleted = [...created.byName].filter(([k]) => !present.has(k)).map(([, r]) => auditRecordOf(r));
  void zones;
  return { desired, deleted };
}

function mismatchCount(a: AuditReport): number {
  return a.byServer.reduce((n, s) => n + s.counts.missing + s.counts.wrong + s.counts.stale + s.counts.orphaned, 0);
}

function auditText(a: AuditReport): string {
  return a.byServer
    .map((s) => `${s.server}: ${s.counts.match} match, ${s.counts.missing} missing, ${s.counts.wrong} wrong, ${s.counts.stale} stale, ${s.counts.orphaned} orphaned, ${s.counts.unanswered} unanswered`)
    .join('; ');
}

/** Runs the chaos scenario (see the module doc). */
async function driveChaos(ctx: DriveContext, plan: ScenarioPlan<ChaosPlanData>): Promise<DriveOutcome> {
  const data = plan.data;
  if (data === undefined) throw new Error('the chaos plan carries no schedule');
  const d = data.load;
  const faults = ctx.target.faults;
  if (faults === undefined) throw new Error('this target offers no fault mechanism (checked before the run)');
  const kinds: BindyKind[] = ['DNSZone', ...d.recordKinds];
  const created = new CreatedRecords();
  const servers = ctx.target.dnsServers;
  const firstZone = d.zones[0]?.spec.zoneName ?? '';
  const gap = new DnsGapProber({ servers, name: firstZone });
  let currentKey = '';
  const ledger = new FaultLedger({ journal: (descriptor) => ctx.journal.appendFaultApplying(currentKey, descriptor) });
  const experiments: ChaosExperimentResult[] = [];
  const notes: string[] = [];
  const started: RunObserver[] = [];
  let sections: ObserverSections[] = [];
  let session: SustainedSessionResult | null = null;
  let timeline: Promise<void> = Promise.resolve();
  const stopObservers = async (objectsCreated: number): Promise<void> => {
    const out: ObserverSections[] = [];
    for (const o of started.splice(0).reverse()) out.push(await o.stop({ objectsCreated }));
    sections = out;
  };
  const signals = [ctx.stopStarting, ctx.hardStop];
  const look = async (cutoffWallMs: number | null): Promise<Readiness> => readinessOf(await listRunObjects(ctx.client, plan.namespace, plan.runId, kinds), cutoffWallMs);
  const audit = async (onlyReady: boolean): Promise<AuditReport & { untruthful: number }> => {
    const objects = await listRunObjects(ctx.client, plan.namespace, plan.runId, d.recordKinds);
    const live = objects.filter((o) => isRecordKind(o.kind)) as unknown as RecordObject[];
    const { desired, deleted } = auditInputs(live, created, d.zones, onlyReady);
    const report = await auditServed({ servers: servers.map((s) => ({ ...s, name: serverName(s) })), desired, deleted, zones: d.zones.map(auditZoneOf), signal: ctx.hardStop });
    // Untruthful: Ready=True while some server does not serve the desired data.
    const readyNames = new Set(live.filter(isReadyNow).map((r) => `${r.kind}/${r.metadata.name}`));
    const bad = new Set(report.byServer.flatMap((s) => s.mismatches.filter((m) => (m.verdict === 'missing' || m.verdict === 'wrong') && readyNames.has(`${m.kind ?? ''}/${m.name ?? ''}`)).map((m) => `${m.kind ?? ''}/${m.name ?? ''}`)));
    return { ...report, untruthful: bad.size };
  };

  /** One experiment: before, apply, during, revert, converge. */
  const runOne = async (f: PlannedFault, t0: number): Promise<void> => {
    const startIn = t0 + f.atMs - performance.now();
    if (startIn > 0) await sleep(startIn, [ctx.stopStarting, ctx.hardStop]);
    if (ctx.stopStarting.aborted || ctx.hardStop.aborted) return;
    const mechanism = faults.mechanisms[f.mechanism];
    if (mechanism === undefined) throw new Error(`${f.key}: the target has no ${f.mechanism} mechanism (checked before the run)`);
    const before = await look(null);
    const lateMs = Math.max(0, performance.now() - (t0 + f.atMs));
    currentKey = f.key;
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key} ${f.text}: applying (${before.ready} of ${before.objects} objects Ready before)` });
    const appliedMono = performance.now();
    let applied: AppliedFault;
    try {
      // A network fault carries a dead-man switch (the proxy lifts it by itself); a process fault has none (nothing outlives the tool to end it).
      const spec = f.mechanism === 'sandbox-proxy' ? { ...f.spec, durationMs: f.durationMs + data.convergeBoundMs } : f.spec;
      applied = await ledger.apply(mechanism, f.target, spec);
    } catch (e) {
      experiments.push(failedExperiment(f, `could not apply: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    let minReady = before.ready;
    let maxNotReady = before.notReady;
    const holdUntil = appliedMono + f.durationMs;
    while (performance.now() < holdUntil && !aborted(signals)) {
      await sleep(Math.min(sampleEveryMs, holdUntil - performance.now()), signals);
      const r = await look(null).catch(() => null);
      if (r !== null) {
        minReady = Math.min(minReady, r.ready);
        maxNotReady = Math.max(maxNotReady, r.notReady);
      }
    }
    const record: FaultRecord = await ledger.revert(applied);
    if (record.outcome.reverted) ctx.journal.appendFaultReverted(f.key);
    const revertedMono = performance.now();
    const revertedWall = Date.now();
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key} reverted after ${((revertedMono - appliedMono) / 1000).toFixed(1)} s (${record.proof.evidence}); waiting for convergence (≤ ${Math.round(data.convergeBoundMs / 1000)} s)` });
    let convergenceMs: number | null = null;
    let last: Readiness | null = null;
    let lastAudit: (AuditReport & { untruthful: number }) | null = null;
    while (performance.now() - revertedMono < data.convergeBoundMs && !ctx.hardStop.aborted) {
      last = await look(revertedWall).catch(() => null);
      if (last !== null && last.overdue === 0) {
        lastAudit = await audit(true).catch(() => null);
        if (lastAudit !== null && mismatchCount(lastAudit) === 0) {
          convergenceMs = performance.now() - revertedMono;
          break;
        }
      }
      await sleep(1000, [ctx.hardStop]);
    }
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key} ${convergenceMs === null ? `did NOT converge within ${Math.round(data.convergeBoundMs / 1000)} s` : `converged ${(convergenceMs / 1000).toFixed(1)} s after the revert`}` });
    const gaps = gap.gaps(appliedMono, convergenceMs === null ? performance.now() : revertedMono + convergenceMs);
    const invariants: ChaosInvariant[] = [
      inv('fault reverted', record.proof.reverted ? 1 : 0, 1, '==', '', record.proof.evidence),
      inv(
        'converged after the revert',
        convergenceMs === null ? null : convergenceMs / 1000,
        data.convergeBoundMs / 1000,
        '<=',
        's',
        convergenceMs === null
          ? `not within ${data.convergeBoundMs / 1000} s: ${last === null ? 'the API did not answer' : `${last.overdue} objects written before the revert still not Ready (${last.overdueNames.join(', ')})`}${lastAudit === null ? '' : `; audit: ${auditText(lastAudit)}`}`
          : `every object written before the revert Ready and every Ready record served as desired ${(convergenceMs / 1000).toFixed(1)} s after it`,
      ),
      ...gaps.map((g) => {
        const bound = f.touchesServing ? data.gapBounds.touchedMs : data.gapBounds.untouchedMs;
        return inv(`DNS gap on ${g.server}`, g.gapMs / 1000, bound / 1000, '<=', 's', `longest stretch without a NOERROR answer to SOA ${firstZone} (asked every 250 ms) from the fault to convergence; bound for a server the fault ${f.touchesServing ? 'touched' : 'did not touch'}`);
      }),
      inv('untruthful Ready statuses at convergence', lastAudit?.untruthful ?? null, 0, '==', 'records', 'records Ready=True that a DNS server does not serve as desired'),
    ];
    experiments.push({
      key: f.key,
      kind: f.experiment,
      mechanism: f.mechanism,
      target: f.target,
      description: f.text,
      plannedAtMs: f.atMs,
      startedLateMs: Math.round(lateMs),
      appliedAt: applied.appliedAt,
      revertedAt: record.revertedAt,
      heldMs: Math.round(revertedMono - appliedMono),
      revertProof: record.proof.evidence,
      reverted: record.proof.reverted,
      before: { objects: before.objects, ready: before.ready },
      during: { minReady, maxNotReady },
      convergenceMs: convergenceMs === null ? null : Math.round(convergenceMs),
      invariants,
    });
  };

  try {
    session = await runSustainedSession({
      client: ctx.client,
      runId: plan.runId,
      namespace: plan.namespace,
      recordKinds: d.recordKinds,
      zones: d.zones,
      records: created.wrap(() => recordStream(d.fixtures)),
      schedule: d.schedule,
      rampUpMs: d.rampUpMs,
      policy: d.policy,
      prefill: d.prefill,
      maxInFlight: d.maxInFlight,
      timeoutMs: d.timeoutMs,
      ttl: { min: d.fixtures.ttl.min, max: d.fixtures.ttl.max },
      seed: d.fixtures.seed,
      maxRetries: 3,
      journal: ctx.journal,
      stopStarting: ctx.stopStarting,
      hardStop: ctx.hardStop,
      beforeMeasured: async () => {
        for (const o of ctx.observers) {
          await o.start({ target: ctx.target, runId: plan.runId, namespace: plan.namespace });
          started.push(o);
        }
        gap.start();
        const t0 = performance.now();
        // The experiments run beside the load, one after another, each at its time (or late, said so).
        timeline = (async () => {
          for (const f of data.faults) await runOne(f, t0);
        })();
      },
      onEvent: ctx.onEvent,
    });
    await timeline;
    const s = session;
    await stopObservers(s.ledger.counts.create.accepted);
    const m = measureSustained({ ledger: s.ledger, engine: s.engine, ratePerSec: d.ratePerSec, rampUpMs: d.rampUpMs, durationMs: d.durationMs, settled: s.settled, timeoutMs: d.timeoutMs, tracker: s.tracker, toolPeakRssBytes: process.resourceUsage().maxRSS * 1024 });
    const outcome: DriveOutcome = { latencies: m.latencies, counters: m.counters, timeSeries: m.timeSeries, failures: m.failures, notes: [...notes, ...m.notes], operator: [], apiAmplification: null };
    mergeObservers(outcome, sections);
    // The end state: every record Ready and served as desired, nothing deleted still served.
    let final: ChaosSection['final'] = null;
    if (!aborted(signals)) {
      const r = await look(null);
      const a = await audit(false);
      final = { objects: r.objects, ready: r.ready, auditClean: mismatchCount(a) === 0, audit: auditText(a), untruthful: a.untruthful, mismatches: a.byServer.flatMap((x) => x.mismatches.slice(0, 10).map((mm) => `${x.server}: ${mm.verdict} ${mm.kind ?? '-'}/${mm.name ?? '-'} ${mm.fqdn} ${mm.rrType}: expected ${mm.expected}, served ${mm.served}`)) };
    }
    outcome.chaos = { experiments, final, dnsProbe: gap.stats() };
    return outcome;
  } finally {
    gap.stop();
    // Whatever happened: no fault outlives the scenario (cleanup needs a working operator).
    // Experiments run one at a time: a fault still in force is the current one.
    for (const r of await ledger.revertAll()) {
      if (r.outcome.reverted) ctx.journal.appendFaultReverted(currentKey);
      notes.push(`fault ${r.description} on ${r.target} reverted on the way out: ${r.proof.evidence}`);
    }
    await stopObservers(session?.ledger.counts.create.accepted ?? 0);
  }
}

function aborted(signals: readonly AbortSignal[]): boolean {
  return signals.some((s) => s.aborted);
}

function inv(name: string, observed: number | null, limit: number, comparison: ChaosInvariant['comparison'], unit: string, evidence: string): ChaosInvariant {
  const holds = observed === null ? null : comparison === '==' ? observed === limit : comparison === '<=' ? observed <= limit : observed >= limit;
  return { name, observed, limit, comparison, unit, verdict: holds === null ? 'not-measured' : holds ? 'pass' : 'fail', evidence };
}

function failedExperiment(f: PlannedFault, why: string): ChaosExperimentResult {
  return { key: f.key, kind: f.experiment, mechanism: f.mechanism, target: f.target, description: f.text, plannedAtMs: f.atMs, startedLateMs: 0, heldMs: 0, reverted: true, revertProof: why, before: null, during: null, convergenceMs: null, invariants: [inv('fault applied', 0, 1, '==', '', why)] };
}

/** Every invariant of every experiment held, the end state is clean, and the background load went through. */
function verifyChaos(result: RunResult): Verification {
  const problems: string[] = [];
  for (const e of result.chaos?.experiments ?? []) {
    for (const i of e.invariants) if (i.verdict === 'fail') problems.push(`${e.key} ${e.kind}: ${i.name}: ${i.observed ?? '-'}${i.unit === '' ? '' : ` ${i.unit}`} (limit ${i.comparison} ${i.limit}): ${i.evidence}`);
  }
  const f = result.chaos?.final;
  if (f !== undefined && f !== null) {
    if (!f.auditClean) problems.push(`end state: DNS does not serve what the CRs say: ${f.audit}`);
    if (f.ready < f.objects) problems.push(`end state: ${f.objects - f.ready} of ${f.objects} objects not Ready`);
  }
  const c = (n: string): number => result.counters[n]?.value ?? 0;
  if (c('operations_failed') > 0) problems.push(`${c('operations_failed')} of ${c('operations_attempted')} background operations failed`);
  return { passed: problems.length === 0, problems };
}

/** The chaos scenario. */
export const chaosScenario: Scenario<ChaosPlanData> = {
  name: 'chaos',
  describe: 'faults injected on a schedule under background load; steady state before, during and after; every fault proven reverted',
  options: 'chaos',
  metrics: chaosMetrics,
  plan: planChaos,
  needsFaults: true,
  checkTarget: chaosUnsupported,
  drive: driveChaos,
  verify: verifyChaos,
};

/** Why `target` cannot run the plan's faults (checked before any load), or undefined when it can. */
export function chaosUnsupported(target: Target, plan: ScenarioPlan<ChaosPlanData>): string | undefined {
  const f = target.faults;
  if (f === undefined) return `the ${target.info.kind} target has no fault mechanism here yet`;
  for (const p of plan.data?.faults ?? []) {
    const why = f.unsupportedReason(p.mechanism, p.target, p.spec);
    if (why !== undefined) return `${p.key} (${p.text}): ${why}`;
  }
  return undefined;
}
