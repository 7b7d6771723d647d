/**
 * @module A controller work queue: keys are deduplicated, a key is never handled by two workers at
 * once (an add while it runs re-queues it once), delayed adds keep the earliest due time, N workers;
 * KindQueues keeps one such queue per kind, as kube-rs keeps one Controller per kind. An optional
 * limiter (the twin's capacity tunable) gates every start across all queues that share it.
 */

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Parallel handlers (bindy's controllers run concurrently; tunable). */
  readonly workers: number;
  /** Handles one key; a rejection is passed to `onError` and the key is not re-queued here. */
  readonly handler: (key: string) => Promise<void>;
  readonly onError?: (key: string, error: unknown) => void;
  /**
   * Gates every handler start (the twin's `capacity`): a key waits in the queue, deduplicated as
   * any queued key, until a token is there. Shared by every queue of a {@link KindQueues}.
   */
  readonly limiter?: StartLimiter;
}

/** What gates handler starts: a token now, or how long until the next one (a TokenBucket). */
export interface StartLimiter {
  tryTake(): boolean;
  /** ms until a token is there. */
  msUntilNext(): number;
}

function checkWorkers(workers: number): void {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
}

/** The queue; call start() to begin handling. */
export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Pumps again when the limiter has a token (one pending timer at most). */
  #limiterTimer: NodeJS.Timeout | null = null;
  #started = false;
  #stopped = false;

  constructor(options: WorkQueueOptions) {
    checkWorkers(options.workers);
    this.#options = options;
  }

  /** Queues `key` now, or after `delayMs` (an earlier pending due time wins). */
  add(key: string, delayMs = 0): void {
    if (this.#stopped) return;
    if (delayMs > 0) {
      const due = performance.now() + delayMs;
      const pending = this.#timers.get(key);
      if (pending !== undefined && pending.due <= due) return;
      if (pending !== undefined) clearTimeout(pending.timer);
      const timer = setTimeout(() => {
        this.#timers.delete(key);
        this.add(key);
      }, delayMs);
      this.#timers.set(key, { due, timer });
      return;
    }
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  /** Drops a delayed add of `key` (a reconcile that ended with "await change" replaces its scheduled retry, as kube-rs's scheduler does); queued or running keys are untouched. */
  cancelDelayed(key: string): void {
    const pending = this.#timers.get(key);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.#timers.delete(key);
  }

  /** Keys waiting (not running, not delayed). */
  depth(): number {
    return this.#queue.length;
  }

  /** Starts handling queued keys. */
  start(): void {
    this.#started = true;
    this.#pump();
  }

  /** Drops pending and delayed keys and resolves when running handlers have finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    if (this.#limiterTimer !== null) clearTimeout(this.#limiterTimer);
    this.#limiterTimer = null;
    this.#queue.length = 0;
    this.#queued.clear();
    await Promise.allSettled([...this.#inFlight]);
  }

  #pump(): void {
    if (!this.#started || this.#stopped) return;
    const limiter = this.#options.limiter;
    while (this.#running.size < this.#options.workers && this.#queue.length > 0) {
      if (limiter !== undefined && !limiter.tryTake()) {
        // Another queue sharing the limiter may take the token first: then this one waits again.
        if (this.#limiterTimer === null) {
          this.#limiterTimer = setTimeout(() => {
            this.#limiterTimer = null;
            this.#pump();
          }, Math.max(1, limiter.msUntilNext()));
        }
        break;
      }
      const key = this.#queue.shift();
      if (key === undefined) break;
      this.#queued.delete(key);
      this.#running.add(key);
      const p = this.#run(key);
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    }
  }

  async #run(key: string): Promise<void> {
    try {
      await this.#options.handler(key);
    } catch (error) {
      this.#options.onError?.(key, error);
    } finally {
      this.#running.delete(key);
      if (this.#dirty.delete(key)) this.add(key);
      this.#pump();
    }
  }
}

/**
 * One {@link WorkQueue} per kind (the part of a key before its first `/`), each with its own
 * `workers`: kube-rs runs a separate Controller, with its own scheduler and concurrency, for every
 * kind bindy reconciles, so a backlog of one kind never holds up another.
 */
export class KindQueues {
  readonly #options: WorkQueueOptions;
  readonly #queues = new Map<string, WorkQueue>();
  #started = false;

  constructor(options: WorkQueueOptions) {
    checkWorkers(options.workers);
    this.#options = options;
  }

  /** Queues `key` on its kind's queue (see {@link WorkQueue.add}). */
  add(key: string, delayMs = 0): void {
    const kind = key.split('/', 1)[0] ?? '';
    let q = this.#queues.get(kind);
    if (q === undefined) {
      q = new WorkQueue(this.#options);
      if (this.#started) q.start();
      this.#queues.set(kind, q);
    }
    q.add(key, delayMs);
  }

  /** Drops a delayed add of `key` on its kind's queue (see {@link WorkQueue.cancelDelayed}). */
  cancelDelayed(key: string): void {
    this.#queues.get(key.split('/', 1)[0] ?? '')?.cancelDelayed(key);
  }

  /** Keys waiting on one kind's queue, or on all of them. */
  depth(kind?: string): number {
    if (kind !== undefined) return this.#queues.get(kind)?.depth() ?? 0;
    let n = 0;
    for (const q of this.#queues.values()) n += q.depth();
    return n;
  }

  /** Starts every queue (and any created later). */
  start(): void {
    this.#started = true;
    for (const q of this.#queues.values()) q.start();
  }

  /** Stops every queue; resolves when their running handlers have finished. */
  async stop(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((q) => q.stop()));
  }
}
