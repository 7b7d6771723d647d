/**
 * @module When the DNS prober asks next (pure, clock passed in): the spacing of one object's probes
 * (a fast first phase, then doubling to a cap), a token bucket for the overall query rate, and a
 * queue of objects ordered by when they are due.
 */

/** How one object's probes are spaced, ms. */
export interface ProbeSpacing {
  /** Spacing during the fast phase. */
  fastIntervalMs: number;
  /** Length of the fast phase, from the intended start (or a nudge). */
  fastPhaseMs: number;
  /** Spacing never grows beyond this. */
  maxIntervalMs: number;
}

/**
 * Default spacing: every 100 ms for the first second, then 200, 400, … up to 1 s. About 15 queries
 * per record and server in its first 3 s: 100 ms resolution where most records land, at a load
 * that leaves a shared machine's cores to what is measured (50 ms for 2 s cost 40 queries and
 * showed in the timings of the sandbox's own parts).
 */
export const defaultProbeSpacing: ProbeSpacing = { fastIntervalMs: 100, fastPhaseMs: 1000, maxIntervalMs: 1000 };

/**
 * The spacing after a probe sent `elapsedMs` after the phase started, given the spacing used
 * before (`previousMs`, 0 for the first): fast inside the fast phase, then doubling, capped.
 */
export function nextSpacingMs(s: ProbeSpacing, elapsedMs: number, previousMs: number): number {
  if (elapsedMs < s.fastPhaseMs) return s.fastIntervalMs;
  return Math.min(s.maxIntervalMs, Math.max(s.fastIntervalMs, previousMs) * 2);
}

/** A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #atMs: number;

  constructor(ratePerSecond: number, burst: number, nowMs: number) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError(`a token bucket needs a rate > 0 and a burst >= 1 (got ${ratePerSecond}, ${burst})`);
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#atMs = nowMs;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#atMs) {
      this.#tokens = Math.min(this.#burst, this.#tokens + ((nowMs - this.#atMs) * this.#rate) / 1000);
      this.#atMs = nowMs;
    }
  }

  /** Takes one token if there is one; true when taken. */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** ms until a token is there (0 when one is). */
  waitMs(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.#rate;
  }
}

/** A min-heap of items by due time (ms); ties leave in insertion order. */
export class DueQueue<T> {
  readonly #heap: { dueMs: number; seq: number; item: T }[] = [];
  #seq = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Adds `item`, due at `dueMs`. */
  push(dueMs: number, item: T): void {
    const h = this.#heap;
    h.push({ dueMs, seq: this.#seq++, item });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  /** Due time of the earliest item, or undefined when empty. */
  peekDueMs(): number | undefined {
    return this.#heap[0]?.dueMs;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const h = this.#heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(l, m)) m = l;
        if (r < h.length && this.#less(r, m)) m = r;
        if (m === i) break;
        this.#swap(i, m);
        i = m;
      }
    }
    return top.item;
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a];
    const y = this.#heap[b];
    if (x === undefined || y === undefined) return false;
    return x.dueMs < y.dueMs || (x.dueMs === y.dueMs && x.seq < y.seq);
  }

  #swap(a: number, b: number): void {
    const h = this.#heap;
    const x = h[a];
    const y = h[b];
    if (x === undefined || y === undefined) return;
    h[a] = y;
    h[b] = x;
  }
}
