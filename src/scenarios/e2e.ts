/**
 * @module The e2e scenario: a run that looks like production. The population is created first (not
 * measured); then churn with spikes (the sustained engine), background DNS queries (dnsperf) and
 * the faults of its experiments (the chaos drive) run at once, and every changed record is followed
 * through its stages: API accepted → Ready → answered by each DNS server (the DNS prober). After the
 * end state is checked, a quiet window at rest. Its result tells the story: a headline (did it hold,
 * the worst interval, what broke), the phases on every chart, every figure per interval.
 */
import { e2eMetrics } from '../judge/criteria.js';
import { probedOperationKey, SustainedProbeHook } from '../drive/sustained-probe-hook.js';
import type { OperationEvent } from '../drive/sustained-session.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { summariseIntervals, worstInterval, type IntervalOperation, type IntervalPhase } from '../measure/interval-summary.js';
import { latencyResult, type E2ePhase, type E2eSection, type LatencyResult, type RunResult } from '../report/result/index.js';
import { createLatencyHistogram } from '../measure/index.js';
import { chaosUnsupported, driveUnderFaults, verifyChaos } from './chaos.js';
import { openProbeServers } from './dns-probe-servers.js';
import { backgroundDnsUnsupported } from './background-dns-plan.js';
import { planE2e, populationStream, type E2ePlanData } from './e2e-plan.js';
import { measureQuietWindow } from './sustained.js';
import type { Target } from '../targets/target.js';
import type { DriveContext, DriveOutcome, Scenario, ScenarioPlan, Verification } from './scenario.js';

/** One measured operation as the e2e drive follows it (times on the client's monotonic clock). */
export interface FollowedOperation {
  type: OperationEvent['type'];
  intendedMs: number;
  doneMs: number | null;
}

/** Create → the first watch event showing a status (the operator's first write: it observed the object), per create; null when none was seen. */
export function createToObserved(followed: ReadonlyMap<string, FollowedOperation>, statusSeen: ReadonlyMap<string, number>): LatencyResult | null {
  const h = createLatencyHistogram();
  for (const [k, f] of followed) {
    if (f.type !== 'create') continue;
    const at = statusSeen.get(k.slice(0, k.lastIndexOf('@')));
    if (at !== undefined) h.record(Math.max(0, at - f.intendedMs) * 1000);
  }
  if (h.count === 0) return null;
  return latencyResult(
    h,
    "create → the first watch event showing any status on the object (the operator's first status write: it has observed the object; bindy 0.6.2 writes the zone reference first, then Ready), timed by the local monotonic clock on receipt, minus the operation's intended start",
  );
}

/** The run's phases on the series' clock: spikes (planned), faults and their recoveries (as they happened), the quiet window. */
export function e2ePhases(data: Pick<E2ePlanData, 'spikes'>, outcome: Pick<DriveOutcome, 'chaos' | 'quietWindow'>, setupMs: number): E2ePhase[] {
  const phases: E2ePhase[] = [{ kind: 'setup', label: 'setup (population)', fromMs: -Math.round(setupMs), toMs: 0 }];
  for (const s of data.spikes) phases.push({ kind: 'spike', label: `spike ${Math.round(s.ratePerSec * 100) / 100}/s`, fromMs: s.fromMs, toMs: s.toMs });
  for (const x of outcome.chaos?.experiments ?? []) {
    const w = x.windowMs;
    if (w === undefined) continue;
    phases.push({ kind: 'fault', label: `${x.key} ${x.kind}`, fromMs: w.applied, toMs: w.reverted });
    phases.push({ kind: 'recovery', label: `${x.key} recovery${w.converged === null ? ' (not converged)' : ''}`, fromMs: w.reverted, toMs: w.converged });
  }
  const q = outcome.quietWindow;
  if (q !== undefined) phases.push({ kind: 'quiet', label: 'quiet window', fromMs: q.fromMs, toMs: q.toMs });
  return phases.sort((a, b) => a.fromMs - b.fromMs);
}

function seconds(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** The headline: did it hold (from the same facts the verdict uses), the worst interval, then the run in one line. */
export function e2eHeadline(o: { outcome: DriveOutcome; section: Omit<E2eSection, 'headline'>; spikes: number }): string[] {
  const { outcome, section } = o;
  const c = (n: string): number => outcome.counters[n]?.value ?? 0;
  const broke: string[] = [];
  for (const x of outcome.chaos?.experiments ?? []) {
    const failed = x.invariants.filter((i) => i.verdict === 'fail').map((i) => i.name);
    if (failed.length > 0) broke.push(`${x.key} ${x.kind}: ${failed.join(', ')}`);
  }
  const final = outcome.chaos?.final;
  if (final !== null && final !== undefined) {
    if ((final.lostWrites ?? 0) > 0) broke.push(`data loss: ${final.lostWrites ?? 0} acknowledged writes not served by DNS at the end`);
    else if (!final.auditClean) broke.push('DNS does not serve what the CRs say at the end');
    if (final.untruthful > 0) broke.push(`${final.untruthful} records Ready while DNS does not serve them`);
    if (final.ready < final.objects) broke.push(`${final.objects - final.ready} objects not Ready at the end`);
  }
  if (c('operations_failed') > 0) broke.push(`${c('operations_failed')} operations failed`);
  if (c('ready_but_not_served') > 0) broke.push(`${c('ready_but_not_served')} changes Ready but not served by DNS`);
  if (c('served_wrong_data') > 0) broke.push(`${c('served_wrong_data')} changes served with wrong data`);
  const lines = [
    broke.length === 0
      ? `the steady state held: ${(outcome.chaos?.experiments.length ?? 0) === 0 ? 'no fault injected' : 'every fault reverted and recovered'}, every change answered by DNS, the end state clean (the criteria below judge how fast)`
      : `the steady state did NOT hold: ${broke.join('; ')}`,
  ];
  const w = section.worst;
  if (w !== null) {
    const i = section.intervals[w.index];
    if (i !== undefined) lines.push(`worst interval: ${seconds(i.fromMs)}–${seconds(i.toMs)} after the churn started: ${w.why}`);
  }
  // Summaries are in µs.
  const lat = (n: string): string => {
    const p = outcome.latencies[n]?.summary.p99;
    if (p === null || p === undefined) return '—';
    return p < 1_000_000 ? `${(p / 1000).toFixed(1)} ms` : seconds(p / 1000);
  };
  const ops = c('operations_attempted');
  const faults = outcome.chaos?.experiments.length ?? 0;
  lines.push(
    `${section.population.records} records in ${section.population.zones} zones, then ${ops} changes (${o.spikes} spike${o.spikes === 1 ? '' : 's'}, ${faults} fault${faults === 1 ? '' : 's'}): ` +
      `create→Ready p99 ${lat('create_to_ready')}, change→answered p99 ${lat('create_to_resolvable')} (create, slowest server) / ${lat('update_to_resolvable')} (update)` +
      (outcome.latencies['dns_query'] === undefined ? '' : `; DNS queries p99 ${lat('dns_query')}, ${c('dns_queries_lost')} of ${c('dns_queries_sent')} lost`),
  );
  return lines;
}

/** Runs the e2e scenario (see the module doc). */
async function driveE2e(ctx: DriveContext, plan: ScenarioPlan<E2ePlanData>): Promise<DriveOutcome> {
  const data = plan.data;
  if (data === undefined) throw new Error('the e2e plan carries no schedule');
  const d = data.load;
  // On a cluster: port-forwards opened now, through the API server (the instances exist after setup).
  const servers = await openProbeServers(ctx.target, data.dnsProbe);
  const settings = servers.probe;
  const probe = settings !== null && 'settings' in settings ? new SustainedProbeHook(settings.settings, plan.namespace, () => ctx.client.now(), d.timeoutMs, { perOperation: true }) : null;
  const followed = new Map<string, FollowedOperation>();
  // First status the watch saw per object: the operator has observed it (names are never reused within a run).
  const statusSeen = new Map<string, number>();
  let resolvable = new Map<string, number | null>();
  let measuredStartMs = 0;
  let setupMs = 0;
  let population = { records: 0, ready: 0 };
  const stream = (): Iterator<RecordObject> => populationStream(d.fixtures, data.population);
  try {
    const outcome = await driveUnderFaults(ctx, plan, data, {
      records: probe === null ? stream : probe.wrap(stream),
      onEvent: (e) => {
        if (e.type === 'status-seen' && !statusSeen.has(e.key)) statusSeen.set(e.key, e.atMs);
      },
      onOperation: (e) => {
        probe?.onOperation(e);
        const k = probedOperationKey(e.key, e.intendedMs);
        if (e.phase === 'accepted') followed.set(k, { type: e.type, intendedMs: e.intendedMs, doneMs: null });
        else {
          const f = followed.get(k);
          if (f !== undefined) f.doneMs = e.atMs;
        }
      },
      afterLoad: async (session, out) => {
        measuredStartMs = session.measuredStartMs;
        setupMs = session.setup.ms;
        population = { records: session.setup.prefilled, ready: session.setup.prefillReady };
        if (probe === null) {
          out.notes.push(...(settings === null ? ['DNS not probed (probe off for this target: give probe.servers)'] : servers.notes()));
          return;
        }
        const r = await probe.finish(session.measuredStartMs, ctx.hardStop);
        await servers.close();
        out.notes.push(...servers.notes());
        resolvable = r.resolvable ?? resolvable;
        Object.assign(out.latencies, r.measurement.latencies);
        Object.assign(out.counters, r.measurement.counters);
        out.timeSeries.push(...r.measurement.timeSeries);
        out.failures.push(...r.measurement.failures);
        out.notes.push(...r.measurement.notes);
      },
      atEnd: async (session, out) => {
        await measureQuietWindow(ctx, plan, data.quietWindowMs, session, out);
      },
    });
    const observed = createToObserved(followed, statusSeen);
    if (observed !== null) outcome.latencies['create_to_observed'] = observed;
    const operations: IntervalOperation[] = [...followed].map(([k, f]) => ({
      type: f.type,
      intendedMs: f.intendedMs - measuredStartMs,
      effectMs: f.doneMs === null ? null : f.doneMs - f.intendedMs,
      resolvableMs: resolvable.get(k) ?? null,
    }));
    const phases = e2ePhases(data, outcome, setupMs);
    const intervalPhases: IntervalPhase[] = phases.filter((p) => p.kind !== 'setup').map((p) => ({ label: p.label, fromMs: p.fromMs, toMs: p.toMs }));
    const intervals = summariseIntervals({
      intervalMs: data.intervalMs,
      endMs: d.durationMs,
      operations,
      failuresAtMs: outcome.failures.flatMap((f) => (f.atMs === undefined ? [] : [f.atMs])),
      series: outcome.timeSeries,
      phases: intervalPhases,
    });
    const section: Omit<E2eSection, 'headline'> = {
      population: { zones: d.zones.length, records: population.records, ready: population.ready, setupMs: Math.round(setupMs) },
      phases,
      intervalMs: data.intervalMs,
      intervals,
      worst: worstInterval(intervals),
    };
    outcome.e2e = { ...section, headline: e2eHeadline({ outcome, section, spikes: data.spikes.length }) };
    return outcome;
  } finally {
    probe?.stop();
    await servers.close();
  }
}

/** The chaos drive's checks (every fault's invariants, the end state, the load's failures), and every change answered by DNS. */
function verifyE2e(result: RunResult): Verification {
  const v = verifyChaos(result);
  const problems = [...v.problems];
  const c = (n: string): number => result.counters[n]?.value ?? 0;
  if (c('ready_but_not_served') > 0) problems.push(`${c('ready_but_not_served')} changes were Ready but never answered right by every DNS server (see the failures)`);
  if (c('served_wrong_data') > 0) problems.push(`${c('served_wrong_data')} changes were answered with data nobody wrote (see the failures)`);
  if (c('operations_dropped') > 0) problems.push(`${c('operations_dropped')} operations were dropped (no free in-flight slot at their due time: raise scenarios.e2e.concurrency)`);
  return { passed: problems.length === 0, problems };
}

function dnsLoadUnsupported(target: Target, data: E2ePlanData): string | undefined {
  return backgroundDnsUnsupported(data.dnsLoad, target.dnsServers.length);
}

/** The e2e scenario. */
export const e2eScenario: Scenario<E2ePlanData> = {
  name: 'e2e',
  describe: 'a run that looks like production: a population, churn with spikes, DNS queries and faults at once; every change followed to each DNS server; the story per interval',
  options: 'e2e',
  metrics: e2eMetrics,
  plan: planE2e,
  needsFaults: (config) => config.scenarios.e2e.experiments.length > 0,
  // Production has a secondary (bindy deploys one): every change is followed to it too.
  minSecondaries: 1,
  // Faults need a mechanism only when the run has experiments; DNS load on needs a server either way.
  checkTarget: (target, plan) => (plan.data !== undefined && plan.data.faults.length === 0 && target.faults === undefined ? dnsLoadUnsupported(target, plan.data) : chaosUnsupported(target, plan)),
  drive: driveE2e,
  verify: verifyE2e,
};
