/** @module The burst schedule: when operation n is due, computed before any I/O (STYLE rule 4). */
import { UsageError } from '../errors.js';

/** Options of a burst schedule. */
export interface BurstScheduleOptions {
  /** Client-side limit in creates per second; absent = no pacing, operations start when a slot frees. */
  qps?: number;
}

/**
 * Intended start of operation `n` (0-based), in ms after the burst's start, or null when the burst
 * is unpaced.
 *
 * With a limit of `qps` operations per second, operation n is due at `n / qps` seconds: the n-th
 * point of an ideal constant-rate arrival process starting at 0. It is computed from n directly
 * (`n * 1000 / qps`) rather than by adding `1000 / qps` to the previous start, so rounding never
 * accumulates and the schedule never drifts, however long the burst. A late operation does not
 * move the ones after it: each is measured from its own due time (no coordinated omission).
 *
 * Without a limit there is no schedule: an operation is due when a concurrency slot frees, and
 * the engine records that dispatch time as its intended start (null here says so).
 */
export function intendedOffsetMs(n: number, options: BurstScheduleOptions): number | null {
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`operation index must be a whole number ≥ 0, got ${n}`);
  const { qps } = options;
  if (qps === undefined) return null;
  if (!(qps > 0) || !Number.isFinite(qps)) throw new UsageError(`qps must be a positive number, got ${qps}`);
  return (n * 1000) / qps;
}

/** Validates engine options once: concurrency is a whole number ≥ 1, qps (when set) positive. */
export function checkBurstOptions(options: { concurrency: number; qps?: number }): void {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new UsageError(`concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
  }
  if (options.qps !== undefined && (!(options.qps > 0) || !Number.isFinite(options.qps))) {
    throw new UsageError(`qps must be a positive number, got ${options.qps}`);
  }
}
