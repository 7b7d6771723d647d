/** @module The burst scenario: many DNSZones and records created at once, each timed from its intended start to Ready. */
import { burstMetrics } from '../judge/criteria.js';
import { runBurstSession } from '../drive/burst-session.js';
import type { BurstSessionResult } from '../drive/burst-session.js';
import type { RunResult } from '../report/result/index.js';
import { planBurst } from './burst-plan.js';
import { mergeObservers } from './scenario.js';
import { openProbeServers } from './dns-probe-servers.js';
import type { DriveContext, DriveOutcome, Scenario, ScenarioPlan, Verification } from './scenario.js';
import { StartedObservers } from './started-observers.js';
import { burstShardProblem, shardSelector } from './shard-slice.js';
import { driveShardedBurst } from './burst-sharded.js';

const backlogDescription =
  'objects created (2xx) and not yet seen Ready by the watch, sampled every second: the client-side backlog (bindy has no queue-depth metric; this is the tool\'s view)';

/** A measured burst's outcome (observers' sections not merged yet) and what later phases need. */
export interface MeasuredBurst {
  outcome: DriveOutcome;
  objectsCreated: number;
  /** Monotonic ms the burst's time series count from. */
  startedMs: number;
  /** The burst did not finish: interrupted while creating or while waiting. */
  interrupted: boolean;
  /** When the first create was sent, the last was answered and the last object was seen Ready, in ms since `startedMs` (null: never). */
  clock: BurstClock;
}

/** Instants of a burst on its own clock (ms since the session started), which a sharded run merges its rates from. */
export interface BurstClock {
  firstCreateSentMs: number | null;
  lastCreateAnsweredMs: number | null;
  lastReadyMs: number | null;
}

/** Runs the plan's objects as one measured burst (creates, wait for Ready, DNS answers when probed). */
export async function runMeasuredBurst(ctx: Omit<DriveContext, 'journal'> & { journal?: DriveContext['journal'] }, plan: ScenarioPlan): Promise<MeasuredBurst> {
  const servers = await openProbeServers(ctx.target, plan.dnsProbe ?? null);
  const probe = servers.probe;
  let s: BurstSessionResult;
  try {
    s = await runBurstSession({
      client: ctx.client,
      runId: plan.runId,
      namespace: plan.namespace,
      kinds: plan.kinds,
      objects: plan.objects(),
      concurrency: plan.engine.concurrency,
      ...(plan.engine.qps === undefined ? {} : { qps: plan.engine.qps }),
      timeoutMs: plan.engine.timeoutMs,
      ...(ctx.journal === undefined ? {} : { journal: ctx.journal }),
      stopStarting: ctx.stopStarting,
      hardStop: ctx.hardStop,
      onEvent: ctx.onEvent,
      ...(probe !== null && 'settings' in probe ? { probe: probe.settings } : {}),
      // A shard watches its own objects only, and keeps its last short rate window so the coordinator's sum is exact.
      ...(plan.shard === undefined ? {} : { labelSelector: shardSelector(plan.runId, plan.shard), lastStub: 'keep' as const }),
      ...(ctx.startGate === undefined ? {} : { startGate: ctx.startGate }),
    });
  } finally {
    await servers.close();
  }
  const m = s.measurement;
  const notes = [...m.notes, ...servers.notes()];
  const stoppedCreating = s.engine.stoppedBy === 'stopStarting' || s.engine.stoppedBy === 'hardStop';
  if (stoppedCreating) notes.push(`interrupted: ${s.engine.started} of ${plan.total} creates were started; the figures cover those only`);
  if (s.wait === 'aborted' && s.engine.stoppedBy === 'input-exhausted') {
    const ready = m.counters['objects_ready']?.value ?? 0;
    notes.push(`interrupted during the wait for Ready: every create had been sent, ${ready} of ${s.engine.created} created objects were Ready; the create→Ready figures cover those only`);
  }
  if (s.probeWait === 'aborted') notes.push('interrupted during the wait for DNS answers: the DNS figures cover what was answered by then');
  if (s.wait === 'timeout') notes.push(`the wait for Ready ended at the timeout (${Math.round(plan.engine.timeoutMs / 1000)} s) with objects still not Ready`);
  return {
    outcome: {
      latencies: m.latencies,
      counters: m.counters,
      timeSeries: [...s.rates, { ...s.backlog, description: backlogDescription }],
      failures: m.failures,
      notes,
      operator: [],
      apiAmplification: null,
    },
    objectsCreated: s.engine.created,
    startedMs: s.startedMs,
    clock: burstClock(s),
    interrupted: stoppedCreating || s.wait === 'aborted' || s.probeWait === 'aborted',
  };
}

function since(startedMs: number, ms: number | null): number | null {
  return ms === null ? null : ms - startedMs;
}

/** The burst's first send, last answer and last Ready, from the session's records. */
function burstClock(s: BurstSessionResult): BurstClock {
  let lastReady: number | null = null;
  for (const r of s.records) if (r.created !== null && r.readyMs !== null) lastReady = Math.max(lastReady ?? r.readyMs, r.readyMs);
  return { firstCreateSentMs: since(s.startedMs, s.engine.firstSentMs), lastCreateAnsweredMs: since(s.startedMs, s.engine.lastReceivedMs), lastReadyMs: since(s.startedMs, lastReady) };
}

/** Starts the observers, runs the measured burst, stops the observers (also on failure) and returns the result sections. */
async function driveBurst(ctx: DriveContext, plan: ScenarioPlan): Promise<DriveOutcome> {
  const observers = new StartedObservers();
  let burst: MeasuredBurst | null = null;
  try {
    await observers.start(ctx, plan);
    burst = await runMeasuredBurst(ctx, plan);
    return burst.outcome;
  } finally {
    // Observers stop in reverse order, also when the burst failed; their sections join a finished outcome.
    await observers.stop(burst?.objectsCreated ?? 0);
    if (burst !== null) mergeObservers(burst.outcome, observers.sections);
  }
}

function count(result: RunResult, name: string): number {
  return result.counters[name]?.value ?? 0;
}

/** Every created object Ready, nothing rejected, nothing lost; otherwise the counts that were not. */
export function verifyBurst(result: RunResult): Verification {
  const problems: string[] = [];
  const notReady = count(result, 'objects_not_ready');
  const rejected = count(result, 'creates_rejected');
  const errors = count(result, 'create_errors');
  const abandoned = count(result, 'creates_abandoned');
  const deleted = count(result, 'objects_deleted_before_ready');
  if (notReady > 0) problems.push(`${notReady} of ${count(result, 'creates_accepted')} created objects did not become Ready`);
  if (deleted > 0) problems.push(`${deleted} objects were deleted before they became Ready`);
  if (rejected > 0) problems.push(`${rejected} creates were rejected by the API server`);
  if (errors > 0) problems.push(`${errors} creates got no answer from the API server`);
  if (abandoned > 0) problems.push(`${abandoned} creates were abandoned in flight`);
  // DNS contradicting Ready (only counted when the run probed DNS).
  const notServed = count(result, 'ready_but_not_served');
  const wrong = count(result, 'served_wrong_data');
  if (notServed > 0) problems.push(`${notServed} Ready records were never answered by DNS with their data`);
  if (wrong > 0) problems.push(`${wrong} records were served by DNS with other data than desired`);
  return { passed: problems.length === 0, problems };
}

/** The burst scenario. */
export const burstScenario = {
  name: 'burst',
  describe: 'create DNSZones and records at once (bounded concurrency, optional QPS) and time each to Ready',
  options: 'burst',
  metrics: burstMetrics,
  plan: planBurst,
  drive: driveBurst,
  sharded: { problem: burstShardProblem, drive: driveShardedBurst },
  verify: verifyBurst,
} satisfies Scenario;
