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
import { judgeInvariant as inv } from '../judge/invariant.js';
import { runSustainedSession, type OperationEvent, type SustainedEvent, type SustainedSessionResult } from '../drive/sustained-session.js';
import { LoadPause } from '../drive/load-pause.js';
import type { TrackerEvent } from '../observe/watch-tracker.js';
import { sleep } from '../drive/sleep.js';
import { dnsperfProblems } from '../drive/dnsperf/index.js';
import { FaultLedger, type FaultRecord } from '../faults/fault-ledger.js';
import type { AppliedFault, RevertDescriptor } from '../faults/fault.js';
import { revertFromDescriptor } from '../faults/revert.js';
import { auditRecordOf, auditZoneOf, type AuditReport } from '../judge/served-audit.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { isRecordKind, type BindyKind } from '../model/kinds.js';
import { DnsGapProber, serverName } from '../observe/dns-gap.js';
import { openDnsReach } from './dns-reach.js';
import { openBackgroundDns } from './background-dns.js';
import { backgroundDnsUnsupported } from './background-dns-plan.js';
import { isReadyNow, lastWrittenMs, listRunObjects, readinessOf, type Readiness } from '../observe/run-readiness.js';
import { auditServed } from '../observe/served-audit.js';
import { apiServerMetricsSource } from '../observe/metrics-pod-proxy.js';
import { bindyResponseCodes } from '../measure/api-codes.js';
import type { MetricSample } from '../measure/bucket-quantile.js';
import { OperatorLooks, restartsBetween, type OperatorLife } from '../observe/operator-life.js';
import type { ChaosExperimentResult, ChaosInvariant, ChaosSection, RunResult } from '../report/result/index.js';
import type { Target } from '../targets/target.js';
import { planChaos, type ChaosPlanData, type PlannedFault } from './chaos-plan.js';
import { measureSession, sustainedSessionOptions } from './sustained-drive.js';
import { bindy06RequeueMs, measureQuietWindow, quietSettleMaxMs, quietWindow, type QuietWindow } from './sustained.js';
import { StartedObservers } from './started-observers.js';
import { addFigures, mergeObservers } from './scenario.js';
import type { DriveContext, DriveOutcome, Scenario, ScenarioPlan, Verification } from './scenario.js';

/** How often the steady state is sampled during a fault and while waiting for convergence, ms. */
const sampleEveryMs = 2000;

/** The records the run created, by name, so deleted ones can be audited as not served any more. */
class CreatedRecords {
  readonly byName = new Map<string, RecordObject>();
  /** `source`, recording each record it yields. */
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

/** Mismatches of every kind, unanswered questions included: a silent server is not a converged one. */
function notServedAsDesired(a: AuditReport): number {
  return a.byServer.reduce((n, s) => n + s.counts.missing + s.counts.wrong + s.counts.stale + s.counts.orphaned + s.counts.unanswered, 0);
}

/** One line per server with every count. */
function auditText(a: AuditReport): string {
  return a.byServer
    .map((s) => `${s.server}: ${s.counts.match} match, ${s.counts.missing} missing, ${s.counts.wrong} wrong, ${s.counts.stale} stale, ${s.counts.orphaned} orphaned, ${s.counts.unanswered} unanswered`)
    .join('; ');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What a scenario built on the chaos drive adds to it (e2e: its population, the DNS prober, its own sections). */
export interface FaultLoadHooks {
  /** The records the load creates, the working set first (default: the sustained stream). */
  records?: () => Iterator<RecordObject>;
  /** Every measured operation, when accepted and when its effect is seen. */
  onOperation?: (e: OperationEvent) => void;
  /** Every event of the session and its watch, besides the run's own progress. */
  onEvent?: (e: SustainedEvent | TrackerEvent) => void;
  /** After the load settled and was measured, before the end state is checked: adds to the outcome. */
  afterLoad?: (session: SustainedSessionResult, outcome: DriveOutcome) => Promise<void>;
  /** After the end state was checked (no fault in force, objects still there): adds to the outcome. */
  atEnd?: (session: SustainedSessionResult, outcome: DriveOutcome) => Promise<void>;
}

/** Runs the chaos scenario (see the module doc). */
async function driveChaos(ctx: DriveContext, plan: ScenarioPlan<ChaosPlanData>): Promise<DriveOutcome> {
  const data = plan.data;
  if (data === undefined) throw new Error('the chaos plan carries no schedule');
  return driveUnderFaults(ctx, plan, data, {
    // bindy's suite ends every step with a quiet window: after the faults, at rest, few reconciles.
    atEnd: async (session, out) => {
      const q = await measureQuietWindow(ctx, plan, data.quietWindowMs, session, out);
      if (q === null || q.reconciles === null) return;
      const bound = quietBound(ctx.target.info.bindyVersion, (q.toMono - q.fromMono) / 1000, q.objects);
      out.notes.push(bound.text);
      if (bound.limit !== null) out.counters.quiet_window_bound = { value: bound.limit, unit: 'reconciliations', description: `the most reconciles the quiet window may hold: ${bound.text}` };
    },
  });
}

/**
 * How many reconciles a quiet window of `seconds` over `objects` may hold, per bindy line (pure):
 * 0.8, "at rest there are no reconciles", bounded as bindy's own chaos suite does (3 per 60 s);
 * 0.6.2 requeues every Ready object each 300 s, so about objects × seconds / 300, given a quarter
 * more and bindy's 3 on top; any other version is reported, not judged.
 */
export function quietBound(bindyVersion: string | undefined, seconds: number, objects: number): { limit: number | null; text: string } {
  const line = /\bbindy v?0\.(\d+)\b/.exec(bindyVersion ?? '')?.[1];
  if (line === '8') return { limit: Math.ceil((3 * seconds) / 60), text: `quiet window bound for bindy's 0.8 line: 3 reconciles per 60 s (bindy's chaos suite), ${Math.ceil((3 * seconds) / 60)} in ${seconds.toFixed(0)} s` };
  if (line === '6') {
    const expected = (objects * seconds * 1000) / bindy06RequeueMs;
    const limit = Math.ceil(expected * 1.25) + 3;
    return { limit, text: `quiet window bound for bindy 0.6: its 300 s requeues make about ${expected.toFixed(1)} reconciles over ${objects} objects in ${seconds.toFixed(0)} s; at most ${limit} (a quarter more, plus bindy's 3)` };
  }
  return { limit: null, text: `quiet window not judged: the bindy line measured is not known (${bindyVersion ?? 'the target did not say'})` };
}

/**
 * An experiment's quiet window as a result field and its invariant (pure): the reconciles counted
 * at rest against the bound of the bindy line measured; no invariant when the line is not known
 * (the field says so), not measured when the operator's metrics did not answer.
 */
export function quietWindowOfExperiment(bindyVersion: string | undefined, w: QuietWindow, t0: number): { field: NonNullable<ChaosExperimentResult['quietWindow']>; invariants: ChaosInvariant[] } {
  const seconds = (w.toMono - w.fromMono) / 1000;
  const b = quietBound(bindyVersion, seconds, w.objects);
  const field = {
    fromMs: Math.round(w.fromMono - t0),
    toMs: Math.round(w.toMono - t0),
    settleMs: Math.round(w.settle.waitedMs),
    rested: w.settle.rested,
    objects: w.objects,
    reconciles: w.reconciles,
    apiWrites: w.apiWrites,
    limit: b.limit,
    bound: b.text,
  };
  if (b.limit === null) return { field, invariants: [] };
  const evidence =
    w.reconciles === null
      ? `the operator's reconcile counter was not read (${w.notes.join('; ') || 'its metrics did not answer'})`
      : `${w.reconciles} reconciles and ${w.apiWrites ?? 'unknown'} API writes in ${seconds.toFixed(0)} s at rest over ${w.objects} objects, the background load held, after ${(w.settle.waitedMs / 1000).toFixed(1)} s waiting for the operator to rest; ${b.text}`;
  return { field, invariants: [inv('quiet window after convergence', w.reconciles, b.limit, '<=', 'reconciles', evidence)] };
}

/** Background load from the sustained engine with `data`'s faults on their schedule, DNS queries beside it, and the end state checked (see the module doc). */
export async function driveUnderFaults(ctx: DriveContext, plan: ScenarioPlan, data: ChaosPlanData, hooks: FaultLoadHooks = {}): Promise<DriveOutcome> {
  const d = data.load;
  const faults = ctx.target.faults;
  if (faults === undefined && data.faults.length > 0) throw new Error('this target offers no fault mechanism (checked before the run)');
  const kinds: BindyKind[] = ['DNSZone', ...d.recordKinds];
  const created = new CreatedRecords();
  const firstZone = d.zones[0]?.spec.zoneName ?? '';
  // The journal key of the fault being applied, and of each fault in force (a revert journals its own key).
  let applyingKey = '';
  let applyingDescriptor: RevertDescriptor | null = null;
  const keys = new Map<AppliedFault, string>();
  const ledger = new FaultLedger({
    journal: (descriptor) => {
      applyingDescriptor = descriptor;
      ctx.journal.appendFaultApplying(applyingKey, descriptor);
    },
  });
  const observers = new StartedObservers();
  let session: SustainedSessionResult | null = null;
  // Holds the background load for each experiment's quiet window (its schedule, and the experiments after, move later by the hold).
  const pause = new LoadPause(() => ctx.client.now());
  // Stops the experiment timeline when the load ends early (error) or the run is interrupted.
  const timelineStop = new AbortController();
  let timeline: Promise<void> = Promise.resolve();
  let timelineError: unknown = null;
  let loadEndedMono: number | null = null;
  const experiments: ChaosExperimentResult[] = [];
  const notes: string[] = [];
  // Every create's answer (monotonic ms, refused by a quota or not): what a quota fault did. Kept
  // only when one is planned: a long run makes many.
  const createAnswers: { atMs: number; byQuota: boolean }[] = [];
  const keepAnswers = data.faults.some((f) => f.spec.kind === 'quota');
  const quotaWindows: { key: string; appliedMs: number; liftingMs: number; liftedMs: number }[] = [];
  const onOperation = (e: OperationEvent): void => {
    if (keepAnswers && e.type === 'create' && e.phase === 'accepted') createAnswers.push({ atMs: e.acceptedMs, byQuota: false });
    else if (keepAnswers && e.type === 'create' && e.phase === 'refused') createAnswers.push({ atMs: e.atMs, byQuota: e.byQuota });
    hooks.onOperation?.(e);
  };
  // The most the quiet windows after the experiments can add to the load's length (each: its rest wait, the window, a margin for the reads).
  const holdRoomMs = data.quietWindowEachMs > 0 ? data.faults.length * (quietSettleMaxMs(data.quietWindowEachMs) + data.quietWindowEachMs + 15_000) : 0;
  const signals = [ctx.stopStarting, ctx.hardStop, timelineStop.signal];
  const look = async (cutoffWallMs: number | null): Promise<Readiness> => readinessOf(await listRunObjects(ctx.client, plan.namespace, plan.runId, kinds), cutoffWallMs);
  /**
   * The desired-vs-served audit. `writtenBeforeWallMs`: only records Ready and last written before
   * then are judged, with no deleted ones and no AXFR (the load goes on: newer records are on their
   * way, and would read as orphans). Without it: everything, after the load has settled.
   */
  const audit = async (writtenBeforeWallMs: number | null): Promise<AuditReport & { untruthful: number }> => {
    const objects = await listRunObjects(ctx.client, plan.namespace, plan.runId, d.recordKinds);
    const live = objects.filter((o) => isRecordKind(o.kind)) as unknown as RecordObject[];
    const judged = writtenBeforeWallMs === null ? live : live.filter((r) => isReadyNow(r) && lastWrittenMs(r) < writtenBeforeWallMs - 1000);
    const present = new Set(live.map((r) => `${r.kind}/${r.metadata.name}`));
    const deleted = writtenBeforeWallMs === null ? [...created.byName].filter(([k]) => !present.has(k)).map(([, r]) => auditRecordOf(r)) : [];
    const report = await auditServed({ servers, desired: judged.map(auditRecordOf), deleted, zones: writtenBeforeWallMs === null ? d.zones.map(auditZoneOf) : [], signal: ctx.hardStop, ...(reach.query === undefined ? {} : { query: reach.query }) });
    // Untruthful: Ready=True while a server does not serve the desired data.
    const readyNames = new Set(live.filter(isReadyNow).map((r) => `${r.kind}/${r.metadata.name}`));
    const bad = new Set(report.byServer.flatMap((s) => s.mismatches.filter((m) => (m.verdict === 'missing' || m.verdict === 'wrong') && readyNames.has(`${m.kind ?? ''}/${m.name ?? ''}`)).map((m) => `${m.kind ?? ''}/${m.name ?? ''}`)));
    return { ...report, untruthful: bad.size };
  };

  // The operator's life (process start time or pod restart counts), looked at around each experiment.
  const life = new OperatorLooks(ctx.target.metricsEndpoints.find((e) => e.name === 'operator')?.url, ctx.target.kubeConfig, ctx.hardStop);

  /** Reverts a fault in force and journals it reverted only once the revert is proven. */
  const revert = async (applied: AppliedFault): Promise<FaultRecord> => {
    const record = await ledger.revert(applied);
    if (record.proof.reverted) {
      ctx.journal.appendFaultReverted(keys.get(applied) ?? applyingKey);
      keys.delete(applied);
    }
    return record;
  };

  // The API server's request counts, read around each experiment: its conflicting writes (two scrapes each; a real one's /metrics is large).
  const apiMetrics = ctx.target.kubeConfig === undefined ? null : apiServerMetricsSource(ctx.target.kubeConfig, 10_000);
  const apiSamples = async (): Promise<MetricSample[] | null> => (apiMetrics === null ? null : apiMetrics.read(AbortSignal.timeout(15_000)).catch(() => null));
  /** The quiet window after `f` converged: the background load (started at `t0`) held while the operator's reconciles are counted at rest. */
  const quietAfter = async (f: PlannedFault, t0: number): Promise<ReturnType<typeof quietWindowOfExperiment> | null> => {
    pause.hold(`quiet window after ${f.key}`);
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key}: background load held for a ${Math.round(data.quietWindowEachMs / 1000)} s quiet window (after the operator rests, ≤ ${Math.round(quietSettleMaxMs(data.quietWindowEachMs) / 1000)} s)` });
    try {
      const objects = (await look(null).catch(() => null))?.objects ?? 0;
      const w = await quietWindow(ctx, plan, data.quietWindowEachMs, objects, timelineStop.signal);
      if (aborted(signals)) return null;
      const q = quietWindowOfExperiment(ctx.target.info.bindyVersion, w, t0);
      ctx.onEvent({ type: 'notice', text: `chaos: ${f.key}: quiet window ${w.reconciles ?? 'unknown'} reconciles in ${((w.toMono - w.fromMono) / 1000).toFixed(0)} s (${q.field.limit === null ? 'not judged' : `bound ${q.field.limit}`}); background load resumes` });
      return q;
    } finally {
      pause.release();
    }
  };

  /** One experiment: before, apply, during, revert, converge. */
  const runOne = async (f: PlannedFault, t0: number): Promise<void> => {
    // The experiments are planned on the load's clock: every hold so far moves them later.
    const startIn = t0 + f.atMs + pause.heldMs() - performance.now();
    if (startIn > 0) await sleep(startIn, signals);
    if (aborted(signals)) {
      notes.push(`${f.key} ${f.text}: not run (${timelineStop.signal.aborted ? 'the load stopped first' : 'the run was interrupted'})`);
      return;
    }
    const mechanism = faults?.mechanismFor(f.site, f.target, f.spec);
    if (mechanism === undefined) throw new Error(`${f.key}: the target has no mechanism for the ${f.site} ${f.target} (checked before the run)`);
    const before = await look(null).catch(() => null);
    const lifeBefore = await life.look();
    const apiBefore = await apiSamples();
    const lateMs = Math.max(0, performance.now() - (t0 + f.atMs + pause.heldMs()));
    if (loadEndedMono !== null) notes.push(`${f.key} started after the background load had ended (the previous experiment was still converging): it ran without load`);
    applyingKey = f.key;
    applyingDescriptor = null;
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key} ${f.text}: applying${before === null ? '' : ` (${before.ready} of ${before.objects} objects Ready before)`}` });
    const appliedMono = performance.now();
    let applied: AppliedFault;
    try {
      // Where the mechanism has a dead-man switch (the fault proxy, Chaos Mesh's duration) the fault carries one; a sandbox process fault has none (nothing outlives the tool to end it).
      const spec = mechanism.deadMan === true ? { ...f.spec, durationMs: f.durationMs + data.convergeBoundMs } : f.spec;
      applied = await ledger.apply(mechanism, f.target, spec);
      keys.set(applied, f.key);
    } catch (e) {
      // It may have taken effect before the error (a kill whose wait failed): revert from what was journalled.
      const journalled: RevertDescriptor | null = applyingDescriptor;
      let undone = 'nothing was journalled, so nothing was applied';
      if (journalled !== null) {
        const r = await revertFromDescriptor(journalled, { kubeConfig: ctx.target.kubeConfig }).catch((re: unknown) => ({ outcome: { reverted: false, already: false, detail: message(re) }, proof: { reverted: false, evidence: message(re) } }));
        if (r.proof.reverted) ctx.journal.appendFaultReverted(f.key);
        undone = r.proof.reverted ? `reverted from its descriptor: ${r.proof.evidence}` : `NOT proven reverted: ${r.proof.evidence}`;
      }
      experiments.push(failedExperiment(f, mechanism.name, `could not apply: ${message(e)}; ${undone}`, journalled === null || !undone.startsWith('NOT')));
      return;
    }
    let minReady = before?.ready ?? null;
    let maxNotReady = before?.notReady ?? null;
    const holdUntil = appliedMono + f.durationMs;
    while (performance.now() < holdUntil && !aborted(signals)) {
      await sleep(Math.min(sampleEveryMs, holdUntil - performance.now()), signals);
      const r = await look(null).catch(() => null);
      if (r !== null) {
        minReady = Math.min(minReady ?? r.ready, r.ready);
        maxNotReady = Math.max(maxNotReady ?? r.notReady, r.notReady);
      }
    }
    const revertStartMono = performance.now();
    const record = await revert(applied);
    const revertedMono = performance.now();
    const revertedWall = Date.now();
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key} reverted after ${((revertStartMono - appliedMono) / 1000).toFixed(1)} s (${record.proof.evidence}); waiting for convergence (≤ ${Math.round(data.convergeBoundMs / 1000)} s)` });
    let convergenceMs: number | null = null;
    let last: Readiness | null = null;
    let lastAudit: (AuditReport & { untruthful: number }) | null = null;
    let lookError = '';
    // A Ctrl-C ends the wait too (the experiment is then not judged on convergence).
    const convergeStops = signals;
    while (performance.now() - revertedMono < data.convergeBoundMs && !aborted(convergeStops)) {
      try {
        last = await look(revertedWall);
        if (last.overdue === 0) {
          lastAudit = await audit(revertedWall);
          if (notServedAsDesired(lastAudit) === 0) {
            convergenceMs = performance.now() - revertedMono;
            break;
          }
        }
      } catch (e) {
        lookError = message(e);
      }
      await sleep(1000, convergeStops);
    }
    const interrupted = aborted(signals);
    const lifeAfter = lifeBefore === null ? null : await life.look();
    const apiAfter = apiBefore === null ? null : await apiSamples();
    const codes = apiBefore === null || apiAfter === null ? null : bindyResponseCodes(apiBefore, apiAfter);
    ctx.onEvent({ type: 'notice', text: `chaos: ${f.key} ${convergenceMs === null ? (interrupted ? 'interrupted before it converged' : `did NOT converge within ${Math.round(data.convergeBoundMs / 1000)} s`) : `converged ${(convergenceMs / 1000).toFixed(1)} s after the revert`}` });
    const quiet = data.quietWindowEachMs > 0 && convergenceMs !== null && !aborted(signals) ? await quietAfter(f, t0) : null;
    if (data.quietWindowEachMs > 0 && convergenceMs === null && !interrupted) notes.push(`${f.key}: no quiet window after it: it did not converge`);
    const gaps = gap.gaps(appliedMono, convergenceMs === null ? performance.now() : revertedMono + convergenceMs);
    const why = [
      last === null ? `the API did not answer${lookError === '' ? '' : ` (${lookError})`}` : `${last.overdue} objects written before the revert still not Ready${last.overdueNames.length > 0 ? ` (${last.overdueNames.join(', ')})` : ''}`,
      ...(lastAudit === null ? [] : [`audit of the Ready records written before the revert: ${auditText(lastAudit)}; ${lastAudit.untruthful} of them Ready while DNS does not serve them`]),
    ].join('; ');
    const invariants: ChaosInvariant[] = [
      inv('fault reverted', record.proof.reverted ? 1 : 0, 1, '==', '', record.proof.evidence),
      // Not converging within the bound fails (it is the measurement), unless the run was interrupted first.
      {
        ...inv('converged after the revert', convergenceMs === null ? null : convergenceMs / 1000, data.convergeBoundMs / 1000, '<=', 's',
          convergenceMs === null ? `not within ${data.convergeBoundMs / 1000} s: ${why}` : `every object written before the revert Ready, and every Ready one of them served as desired by every DNS server, ${(convergenceMs / 1000).toFixed(1)} s after it`),
        ...(convergenceMs === null && !interrupted ? { verdict: 'fail' as const } : {}),
      },
      ...gaps.map((g) => {
        const touched = f.touchesServing && (f.touchedServers === undefined || f.touchedServers.includes(g.server));
        const bound = touched ? data.gapBounds.touchedMs : data.gapBounds.untouchedMs;
        return inv(`DNS gap on ${g.server}`, g.gapMs / 1000, bound / 1000, '<=', 's', `longest stretch without a NOERROR answer to SOA ${firstZone} (asked every 250 ms) from the fault to convergence; bound for a server the fault ${touched ? 'touched' : 'did not touch'}`);
      }),
      ...(f.spec.kind === 'replica' ? replicaInvariants(f.spec.leaderElection, applied.observations?.()['replica_reconciles'] ?? null) : []),
      ...restartInvariant(f, lifeBefore, lifeAfter, life.whyNot),
      ...(quiet?.invariants ?? []),
    ];
    // Judged once the load has ended: whether creates went through after the lift needs the rest of it.
    if (f.spec.kind === 'quota') quotaWindows.push({ key: f.key, appliedMs: appliedMono, liftingMs: revertStartMono, liftedMs: revertedMono });
    experiments.push({
      key: f.key,
      kind: f.experiment,
      mechanism: mechanism.name,
      target: f.target,
      description: f.text,
      plannedAtMs: f.atMs,
      startedLateMs: Math.round(lateMs),
      appliedAt: applied.appliedAt,
      revertedAt: record.revertedAt,
      heldMs: Math.round(revertStartMono - appliedMono),
      revertMs: Math.round(revertedMono - revertStartMono),
      revertProof: record.proof.evidence,
      reverted: record.proof.reverted,
      before: before === null ? null : { objects: before.objects, ready: before.ready },
      during: minReady === null || maxNotReady === null ? null : { minReady, maxNotReady },
      ...(codes === null ? {} : { apiResponses: { conflicts: codes['409'] ?? 0, throttled: codes['429'] ?? 0, requests: Object.values(codes).reduce((a, b) => a + b, 0) } }),
      convergenceMs: convergenceMs === null ? null : Math.round(convergenceMs),
      windowMs: { applied: Math.round(appliedMono - t0), reverted: Math.round(revertedMono - t0), converged: convergenceMs === null ? null : Math.round(revertedMono + convergenceMs - t0) },
      ...(quiet === null ? {} : { quietWindow: quiet.field }),
      invariants,
    });
  };

  // Background DNS queries for the whole load, through the client link (a fault on it must show); on
  // a cluster from a pod next to BIND9, ready before the load starts. Opened last before the try
  // whose finally closes them, with BIND9's port-forwards (the instances exist after setup), one
  // pipelined TCP connection per server.
  const dnsLoad = await openBackgroundDns(ctx, {
    plan: data.dnsLoad,
    runId: plan.runId,
    namespace: plan.namespace,
    clusterName: plan.setup.cluster.metadata.name ?? '',
    zones: d.zones.map((z) => z.spec.zoneName),
    clientServer: (faults?.clientDnsServers ?? ctx.target.dnsServers)[0],
    durationMs: d.durationMs + holdRoomMs,
    // The zones' and the working set's setup waits, the load with its holds, and a margin.
    jobBoundMs: 2 * d.timeoutMs + d.durationMs + holdRoomMs + 60_000,
  });
  let reach: Awaited<ReturnType<typeof openDnsReach>>;
  try {
    reach = await openDnsReach(ctx.target);
  } catch (e) {
    dnsLoad.stop();
    await dnsLoad.finish();
    throw e;
  }
  const servers = reach.servers;
  // The gap is what clients see: through the client link when the target has one (a fault on it must show).
  const gap = new DnsGapProber({ servers: (faults?.clientDnsServers ?? servers).map((s) => ({ ...s, name: serverName(s) })), name: firstZone, ...(reach.ask === undefined ? {} : { ask: reach.ask }) });
  let outcome: DriveOutcome | null = null;
  try {
    session = await runSustainedSession(
      sustainedSessionOptions(ctx, plan, d, {
        records: (source) => created.wrap(hooks.records ?? source),
        onOperation,
        pause,
        beforeMeasured: async () => {
          await observers.start(ctx, plan);
          gap.start();
          const t0 = performance.now();
          dnsLoad.start(t0);
          // The experiments run beside the load, one after another in time order; an error ends them and is kept.
          timeline = (async () => {
            for (const f of [...data.faults].sort((x, y) => x.atMs - y.atMs)) await runOne(f, t0);
          })().catch((e: unknown) => {
            timelineError = e;
          });
        },
        onEvent: (e) => {
          if (e.type === 'engine-done') loadEndedMono = performance.now();
          if (e.type === 'engine-done' && holdRoomMs > 0) dnsLoad.stop();
          hooks.onEvent?.(e);
          ctx.onEvent(e);
        },
      }),
    );
    await timeline;
    for (const w of quotaWindows) experiments.find((x) => x.key === w.key)?.invariants.push(...quotaInvariants(createAnswers, w.appliedMs, w.liftingMs, w.liftedMs));
    const dns = await dnsLoad.finish();
    const s = session;
    await observers.stop(s.ledger.counts.create.accepted);
    const m = measureSession(d, s);
    outcome = { latencies: m.latencies, counters: m.counters, timeSeries: m.timeSeries, failures: m.failures, notes: m.notes, operator: [], apiAmplification: null };
    mergeObservers(outcome, observers.sections);
    if ('sections' in dns) addFigures(outcome, dns.sections);
    else {
      // The background DNS load itself failed: a problem of the run, not a figure of the faults.
      if (dns.failure !== null) outcome.counters.dnsperf_failed = { value: 1, unit: 'checks', description: `whether the background dnsperf failed: ${dns.failure}` };
      notes.push(dns.note);
    }
    await hooks.afterLoad?.(s, outcome);
    // The end state: every record Ready and served as desired, nothing deleted still served, no orphan.
    let final: ChaosSection['final'] = null;
    if (!aborted([ctx.stopStarting, ctx.hardStop])) {
      try {
        // A secondary serves a change one transfer after the primary: the end state is judged once it
        // settles (every record Ready and served as desired), within the convergence bound.
        const endStart = performance.now();
        const endStops = [ctx.stopStarting, ctx.hardStop];
        let r = await look(null);
        let a = await audit(null);
        while ((r.notReady > 0 || notServedAsDesired(a) > 0) && performance.now() - endStart < data.convergeBoundMs && !aborted(endStops)) {
          await sleep(1000, endStops);
          r = await look(null);
          a = await audit(null);
        }
        const settled = r.notReady === 0 && notServedAsDesired(a) === 0;
        notes.push(`end state ${settled ? 'settled' : `did NOT settle within ${Math.round(data.convergeBoundMs / 1000)} s`}: checked ${((performance.now() - endStart) / 1000).toFixed(1)} s after the load (${r.ready} of ${r.objects} objects Ready; ${auditText(a)})`);
        // Data loss: a write the API acknowledged whose effect is not what DNS serves (per record, any server).
        const lost = new Set(a.byServer.flatMap((x) => x.mismatches.filter((mm) => mm.verdict === 'missing' || mm.verdict === 'wrong' || mm.verdict === 'stale').map((mm) => `${mm.kind ?? ''}/${mm.name ?? mm.fqdn}`)));
        final = {
          lostWrites: lost.size,
          objects: r.objects,
          ready: r.ready,
          auditClean: notServedAsDesired(a) === 0,
          audit: auditText(a),
          untruthful: a.untruthful,
          mismatches: a.byServer.flatMap((x) => x.mismatches.slice(0, 10).map((mm) => `${x.server}: ${mm.verdict} ${mm.kind ?? '-'}/${mm.name ?? '-'} ${mm.fqdn} ${mm.rrType}: expected ${mm.expected}, served ${mm.served}`)),
        };
      } catch (e) {
        notes.push(`end state not checked: ${message(e)}`);
      }
    }
    outcome.chaos = { experiments, final, dnsProbe: gap.stats() };
    if (timelineError === null) await hooks.atEnd?.(s, outcome);
    if (timelineError !== null) throw timelineError instanceof Error ? timelineError : new Error(message(timelineError));
    return outcome;
  } finally {
    gap.stop();
    dnsLoad.stop();
    await dnsLoad.finish();
    // No experiment starts after this; the one in progress ends (its revert below, if still in force).
    timelineStop.abort();
    await timeline;
    // Whatever happened: no fault outlives the scenario (cleanup needs a working operator).
    let notReverted = 0;
    for (const applied of ledger.active.slice().reverse()) {
      const r = await revert(applied);
      notes.push(`fault ${r.description} on ${r.target} reverted on the way out: ${r.proof.reverted ? r.proof.evidence : `NOT proven reverted (${r.proof.evidence}); bindy-loadtest cleanup --run-id ${plan.runId} tries again`}`);
      if (!r.proof.reverted) notReverted++;
    }
    if (outcome !== null) outcome.counters.chaos_faults_not_reverted = { value: notReverted, unit: 'faults', description: 'faults still in force when the scenario ended whose revert could not be proven (cleanup --run-id tries again)' };
    await observers.stop(session?.ledger.counts.create.accepted ?? 0);
    await reach.close();
    notes.push(...reach.notes());
    if (servers.length === 0) notes.push('the DNS side was not checked: the target names no BIND9 server reachable from here (no audit of what DNS serves, no DNS gap)');
    else if (reach.forwarded && data.faults.some((f) => f.site === 'link')) {
      notes.push("DNS was asked through port-forwards, which reach named inside its pod: a network fault on the pod's interface does not show in the DNS gap or the audit");
    }
    // Notes written after the reverts, so the way-out lines are in the result too.
    if (outcome !== null) outcome.notes.push(...notes);
  }
}

function aborted(signals: readonly AbortSignal[]): boolean {
  return signals.some((s) => s.aborted);
}

/** An experiment whose fault could not be applied: it fails, with what became of anything it did. */
function failedExperiment(f: PlannedFault, mechanism: string, why: string, reverted: boolean): ChaosExperimentResult {
  return { key: f.key, kind: f.experiment, mechanism, target: f.target, description: f.text, plannedAtMs: f.atMs, startedLateMs: 0, heldMs: 0, revertMs: 0, reverted, revertProof: why, before: null, during: null, convergenceMs: null, invariants: [inv('fault applied', 0, 1, '==', '', why)] };
}

/**
 * What a second operator replica must show (pure), from its own reconcile counter read just before
 * it was stopped: with leader election it stood by (no reconcile while the first held the Lease);
 * without, it reconciled (the split brain took effect; what it did to the objects is what
 * convergence and the audit judge).
 */
export function replicaInvariants(leaderElection: boolean, reconciles: number | null): ChaosInvariant[] {
  const read = reconciles === null ? "its /metrics did not answer before it was stopped" : `${reconciles} reconciles counted by the second replica (its own /metrics, read before it was stopped)`;
  return leaderElection
    ? [inv('the standby replica did not reconcile', reconciles, 0, '==', 'reconciles', `${read}; the first held the bindy-leader Lease`)]
    : [inv('both replicas reconciled (split brain)', reconciles, 1, '>=', 'reconciles', `${read}; it took no Lease`)];
}

/**
 * The operator's restarts over an experiment, from a look before the fault and one after the wait
 * for convergence (pure). None may happen under a fault that does not aim at the operator; at least
 * one under operator-kill (the kill took effect, and a new process answers after it); any number
 * under a memory limit on the operator (an OOM kill is what it may cause: counted, not judged); none
 * for split-brain (its second replica comes and goes, which is not a restart of the first). An
 * operator seen before and not after counts as one (it exited or hangs).
 */
export function restartInvariant(f: Pick<PlannedFault, 'experiment' | 'target' | 'spec'>, before: OperatorLife | null, after: OperatorLife | null, whyNot: string): ChaosInvariant[] {
  if (f.spec.kind === 'replica') return [];
  const r = before === null ? null : after === null ? { restarts: 1, evidence: `the operator answered before the fault and not after the wait for convergence (${whyNot}): it exited or hangs` } : restartsBetween(before, after);
  const evidence = r === null ? `not looked at: the operator did not answer before the fault (${whyNot})` : r.evidence;
  if (f.experiment === 'operator-kill') return [inv('the operator was restarted', r?.restarts ?? null, 1, '>=', 'restarts', `${evidence}; the kill must take effect and a new process must answer`)];
  if (f.target === 'operator' && f.spec.kind === 'memory-limit') return [inv('operator restarts (an OOM kill allowed)', r?.restarts ?? null, 0, '>=', 'restarts', `${evidence}; counted, not judged: the limit may make the kernel kill it`)];
  return [inv('the operator did not restart', r?.restarts ?? null, 0, '==', 'restarts', `${evidence}; the fault does not aim at the operator`)];
}

/** How long after the quota is lifted a create may still meet it: one answered while the delete was in flight. */
const quotaLiftGraceMs = 1000;

/**
 * What a quota fault must show (pure): the API server refused creates while it held (else it did
 * not take effect: the load offered no create, or the quota counted nothing), and none after it
 * was lifted. Times are monotonic ms.
 */
export function quotaInvariants(answers: readonly { atMs: number; byQuota: boolean }[], appliedMs: number, liftingMs: number, liftedMs: number): ChaosInvariant[] {
  const during = answers.filter((a) => a.atMs >= appliedMs && a.atMs <= liftingMs);
  const refused = during.filter((a) => a.byQuota).length;
  const after = answers.filter((a) => a.atMs > liftedMs + quotaLiftGraceMs);
  const refusedAfter = after.filter((a) => a.byQuota).length;
  return [
    inv('the quota took effect', during.length === 0 ? null : refused, 1, '>=', 'creates', during.length === 0 ? 'no create was answered while it held: nothing to refuse' : `${refused} of ${during.length} creates answered while it held were refused 403 "exceeded quota" (counted apart, not as failed)`),
    inv('creates accepted again after the lift', after.length === 0 ? null : refusedAfter, 0, '==', 'creates', after.length === 0 ? 'no create was answered after it was lifted (the load had ended)' : `${after.length - refusedAfter} of ${after.length} creates answered from ${quotaLiftGraceMs / 1000} s after the lift to the end of the load accepted`),
  ];
}

/** Every invariant of every experiment held, the end state is clean, and the background load went through. */
export function verifyChaos(result: RunResult): Verification {
  const problems: string[] = [];
  for (const e of result.chaos?.experiments ?? []) {
    for (const i of e.invariants) if (i.verdict === 'fail') problems.push(`${e.key} ${e.kind}: ${i.name}: ${i.observed ?? '-'}${i.unit === '' ? '' : ` ${i.unit}`} (limit ${i.comparison} ${i.limit}): ${i.evidence}`);
  }
  const f = result.chaos?.final;
  if (f !== undefined && f !== null) {
    if ((f.lostWrites ?? 0) > 0) problems.push(`end state: data loss: ${f.lostWrites ?? 0} acknowledged writes not served by DNS (missing, older data, or still served after their delete): ${f.audit}`);
    else if (!f.auditClean) problems.push(`end state: DNS does not serve what the CRs say: ${f.audit}`);
    if (f.untruthful > 0) problems.push(`end state: ${f.untruthful} records Ready while DNS does not serve them (untruthful status)`);
    if (f.ready < f.objects) problems.push(`end state: ${f.objects - f.ready} of ${f.objects} objects not Ready`);
  }
  // The background DNS load's own failures (not what the faults did to DNS: that is the figure).
  if ((result.counters['dnsperf_failed']?.value ?? 0) > 0) problems.push(`the background dnsperf failed: ${result.counters['dnsperf_failed']?.description ?? ''}`);
  // dnsperf's own failures only: unexpected rcodes and losses under a fault are what the fault did.
  problems.push(...dnsperfProblems(result.counters).filter((p) => !p.includes('unexpected rcode')));
  if ((result.counters['chaos_faults_not_reverted']?.value ?? 0) > 0) problems.push('a fault still in force at the end could not be proven reverted (see the notes); run cleanup --run-id');
  const c = (n: string): number => result.counters[n]?.value ?? 0;
  if (c('operations_failed') > 0) problems.push(`${c('operations_failed')} of ${c('operations_attempted')} background operations failed`);
  const quiet = result.counters['quiet_window_reconciles']?.value;
  const bound = result.counters['quiet_window_bound']?.value;
  if (quiet !== undefined && bound !== undefined && quiet > bound) problems.push(`quiet window: ${quiet} reconciles at rest in ${c('quiet_window_seconds').toFixed(0)} s, above ${bound}`);
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
  needsNamedDisk: (config) => config.scenarios.chaos.experiments.some((e) => e.kind === 'disk-full'),
  checkTarget: chaosUnsupported,
  drive: driveChaos,
  verify: verifyChaos,
};

/** Why `target` cannot run the plan's faults (checked before any load), or undefined when it can. */
export function chaosUnsupported(target: Target, plan: ScenarioPlan<ChaosPlanData>): string | undefined {
  const f = target.faults;
  if (f === undefined) return `the ${target.info.kind} target has no fault mechanism here yet`;
  const dns = plan.data === undefined ? undefined : backgroundDnsUnsupported(plan.data.dnsLoad, (f.clientDnsServers ?? target.dnsServers).length);
  if (dns !== undefined) return dns;
  for (const p of plan.data?.faults ?? []) {
    const why = f.unsupportedReason(p.site, p.target, p.spec);
    if (why !== undefined) return `${p.key} (${p.text}): ${why}`;
  }
  return undefined;
}
