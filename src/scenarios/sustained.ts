/**
 * @module The sustained scenario: an open-loop schedule of creates, updates and deletes at a rate
 * for a duration, each operation timed from its intended start to its effect; the backlog's
 * stability verdict; then a quiet window at rest that counts what the operator still does.
 */
import { sustainedMetrics } from '../judge/criteria.js';
import { runSustainedSession } from '../drive/sustained-session.js';
import type { SustainedSessionResult } from '../drive/sustained-session.js';
import type { CounterData } from '../measure/index.js';
import type { QuietWindowSpan, RunResult } from '../report/result/index.js';
import { sleep } from '../drive/sleep.js';
import { metricsObserver } from './metrics-observer.js';
import { reconcileCounter, restTracker, type RestOutcome } from '../measure/operator-rest.js';
import { httpMetricsSource } from '../observe/metrics-sampler.js';
import { podProxyMetricsSource } from '../observe/metrics-pod-proxy.js';
import type { SustainedMeasurement } from '../drive/sustained-measure.js';
import { planSustained } from './sustained-plan.js';
import { SustainedProbeHook } from '../drive/sustained-probe-hook.js';
import { describeDnsProbe, dnsProbePlan } from './dns-probe-plan.js';
import { openProbeServers } from './dns-probe-servers.js';
import { measureSession, sustainedSessionOptions } from './sustained-drive.js';
import { StartedObservers } from './started-observers.js';
import type { SustainedPlanData } from './sustained-plan.js';
import { mergeObservers } from './scenario.js';
import type { DriveContext, DriveOutcome, PlanInput, Scenario, ScenarioPlan, Verification } from './scenario.js';

/** API verbs that write (the quiet window counts these). */
const writeVerbs = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** bindy 0.6.2 requeues a Ready object every 300 s (TARGET.md): the reconciles a window at rest should show there. */
export const bindy06RequeueMs = 300_000;

/** What the quiet window counted. */
export interface QuietWindow {
  /** Its start and end on the client's monotonic clock, ms. */
  fromMono: number;
  toMono: number;
  reconciles: number | null;
  apiWrites: number | null;
  /** The most frequent writes (`VERB resource count`), to say who was busy at rest. */
  topWrites: string[];
  objects: number;
  /** The wait before it for the operator to come to rest (see operator-rest.ts). */
  settle: RestOutcome;
  notes: string[];
}

/** The operator's reconciles at rest are counted once it made none for this long after the load. */
export const restStillMs = 5000;

/** The longest wait for the operator to come to rest before a quiet window of `ms`: half of it, between 10 s and 30 s. */
export function quietSettleMaxMs(ms: number): number {
  return Math.min(30_000, Math.max(2 * restStillMs, ms / 2));
}

/**
 * Waits until the operator's reconcile counter has not moved for {@link restStillMs} (at most
 * `maxMs`), reading its metrics as the run does (the sandbox's URL, else bindy's pod through the API).
 */
async function operatorAtRest(ctx: DriveContext, maxMs: number, stop?: AbortSignal): Promise<RestOutcome> {
  const url = ctx.target.metricsEndpoints.find((e) => e.name === 'operator')?.url;
  const source = url !== undefined ? httpMetricsSource(url) : ctx.target.kubernetes === false ? null : podProxyMetricsSource(ctx.target.kubeConfig);
  if (source === null) return { waitedMs: 0, reconciles: null, rested: false };
  const track = restTracker({ stillMs: restStillMs, maxMs });
  const t0 = performance.now();
  for (;;) {
    let count: number | null = null;
    try {
      const samples = await source.read(ctx.hardStop);
      const rows = samples.filter((s) => s.name === reconcileCounter);
      count = rows.length === 0 ? null : rows.reduce((a, s) => a + s.value, 0);
    } catch {
      count = null;
    }
    const out = track(performance.now() - t0, count);
    if (out !== undefined) return out;
    if (!(await sleep(500, [ctx.stopStarting, ctx.hardStop, stop]))) return { waitedMs: performance.now() - t0, reconciles: null, rested: false };
  }
}

/**
 * The quiet window at the end of a scheduled run, into `out` (counters, span, notes): only after
 * every operation took effect and when the run was not interrupted (else a note says why not).
 */
export async function measureQuietWindow(ctx: DriveContext, plan: ScenarioPlan, ms: number, s: Pick<SustainedSessionResult, 'settled' | 'heldObjects' | 'measuredStartMs'>, out: DriveOutcome): Promise<QuietWindow | null> {
  if (ms <= 0) return null;
  const interrupted = ctx.stopStarting.aborted || ctx.hardStop.aborted;
  if (interrupted || s.settled !== 'all') {
    out.notes.push(`no quiet window: ${interrupted ? 'the run was interrupted' : 'operations were still outstanding when the wait ended'}`);
    return null;
  }
  const w = await quietWindow(ctx, plan, ms, s.heldObjects);
  const q = quietSections(w, s.measuredStartMs);
  Object.assign(out.counters, q.counters);
  out.quietWindow = q.span;
  out.notes.push(...q.notes);
  return w;
}

/**
 * Counts the operator's reconciles and the API writes over `ms` at rest, with the target's metric
 * endpoints; the window opens once the operator made no reconcile for {@link restStillMs} (waiting
 * half the window's length at most, between 10 s and 30 s, after the load's effects were seen).
 * `stop` ends it early too (besides the run's stops).
 */
export async function quietWindow(ctx: DriveContext, plan: ScenarioPlan, ms: number, objects: number, stop?: AbortSignal): Promise<QuietWindow> {
  const settle = await operatorAtRest(ctx, quietSettleMaxMs(ms), stop);
  const observer = metricsObserver({ intervalMs: Math.max(1000, Math.min(10_000, ms / 6)), bind9: false });
  const fromMono = ctx.client.now();
  await observer.start({ target: ctx.target, runId: plan.runId, namespace: plan.namespace });
  await sleep(ms, [ctx.stopStarting, ctx.hardStop, stop]);
  const toMono = ctx.client.now();
  const s = await observer.stop({ objectsCreated: objects });
  const reconcileRow = s.operator?.find((m) => m.name === 'reconcile_total' && (m.labels === undefined || Object.keys(m.labels).length === 0));
  const reconciles = reconcileRow?.state === 'missing' || reconcileRow === undefined ? null : (reconcileRow.values.count ?? null);
  const writes = s.apiAmplification === undefined ? null : s.apiAmplification.requests.filter((r) => writeVerbs.has(r.verb) && r.count > 0);
  const apiWrites = writes === null ? null : writes.reduce((a, r) => a + r.count, 0);
  const topWrites = (writes ?? []).sort((a, b) => b.count - a.count).slice(0, 3).map((r) => `${r.verb} ${r.resource} ${r.count}`);
  return { fromMono, toMono, reconciles, apiWrites, topWrites, objects, settle, notes: (s.notes ?? []).map((n) => `quiet window: ${n}`) };
}

function counter(value: number, unit: string, description: string): CounterData {
  return { value, unit, description };
}

/**
 * The quiet window as counters, its span on the time series' clock (`loadStartMono`: when the
 * measured schedule started, the series' t = 0) and a note that says what each bindy line is
 * expected to show.
 */
export function quietSections(q: QuietWindow, loadStartMono: number): { counters: Record<string, CounterData>; span: QuietWindowSpan; notes: string[] } {
  const seconds = (q.toMono - q.fromMono) / 1000;
  const span = { fromMs: Math.round(q.fromMono - loadStartMono), toMs: Math.round(q.toMono - loadStartMono) };
  const counters: Record<string, CounterData> = {
    quiet_window_seconds: counter(seconds, 's', 'length of the quiet window: after every operation took effect (or the wait ended), with no load'),
    quiet_window_objects: counter(q.objects, 'objects', 'objects of the run present during the quiet window (records and zones)'),
    quiet_window_settle_seconds: counter(q.settle.waitedMs / 1000, 's', `wait before the quiet window for the operator to make no reconcile for ${restStillMs / 1000} s (the load's tail)`),
  };
  if (q.settle.reconciles !== null) counters.quiet_window_settle_reconciles = counter(q.settle.reconciles, 'reconciliations', "the operator's reconciles in that wait: the tail of the load (its last status writes still wake a zone), not counted at rest");
  if (q.reconciles !== null) counters.quiet_window_reconciles = counter(q.reconciles, 'reconciliations', "the operator's reconciles during the quiet window (increase of bindy_firestoned_io_reconciliations_total)");
  if (q.apiWrites !== null) counters.quiet_window_api_writes = counter(q.apiWrites, 'requests', 'API write requests (POST, PUT, PATCH, APPLY, DELETE) during the quiet window, from apiserver_request_total (every client)');
  const expected06 = (q.objects * seconds * 1000) / bindy06RequeueMs;
  const notes = [
    `quiet window ${seconds.toFixed(0)} s at rest (${(span.fromMs / 1000).toFixed(0)} s to ${(span.toMs / 1000).toFixed(0)} s after the load started) over ${q.objects} objects: ${q.reconciles ?? 'unknown'} reconciles, ${q.apiWrites ?? 'unknown'} API writes` +
      `${q.topWrites.length > 0 ? ` (most: ${q.topWrites.join(', ')})` : ''}. ` +
      `Expected: bindy's 0.8 line none ("at rest there are no reconciles"); 0.6.2 requeues every Ready object each 300 s, about ${expected06.toFixed(0)} here`,
    q.settle.reconciles === null
      ? 'the window opened right after the load: the operator\'s reconcile counter could not be read to wait for it to rest'
      : q.settle.rested
        ? `the window opened ${(q.settle.waitedMs / 1000).toFixed(1)} s after the load's effects were seen, once the operator had made no reconcile for ${restStillMs / 1000} s (${q.settle.reconciles} reconciles in that tail)`
        : `the operator never paused ${restStillMs / 1000} s within ${(q.settle.waitedMs / 1000).toFixed(0)} s after the load (${q.settle.reconciles} reconciles): the window opened anyway`,
    ...q.notes,
  ];
  return { counters, span, notes };
}

/** Runs the sustained scenario: setup, observers around the measured schedule, the wait, the quiet window. */
async function driveSustained(ctx: DriveContext, plan: ScenarioPlan<SustainedPlanData>): Promise<DriveOutcome> {
  const d = plan.data;
  if (d === undefined) throw new Error('the sustained plan carries no schedule');
  const observers = new StartedObservers();
  // On a cluster without probe.servers: port-forwards to each BIND9 instance, opened now (after the target's setup).
  const servers = await openProbeServers(ctx.target, plan.dnsProbe ?? null);
  const probe = servers.probe !== null && 'settings' in servers.probe ? new SustainedProbeHook(servers.probe.settings, plan.namespace, () => ctx.client.now(), d.timeoutMs) : null;
  let session: SustainedSessionResult | null = null;
  try {
    session = await runSustainedSession(
      sustainedSessionOptions(ctx, plan, d, {
        // Observers start just before the measured schedule: API amplification is per measured operation.
        beforeMeasured: () => observers.start(ctx, plan),
        ...(probe === null ? {} : { records: (source) => probe.wrap(source), onOperation: (e) => probe.onOperation(e) }),
      }),
    );
    const s = session;
    // DNS gets its bounded wait after the operations' effects, before the observers stop: the operator still writes BIND9 then.
    const probed = probe === null ? null : await probe.finish(s.measuredStartMs, ctx.hardStop);
    await servers.close();
    await observers.stop(s.ledger.counts.create.accepted);
    const m = measureSession(d, s);
    const notes = [
      `setup (not measured): ${s.setup.zonesReady}/${s.setup.zones} DNSZones and ${s.setup.prefillReady}/${s.setup.prefilled} working-set records Ready in ${(s.setup.ms / 1000).toFixed(1)} s`,
      `backlog over the steady phase: ${stabilityText(m.stability)}`,
      ...m.notes,
      ...servers.notes(),
    ];
    const outcome: DriveOutcome = { latencies: m.latencies, counters: m.counters, timeSeries: m.timeSeries, failures: m.failures, notes, operator: [], apiAmplification: null };
    if (probed !== null) {
      Object.assign(outcome.latencies, probed.measurement.latencies);
      Object.assign(outcome.counters, probed.measurement.counters);
      outcome.timeSeries.push(...probed.measurement.timeSeries);
      outcome.failures.push(...probed.measurement.failures);
      outcome.notes.push(...probed.measurement.notes);
    }
    mergeObservers(outcome, observers.sections);
    crossCheck(outcome);
    await measureQuietWindow(ctx, plan, d.quietWindowMs, s, outcome);
    return outcome;
  } finally {
    probe?.stop();
    await servers.close();
    await observers.stop(session?.ledger.counts.create.accepted ?? 0);
  }
}

/** The sustained plan with the DNS prober's part (scenarios.sustained.dnsProbe) and its line in the description. */
function planSustainedScenario(input: PlanInput): ScenarioPlan<SustainedPlanData> {
  const plan = planSustained(input);
  const dnsProbe = dnsProbePlan(input.config, input.config.scenarios.sustained.dnsProbe);
  // After the measured step (3.): each operation's answer from DNS is part of what is measured.
  const at = plan.describe.findIndex((l) => l.startsWith('4. '));
  const describe = [...plan.describe];
  describe.splice(at < 0 ? describe.length : at, 0, `   ${describeDnsProbe(dnsProbe)}`);
  return { ...plan, describe, dnsProbe };
}

function stabilityText(s: SustainedMeasurement['stability']): string {
  if (s.verdict === 'too-short' || s.slopePerMinute === null) return `no verdict: ${s.points} samples in the steady phase (at least 10 needed)`;
  const ci = s.interval === null ? '' : ` (95 % interval ${s.interval.low.toFixed(2)} to ${s.interval.high.toFixed(2)})`;
  const what = s.verdict === 'growing' ? 'GROWING: the system cannot keep up at this rate' : s.verdict === 'draining' ? 'draining' : 'stable';
  return `${what}; slope ${s.slopePerMinute.toFixed(2)} objects/min${ci} over ${(s.spanMs / 1000).toFixed(0)} s, ${s.points} samples; "growing" needs the interval above 0 and a growth of at least ${s.growthBound} objects over the phase`;
}

/**
 * Cross-checks the engine's own accounting with the API server's request counts over the same
 * window (POSTs on the record kinds = creates sent, APPLYs = updates, DELETEs = deletes: the
 * operator never creates, applies or deletes records), and says where they differ.
 */
function crossCheck(outcome: DriveOutcome): void {
  const a = outcome.apiAmplification;
  if (a === null) {
    outcome.notes.push('cross-check with the API server: not possible, its request counts were not measured');
    return;
  }
  const c = (n: string): number => outcome.counters[n]?.value ?? 0;
  const isRecord = (resource: string): boolean => /record(s)?\.bindy\.firestoned\.io$/.test(resource.split('/')[0] ?? '') && !resource.includes('/');
  const count = (verb: string): number => a.requests.filter((r) => r.verb === verb && isRecord(r.resource)).reduce((s, r) => s + r.count, 0);
  const rows: [string, number, number][] = [
    ['POST (creates)', count('POST'), c('creates_started') - c('creates_errors')],
    ['APPLY (updates)', count('APPLY'), c('updates_started') - c('updates_errors')],
    ['DELETE (deletes)', count('DELETE'), c('deletes_started') - c('deletes_errors')],
  ];
  const retried = c('operations_retried');
  const text = rows.map(([what, server, engine]) => `${what}: API server ${server}, engine ${engine}`).join('; ');
  const match = rows.every(([, server, engine]) => server >= engine && server <= engine + 3 * retried);
  outcome.counters.api_crosscheck_mismatches = { value: match ? 0 : 1, unit: 'checks', description: 'whether the API server counted a different number of record writes than the engine sent (0 = they agree)' };
  outcome.notes.push(`cross-check with the API server's apiserver_request_total on the record kinds: ${text}${retried > 0 ? ` (${retried} operations were retried)` : ''}: ${match ? 'they agree' : 'THEY DIFFER'}`);
}

/** Every operation accounted for and none failed; otherwise the counts that were not. */
function verifySustained(result: RunResult): Verification {
  const problems: string[] = [];
  const c = (n: string): number => result.counters[n]?.value ?? 0;
  const failed = c('operations_failed');
  if (failed > 0) problems.push(`${failed} of ${c('operations_attempted')} operations failed (${['creates', 'updates', 'deletes'].map((t) => `${t}: ${c(`${t}_rejected`)} rejected, ${c(`${t}_not_observed`)} not seen taking effect`).join('; ')})`);
  if (c('operations_dropped') > 0) problems.push(`${c('operations_dropped')} operations were dropped (no free in-flight slot at their due time)`);
  if (c('api_crosscheck_mismatches') > 0) problems.push('the API server counted a different number of writes than the engine sent');
  if (c('ready_but_not_served') > 0) problems.push(`${c('ready_but_not_served')} changes took effect but were never answered right by every DNS server (see the failures)`);
  if (c('served_wrong_data') > 0) problems.push(`${c('served_wrong_data')} changes were answered with data nobody wrote (see the failures)`);
  return { passed: problems.length === 0, problems };
}

/** The sustained scenario. */
export const sustainedScenario: Scenario<SustainedPlanData> = {
  name: 'sustained',
  describe: 'an open-loop rate of creates, updates and deletes for a duration; per-operation latency from the intended start, backlog stability, quiet window',
  options: 'sustained',
  metrics: sustainedMetrics,
  plan: planSustainedScenario,
  drive: driveSustained,
  verify: verifySustained,
};
