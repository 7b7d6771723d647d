/** @module Turns the tracker's records and the burst engine's events into result sections (pure: no I/O). */
import { Counters, createLatencyHistogram } from '../measure/index.js';
import type { CounterData, QuantityHistogram } from '../measure/index.js';
import { latencyResult } from '../report/result/index.js';
import type { FailureRecord, LatencyResult } from '../report/result/index.js';
import type { TrackedObject } from '../observe/watch-tracker.js';
import type { BurstErrorEvent, BurstSummary, RejectedEvent } from './burst.js';

/** What a burst observed, gathered by the scenario. Times in ms on one monotonic clock. */
export interface BurstObservations {
  /** The tracker's records after the wait for Ready ended. */
  records: readonly TrackedObject[];
  engine: BurstSummary;
  rejected: readonly RejectedEvent[];
  errors: readonly BurstErrorEvent[];
  /** Start of the run: `atMs` of failures counts from here. */
  runStartMs: number;
  /** When the wait for Ready ended (every object Ready, or the timeout). */
  waitEndedMs: number;
  /** True when the wait ended at the timeout with objects still pending. */
  timedOut: boolean;
  /** Watch restarts and 410 re-lists of the tracker. */
  tracker: { restarts: number; relists: number; errors: number };
  /** Peak resident memory of this tool's process when the wait ended (getrusage maxrss), bytes. */
  toolPeakRssBytes: number;
}

/** Result sections of a burst. */
export interface BurstMeasurement {
  latencies: Record<string, LatencyResult>;
  counters: Record<string, CounterData>;
  failures: FailureRecord[];
  notes: string[];
}

/** How create→Ready is measured (copied into the result beside every figure). */
export const createToReadyMethod =
  'first watch event showing Ready=True with status.observedGeneration >= the generation returned by our create, ' +
  'timed by the local monotonic clock on receipt, minus the create\'s intended start (paced: t0 + n/qps; unpaced: when a concurrency slot freed)';
const relistMethod =
  'Ready first observed by a re-list after the watch lost its history (410 Gone): list response time minus intended start; an upper bound, kept apart from create_to_ready';
const apiCreateMethod = 'POST create: request handed to @kubernetes/client-node -> response read, local monotonic clock';
const slipMethod = 'actual send of the create minus its intended start (waiting for a free slot included), local monotonic clock';
const overheadMethod = 'send minus max(intended start, slot acquired): input generation, journal write and our own code; high values mean the load generator was saturated';

function addTo(map: Map<string, QuantityHistogram>, kind: string, us: number): void {
  let h = map.get(kind);
  if (h === undefined) map.set(kind, (h = createLatencyHistogram()));
  h.record(us);
}

function sorted(map: Map<string, QuantityHistogram>): Record<string, QuantityHistogram> {
  return Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
}

/** Splits `Kind/namespace/name`. */
function splitKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

function conditionText(r: TrackedObject): string {
  const c = r.lastCondition;
  if (c === null) return 'no Ready condition was ever observed';
  const base = `last Ready condition ${c.status}${c.reason === undefined ? '' : `/${c.reason}`}${c.message === undefined ? '' : `: ${c.message}`}`;
  return r.readyWithoutObservedGeneration ? `${base} (Ready=True without observedGeneration was seen and not counted)` : base;
}

/** Latencies, counters, failures and notes of a burst, from its observations. */
export function measureBurst(o: BurstObservations): BurstMeasurement {
  const ready = createLatencyHistogram();
  const readyByKind = new Map<string, QuantityHistogram>();
  const relist = createLatencyHistogram();
  const relistByKind = new Map<string, QuantityHistogram>();
  const failures: FailureRecord[] = [];
  const atMs = Math.max(0, o.waitEndedMs - o.runStartMs);
  let lastReadyMs: number | null = null;
  let firstReadyMs: number | null = null;
  let readyCount = 0;
  let relistCount = 0;
  let unconfirmed = 0;
  let deletedBeforeReady = 0;
  let readyWithoutOg = 0;
  for (const r of o.records) {
    if (r.created === null) {
      if (r.firstSeenMs !== null) unconfirmed++;
      continue;
    }
    if (r.readyWithoutObservedGeneration) readyWithoutOg++;
    if (r.readyMs !== null) {
      // A negative value (Ready before the intended start) is a clock or matching bug: the
      // histogram counts it as invalid instead of clamping it (STYLE rule 8).
      const us = (r.readyMs - r.created.intendedStart) * 1000;
      if (r.readyObservedBy === 'relist') {
        relistCount++;
        relist.record(us);
        addTo(relistByKind, r.kind, us);
      } else {
        readyCount++;
        ready.record(us);
        addTo(readyByKind, r.kind, us);
      }
      lastReadyMs = Math.max(lastReadyMs ?? r.readyMs, r.readyMs);
      firstReadyMs = Math.min(firstReadyMs ?? r.readyMs, r.readyMs);
      continue;
    }
    if (r.deletedMs !== null) deletedBeforeReady++;
    failures.push({
      kind: r.kind,
      name: r.name,
      ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
      uid: r.uid,
      phase: 'create_to_ready',
      reason: r.deletedMs !== null ? 'DeletedBeforeReady' : o.timedOut ? 'NotReadyByTimeout' : 'NotReady',
      message: conditionText(r),
      lastCondition: r.lastCondition,
      atMs,
    });
  }
  for (const e of o.rejected) {
    const k = splitKey(e.key);
    const causes = e.causes.map((c) => `${c.field ?? ''}${c.field === undefined ? '' : ': '}${c.message ?? c.reason ?? ''}`).filter((s) => s !== '');
    failures.push({
      kind: e.kind,
      name: k.name === '' ? '(unnamed)' : k.name,
      ...(k.namespace === '' ? {} : { namespace: k.namespace }),
      uid: null,
      phase: 'create',
      reason: e.reason,
      message: `HTTP ${e.status}: ${e.message}${causes.length > 0 ? ` [causes: ${causes.join('; ')}]` : ''}`,
      lastCondition: null,
      atMs: Math.max(0, e.received - o.runStartMs),
    });
  }
  for (const e of o.errors) {
    const k = splitKey(e.key ?? '');
    failures.push({
      kind: k.kind === '' ? 'input' : k.kind,
      name: k.name === '' ? '(none)' : k.name,
      ...(k.namespace === '' ? {} : { namespace: k.namespace }),
      uid: null,
      phase: 'create',
      reason: 'ClientError',
      message: e.message,
      lastCondition: null,
    });
  }

  const latencies: Record<string, LatencyResult> = {
    create_to_ready: latencyResult(ready, createToReadyMethod, { byKind: sorted(readyByKind), description: 'create -> Ready, seen live by the watch' }),
    api_create: latencyResult(o.engine.apiCreate, apiCreateMethod, { byKind: sorted(o.engine.apiCreateByKind) }),
    schedule_slip: latencyResult(o.engine.slip, slipMethod),
    dispatch_overhead: latencyResult(o.engine.dispatchOverhead, overheadMethod),
  };
  if (relistCount > 0) latencies.create_to_ready_relist = latencyResult(relist, relistMethod, { byKind: sorted(relistByKind) });

  const c = new Counters();
  const set = (name: string, value: number, unit: string, description: string): void => {
    c.declare(name, unit, description);
    c.add(name, value);
  };
  const e = o.engine;
  set('creates_started', e.started, 'requests', 'create requests the engine started');
  set('creates_accepted', e.created, 'objects', 'creates the API answered with 2xx');
  set('creates_rejected', e.rejected, 'requests', 'creates the API answered with an error status (see failures for its message)');
  set('create_errors', e.errors, 'requests', 'creates that got no API answer, or whose journal write or input failed');
  set('creates_abandoned', e.abandoned, 'requests', 'creates in flight when the hard stop fired (outcome unknown)');
  set('late_starts_no_slot', e.lateNoSlot, 'operations', 'paced creates that found no free concurrency slot at their due time');
  set('objects_ready', readyCount, 'objects', 'created objects seen Ready by a live watch event');
  set('objects_ready_at_relist', relistCount, 'objects', 'created objects first seen Ready by a re-list after 410 Gone (upper-bound latency, counted apart)');
  set('objects_not_ready', failures.filter((f) => f.phase === 'create_to_ready').length, 'objects', 'created objects never seen Ready by the end of the wait');
  set('objects_deleted_before_ready', deletedBeforeReady, 'objects', 'created objects deleted before they were seen Ready');
  set('objects_unconfirmed', unconfirmed, 'objects', 'objects with the run id the watch saw but no create response of this run claimed');
  set('ready_without_observed_generation', readyWithoutOg, 'objects', 'objects that showed Ready=True without any observedGeneration (not counted as Ready)');
  set('watch_restarts', o.tracker.restarts, 'watches', 'watch streams resumed from their last resourceVersion');
  set('watch_relists', o.tracker.relists, 'lists', 're-lists after a watch lost its history (410 Gone)');
  set('event_loop_lag_p99', e.eventLoopLag.p99, 'us', "p99 of the tool's own event-loop delay during the burst (perf_hooks.monitorEventLoopDelay)");
  set('event_loop_lag_max', e.eventLoopLag.max, 'us', "max of the tool's own event-loop delay during the burst");
  set('tool_peak_rss', o.toolPeakRssBytes / 1e6, 'MB', "peak resident memory of this tool's own process from its start to the end of the wait for Ready (getrusage maxrss; MB = 10^6 bytes)");
  const allReady = readyCount + relistCount;
  if (e.firstSentMs !== null && lastReadyMs !== null) {
    set('first_create_to_last_ready', lastReadyMs - e.firstSentMs, 'ms', 'send of the first create -> the last object seen Ready (monotonic clock)');
    if (lastReadyMs > e.firstSentMs) {
      set('ready_rate', (allReady * 1000) / (lastReadyMs - e.firstSentMs), '1/s', 'objects Ready / (last Ready - first create sent)');
    }
  }
  if (e.firstSentMs !== null && e.lastReceivedMs !== null && e.lastReceivedMs > e.firstSentMs) {
    set('create_rate', (e.created * 1000) / (e.lastReceivedMs - e.firstSentMs), '1/s', 'creates accepted / (last create response - first create sent)');
  }
  const notes = [...e.saturation.map((s) => `load generator saturation: ${s}`)];
  if (relistCount > 0) notes.push(`${relistCount} objects were first seen Ready by a re-list after 410 Gone; their latency is an upper bound, reported as create_to_ready_relist`);
  if (firstReadyMs === null && e.created > 0) notes.push('no created object was seen Ready');
  return { latencies, counters: c.toJSON(), failures, notes };
}
