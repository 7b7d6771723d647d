/**
 * @module Chart data for one latency, computed from its decoded HDR histogram (pure): a percentile
 * curve sampled at a fixed set of percentiles, and a distribution over at most 40 bins. No raw
 * samples are kept, so a chart's size does not grow with the number of recorded values.
 */
import type { QuantityHistogram } from '../../measure/index.js';

/** Percentiles (0–100) at which every percentile curve is sampled; dense in the tail where latencies differ. */
export const curvePercentiles: readonly number[] = Object.freeze([
  0, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.25, 99.5, 99.75, 99.9, 99.95, 99.99,
  99.995, 99.999,
]);

/** One point of a percentile curve. */
export interface CurvePoint {
  /** Percentile, 0–100. */
  p: number;
  /** −log10(1 − p/100): the curve's x axis, so 90 %, 99 %, 99.9 % are evenly spaced ("nines"). */
  nines: number;
  /** Value at that percentile, µs (the upper bound of its HDR bucket). */
  us: number;
}

/** A percentile curve: the fixed percentiles a histogram of `count` values can tell apart, then its maximum. */
export interface PercentileCurve {
  count: number;
  points: CurvePoint[];
}

/** −log10(1 − p/100), the "nines" of percentile p (< 100). */
export function ninesOf(p: number): number {
  return -Math.log10(1 - p / 100);
}

/**
 * The percentile curve of `h`. A fixed percentile is kept only while it is below the last rank
 * (1 − p/100 > 1/count): beyond that every percentile is the maximum. The maximum is then placed at
 * p = 100·(1 − 1/count), the position of the last of `count` ranks on the nines axis. Null when empty.
 */
export function percentileCurve(h: QuantityHistogram): PercentileCurve | null {
  const count = h.count;
  if (count === 0) return null;
  const points: CurvePoint[] = [];
  const maxNines = Math.log10(count);
  for (const p of curvePercentiles) {
    const nines = ninesOf(p);
    if (count > 1 && nines >= maxNines) break;
    const us = h.valueAt(p);
    if (us !== null) points.push({ p, nines, us });
  }
  const max = h.valueAt(100);
  if (max !== null && count > 1) points.push({ p: 100 * (1 - 1 / count), nines: maxNines, us: max });
  return { count, points };
}

/** One bin of a distribution: values in (lo, hi] µs. */
export interface DistributionBin {
  lo: number;
  hi: number;
  count: number;
}

/** A latency distribution over bins; `log` when the bins are spaced evenly on a log scale. */
export interface Distribution {
  log: boolean;
  bins: DistributionBin[];
}

/**
 * How many recorded values lie at or below `x` µs, judged by their HDR bucket's upper bound (what
 * `valueAt` returns). Binary search over ranks: rank r is ≤ x when the value at rank r is. Rank r is
 * asked for as percentile 100·(r − ½)/count so that HdrHistogram's rounding up of the rank cannot
 * land on r + 1 through floating-point error.
 */
function countAtOrBelow(h: QuantityHistogram, count: number, x: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const v = h.valueAt((100 * (mid - 0.5)) / count);
    if (v !== null && v <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The distribution of `h` over `bins` bins between its minimum and maximum: log-spaced when the
 * maximum is more than 10× the minimum, else evenly spaced. Counts are exact at HDR resolution
 * (3 significant digits): each value counts in the bin holding its bucket's upper bound, and the
 * counts add up to `h.count`. Null when empty.
 */
export function latencyDistribution(h: QuantityHistogram, bins = 40): Distribution | null {
  const count = h.count;
  const min = h.valueAt(0);
  const max = h.valueAt(100);
  if (count === 0 || min === null || max === null) return null;
  // The minimum's bucket lower bound, minus one unit, so the first bin holds the smallest values.
  const start = Math.max(0, min - 1);
  if (max <= start + 1) return { log: false, bins: [{ lo: start, hi: max, count }] };
  const log = max / Math.max(start, 1) > 10;
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const f = i / bins;
    edges.push(i === bins ? max : log ? Math.max(start, 1) * Math.pow(max / Math.max(start, 1), f) : start + (max - start) * f);
  }
  if (log) edges[0] = start;
  const out: DistributionBin[] = [];
  let below = 0;
  for (let i = 1; i <= bins; i++) {
    const lo = edges[i - 1] ?? start;
    const hi = edges[i] ?? max;
    const c = i === bins ? count : countAtOrBelow(h, count, hi);
    out.push({ lo, hi, count: c - below });
    below = c;
  }
  return { log, bins: out };
}
