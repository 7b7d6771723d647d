/**
 * @module APF admission: classifies a request, then executes it at once, queues it, or rejects it
 * by its priority level's limit. Simplifications (docs/sandbox-apiserver.md): every request costs
 * one seat; a Limited level's limit is its nominal limit (no borrowing or lending); a Queue level
 * keeps one FIFO per level, a flow (FlowSchema + distinguisher) holding at most
 * handSize × queueLengthLimit of it and the level at most queues × queueLengthLimit, instead of
 * shuffle-sharded fair queues.
 */
import { classify, flowKey, matchingOrder } from './classify.js';
import { RetryAfterTracker } from './retry-after.js';
import { defaultServerConcurrencyLimit, nominalLimits } from './seats.js';
import type { FlowSchemaObject, PriorityLevelObject, RequestDigest } from './types.js';

/** Why a request was rejected: the `reason` label of apiserver_flowcontrol_rejected_requests_total. */
export type RejectReason = 'concurrency-limit' | 'queue-full' | 'time-out' | 'cancelled';

/** What the dispatcher reports to /metrics. */
export interface FlowControlObserver {
  dispatched(fs: string, pl: string): void;
  rejected(fs: string, pl: string, reason: RejectReason): void;
  executingDelta(fs: string, pl: string, delta: 1 | -1): void;
  inQueueDelta(fs: string, pl: string, delta: 1 | -1): void;
  nominalLimits(limits: ReadonlyMap<string, number>): void;
}

/** The FlowSchemas and priority levels in force. */
export interface FlowControlConfig {
  flowSchemas: readonly FlowSchemaObject[];
  priorityLevels: readonly PriorityLevelObject[];
}

/** Options of {@link FlowControl}. */
export interface FlowControlOptions {
  /** Reads the configuration; called again after {@link FlowControl.invalidate}. */
  source: () => FlowControlConfig;
  observer?: FlowControlObserver;
  /** Default 600 (kube-apiserver's 400 + 200 in-flight defaults). */
  serverConcurrencyLimit?: number;
  /** How long a queued request may wait, ms (default 15,000: a quarter of the 60 s request timeout, as kube-apiserver allows). */
  queueWaitLimitMs?: number;
  now?: () => number;
}

/** Which FlowSchema and priority level a request was classified by (UIDs go into the response headers). */
export interface Classification {
  flowSchema: { name: string; uid: string };
  priorityLevel: { name: string; uid: string };
}

/** An admitted request: call `release` once it is done (idempotent). */
export interface Admitted extends Partial<Classification> {
  ok: true;
  release: () => void;
}

/** A rejected request: answer 429 with this Retry-After. */
export interface Rejected extends Classification {
  ok: false;
  reason: RejectReason;
  retryAfterSeconds: number;
}

interface Waiter {
  flow: string;
  fs: string;
  start: () => void;
  cancel: (reason: RejectReason) => void;
}

/** The live state of one priority level. */
interface Level {
  name: string;
  uid: string;
  exempt: boolean;
  limit: number;
  reject: boolean;
  flowCapacity: number;
  levelCapacity: number;
  executing: number;
  queue: Waiter[];
}

/** Admission control of one API server. */
export class FlowControl {
  private readonly source: () => FlowControlConfig;
  private readonly observer: FlowControlObserver | undefined;
  private readonly serverCL: number;
  private readonly waitLimitMs: number;
  private readonly retry: RetryAfterTracker;
  private ordered: FlowSchemaObject[] = [];
  private readonly levels = new Map<string, Level>();
  private dirty = true;

  constructor(o: FlowControlOptions) {
    this.source = o.source;
    this.observer = o.observer;
    this.serverCL = o.serverConcurrencyLimit ?? defaultServerConcurrencyLimit;
    this.waitLimitMs = o.queueWaitLimitMs ?? 15_000;
    this.retry = new RetryAfterTracker(o.now);
  }

  /** The configuration changed: read it again before the next request. */
  invalidate(): void {
    this.dirty = true;
  }

  /** Nominal limit of each Limited level now (for tests and docs). */
  limits(): Map<string, number> {
    this.refresh();
    return new Map([...this.levels.values()].filter((l) => !l.exempt).map((l) => [l.name, l.limit]));
  }

  private refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const cfg = this.source();
    this.ordered = matchingOrder(cfg.flowSchemas);
    const limits = nominalLimits(cfg.priorityLevels, this.serverCL);
    const seen = new Set<string>();
    for (const pl of cfg.priorityLevels) {
      seen.add(pl.metadata.name);
      const lr = pl.spec.limited?.limitResponse;
      const q = lr?.queuing;
      const next = {
        uid: pl.metadata.uid,
        exempt: pl.spec.type === 'Exempt',
        limit: limits.get(pl.metadata.name) ?? Infinity,
        reject: lr?.type !== 'Queue',
        flowCapacity: q === undefined ? 0 : q.handSize * q.queueLengthLimit,
        levelCapacity: q === undefined ? 0 : q.queues * q.queueLengthLimit,
      };
      const old = this.levels.get(pl.metadata.name);
      // A level that stays keeps its executing and queued requests; a raised limit may admit some now.
      if (old !== undefined) Object.assign(old, next);
      else this.levels.set(pl.metadata.name, { name: pl.metadata.name, executing: 0, queue: [], ...next });
    }
    // A removed level's requests finish where they are (they hold their Level object); new ones cannot reach it.
    for (const name of [...this.levels.keys()]) if (!seen.has(name)) this.levels.delete(name);
    for (const l of this.levels.values()) this.drain(l);
    this.observer?.nominalLimits(limits);
  }

  /** One request at a time when nothing executes, even at a limit of 0 seats (as kube-apiserver's queueset admits it). */
  private fits(l: Level): boolean {
    return l.exempt || l.executing === 0 || l.executing < l.limit;
  }

  private execute(l: Level, fs: string): () => void {
    l.executing++;
    this.observer?.dispatched(fs, l.name);
    this.observer?.executingDelta(fs, l.name, 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      l.executing--;
      this.observer?.executingDelta(fs, l.name, -1);
      this.drain(l);
    };
  }

  private drain(l: Level): void {
    while (l.queue.length > 0 && this.fits(l)) l.queue.shift()?.start();
  }

  private rejected(l: Level, c: Classification, reason: RejectReason): Rejected {
    this.retry.recordRejection(l.name);
    this.observer?.rejected(c.flowSchema.name, l.name, reason);
    return { ok: false, reason, retryAfterSeconds: this.retry.retryAfter(l.name), ...c };
  }

  /**
   * Admits a request or says why not. Resolves at once unless the request is queued; a queued one
   * resolves when a seat frees up, when it has waited too long, or when `signal` aborts (client gone).
   */
  admit(d: RequestDigest, signal?: AbortSignal): Promise<Admitted | Rejected> {
    this.refresh();
    const fs = classify(this.ordered, d, (pl) => this.levels.has(pl));
    // No FlowSchema matched (the mandatory catch-all was deleted): not limited.
    if (fs === undefined) return Promise.resolve({ ok: true, release: () => undefined });
    const l = this.levels.get(fs.spec.priorityLevelConfiguration.name);
    if (l === undefined) return Promise.resolve({ ok: true, release: () => undefined });
    const c: Classification = { flowSchema: { name: fs.metadata.name, uid: fs.metadata.uid }, priorityLevel: { name: l.name, uid: l.uid } };
    if (l.queue.length === 0 && this.fits(l)) return Promise.resolve({ ok: true, release: this.execute(l, fs.metadata.name), ...c });
    if (l.reject) return Promise.resolve(this.rejected(l, c, 'concurrency-limit'));
    const flow = flowKey(fs, d);
    const flowQueued = l.queue.filter((w) => w.flow === flow).length;
    if (flowQueued >= l.flowCapacity || l.queue.length >= l.levelCapacity) return Promise.resolve(this.rejected(l, c, 'queue-full'));
    return new Promise((resolve) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = l.queue.indexOf(w);
        if (i >= 0) l.queue.splice(i, 1);
        this.observer?.inQueueDelta(fs.metadata.name, l.name, -1);
      };
      const w: Waiter = {
        flow,
        fs: fs.metadata.name,
        start: () => {
          leave();
          resolve({ ok: true, release: this.execute(l, fs.metadata.name), ...c });
        },
        cancel: (reason) => {
          leave();
          resolve(this.rejected(l, c, reason));
        },
      };
      const onAbort = (): void => w.cancel('cancelled');
      const timer = setTimeout(() => w.cancel('time-out'), this.waitLimitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      l.queue.push(w);
      this.observer?.inQueueDelta(fs.metadata.name, l.name, 1);
    });
  }
}
