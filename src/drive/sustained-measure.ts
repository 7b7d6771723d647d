/** @module Turns a sustained session's ledger and engine summary into result sections (pure: no I/O). */
import { Counters } from '../measure/index.js';
import type { CounterData, QuantityHistogram, TimeSeriesData } from '../measure/index.js';
import { operationTypes } from '../model/operation.js';
import type { OperationType } from '../model/operation.js';
import { latencyResult } from '../report/result/index.js';
import type { FailureRecord, LatencyResult } from '../report/result/index.js';
import { backlogStability } from '../judge/stability.js';
import type { BacklogStability } from '../judge/stability.js';
import type { ArrivalSummary } from './arrival-engine.js';
import { effectLatency } from './operation-ledger.js';
import type { LedgerSnapshot } from './operation-ledger.js';

/** What one sustained run observed. */
export interface SustainedObservations {
  ledger: LedgerSnapshot;
  engine: ArrivalSummary | null;
  /** Offered rate after the ramp-up, operations per second. */
  ratePerSec: number;
  rampUpMs: number;
  durationMs: number;
  settled: 'all' | 'timeout' | 'aborted';
  timeoutMs: number;
  tracker: { restarts: number; relists: number; errors: number };
  /** Peak resident memory of this tool's process (getrusage maxrss), bytes. */
  toolPeakRssBytes: number;
}

/** Result sections of a sustained run. */
export interface SustainedMeasurement {
  latencies: Record<string, LatencyResult>;
  counters: Record<string, CounterData>;
  timeSeries: TimeSeriesData[];
  failures: FailureRecord[];
  notes: string[];
  stability: BacklogStability;
}

const effectWords: Readonly<Record<OperationType, string>> = {
  create: 'create → first watch event showing Ready=True with status.observedGeneration ≥ the generation the create returned',
  update: 'update (server-side apply of a new spec.ttl, which bumps metadata.generation) → first watch event showing Ready=True with observedGeneration ≥ the generation the apply returned',
  delete: 'delete → the DELETED watch event (the operator removed its finalizer and the object is gone)',
};
const apiName: Readonly<Record<OperationType, string>> = { create: 'api_create', update: 'api_apply', delete: 'api_delete' };
const apiWords: Readonly<Record<OperationType, string>> = {
  create: 'POST create: request sent → response read, local monotonic clock',
  update: 'PATCH application/apply-patch+yaml (server-side apply, force, fieldManager bindy-loadtest): request sent → response read',
  delete: 'DELETE of one object: request sent → response read (the object stays until its finalizer is removed)',
};

function sorted(map: Map<string, QuantityHistogram>): Record<string, QuantityHistogram> {
  return Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
}

/** Latencies, counters, series, failures, notes and the backlog verdict of a sustained run. */
export function measureSustained(o: SustainedObservations): SustainedMeasurement {
  const { ledger } = o;
  const latencies: Record<string, LatencyResult> = {};
  for (const type of operationTypes) {
    const h = ledger.histograms[type];
    const c = ledger.counts[type];
    if (c.started === 0) continue;
    const name = effectLatency[type];
    latencies[name] = latencyResult(h.effect, `${effectWords[type]}, timed by the local monotonic clock on receipt, minus the operation's intended start on the open-loop schedule (no coordinated omission: a late or slow send counts against the system)`, {
      byKind: sorted(h.effectByKind),
      description: `${type} → ${type === 'delete' ? 'gone' : 'Ready'}, from the intended start`,
    });
    latencies[`${name}_from_send`] = latencyResult(h.effectFromSend, `${effectWords[type]}, minus the moment the request was sent: the service time, without the schedule's slip`, {
      description: `${type} → ${type === 'delete' ? 'gone' : 'Ready'}, from the send (service time)`,
    });
    if (h.effectAtRelist.count > 0) {
      latencies[`${name}_relist`] = latencyResult(h.effectAtRelist, `${effectWords[type]}, first seen by a re-list after the watch lost its history (410 Gone): an upper bound, kept apart`);
    }
    latencies[apiName[type]] = latencyResult(h.api, apiWords[type]);
  }
  if (o.engine !== null) latencies.schedule_slip = latencyResult(o.engine.slip, 'actual start of each operation minus its due time on the open-loop schedule, local monotonic clock');

  const counters = new Counters();
  const set = (name: string, value: number, unit: string, description: string): void => {
    counters.declare(name, unit, description);
    counters.add(name, value);
  };
  let started = 0;
  let failed = 0;
  let retried = 0;
  let done = 0;
  let refusedByQuota = 0;
  for (const type of operationTypes) {
    const c = ledger.counts[type];
    started += c.started;
    done += c.done;
    retried += c.retried;
    failed += c.rejected + c.errors + c.notObserved;
    refusedByQuota += c.refusedByQuota;
    set(`${type}s_started`, c.started, 'operations', `${type} operations started`);
    set(`${type}s_done`, c.done, 'operations', `${type} operations whose effect the watch saw`);
    set(`${type}s_rejected`, c.rejected, 'operations', `${type} operations the API answered with an error status (after any retries)`);
    set(`${type}s_errors`, c.errors, 'operations', `${type} operations that got no API answer`);
    set(`${type}s_not_observed`, c.notObserved, 'operations', `${type} operations accepted whose effect was not seen by the end of the wait`);
  }
  const substituted = ledger.counts.create.substituted;
  const due = o.engine?.due ?? 0;
  const abandoned = o.engine?.abandoned ?? 0;
  set('operations_due', due, 'operations', 'operations the open-loop schedule made due (before any stop)');
  set('operations_attempted', started, 'operations', 'operations started (due minus dropped)');
  set('operations_succeeded', done, 'operations', 'operations whose effect the watch saw (Ready at the new generation, or gone)');
  set('operations_failed', failed, 'operations', 'operations rejected, unanswered, or accepted without their effect seen by the end of the wait');
  set('operations_refused_by_quota', refusedByQuota, 'operations', 'creates the API server refused 403 "exceeded quota" (a namespace at its object-count ResourceQuota): counted apart, not as failed');
  set('operations_dropped', ledger.dropped, 'operations', 'operations due while every in-flight slot was busy: not started (not queued)');
  set('operations_abandoned', abandoned, 'operations', 'operations in flight when a hard stop ended the run (outcome unknown)');
  set('operations_retried', retried, 'operations', 'operations sent again after a 429 with Retry-After (as client-go does), counted once each');
  set('operations_substituted', substituted, 'operations', 'updates or deletes drawn when no settled object was free, sent as creates instead (counted as creates)');
  set('steady_phase_from_ms', o.rampUpMs, 'ms', 'start of the steady phase (the end of the ramp-up), ms after the measured schedule started; memory growth is fitted from here');
  set('offered_rate', o.ratePerSec, '1/s', 'the offered rate after the ramp-up (the schedule)');
  for (const [status, n] of Object.entries(ledger.rejectedByStatus)) set(`rejected_http_${status}`, n, 'answers', `writes answered HTTP ${status} (after any retries)`);
  set('watch_restarts', o.tracker.restarts, 'watches', 'watch streams resumed from their last resourceVersion');
  set('watch_relists', o.tracker.relists, 'lists', 're-lists after a watch lost its history (410 Gone)');
  if (o.engine !== null) {
    set('event_loop_lag_p99', o.engine.eventLoopLag.p99, 'us', "p99 of the tool's own event-loop delay during the schedule (perf_hooks.monitorEventLoopDelay)");
    set('event_loop_lag_max', o.engine.eventLoopLag.max, 'us', "max of the tool's own event-loop delay during the schedule");
    set('late_starts', o.engine.late, 'operations', 'operations started more than 2 ms after their due time');
    set('tool_cpu', o.engine.toolCpuCores, 'cores', "this tool's own CPU over the schedule (user + system / wall)");
  }
  set('tool_peak_rss', o.toolPeakRssBytes / 1e6, 'MB', "peak resident memory of this tool's own process up to the end of the wait (getrusage maxrss; MB = 10^6 bytes)");

  const backlog = ledger.series.find((s) => s.name === 'client_side_backlog');
  // The backlog needs about one effect latency after the ramp to settle at its level: the verdict is
  // fitted over the last two thirds of the steady phase, so a backlog still filling up to its
  // plateau is not called growing.
  const settleMs = (o.durationMs - o.rampUpMs) / 3;
  const stability = backlogStability(backlog?.points ?? [], o.rampUpMs + settleMs, o.durationMs, o.ratePerSec);
  if (ledger.steady.ms > 0) {
    // Kept up (backlog not growing): the operations offered in the steady phase that took effect,
    // per second. Fell behind: only what took effect within the phase counts; the rest is backlog.
    const growing = stability.verdict === 'growing';
    const n = growing ? ledger.steady.done : ledger.steady.dueAndDone;
    set(
      'sustained_ops_rate',
      (n * 1000) / ledger.steady.ms,
      '1/s',
      growing
        ? `operations that took effect within the steady phase (${Math.round(ledger.steady.ms / 1000)} s after the ramp-up), per second: the backlog grew, so this is what the system absorbed`
        : `operations due in the steady phase (${Math.round(ledger.steady.ms / 1000)} s after the ramp-up) that took effect, per second: the backlog stayed flat, so the system sustained them`,
    );
  }
  if (stability.slopePerMinute !== null) {
    set('backlog_slope', stability.slopePerMinute, 'objects/min', `least-squares slope of the client-side backlog over the last two thirds of the steady phase (${stability.points} samples; the first third lets it settle); verdict ${stability.verdict}`);
    set('backlog_growth', stability.slopePerMinute * (stability.spanMs / 60_000), 'objects', 'growth of the fitted backlog line over the steady phase (slope × its length)');
    set('backlog_growth_bound', stability.growthBound, 'objects', 'growth over the steady phase above which a backlog whose slope interval is above 0 is called growing: max(5, one second of the offered rate)');
    if (stability.interval !== null) {
      set('backlog_slope_low', stability.interval.low, 'objects/min', 'lower end of the 95 % t interval of the backlog slope');
      set('backlog_slope_high', stability.interval.high, 'objects/min', 'upper end of the 95 % t interval of the backlog slope');
    }
  }

  const notes: string[] = [];
  if (o.engine !== null) for (const s of o.engine.saturation) notes.push(`load generator saturation: ${s}`);
  if (ledger.dropped > 0) notes.push(`${ledger.dropped} of ${due} due operations were dropped: every in-flight slot was taken by writes the API had not answered yet`);
  if (substituted > 0) notes.push(`${substituted} updates/deletes found no settled object free and were sent as creates`);
  if (o.settled === 'timeout') notes.push(`the wait for outstanding operations ended at the timeout (${Math.round(o.timeoutMs / 1000)} s); those are counted as not observed`);
  if (o.settled === 'aborted') notes.push('interrupted: the figures cover the operations started before the stop');
  const lost = started - (done + failed + abandoned);
  if (lost !== 0) notes.push(`accounting: ${started} started ≠ ${done} succeeded + ${failed} failed + ${abandoned} abandoned (difference ${lost}): please report`);
  const byReason = Object.entries(ledger.failuresByReason);
  if (byReason.length > 0) notes.push(`failures by reason: ${byReason.map(([k, n]) => `${k} ${n}`).join(', ')}${ledger.failures.length < failed ? ` (the first ${ledger.failures.length} are listed)` : ''}`);
  return { latencies, counters: counters.toJSON(), timeSeries: ledger.series, failures: ledger.failures, notes, stability };
}
