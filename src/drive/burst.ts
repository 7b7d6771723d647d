/** @module The burst engine: bounded-concurrency creates, optionally paced, each measured from its intended start. */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { createLatencyHistogram } from '../measure/index.js';
import type { QuantityHistogram } from '../measure/index.js';
import type { ApiFailure, KubeObject, ObjectCreator, StatusCause } from '../observe/kube-client.js';
import { checkBurstOptions, intendedOffsetMs } from './burst-plan.js';
import { objectKeyOf } from '../model/operation.js';
import { sleepUntil } from './sleep.js';
import type { AcceptedWrite, OperationTimes } from '../model/operation.js';

export { objectKeyOf } from '../model/operation.js';
export type { OperationTimes } from '../model/operation.js';

/** The API accepted the create. */
export interface CreatedEvent extends AcceptedWrite {
  type: 'created';
}

/** The API answered the create with an error status (422 Invalid, 409 AlreadyExists, 429, 5xx…). */
export interface RejectedEvent extends OperationTimes {
  type: 'rejected';
  key: string;
  kind: string;
  /** HTTP status code (0: no response). */
  status: number;
  reason: string;
  message: string;
  causes: StatusCause[];
}

/** Something failed outside the API's answer (the input, the journal, the client): the burst stops starting. */
export interface BurstErrorEvent {
  type: 'error';
  key?: string;
  message: string;
  cause: unknown;
}

/** Emitted once when every started operation has finished (or hardStop abandoned them). */
export interface BurstDoneEvent {
  type: 'done';
  summary: BurstSummary;
}

/** Every event the burst engine emits. */
export type BurstEvent = CreatedEvent | RejectedEvent | BurstErrorEvent | BurstDoneEvent;

/** Event-loop delay over the burst (`monitorEventLoopDelay`), in µs. */
export interface EventLoopLag {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** The figures of a `monitorEventLoopDelay` histogram (ns) in µs. */
export function eventLoopLagOf(loop: IntervalHistogram): EventLoopLag {
  return { p50: loop.percentile(50) / 1000, p99: loop.percentile(99) / 1000, max: loop.max / 1000, mean: Number.isFinite(loop.mean) ? loop.mean / 1000 : 0 };
}

/** What the engine measured itself. Times on the engine's monotonic clock (ms). */
export interface BurstSummary {
  /** t0: the burst's start; paced intended starts are `t0 + n/qps`. */
  startedMs: number;
  endedMs: number;
  /** Operations started (create attempted). */
  started: number;
  created: number;
  rejected: number;
  /** Operations that failed without an API answer, or whose journal write failed. */
  errors: number;
  /** Operations started but not finished when hardStop fired (their outcome is unknown). */
  abandoned: number;
  /** Paced operations that found no free slot at their due time (waited > lateThresholdMs). */
  lateNoSlot: number;
  /** Send of the first create; null when none was sent. */
  firstSentMs: number | null;
  /** Response to the last create; null when none came back. */
  lastReceivedMs: number | null;
  /** API create latency (sent → received) of every answered create, µs. */
  apiCreate: QuantityHistogram;
  /** The same per kind. */
  apiCreateByKind: Map<string, QuantityHistogram>;
  /** Schedule slip: actual send − intended start, µs (waiting for a slot included). */
  slip: QuantityHistogram;
  /** Local overhead: send − max(intended start, slot acquired), µs: input generation, journal, our own code. */
  dispatchOverhead: QuantityHistogram;
  eventLoopLag: EventLoopLag;
  /** Why the load generator itself may have limited the load (empty: it kept up). */
  saturation: string[];
  /** Why the burst stopped starting operations early, if it did. */
  stoppedBy: 'input-exhausted' | 'stopStarting' | 'hardStop' | 'error';
}

/** Options of one burst. */
export interface BurstEngineOptions {
  /** Objects to create, pulled one at a time (a generator keeps memory flat however large the burst). */
  objects: Iterable<KubeObject> | AsyncIterable<KubeObject>;
  creator: ObjectCreator;
  /** Creates in flight at once (≥ 1). */
  concurrency: number;
  /** Client-side limit in creates per second; absent = as fast as the concurrency allows. */
  qps?: number;
  /** Stop starting new creates; those in flight finish and are reported. */
  stopStarting?: AbortSignal;
  /** Stop now: `done` is emitted without waiting for creates in flight (counted as abandoned). */
  hardStop?: AbortSignal;
  /** Called before each create is sent (the journal), awaited; if it throws the object is not created. */
  beforeCreate?: (obj: KubeObject) => void | Promise<void>;
  /** Waiting beyond this for a slot, or local overhead beyond it at p99, counts as late / saturated, ms (default 10). */
  lateThresholdMs?: number;
  /** Monotonic clock in ms (default `performance.now`); must be the creator's clock. */
  now?: () => number;
}

/** Listener of burst events; called synchronously, in order. */
export type BurstListener = (e: BurstEvent) => void;

function toAsync<T>(src: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
}

/**
 * Creates the objects of a burst with at most `concurrency` creates in flight, paced by `qps`
 * when set. Emits `created` / `rejected` / `error` per operation and `done` at the end; never prints.
 */
export class BurstEngine {
  readonly #listeners = new Set<BurstListener>();
  readonly #options: BurstEngineOptions;

  constructor(options: BurstEngineOptions) {
    checkBurstOptions(options);
    this.#options = options;
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: BurstListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: BurstEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }

  /** Runs the burst to its end; resolves with the summary also carried by the `done` event. */
  async run(): Promise<BurstSummary> {
    const o = this.#options;
    const now = o.now ?? (() => performance.now());
    const lateMs = o.lateThresholdMs ?? 10;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const apiCreate = createLatencyHistogram();
    const apiCreateByKind = new Map<string, QuantityHistogram>();
    const slip = createLatencyHistogram();
    const dispatchOverhead = createLatencyHistogram();
    const t0 = now();
    const s = { started: 0, created: 0, rejected: 0, errors: 0, lateNoSlot: 0, firstSentMs: null as number | null, lastReceivedMs: null as number | null };
    let stoppedBy: BurstSummary['stoppedBy'] = 'input-exhausted';
    let inFlight = 0;
    let slotFreed: (() => void) | null = null;
    const inFlightDone = new Set<Promise<void>>();
    const signals = [o.stopStarting, o.hardStop];
    const stopping = (): boolean => o.stopStarting?.aborted === true || o.hardStop?.aborted === true;
    const release = (): void => {
      inFlight--;
      const wake = slotFreed;
      slotFreed = null;
      wake?.();
    };
    // One abort listener for the whole burst wakes a wait for a slot (no listener per wait).
    const wakeOnAbort = (): void => {
      const wake = slotFreed;
      slotFreed = null;
      wake?.();
    };
    for (const sg of signals) sg?.addEventListener('abort', wakeOnAbort, { once: true });
    const waitSlot = async (): Promise<void> => {
      while (inFlight >= o.concurrency && !stopping()) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
      }
    };

    const runOne = async (obj: KubeObject, index: number, intended: number, slotAt: number): Promise<void> => {
      const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
      const key = objectKeyOf(obj.kind, obj.metadata.namespace, name);
      try {
        if (o.beforeCreate) await o.beforeCreate(obj);
        const r = await o.creator.create(obj);
        if (o.hardStop?.aborted) return; // abandoned: its outcome is not ours to report after done
        s.firstSentMs = s.firstSentMs === null ? r.sentMs : Math.min(s.firstSentMs, r.sentMs);
        slip.record((r.sentMs - intended) * 1000);
        dispatchOverhead.record((r.sentMs - Math.max(intended, slotAt)) * 1000);
        const times = { index, intendedStart: intended, sent: r.sentMs, received: r.receivedMs };
        if (r.ok || r.error.status !== 0) {
          s.lastReceivedMs = Math.max(s.lastReceivedMs ?? r.receivedMs, r.receivedMs);
          const us = (r.receivedMs - r.sentMs) * 1000;
          apiCreate.record(us);
          let kh = apiCreateByKind.get(obj.kind);
          if (kh === undefined) apiCreateByKind.set(obj.kind, (kh = createLatencyHistogram()));
          kh.record(us);
        }
        if (r.ok) {
          s.created++;
          const m = r.value.metadata;
          this.#emit({
            type: 'created',
            key: objectKeyOf(obj.kind, m.namespace ?? obj.metadata.namespace, m.name ?? name),
            kind: obj.kind,
            namespace: m.namespace ?? obj.metadata.namespace,
            name: m.name ?? name,
            uid: m.uid ?? '',
            generation: m.generation ?? 1,
            ...times,
          });
        } else if (r.error.status !== 0) {
          s.rejected++;
          this.#emitRejected(key, obj.kind, r.error, times);
        } else {
          s.errors++;
          this.#emit({ type: 'error', key, message: `create ${key}: ${r.error.message}`, cause: r.error });
        }
      } catch (cause) {
        s.errors++;
        this.#emit({ type: 'error', key, message: `create ${key}: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
      } finally {
        release();
      }
    };

    const it = toAsync(o.objects);
    try {
      for (let n = 0; ; n++) {
        const offset = intendedOffsetMs(n, o.qps === undefined ? {} : { qps: o.qps });
        if (offset !== null && !(await sleepUntil(t0 + offset, now, signals))) break;
        // Late for want of a slot only when every slot was busy at the due time (a late timer is slip, not this).
        const noSlot = inFlight >= o.concurrency;
        await waitSlot();
        if (stopping()) break;
        const slotAt = now();
        let next: IteratorResult<KubeObject>;
        try {
          next = await it.next();
        } catch (cause) {
          stoppedBy = 'error';
          this.#emit({ type: 'error', message: `the input failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
          break;
        }
        if (next.done === true) break;
        // Unpaced, an operation is due when its slot frees; paced, at its scheduled time.
        const intended = offset === null ? slotAt : t0 + offset;
        if (offset !== null && noSlot && slotAt - intended > lateMs) s.lateNoSlot++;
        inFlight++;
        s.started++;
        const p = runOne(next.value, n, intended, slotAt);
        inFlightDone.add(p);
        void p.finally(() => inFlightDone.delete(p));
      }
      if (o.hardStop?.aborted) stoppedBy = 'hardStop';
      else if (o.stopStarting?.aborted && stoppedBy !== 'error') stoppedBy = 'stopStarting';
      // Wait for creates in flight, unless hardStop says not to.
      if (!o.hardStop?.aborted) {
        const hard = o.hardStop;
        await Promise.race([
          Promise.all([...inFlightDone]),
          new Promise<void>((resolve) => hard?.addEventListener('abort', () => resolve(), { once: true })),
        ]);
        if (hard?.aborted) stoppedBy = 'hardStop';
      }
    } finally {
      for (const sg of signals) sg?.removeEventListener('abort', wakeOnAbort);
      loop.disable();
      await closeIterator(it);
    }
    const abandoned = o.hardStop?.aborted === true ? inFlightDone.size : 0;
    const lag = eventLoopLagOf(loop);
    const saturation: string[] = [];
    const overheadP99 = dispatchOverhead.valueAt(99);
    if (overheadP99 !== null && overheadP99 > lateMs * 1000) {
      saturation.push(`local dispatch overhead p99 ${(overheadP99 / 1000).toFixed(1)} ms > ${lateMs} ms: the generator, not the target, delayed sends`);
    }
    if (lag.p99 > lateMs * 1000) {
      saturation.push(`event-loop delay p99 ${(lag.p99 / 1000).toFixed(1)} ms > ${lateMs} ms: the tool's process was busy; timings include its own delay`);
    }
    const summary: BurstSummary = {
      startedMs: t0,
      endedMs: now(),
      ...s,
      abandoned,
      apiCreate,
      apiCreateByKind,
      slip,
      dispatchOverhead,
      eventLoopLag: lag,
      saturation,
      stoppedBy,
    };
    this.#emit({ type: 'done', summary });
    return summary;
  }

  #emitRejected(key: string, kind: string, f: ApiFailure, times: OperationTimes): void {
    this.#emit({ type: 'rejected', key, kind, status: f.status, reason: f.reason, message: f.message, causes: f.causes, ...times });
  }
}

async function closeIterator(it: AsyncIterator<KubeObject> | Iterator<KubeObject>): Promise<void> {
  try {
    await it.return?.();
  } catch {
    // Closing a finished or failed input has nothing left to report.
  }
}
