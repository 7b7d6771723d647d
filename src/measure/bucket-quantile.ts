/**
 * @module Quantiles of a classic Prometheus histogram over a window, from the bucket deltas of two
 * scrapes, computed as PromQL's `histogram_quantile` does. The results are bucket estimates.
 */

/*
 * Derivation.
 *
 * A classic histogram `m` exposes, per label set, cumulative counters `m_bucket{le="b"}` (observations
 * ≤ b since the process started), `m_sum` and `m_count` (= the `le="+Inf"` bucket). What happened in
 * a window [t0, t1] is the difference of two scrapes: Δ(le) = bucket(le, t1) − bucket(le, t0), which
 * is what `rate(m_bucket[w])` gives PromQL up to a constant factor, and quantiles do not depend on
 * that factor. A counter that went down was reset (the process restarted): as `increase()` does,
 * we take the later value as the whole increase, for every bucket of that label set at once so the
 * buckets stay consistent. A label set absent from the first scrape is new in the window (bindy's
 * series appear at their first observation), so its first scrape counts as all zeros.
 *
 * `histogram_quantile(q, Δ)`, step by step (Prometheus promql/quantile.go, bucketQuantile):
 *   1. q < 0 → −Inf, q > 1 → +Inf, q NaN → NaN.
 *   2. Sort buckets by upper bound; the highest must be +Inf, else NaN. Buckets with the same bound
 *      are summed; counts are forced monotonic (a bucket lower than the one before takes its value:
 *      scrapes are not atomic across series). Fewer than 2 buckets → NaN.
 *   3. n = count of the +Inf bucket; n = 0 → NaN (nothing observed in the window).
 *   4. rank = q · n. b = the first bucket, not counting +Inf, whose cumulative count ≥ rank.
 *   5. If no finite bucket reaches the rank (b is the +Inf bucket), the answer is the highest finite
 *      upper bound: nothing can be said about where inside (bound, +Inf] the values lie.
 *   6. If b is the first bucket and its bound ≤ 0, the answer is that bound.
 *   7. Otherwise interpolate linearly inside bucket b, assuming its observations are spread evenly
 *      between the previous bound (0 for the first bucket) and its own:
 *        start = le(b−1) or 0, end = le(b), inBucket = C(b) − C(b−1), r = rank − C(b−1),
 *        quantile = start + (end − start) · r / inBucket.
 * The error of such an estimate is up to a whole bucket width, which is why results say so.
 */

/** One sample of a scrape: metric name, labels and value (the shape the text parser produces). */
export interface MetricSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A cumulative bucket: observations ≤ `le` (`le` may be Infinity). */
export interface Bucket {
  le: number;
  count: number;
}

/** One label set of a classic histogram at one scrape, or over a window after `histogramDelta`. */
export interface ClassicHistogram {
  /** Labels other than `le`. */
  labels: Record<string, string>;
  buckets: Bucket[];
  /** Sum of observations, in the metric's unit; NaN when `_sum` was absent. */
  sum: number;
  /** Number of observations; `_count`, or the +Inf bucket when `_count` was absent. */
  count: number;
}

/** A window's histogram for one label set, and whether a counter reset was seen in the window. */
export interface HistogramWindow extends ClassicHistogram {
  /** True when a counter went down between the scrapes (so the later values were taken as the whole increase). */
  reset: boolean;
}

/** How every figure from this module was obtained, for the result's `method` fields. */
export const bucketEstimateMethod =
  'bucket estimate: histogram_quantile over the delta of two scrapes of cumulative _bucket counters (linear interpolation within a bucket)';

/** Canonical key of a label set (sorted names), to match series across scrapes. */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/** Parses an `le` label value (`+Inf`, `0.5`, `1e-3`); NaN when it is not a number. */
function parseLe(le: string): number {
  if (le === '+Inf' || le === 'Inf') return Infinity;
  if (le.trim() === '') return NaN;
  return Number(le);
}

/** Groups the samples of classic histogram `name` (its `_bucket`, `_sum`, `_count` series) by label set. */
export function classicHistograms(samples: readonly MetricSample[], name: string): ClassicHistogram[] {
  const byKey = new Map<string, ClassicHistogram & { hasCount: boolean }>();
  const get = (labels: Record<string, string>): ClassicHistogram & { hasCount: boolean } => {
    const key = labelKey(labels);
    let h = byKey.get(key);
    if (h === undefined) {
      h = { labels, buckets: [], sum: NaN, count: NaN, hasCount: false };
      byKey.set(key, h);
    }
    return h;
  };
  for (const s of samples) {
    if (s.name === `${name}_bucket`) {
      const { le, ...rest } = s.labels;
      if (le === undefined) continue; // as PromQL: bucket samples without `le` are ignored
      const bound = parseLe(le);
      if (Number.isNaN(bound)) continue;
      get(rest).buckets.push({ le: bound, count: s.value });
    } else if (s.name === `${name}_sum`) {
      get({ ...s.labels }).sum = s.value;
    } else if (s.name === `${name}_count`) {
      const h = get({ ...s.labels });
      h.count = s.value;
      h.hasCount = true;
    }
  }
  const out: ClassicHistogram[] = [];
  for (const h of byKey.values()) {
    h.buckets.sort((a, b) => a.le - b.le);
    const inf = h.buckets.find((b) => b.le === Infinity);
    out.push({ labels: h.labels, buckets: h.buckets, sum: h.sum, count: h.hasCount ? h.count : (inf?.count ?? NaN) });
  }
  return out;
}

/**
 * The per-label-set histogram of the window between scrape `before` and scrape `after` (see the
 * derivation above: resets take the later values, a series new in `after` counts from zero).
 * Label sets only in `before` vanished (e.g. the process restarted and has not observed them since)
 * and are left out.
 */
export function histogramDelta(before: readonly ClassicHistogram[], after: readonly ClassicHistogram[]): HistogramWindow[] {
  const earlier = new Map(before.map((h) => [labelKey(h.labels), h]));
  return after.map((h1) => {
    const h0 = earlier.get(labelKey(h1.labels));
    if (h0 === undefined) return { ...copy(h1), reset: false };
    const b0 = new Map(h0.buckets.map((b) => [b.le, b.count]));
    // _sum is not checked: it may legitimately fall when negative values are observed.
    const reset = h1.count < h0.count || h1.buckets.some((b) => b.count < (b0.get(b.le) ?? 0));
    if (reset) return { ...copy(h1), reset: true };
    return {
      labels: { ...h1.labels },
      buckets: h1.buckets.map((b) => ({ le: b.le, count: b.count - (b0.get(b.le) ?? 0) })),
      sum: h1.sum - h0.sum,
      count: h1.count - h0.count,
      reset: false,
    };
  });
}

function copy(h: ClassicHistogram): ClassicHistogram {
  return { labels: { ...h.labels }, buckets: h.buckets.map((b) => ({ ...b })), sum: h.sum, count: h.count };
}

/** The q-quantile (0 ≤ q ≤ 1) of cumulative `buckets`, exactly as PromQL's `histogram_quantile`; NaN when undefined. */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.at(-1)?.le !== Infinity) return NaN;
  // Coalesce equal bounds, then force monotonic cumulative counts.
  const bs: Bucket[] = [];
  for (const b of sorted) {
    const last = bs.at(-1);
    if (last !== undefined && last.le === b.le) last.count += b.count;
    else bs.push({ ...b });
  }
  let max = -Infinity;
  for (const b of bs) {
    if (b.count < max) b.count = max;
    else max = b.count;
  }
  if (bs.length < 2) return NaN;
  const n = bs[bs.length - 1]?.count ?? 0;
  if (n === 0 || Number.isNaN(n)) return NaN;
  let rank = q * n;
  let b = bs.findIndex((x, i) => i < bs.length - 1 && x.count >= rank);
  if (b === -1) b = bs.length - 1;
  if (b === bs.length - 1) return bs[bs.length - 2]?.le ?? NaN;
  const bucket = bs[b];
  if (bucket === undefined) return NaN;
  if (b === 0 && bucket.le <= 0) return bucket.le;
  let start = 0;
  let inBucket = bucket.count;
  const prev = bs[b - 1];
  if (prev !== undefined) {
    start = prev.le;
    inBucket -= prev.count;
    rank -= prev.count;
  }
  return start + (bucket.le - start) * (rank / inBucket);
}

/** Quantile estimates of one label set over a window. */
export interface BucketQuantileEstimate {
  labels: Record<string, string>;
  /** Observations in the window. */
  count: number;
  /** Sum of observations in the window, in the metric's unit. */
  sum: number;
  /** sum / count, exact (not a bucket estimate); null when count is 0 or the sum is unknown. */
  mean: number | null;
  /** Quantile → estimate in the metric's unit; null where `histogram_quantile` gives NaN. */
  quantiles: Record<string, number | null>;
  reset: boolean;
  /** Always {@link bucketEstimateMethod}: these are bucket estimates. */
  method: string;
}

/**
 * Estimates `quantiles` (e.g. 0.5, 0.99) of histogram `name` for every label set over the window
 * between two scrapes' samples.
 */
export function estimateQuantiles(
  name: string,
  before: readonly MetricSample[],
  after: readonly MetricSample[],
  quantiles: readonly number[],
): BucketQuantileEstimate[] {
  const window = histogramDelta(classicHistograms(before, name), classicHistograms(after, name));
  return window.map((h) => {
    const qs: Record<string, number | null> = {};
    for (const q of quantiles) {
      const v = histogramQuantile(q, h.buckets);
      qs[String(q)] = Number.isNaN(v) ? null : v;
    }
    const mean = h.count > 0 && Number.isFinite(h.sum) ? h.sum / h.count : null;
    return { labels: h.labels, count: h.count, sum: h.sum, mean, quantiles: qs, reset: h.reset, method: bucketEstimateMethod };
  });
}
