/** @module The delay the operator twin adds before a reconcile (a tunable of the accuracy tests; pure). */

/**
 * Milliseconds to wait before reconciling an object of `kind`: `delay` (fixed ms, or a sampler of a
 * distribution, clamped at 0) when `kinds` is absent or lists `kind`, otherwise 0.
 */
export function injectedDelayMs(kind: string, delay: number | (() => number) | undefined, kinds: readonly string[] | undefined): number {
  if (kinds !== undefined && !kinds.includes(kind)) return 0;
  return delay === undefined ? 0 : typeof delay === 'number' ? delay : Math.max(0, delay());
}
