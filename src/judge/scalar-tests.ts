/** @module Significance tests for per-run figures: a prediction-interval t test and a two-proportion z test (pure). */
import { normalCdf, tCdf } from './distributions.js';

/** A one-sided test result: how surprising `current` is, in each direction, if nothing changed. */
export interface ScalarTest {
  /** Name of the test, for the report. */
  test: string;
  /** P(a value at least this large | no change); null when the test cannot be run (reason says why). */
  pLarger: number | null;
  /** P(a value at least this small | no change); null when the test cannot be run. */
  pSmaller: number | null;
  /** Why no p-value, when there is none. */
  reason?: string;
}

/**
 * Is one new run's figure `current` out of line with the baseline runs `runs`?
 *
 * Derivation. If the n baseline values and the new one are independent draws from one normal
 * distribution (run-to-run noise), with baseline mean x̄ and standard deviation s, then
 *   T = (current − x̄) / (s·√(1 + 1/n))
 * follows Student's t with n − 1 degrees of freedom: the numerator's variance is σ² (the new run)
 * plus σ²/n (the uncertainty of x̄), and s² estimates σ² with n − 1 degrees of freedom. This is
 * the prediction-interval test; Welch's t would need several *current* runs. One-sided p-values are
 * 1 − F(T) (larger) and F(T) (smaller). With n = 2 the test has one degree of freedom and is weak
 * (t₀.₉₇₅ = 12.7): honest for two runs. With n < 2 there is no spread to judge against, and none
 * with s = 0 either (identical runs: the noise is below the figure's resolution, not absent); both
 * give no p-value and say why.
 */
export function predictionTest(runs: readonly number[], current: number): ScalarTest {
  const n = runs.length;
  if (n < 2) return { test: 'none', pLarger: null, pSmaller: null, reason: `${n} baseline run${n === 1 ? '' : 's'}: no run-to-run spread to test against (record at least 3)` };
  const mean = runs.reduce((a, b) => a + b, 0) / n;
  const s = Math.sqrt(runs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  if (s === 0) {
    // Identical runs say the noise is below the figure's resolution (a peak count of 21 twice), not
    // that it is zero: any other value would get p = 0. No significance can be claimed.
    return { test: 'none', pLarger: null, pSmaller: null, reason: `the ${n} baseline runs are identical (${mean}): no run-to-run spread to test against (record more runs)` };
  }
  const t = (current - mean) / (s * Math.sqrt(1 + 1 / n));
  return { test: `prediction-interval t (n=${n}, df=${n - 1})`, pLarger: 1 - tCdf(t, n - 1), pSmaller: tCdf(t, n - 1) };
}

/**
 * Did the share of failed (or retried) operations change between the pooled baseline runs
 * (x₁ of n₁) and the current run (x₂ of n₂)?
 *
 * Derivation. Under H0 both come from one probability p, estimated by the pooled p̂ = (x₁ + x₂)/(n₁ + n₂);
 * the difference of the two shares p₂ − p₁ then has variance p̂(1 − p̂)(1/n₁ + 1/n₂) and, with
 * enough counts, z = (p₂ − p₁) / √that is standard normal. One-sided p-values are 1 − Φ(z)
 * (current higher) and Φ(z). With p̂ = 0 or 1 nothing varies and there is nothing to test.
 */
export function twoProportionTest(baseline: { events: number; total: number }, current: { events: number; total: number }): ScalarTest {
  const test = 'two-proportion z (pooled)';
  if (baseline.total <= 0 || current.total <= 0) return { test: 'none', pLarger: null, pSmaller: null, reason: 'no attempted operations on one side' };
  const p1 = baseline.events / baseline.total;
  const p2 = current.events / current.total;
  const p = (baseline.events + current.events) / (baseline.total + current.total);
  const variance = p * (1 - p) * (1 / baseline.total + 1 / current.total);
  if (!(variance > 0)) return { test, pLarger: 1, pSmaller: 1 };
  const z = (p2 - p1) / Math.sqrt(variance);
  return { test, pLarger: 1 - normalCdf(z, 0, 1), pSmaller: normalCdf(z, 0, 1) };
}
