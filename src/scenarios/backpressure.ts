/**
 * @module The backpressure scenario. `step`: the sustained engine at rising rates; each step's
 * backlog is judged as it ends and the schedule stops at the first step whose backlog grows; the
 * knee is the highest flat rate. Pressure modes: background load while one pressure (a slow
 * bindcar, a throttled API) is applied for a window, journalled first and lifted at its end (and
 * on error or Ctrl-C); then checks with evidence: no operator restart, backoff instead of a hot
 * loop, no conflicting writes, the backlog under pressure, and recovery after the lift.
 */
import { performance } from 'node:perf_hooks';
import { LoadtestError, TargetNotReadyError } from '../errors.js';
import { backpressureMetrics } from '../judge/criteria.js';
import { judgeInvariant as check, meanIn as mean } from '../judge/invariant.js';
import { findKnee, judgeStep, type StepVerdict } from '../judge/knee.js';
import { runSustainedSession, type SustainedSessionResult } from '../drive/sustained-session.js';
import { sleep } from '../drive/sleep.js';
import type { BindyKind } from '../model/kinds.js';
import { apfKinds } from '../model/object-kinds.js';
import { OperatorLooks, restartsBetween, type OperatorLife } from '../observe/operator-life.js';
import { listRunObjects, readinessOf, type Readiness } from '../observe/run-readiness.js';
import type { BackpressureSection, BackpressureStepResult, ChaosExperimentResult, ChaosInvariant, RunResult } from '../report/result/index.js';
import type { Target } from '../targets/target.js';
import { planBackpressure, type BackpressurePlanData, type PlannedPressure } from './backpressure-plan.js';
import { applyPressure, pressureKey, type AppliedPressure } from './pressure-window.js';
import { measureSession, sustainedSessionOptions } from './sustained-drive.js';
import { StartedObservers } from './started-observers.js';
import { mergeObservers } from './scenario.js';
import type { DriveContext, DriveOutcome, Scenario, ScenarioPlan, Verification } from './scenario.js';

/** Under pressure, reconciles per second may rise to this multiple of their rate before it (more is a retry loop without backoff). */
export const backoffFactor = 3;

/** Window before the pressure whose reconcile rate is the baseline of the backoff check, ms. */
const baselineWindowMs = 60_000;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function aborted(signals: readonly AbortSignal[]): boolean {
  return signals.some((s) => s.aborted);
}

type Points = readonly { t: number; value: number }[];

function peak(points: Points | undefined, fromMs: number, toMs: number): number | null {
  const inside = (points ?? []).filter((p) => p.t >= fromMs && p.t <= toMs);
  return inside.length === 0 ? null : Math.max(...inside.map((p) => p.value));
}

/** What the pressure checks are computed from (pure). */
export interface PressureEvidence {
  /** The window on the load's clock, ms. */
  appliedMs: number;
  liftedMs: number;
  recoveredMs: number | null;
  recoveryBoundMs: number;
  /** What was still not Ready when the recovery bound passed (used when it did not recover). */
  stillNotReady?: string;
  lift: { lifted: boolean; evidence: string };
  restarts: { restarts: number; evidence: string } | null;
  restartsWhyNot: string;
  reconciles: Points | undefined;
  errors: Points | undefined;
  backlog: Points;
  conflicts: number | null;
  throttled: number | null;
  /** Whether the pressure mode needs 429s to have been answered to have taken effect (api-throttle). */
  expectThrottled: boolean;
  maxQueueDepth: number;
}

/** The checks of a pressure window with their evidence (pure). */
export function pressureChecks(e: PressureEvidence): ChaosInvariant[] {
  // Half-open: a sample stamped at the moment of the pressure belongs to it, not to the baseline.
  const before = mean(e.reconciles, Math.max(0, e.appliedMs - baselineWindowMs), e.appliedMs - 1e-6);
  const during = mean(e.reconciles, e.appliedMs, e.liftedMs);
  const errorsDuring = mean(e.errors, e.appliedMs, e.liftedMs);
  const ratio = before === null || during === null || before <= 0 ? null : during / before;
  const backlogPeak = peak(e.backlog, e.appliedMs, e.recoveredMs ?? e.liftedMs);
  const out: ChaosInvariant[] = [
    check('pressure lifted', e.lift.lifted ? 1 : 0, 1, '==', '', e.lift.evidence),
    check('no operator crash or restart', e.restarts?.restarts ?? null, 0, '==', 'restarts', e.restarts?.evidence ?? `not measured: ${e.restartsWhyNot}`),
    check(
      'backoff, not a hot loop',
      ratio,
      backoffFactor,
      '<=',
      '×',
      ratio === null
        ? `not measured: the operator's reconcile rate ${before === null ? 'before' : 'during'} the pressure is unknown${before === 0 ? ' (it was 0 before)' : ''}`
        : `the operator's reconciles/s: ${(before ?? 0).toFixed(2)} in the ${Math.round(Math.min(baselineWindowMs, e.appliedMs) / 1000)} s before the pressure, ${(during ?? 0).toFixed(2)} under it${errorsDuring === null ? '' : ` (errors ${errorsDuring.toFixed(2)}/s)`}; a retry loop without backoff multiplies it`,
    ),
    check('no conflicting writes', e.conflicts, 0, '==', 'requests', e.conflicts === null ? 'not measured: the API server\'s request counts were not scraped' : `API requests answered 409 Conflict over the run (every client; apiserver_request_total)`),
    check(
      'backlog under pressure',
      backlogPeak,
      e.maxQueueDepth,
      '<=',
      'objects',
      `peak client-side backlog (operations written, not yet in effect) from the pressure to the recovery; the limit is criteria.maxQueueDepth`,
    ),
    {
      ...check(
        'recovered after the lift',
        e.recoveredMs === null ? null : (e.recoveredMs - e.liftedMs) / 1000,
        e.recoveryBoundMs / 1000,
        '<=',
        's',
        e.recoveredMs === null ? `not within ${e.recoveryBoundMs / 1000} s: ${e.stillNotReady ?? 'objects written before the lift were still not Ready'}` : 'every object written before the lift Ready',
      ),
      ...(e.recoveredMs === null ? { verdict: 'fail' as const } : {}),
    },
  ];
  if (e.expectThrottled) {
    out.push(
      check(
        'pressure took effect',
        e.throttled,
        1,
        '>=',
        'requests',
        e.throttled === null ? 'not measured: the API server\'s request counts were not scraped' : 'API requests answered 429 over the run (every client): zero means bindy never needed more seats than the level gave; raise the rate or lower throttleShares (on the sandbox, whose API server answers in microseconds, also give it sandbox.apiserver.requestLatency, e.g. 5ms)',
      ),
    );
  }
  return out;
}

/** When the pressure was in force and when the run recovered, on the load's clock (ms). */
interface PressureWindowTimes {
  appliedMs: number;
  liftedMs: number;
  recoveredMs: number | null;
  lift: { lifted: boolean; evidence: string };
  appliedAt: string;
  liftedAt: string;
  /** When it did not recover: what was still not Ready at the bound. */
  stillNotReady: string;
  /** The mechanism that applied it, and what it acted on. */
  mechanism: string;
  target: string;
  /** operator-limits: looks at the operator once the limits were in force and just before they were lifted, and once lifted (the tool's own restarts lie between them). */
  lifeMarks: { under: OperatorLife | null; beforeLift: OperatorLife | null; afterLift: OperatorLife | null } | null;
}

/**
 * Restarts over the spans between pairs of looks (pure): an operator seen at a span's start and not
 * at its end exited (the sandbox has no kubelet to restart it) or hangs; null when no span could be judged.
 */
export function restartsOver(spans: readonly (readonly [OperatorLife | null, OperatorLife | null])[], whyNot: string, note?: string): { restarts: number; evidence: string } | null {
  let restarts = 0;
  const lines: string[] = [];
  for (const [from, to] of spans) {
    if (from === null) continue;
    const r = to !== null ? restartsBetween(from, to) : { restarts: 1, evidence: `the operator answered at first and not later (${whyNot}): it exited or hangs` };
    restarts += r.restarts;
    lines.push(r.evidence);
  }
  if (lines.length === 0) return null;
  return { restarts, evidence: `${lines.join('; ')}${note === undefined ? '' : ` (${note})`}` };
}

/** A step verdict as the result has it. */
function stepResult(v: StepVerdict): BackpressureStepResult {
  return {
    rate: v.rate,
    fromMs: v.fromMs,
    toMs: v.toMs,
    verdict: v.stability.verdict,
    slopePerMinute: v.stability.slopePerMinute,
    slopeInterval: v.stability.interval,
    completedPerSec: v.completedPerSec,
    reconcilesPerSec: v.reconcilesPerSec,
    backlogAtEnd: v.backlogAtEnd,
  };
}

/** Runs the backpressure scenario (see the module doc). */
async function driveBackpressure(ctx: DriveContext, plan: ScenarioPlan<BackpressurePlanData>): Promise<DriveOutcome> {
  const data = plan.data;
  if (data === undefined) throw new Error('the backpressure plan carries no schedule');
  const d = data.load;
  const kinds: BindyKind[] = ['DNSZone', ...d.recordKinds];
  // The schedule stops early at the knee: its own stop, fed by the user's.
  const stopLoad = new AbortController();
  const forward = (): void => stopLoad.abort();
  ctx.stopStarting.addEventListener('abort', forward, { once: true });
  const loadCtx: DriveContext = { ...ctx, stopStarting: stopLoad.signal };
  const observers = new StartedObservers();
  const backlog: { t: number; value: number }[] = [];
  const verdicts: StepVerdict[] = [];
  const notes: string[] = [];
  let t0 = 0;
  // When the engine stopped starting operations (ms on the load's clock): steps after it never ran.
  let engineDoneMs: number | null = null;
  let lifeBefore: OperatorLife | null = null;
  const life = new OperatorLooks(ctx.target.metricsEndpoints.find((e) => e.name === 'operator')?.url, ctx.target.kubeConfig, ctx.hardStop);
  // The pressure window (pressure modes).
  const timelineStop = new AbortController();
  const signals = [ctx.stopStarting, ctx.hardStop, timelineStop.signal];
  let timeline: Promise<void> = Promise.resolve();
  let timelineError: unknown = null;
  let inForce: AppliedPressure | null = null;
  // A holder: narrowing does not see writes made in callbacks.
  const held: { window: PressureWindowTimes | null } = { window: null };
  const onSample = (s: { tMs: number; outstanding: number }): void => {
    backlog.push({ t: s.tMs, value: s.outstanding });
    // Once the schedule stopped (the knee, or Ctrl-C), the samples go on while the outstanding
    // operations drain: no step after that ran, so none is judged.
    if (data.mode !== 'step' || stopLoad.signal.aborted || engineDoneMs !== null) return;
    const step = data.steps[verdicts.length];
    if (step === undefined || s.tMs < step.toMs) return;
    const v = judgeStep(step, { backlog });
    verdicts.push(v);
    const growing = v.stability.verdict === 'growing';
    ctx.onEvent({
      type: 'notice',
      text: `backpressure: step ${verdicts.length} at ${v.rate}/s: backlog ${v.stability.verdict}${v.stability.slopePerMinute === null ? '' : ` (slope ${v.stability.slopePerMinute.toFixed(1)} objects/min)`}, ${v.backlogAtEnd ?? '?'} outstanding${growing ? ': the knee is found, the schedule stops' : ''}`,
    });
    if (growing) stopLoad.abort();
  };

  const runPressure = async (p: PlannedPressure): Promise<void> => {
    const startIn = t0 + p.atMs - performance.now();
    if (startIn > 0) await sleep(startIn, signals);
    if (aborted(signals)) {
      notes.push(`the pressure was not applied (${timelineStop.signal.aborted ? 'the load stopped first' : 'the run was interrupted'})`);
      return;
    }
    ctx.onEvent({ type: 'notice', text: `backpressure: applying ${p.text}` });
    inForce = await applyPressure(p, {
      target: ctx.target,
      client: ctx.client,
      journal: ctx.journal,
      runId: plan.runId,
      ...(ctx.target.operatorIdentity === undefined ? {} : { operator: ctx.target.operatorIdentity.serviceAccount }),
      deadManMs: p.durationMs + data.recoveryBoundMs,
    }).catch((e: unknown) => {
      // The target could not take the pressure (or give it back): not a bug of the tool.
      throw e instanceof LoadtestError ? e : new TargetNotReadyError(`backpressure: the pressure could not be applied: ${message(e)}`);
    });
    const appliedMono = performance.now();
    const applied: AppliedPressure = inForce;
    const appliedAt = applied.appliedAt;
    const restarts = p.mode === 'operator-limits';
    ctx.onEvent({ type: 'notice', text: `backpressure: in force: ${applied.target}` });
    const under = restarts ? await life.look() : null;
    await sleep(appliedMono + p.durationMs - performance.now(), signals);
    const beforeLift = restarts ? await life.look() : null;
    const lift = await applied.lift();
    if (lift.lifted) inForce = null;
    const liftedMono = performance.now();
    const liftedWall = Date.now();
    const afterLift = restarts ? await life.look() : null;
    ctx.onEvent({ type: 'notice', text: `backpressure: pressure lifted after ${((liftedMono - appliedMono) / 1000).toFixed(1)} s (${lift.evidence}); waiting for recovery (≤ ${Math.round(data.recoveryBoundMs / 1000)} s)` });
    let recoveredMono: number | null = null;
    let last: Readiness | null = null;
    while (performance.now() - liftedMono < data.recoveryBoundMs && !aborted([ctx.stopStarting, ctx.hardStop])) {
      try {
        const r = readinessOf(await listRunObjects(ctx.client, plan.namespace, plan.runId, kinds), liftedWall);
        last = r;
        if (r.overdue === 0) {
          recoveredMono = performance.now();
          break;
        }
      } catch (e) {
        notes.push(`recovery check: ${message(e)}`);
      }
      await sleep(1000, [ctx.stopStarting, ctx.hardStop]);
    }
    ctx.onEvent({ type: 'notice', text: `backpressure: ${recoveredMono === null ? `NOT recovered within ${Math.round(data.recoveryBoundMs / 1000)} s` : `recovered ${((recoveredMono - liftedMono) / 1000).toFixed(1)} s after the lift`}` });
    const stillNotReady = last === null ? 'the API did not answer' : `${last.overdue} objects written before the lift still not Ready${last.overdueNames.length > 0 ? ` (${last.overdueNames.join(', ')})` : ''}`;
    held.window = {
      appliedMs: appliedMono - t0,
      liftedMs: liftedMono - t0,
      recoveredMs: recoveredMono === null ? null : recoveredMono - t0,
      lift,
      appliedAt,
      liftedAt: new Date(liftedWall).toISOString(),
      stillNotReady,
      mechanism: applied.mechanism,
      target: applied.target,
      lifeMarks: restarts ? { under, beforeLift, afterLift } : null,
    };
  };

  let session: SustainedSessionResult | null = null;
  let outcome: DriveOutcome | null = null;
  try {
    session = await runSustainedSession(
      sustainedSessionOptions(loadCtx, plan, d, {
        beforeMeasured: async () => {
          await observers.start(ctx, plan);
          lifeBefore = await life.look();
          t0 = performance.now();
          const p = data.pressure;
          if (p !== null) {
            timeline = runPressure(p).catch((e: unknown) => {
              timelineError = e;
            });
          }
        },
        onSample,
        onEvent: (e) => {
          if (e.type === 'engine-done') engineDoneMs = performance.now() - t0;
          ctx.onEvent(e);
        },
      }),
    );
    await timeline;
    const s = session;
    await observers.stop(s.ledger.counts.create.accepted);
    const m = measureSession(d, s);
    outcome = { latencies: m.latencies, counters: m.counters, timeSeries: m.timeSeries, failures: m.failures, notes: [...m.notes], operator: [], apiAmplification: null };
    mergeObservers(outcome, observers.sections);
    const series = (name: string): Points | undefined => outcome?.timeSeries.find((x) => x.name === name)?.points;
    const section: BackpressureSection = { mode: data.mode, steps: [], knee: null, pressure: null };
    if (data.mode === 'step') {
      // Judged again at the end with every series (the reconcile and completion rates come from the
      // observers): the steps the engine ran to their end (a second of slack for the sampler), never
      // one after the knee stopped it, whatever the wait for the operations in flight took after.
      const doneMs = engineDoneMs ?? s.settledMs - s.measuredStartMs;
      const ran = data.steps.slice(0, Math.max(verdicts.length, data.steps.filter((st) => st.toMs <= doneMs + 1000).length));
      const full = ran.map((st) => judgeStep(st, { backlog: series('client_side_backlog') ?? backlog, completed: series('completed_ops_per_second'), reconciles: series('operator_reconciles_per_second') }));
      const knee = findKnee(full);
      section.steps = full.map(stepResult);
      section.knee = knee;
      outcome.notes.unshift(`knee: ${knee.text}`);
      if (knee.rate !== null) outcome.counters.knee_rate = { value: knee.rate, unit: '1/s', description: 'the highest offered rate whose client-side backlog stayed flat before the first step whose backlog grew (a capacity figure, as fine as the step size)' };
      if (knee.saturatedReconcilesPerSec !== null) outcome.counters.saturated_reconciles_per_second = { value: knee.saturatedReconcilesPerSec, unit: '1/s', description: "the operator's mean reconciles per second over the first step whose backlog grew: its ceiling once saturated" };
    } else {
      const w = held.window;
      const p = data.pressure;
      if (w !== null && p !== null) {
        const lifeAfter = await life.look();
        const restarts = w.lifeMarks === null ? restartsOver([[lifeBefore, lifeAfter]], life.whyNot) : restartsOver([[w.lifeMarks.under, w.lifeMarks.beforeLift], [w.lifeMarks.afterLift, lifeAfter]], life.whyNot, 'the tool\'s own restarts (applying and lifting the limits) not counted');
        const checks = pressureChecks({
          appliedMs: w.appliedMs,
          liftedMs: w.liftedMs,
          recoveredMs: w.recoveredMs,
          recoveryBoundMs: data.recoveryBoundMs,
          stillNotReady: w.stillNotReady,
          lift: w.lift,
          restarts,
          restartsWhyNot: life.whyNot,
          reconciles: series('operator_reconciles_per_second'),
          errors: series('operator_errors_per_second'),
          backlog: series('client_side_backlog') ?? backlog,
          conflicts: outcome.counters['api_responses_409']?.value ?? null,
          throttled: outcome.counters['api_responses_429']?.value ?? null,
          expectThrottled: p.mode === 'api-throttle',
          maxQueueDepth: data.maxQueueDepth,
        });
        const r: ChaosExperimentResult = {
          key: pressureKey,
          kind: p.mode,
          mechanism: w.mechanism,
          target: p.mode === 'api-throttle' ? 'the operator\'s ServiceAccount' : p.mode === 'operator-limits' ? w.target : p.link,
          description: p.text,
          plannedAtMs: p.atMs,
          startedLateMs: Math.max(0, Math.round(w.appliedMs - p.atMs)),
          appliedAt: w.appliedAt,
          revertedAt: w.liftedAt,
          heldMs: Math.round(w.liftedMs - w.appliedMs),
          reverted: w.lift.lifted,
          revertProof: w.lift.evidence,
          before: null,
          during: null,
          convergenceMs: w.recoveredMs === null ? null : Math.round(w.recoveredMs - w.liftedMs),
          windowMs: { applied: Math.round(w.appliedMs), reverted: Math.round(w.liftedMs), converged: w.recoveredMs === null ? null : Math.round(w.recoveredMs) },
          invariants: checks,
        };
        section.pressure = r;
        if (r.convergenceMs !== null) outcome.counters.recovery_seconds = { value: r.convergenceMs / 1000, unit: 's', description: 'from the lift of the pressure until every object written before it was Ready' };
      }
    }
    outcome.backpressure = section;
    if (timelineError !== null) throw timelineError instanceof Error ? timelineError : new Error(message(timelineError));
    return outcome;
  } finally {
    ctx.stopStarting.removeEventListener('abort', forward);
    timelineStop.abort();
    await timeline;
    // Whatever happened: no pressure outlives the scenario (cleanup needs a working operator).
    const left = inForce as AppliedPressure | null;
    if (left !== null) {
      const r = await left.lift().catch((e: unknown) => ({ lifted: false, evidence: message(e) }));
      notes.push(`the pressure was lifted on the way out: ${r.lifted ? r.evidence : `NOT proven lifted (${r.evidence}); bindy-loadtest cleanup --run-id ${plan.runId} tries again`}`);
    }
    await observers.stop(session?.ledger.counts.create.accepted ?? 0);
    if (outcome !== null) outcome.notes.push(...notes);
  }
}

/** Every check held (pressure modes), a knee was judged (step), and the background load went through. */
function verifyBackpressure(result: RunResult): Verification {
  const problems: string[] = [];
  const b = result.backpressure;
  for (const i of b?.pressure?.invariants ?? []) {
    if (i.verdict === 'fail') problems.push(`${b?.mode ?? 'pressure'}: ${i.name}: ${i.observed ?? '-'}${i.unit === '' ? '' : ` ${i.unit}`} (limit ${i.comparison} ${i.limit}): ${i.evidence}`);
  }
  if (b?.mode === 'step' && (b.steps.length === 0 || b.steps.every((s) => s.verdict === 'too-short'))) problems.push('no step could be judged (each needs 10 backlog samples over its last two thirds: a longer stepDuration)');
  const c = (n: string): number => result.counters[n]?.value ?? 0;
  if (c('operations_failed') > 0) problems.push(`${c('operations_failed')} of ${c('operations_attempted')} operations failed`);
  return { passed: problems.length === 0, problems };
}

/** Why `target` cannot run the plan (before any load), or undefined when it can. */
export function backpressureUnsupported(target: Target, plan: ScenarioPlan<BackpressurePlanData>): string | undefined {
  const p = plan.data?.pressure;
  if (p === null || p === undefined) return undefined;
  if (p.mode === 'slow-sidecar') {
    const f = target.faults;
    if (f === undefined) return `slow-sidecar needs a fault mechanism on the operator→bindcar path, and this ${target.info.kind} target has none (sandbox: its fault proxy; cluster: Chaos Mesh installed, whose NetworkChaos delays that link)`;
    return f.unsupportedReason('link', p.link, p.spec);
  }
  if (p.mode === 'operator-limits') {
    const m = target.operatorLimits;
    if (m === undefined) return `operator-limits needs the operator: the ${target.info.kind} target has none that the tool can find (sandbox: its operator part; cluster: bindy's Deployment)`;
    if (target.info.kind === 'cluster' && plan.data?.allowClusterChanges !== true) {
      return "operator-limits patches bindy's Deployment (its container's limits; journalled and patched back afterwards, a rollout each way): allow it with --allow-cluster-changes";
    }
    return m.unsupportedReason(p.limits);
  }
  if (target.operatorIdentity === undefined) return "api-throttle needs the operator's ServiceAccount, and this target does not say it";
  if (target.info.kind === 'cluster' && plan.data?.allowClusterChanges !== true) {
    return 'api-throttle adds a FlowSchema and a PriorityLevelConfiguration to the cluster\'s API Priority and Fairness (journalled and removed afterwards): allow it with --allow-cluster-changes';
  }
  return undefined;
}

/** The backpressure scenario. */
export const backpressureScenario: Scenario<BackpressurePlanData> = {
  name: 'backpressure',
  describe: 'pressure bindy must survive: rate steps to the knee, a slow bindcar, an API that throttles only bindy, or lower CPU/memory limits; checks with evidence and the recovery time',
  options: 'backpressure',
  metrics: backpressureMetrics,
  plan: (input) => {
    const plan = planBackpressure(input);
    // api-throttle writes APF objects: cleanup lists them first (the operator must not stay throttled while it finalises).
    return plan.data?.pressure?.mode === 'api-throttle' ? { ...plan, kinds: [...apfKinds, ...plan.kinds] } : plan;
  },
  // Only slow-sidecar acts through the fault proxy; the others leave the operator's links direct.
  needsFaults: (config) => config.scenarios.backpressure.mode === 'slow-sidecar',
  checkTarget: backpressureUnsupported,
  drive: driveBackpressure,
  verify: verifyBackpressure,
};
