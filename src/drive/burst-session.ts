/** @module One measured burst: tracker started first, engine driven, wait for Ready (bounded), result sections built. */
import { runIdLabel } from '../model/kinds.js';
import type { ObjectKind } from '../model/object-kinds.js';
import { eventRatePerSecond, rateWindowMs, type LastStub, type TimeSeriesData } from '../measure/index.js';
import type { Journal } from '../observe/journal.js';
import type { KubeClient, KubeObject } from '../observe/kube-client.js';
import { WatchTracker } from '../observe/watch-tracker.js';
import type { TrackedObject, TrackerEvent, WaitOutcome } from '../observe/watch-tracker.js';
import { sampleBacklog } from '../observe/watch-tracker-backlog.js';
import { BurstEngine } from './burst.js';
import type { BurstErrorEvent, BurstEvent, BurstSummary, RejectedEvent } from './burst.js';
import { measureBurst } from './burst-measure.js';
import type { BurstMeasurement } from './burst-measure.js';
import { DnsProbeHook } from './dns-probe-hook.js';
import type { DnsProbeSettings } from './dns-probe-hook.js';
import type { ProbeWaitOutcome } from '../observe/dns-prober.js';

/** Options of one measured burst. */
export interface BurstSessionOptions {
  client: KubeClient;
  runId: string;
  namespace: string;
  /** Kinds the input contains (one watch each). */
  kinds: readonly ObjectKind[];
  objects: Iterable<KubeObject> | AsyncIterable<KubeObject>;
  concurrency: number;
  qps?: number;
  /** How long to wait, after the last create, for every created object to be Ready, ms. */
  timeoutMs: number;
  /** Journal each object is appended to before its create. */
  journal?: Journal;
  /** Backlog sampling interval, ms (default 1000). */
  backlogIntervalMs?: number;
  stopStarting?: AbortSignal;
  hardStop?: AbortSignal;
  /** Every engine and tracker event, for progress displays. */
  onEvent?: (e: BurstEvent | TrackerEvent) => void;
  /** Ask DNS for every record until it answers the desired data (absent: no probing). */
  probe?: DnsProbeSettings;
  /** Label selector of the watches (default: the run id's label); a shard selects its own objects only. */
  labelSelector?: string;
  /**
   * Awaited once the watches are up and before the first create; the session's clock (every time
   * series' t, the backlog) starts when it resolves. A sharded run's shards wait here for one
   * common start, so their series share a clock.
   */
  startGate?: () => Promise<void>;
  /** The rate series' last short window: merged into the one before (default), or kept (a shard: its sum is then exact). */
  lastStub?: LastStub;
}

/** Everything one burst measured. */
export interface BurstSessionResult {
  measurement: BurstMeasurement;
  backlog: TimeSeriesData;
  /** Creates accepted per second and objects seen Ready per second, over the run. */
  rates: TimeSeriesData[];
  engine: BurstSummary;
  records: TrackedObject[];
  rejected: RejectedEvent[];
  wait: WaitOutcome;
  /** Monotonic ms of the session's start (t of every time series point counts from here). */
  startedMs: number;
  /** How the wait for DNS answers ended; null without probing. */
  probeWait: ProbeWaitOutcome | null;
}

/**
 * Runs one burst: starts the watches before the first write (so no event is missed), creates
 * through the engine, feeds each create response to the tracker, waits event-driven until every
 * created object is Ready or the timeout, and builds the result sections.
 */
export async function runBurstSession(o: BurstSessionOptions): Promise<BurstSessionResult> {
  const now = (): number => o.client.now();
  let startedMs = now();
  const tracker = new WatchTracker({ client: o.client, kinds: o.kinds, namespace: o.namespace, labelSelector: o.labelSelector ?? `${runIdLabel}=${o.runId}`, now });
  const rejected: RejectedEvent[] = [];
  const errors: BurstErrorEvent[] = [];
  const offTracker = o.onEvent === undefined ? () => false : tracker.on(o.onEvent);
  const probe = o.probe === undefined ? null : new DnsProbeHook({ ...o.probe, ...(o.lastStub === undefined ? {} : { lastStub: o.lastStub }) }, now);
  const offProbe = probe === null ? () => false : tracker.on((e) => probe.onTrackerEvent(e));
  await tracker.start();
  if (o.startGate !== undefined) {
    try {
      await o.startGate();
    } catch (e) {
      offProbe();
      offTracker();
      tracker.stop();
      throw e;
    }
    startedMs = now();
  }
  const backlog = sampleBacklog(tracker, o.backlogIntervalMs ?? 1000, startedMs, now);
  try {
    const journal = o.journal;
    const engine = new BurstEngine({
      objects: probe === null ? o.objects : probe.wrap(o.objects),
      creator: o.client,
      concurrency: o.concurrency,
      ...(o.qps === undefined ? {} : { qps: o.qps }),
      ...(o.stopStarting === undefined ? {} : { stopStarting: o.stopStarting }),
      ...(o.hardStop === undefined ? {} : { hardStop: o.hardStop }),
      ...(journal === undefined ? {} : { beforeCreate: (obj: KubeObject) => journal.append(obj) }),
      now,
    });
    engine.on((e) => {
      if (e.type === 'created') tracker.recordCreated(e);
      else if (e.type === 'rejected') rejected.push(e);
      else if (e.type === 'error') errors.push(e);
      probe?.onEngineEvent(e);
      o.onEvent?.(e);
    });
    const summary = await engine.run();
    const wait = await tracker.waitUntil((t) => t.counts().pending === 0, o.timeoutMs, o.hardStop);
    const waitEndedMs = now();
    backlog.stop();
    const records = tracker.records();
    const measurement = measureBurst({
      records,
      engine: summary,
      rejected,
      errors,
      runStartMs: startedMs,
      waitEndedMs,
      timedOut: wait === 'timeout',
      tracker: { ...tracker.stats },
      toolPeakRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    const rates = rateSeries(records, startedMs, waitEndedMs, o.lastStub);
    const probed = probe === null ? null : await probe.finish(records, startedMs, o.hardStop);
    if (probed !== null) {
      // The DNS figures join the burst's own sections.
      Object.assign(measurement.latencies, probed.measurement.latencies);
      Object.assign(measurement.counters, probed.measurement.counters);
      measurement.failures.push(...probed.measurement.failures);
      measurement.notes.push(...probed.measurement.notes);
      rates.push(...probed.measurement.timeSeries);
    }
    return { measurement, backlog: backlog.series.toJSON(), rates, engine: summary, records, rejected, wait, startedMs, probeWait: probed?.wait ?? null };
  } finally {
    backlog.stop();
    probe?.stop();
    offProbe();
    offTracker();
    tracker.stop();
  }
}

/** The create and Ready rate series of a burst, from each object's create response and first Ready (pure). */
export function rateSeries(records: readonly TrackedObject[], startedMs: number, endedMs: number, lastStub: LastStub = 'merge'): TimeSeriesData[] {
  const endMs = endedMs - startedMs;
  const windowMs = rateWindowMs(endMs);
  const created: number[] = [];
  const ready: number[] = [];
  for (const r of records) {
    if (r.created === null) continue;
    created.push(r.created.received - startedMs);
    if (r.readyMs !== null) ready.push(r.readyMs - startedMs);
  }
  const window = `${windowMs / 1000} s windows from the run's start (the last one ends when the wait for Ready ended)`;
  return [
    { name: 'creates_per_second', unit: '1/s', description: `creates the API server accepted (2xx), by when each response arrived, per second over ${window}`, points: eventRatePerSecond(created, windowMs, endMs, lastStub) },
    {
      name: 'ready_per_second',
      unit: '1/s',
      description: `created objects first seen Ready=True at their generation by the watch (or a re-list), per second over ${window}`,
      points: eventRatePerSecond(ready, windowMs, endMs, lastStub),
    },
  ];
}
