/** @module bindcar's per-client-IP rate limiter (tower_governor's GCRA) as pure maths on an injected clock. */
import { bindcarRules } from './release-line.js';

/** bindcar's rate-limit settings, named after its environment variables (RATE_LIMIT_*). */
export interface RateLimitConfig {
  /** RATE_LIMIT_ENABLED (default true). */
  readonly enabled: boolean;
  /** RATE_LIMIT_REQUESTS (default 100). */
  readonly requestsPerPeriod: number;
  /** RATE_LIMIT_PERIOD_SECS (default 60). */
  readonly periodSecs: number;
  /** RATE_LIMIT_BURST (default 10). */
  readonly burstSize: number;
}

/** bindcar 0.7.x defaults (src/rate_limit.rs). */
export const bindcarRateLimitDefaults: RateLimitConfig = bindcarRules['0.7'].rateLimit;

/** A GCRA quota: one cell comes back every `replenishMs`, at most `burst` cells banked. */
export interface Quota {
  readonly replenishMs: number;
  readonly burst: number;
}

/**
 * The quota bindcar 0.7.x actually configures. Its main.rs computes
 * `per_second = max(1, requests_per_period / period_secs)` in integer arithmetic and hands that to
 * tower_governor's `per_second(n)`, which means "replenish one cell every n seconds", not "n per
 * second". So the defaults (100 per 60 s) give one request per second with a burst of 10, and
 * raising RATE_LIMIT_REQUESTS above 2×period *lowers* the rate. We reproduce this, since it is what
 * runs in clusters; bindcar 0.8 changed the formula (and the defaults to 600/60, burst 50): see
 * release-line.ts.
 */
export function bindcarQuota(config: Pick<RateLimitConfig, 'requestsPerPeriod' | 'periodSecs' | 'burstSize'>): Quota {
  return bindcarRules['0.7'].quota(config);
}

/** Outcome of one check. */
export type LimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; /** Until a cell is back, in ms. */ readonly waitMs: number };

/**
 * GCRA, as the `governor` crate implements it. Each key has a theoretical arrival time `tat`
 * (initially "now"). A request at `t` is allowed when `max(tat, t) + T - t <= burst·T`, i.e. when at
 * most `burst` cells of length T are outstanding; then `tat = max(tat, t) + T`. This equals a token
 * bucket of capacity `burst` refilled with one token every T, without a timer per key. When refused,
 * the wait until the next cell is `max(tat, t) + T - t - burst·T`.
 */
export class RateLimiter {
  readonly #quota: Quota;
  readonly #now: () => number;
  readonly #tat = new Map<string, number>();

  /** `now` returns milliseconds on a monotonic clock (default performance.now). */
  constructor(quota: Quota, now: () => number = () => performance.now()) {
    this.#quota = quota;
    this.#now = now;
  }

  /** Checks and, if allowed, charges one request for `key` (the client IP). */
  check(key: string): LimitDecision {
    const t = this.#now();
    const { replenishMs: period, burst } = this.#quota;
    const tat = Math.max(this.#tat.get(key) ?? t, t);
    const next = tat + period;
    const limit = burst * period;
    if (next - t > limit) return { allowed: false, waitMs: next - t - limit };
    this.#tat.set(key, next);
    // Forget keys whose bucket is full again so the map cannot grow without bound.
    if (this.#tat.size > 10_000) this.#prune(t);
    return { allowed: true };
  }

  #prune(t: number): void {
    for (const [key, tat] of this.#tat) if (tat <= t) this.#tat.delete(key);
  }
}
