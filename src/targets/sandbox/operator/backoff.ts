/** @module bindy's retry policy for bindcar calls: 50 ms doubling, ±10 % jitter, cap 10 s, give up after 120 s. */

/** The policy's numbers (bindy's defaults; tests shorten them). */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number;
  /** Fraction of each delay added or removed at random. */
  readonly jitter: number;
  /** No new attempt starts once this much time has passed since the first. */
  readonly maxElapsedMs: number;
}

/** bindy's bindcar backoff (TARGET.md). */
export const bindcarBackoff: BackoffPolicy = { initialMs: 50, multiplier: 2, maxDelayMs: 10_000, jitter: 0.1, maxElapsedMs: 120_000 };

/**
 * bindy's policy with another retry budget (`--bindcar-retry-budget`): only the give-up point moves,
 * so a call fails the same way, sooner. Tests use it to shorten the wait on a zone that never
 * reached BIND9 (freeze answers 500 for the whole budget); the twin reports it as injected.
 */
export function withRetryBudget(policy: BackoffPolicy, maxElapsedMs: number): BackoffPolicy {
  return { ...policy, maxElapsedMs };
}

/** Delay before retry number `retry` (0-based), with `random` uniform in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, retry: number, random: number): number {
  const base = Math.min(policy.initialMs * policy.multiplier ** retry, policy.maxDelayMs);
  return base * (1 + policy.jitter * (2 * random - 1));
}

/** Clock, sleep and randomness of {@link retryWithBackoff}, injectable for tests. */
export interface RetryEnv {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

const realEnv: RetryEnv = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
};

/**
 * Runs `attempt` until it succeeds, it throws something `retryable` rejects, or the next attempt
 * would start after `maxElapsedMs`; then the last error is thrown. `signal` stops retrying.
 */
export async function retryWithBackoff<T>(
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  policy: BackoffPolicy = bindcarBackoff,
  env: RetryEnv = realEnv,
  signal?: AbortSignal,
): Promise<T> {
  const started = env.now();
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryable(error) || signal?.aborted === true) throw error;
      const delay = backoffDelay(policy, retry, env.random());
      if (env.now() + delay - started > policy.maxElapsedMs) throw error;
      await env.sleep(delay);
    }
  }
}
