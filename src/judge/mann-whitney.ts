/** @module Mann–Whitney U test on two bucketed samples (HDR histograms), one-sided, with ties (pure). */
import { normalCdf } from './distributions.js';
import type { Bucket } from './histogram-buckets.js';

/** The outcome of a one-sided Mann–Whitney U test "is `current` stochastically larger than `baseline`?". */
export interface MannWhitneyResult {
  /** Sample sizes. */
  nBaseline: number;
  nCurrent: number;
  /** U of the current sample: pairs (baseline x, current y) with y > x, plus half the ties. */
  u: number;
  /** Standardised U (continuity-corrected); null when the variance is 0 (every value tied). */
  z: number | null;
  /** P(U ≥ observed) under H0 "same distribution": small = current is larger (slower). */
  pLarger: number;
  /** P(U ≤ observed) under H0: small = current is smaller (faster). */
  pSmaller: number;
  /** U / (n₁·n₂): the probability that a current value exceeds a baseline value (ties count half); 0.5 = no shift. */
  probabilityOfSuperiority: number;
}

/**
 * Mann–Whitney U from bucket counts.
 *
 * Why this test: a latency regression is a shift of the whole distribution towards larger values;
 * U is a rank test for exactly that (one-sided, so "faster" is never mistaken for "slower"), it
 * assumes no distribution shape (latencies are skewed and multi-modal), and it needs only the
 * order of the values, which HDR buckets keep. A Kolmogorov–Smirnov test would also fire on a
 * change of shape with no direction, and its p-value is inexact with ties.
 *
 * Derivation from buckets. Merge both samples' buckets into distinct values v₁ < … < v_k with
 * counts aⱼ (baseline) and bⱼ (current), tⱼ = aⱼ + bⱼ, N = n₁ + n₂. Values in one bucket are tied:
 * each gets the mid-rank Rⱼ = (t₁ + … + tⱼ₋₁) + (tⱼ + 1)/2. The rank sum of the current sample is
 * W = Σ bⱼ·Rⱼ and U = W − n₂(n₂ + 1)/2, which equals #{(x, y): y > x} + ½·#{(x, y): y = x}.
 * Under H0 (both samples from one distribution) E[U] = n₁n₂/2 and, with ties,
 *   Var[U] = n₁n₂/12 · ( (N + 1) − Σ (tⱼ³ − tⱼ) / (N(N − 1)) ).
 * For the sizes we see (tens to millions of values) U is close to normal, so
 *   z = (U − E[U] − ½) / √Var[U]   (½ = continuity correction towards H0)
 * and P(U ≥ observed) = 1 − Φ(z). The other side uses z' = (U − E[U] + ½)/√Var[U], P = Φ(z').
 * The bucket width (3 significant digits, < 0.1 %) only adds ties, which the variance term takes
 * into account; out-of-range values sit in end buckets (below range first, above range last).
 * With fewer than about 8 values per side the normal approximation is rough (and conservative
 * here because of the continuity correction); docs/judge.md says so.
 */
export function mannWhitney(baseline: readonly Bucket[], current: readonly Bucket[]): MannWhitneyResult {
  const values = new Map<number, { a: number; b: number }>();
  for (const { value, count } of baseline) {
    const e = values.get(value) ?? { a: 0, b: 0 };
    e.a += count;
    values.set(value, e);
  }
  for (const { value, count } of current) {
    const e = values.get(value) ?? { a: 0, b: 0 };
    e.b += count;
    values.set(value, e);
  }
  const n1 = baseline.reduce((s, x) => s + x.count, 0);
  const n2 = current.reduce((s, x) => s + x.count, 0);
  const n = n1 + n2;
  let below = 0;
  let w = 0;
  let tieTerm = 0;
  for (const [, { a, b }] of [...values].sort((x, y) => x[0] - y[0])) {
    const t = a + b;
    w += b * (below + (t + 1) / 2);
    tieTerm += t * t * t - t;
    below += t;
  }
  const u = w - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = n > 1 ? ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))) : 0;
  const pos = n1 * n2 > 0 ? u / (n1 * n2) : 0.5;
  if (!(variance > 0)) return { nBaseline: n1, nCurrent: n2, u, z: null, pLarger: 1, pSmaller: 1, probabilityOfSuperiority: pos };
  const sd = Math.sqrt(variance);
  const zUp = (u - mean - 0.5) / sd;
  const zDown = (u - mean + 0.5) / sd;
  return {
    nBaseline: n1,
    nCurrent: n2,
    u,
    z: (u - mean) / sd,
    pLarger: Math.min(1, 1 - normalCdf(zUp, 0, 1)),
    pSmaller: Math.min(1, normalCdf(zDown, 0, 1)),
    probabilityOfSuperiority: pos,
  };
}
