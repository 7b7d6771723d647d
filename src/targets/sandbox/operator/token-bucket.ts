/**
 * @module The operator twin's capacity cap: a token bucket (pure maths on an injected clock) in
 * front of the work queues' workers, so the twin has a known throughput ceiling in reconciles/s.
 */

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` banked, full at the start. Over
 * any window of T seconds at most `burst + ratePerSecond·T` tokens are taken: that is the ceiling.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /** `now` returns ms on a monotonic clock (default performance.now). */
  constructor(ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`a token bucket needs a rate above 0, got ${ratePerSecond}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`a token bucket needs a burst of at least 1, got ${burst}`);
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Tokens a second. */
  get ratePerSecond(): number {
    return this.#rate;
  }

  /** Most tokens banked. */
  get burst(): number {
    return this.#burst;
  }

  #refill(): void {
    const t = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((t - this.#at) / 1000) * this.#rate);
    this.#at = t;
  }

  /** Takes one token when there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** ms until a token is there (0 when one is there now); rounded up so a timer set to it finds one. */
  msUntilNext(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
  }
}

/** The burst that goes with a capacity: one second's worth of tokens (at least 1). */
export function capacityBurst(ratePerSecond: number): number {
  return Math.max(1, Math.ceil(ratePerSecond));
}
