/**
 * @module A hold on an open-loop schedule: while held no operation starts, and the schedule's
 * clock stops, so every later operation is due as much later as the hold lasted (nothing is
 * dropped or started late because of it). Chaos holds its background load this way for a quiet
 * window after each experiment: reconciles at rest cannot be counted under load.
 */

/** One hold, on the monotonic clock the holder gave. */
export interface HoldSpan {
  fromMs: number;
  toMs: number;
}

/** A hold on a schedule (see the module doc); shared by the engine that obeys it and whoever holds it. */
export class LoadPause {
  readonly #now: () => number;
  #heldSince: number | null = null;
  #heldMs = 0;
  #reason = '';
  #waiters: (() => void)[] = [];
  readonly #spans: HoldSpan[] = [];
  readonly #onRelease: ((span: HoldSpan) => void)[] = [];

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Whether a hold is in force. */
  get held(): boolean {
    return this.#heldSince !== null;
  }

  /** Every hold that ended, in order. */
  get spans(): readonly HoldSpan[] {
    return this.#spans;
  }

  /** How long the schedule has been held in all, ms, up to `at` (the hold in force included). */
  heldMs(at = this.#now()): number {
    return this.#heldMs + (this.#heldSince === null ? 0 : Math.max(0, at - this.#heldSince));
  }

  /** The schedule's own time at `at` for a schedule started at `t0`: the time since, less every hold. */
  scheduleMs(t0: number, at = this.#now()): number {
    return at - t0 - this.heldMs(at);
  }

  /** Calls `listener` with each hold as it ends. */
  onRelease(listener: (span: HoldSpan) => void): void {
    this.#onRelease.push(listener);
  }

  /** Why the hold in force was made (shown in progress lines); null without one. */
  get reason(): string | null {
    return this.#heldSince === null ? null : this.#reason;
  }

  /** Holds the schedule from now, for `reason` (a second hold while one is in force changes nothing). */
  hold(reason: string): void {
    if (this.#heldSince !== null) return;
    this.#heldSince = this.#now();
    this.#reason = reason;
  }

  /** Ends the hold in force: the schedule goes on where it stopped. */
  release(): void {
    if (this.#heldSince === null) return;
    const at = this.#now();
    const span = { fromMs: this.#heldSince, toMs: at };
    this.#spans.push(span);
    this.#heldMs += Math.max(0, at - this.#heldSince);
    this.#heldSince = null;
    for (const l of this.#onRelease) l(span);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves true once no hold is in force, false if a signal aborts first. */
  released(signals: readonly (AbortSignal | undefined)[]): Promise<boolean> {
    const live = signals.filter((s): s is AbortSignal => s !== undefined);
    if (live.some((s) => s.aborted)) return Promise.resolve(false);
    if (this.#heldSince === null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        for (const s of live) s.removeEventListener('abort', onAbort);
        this.#waiters = this.#waiters.filter((w) => w !== done);
        resolve(false);
      };
      const done = (): void => {
        for (const s of live) s.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.#waiters.push(done);
      for (const s of live) s.addEventListener('abort', onAbort, { once: true });
    });
  }
}
