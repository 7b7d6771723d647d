/** @module Least-squares line through (x, y) points with a confidence interval on its slope (pure). */
import { tQuantile } from './distributions.js';

/** A fitted line y = intercept + slope·x and the uncertainty of its slope. */
export interface LinearFit {
  /** Points used. */
  n: number;
  /** Slope in y-units per x-unit. */
  slope: number;
  intercept: number;
  /** Standard error of the slope; null when n = 2 (no residual degrees of freedom). */
  slopeStandardError: number | null;
  /** Two-sided confidence interval on the slope at `confidence`; null when n = 2 or no confidence was asked for. */
  slopeInterval: { low: number; high: number; confidence: number } | null;
  /** Residual standard deviation, in y-units; null when n = 2. */
  residualStdDev: number | null;
}

/**
 * Ordinary least squares with a t-based confidence interval on the slope.
 *
 * Derivation. For points (xᵢ, yᵢ), i = 1..n, with means x̄ and ȳ, let
 *   Sxx = Σ (xᵢ − x̄)²  and  Sxy = Σ (xᵢ − x̄)(yᵢ − ȳ).
 * Minimising Σ (yᵢ − a − b·xᵢ)² over a and b gives b = Sxy / Sxx and a = ȳ − b·x̄.
 * Under the model yᵢ = α + β·xᵢ + εᵢ with independent εᵢ ~ N(0, σ²), b is normal with mean β and
 * variance σ² / Sxx. σ² is estimated by s² = SSR / (n − 2), SSR = Σ (yᵢ − a − b·xᵢ)² (two
 * parameters were fitted, so n − 2 degrees of freedom remain), and (b − β) / (s / √Sxx) then follows
 * Student's t with n − 2 degrees of freedom. Hence the interval
 *   b ± t(1 − (1 − c)/2; n − 2) · s / √Sxx
 * covers β with probability c. Deviations are taken from the means (not Σx² − n·x̄²) so large
 * x values (ms since the start of a long run) do not cancel catastrophically.
 *
 * Caveat stated in docs/judge.md: samples of a memory series are autocorrelated (GC cycles span
 * several scrapes), which makes this interval narrower than the truth; the verdict is therefore
 * taken on the slope itself, and the interval is reported beside it, not used to pass a run.
 * `confidence` null skips the interval (a caller that reads only the slope and residuals).
 */
export function linearFit(points: readonly { x: number; y: number }[], confidence: number | null = 0.95): LinearFit | null {
  const n = points.length;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.x;
    my += p.y;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  // Every x equal: the slope is undefined.
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n === 2) return { n, slope, intercept, slopeStandardError: null, slopeInterval: null, residualStdDev: null };
  let ssr = 0;
  for (const p of points) ssr += (p.y - intercept - slope * p.x) ** 2;
  const s = Math.sqrt(ssr / (n - 2));
  const se = s / Math.sqrt(sxx);
  // No interval asked for: the t quantile (and the modules behind it) is not needed.
  if (confidence === null) return { n, slope, intercept, slopeStandardError: se, slopeInterval: null, residualStdDev: s };
  const t = tQuantile(1 - (1 - confidence) / 2, n - 2);
  return { n, slope, intercept, slopeStandardError: se, slopeInterval: { low: slope - t * se, high: slope + t * se, confidence }, residualStdDev: s };
}
