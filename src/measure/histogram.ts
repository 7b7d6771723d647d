/** @module HDR histograms, one per measured quantity, with a declared unit and range (STYLE rule 7). */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { UsageError } from '../errors.js';

/** Unit and trackable range of one quantity; values are recorded as integers of `unit`. */
export interface HistogramSpec {
  /** Unit of every recorded value, e.g. `us` for latencies. */
  unit: string;
  /** Smallest value told apart from zero, in `unit` (≥ 1). */
  lowest: number;
  /** Largest value the histogram tracks, in `unit`; larger values are counted as above range. */
  highest: number;
  /** Decimal digits of precision kept across the whole range. */
  significantDigits: 1 | 2 | 3 | 4 | 5;
}

/** Latencies: microseconds, 1 µs – 1 h, 3 significant digits. */
export const latencySpec: Readonly<HistogramSpec> = Object.freeze({
  unit: 'us',
  lowest: 1,
  highest: 3_600_000_000,
  significantDigits: 3,
});

/** Values that were offered but not recorded, by why (never clamped into the histogram). */
export interface OutOfRangeCounts {
  /** Values below `spec.lowest` (after rounding to a whole unit). */
  below: number;
  /** Values above `spec.highest`. */
  above: number;
  /** Negative, NaN or infinite values (e.g. a milestone earlier than its start). */
  invalid: number;
}

/**
 * Summary of a histogram in its unit, every order statistic within the declared precision (min is
 * its bucket's lower bound, the others their bucket's upper bound); null when nothing was recorded.
 */
export interface HistogramSummary {
  /** Number of recorded values (out-of-range values not included). */
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  /** Values offered but not recorded. */
  outOfRange: OutOfRangeCounts;
}

/** The percentiles a summary reports, keyed by summary field. */
const summaryPercentiles = [
  ['p50', 50],
  ['p90', 90],
  ['p95', 95],
  ['p99', 99],
  ['p999', 99.9],
] as const;

/** One quantity's HDR histogram: record values in `spec.unit`, summarise, encode, merge. */
export class QuantityHistogram {
  /** Unit and range; shared with every histogram merged into this one. */
  readonly spec: Readonly<HistogramSpec>;
  readonly #hdr: Histogram;
  readonly #outOfRange: OutOfRangeCounts = { below: 0, above: 0, invalid: 0 };

  constructor(spec: Readonly<HistogramSpec> = latencySpec, hdr?: Histogram) {
    this.spec = spec;
    // autoResize off: a value above the declared range must be counted, not silently widen it.
    this.#hdr =
      hdr ??
      build({
        lowestDiscernibleValue: spec.lowest,
        highestTrackableValue: spec.highest,
        numberOfSignificantValueDigits: spec.significantDigits,
        autoResize: false,
        bitBucketSize: 32,
        useWebAssembly: false,
      });
  }

  /** Records `count` occurrences of `value` (in `spec.unit`, rounded to a whole unit). */
  record(value: number, count = 1): void {
    if (!Number.isFinite(value) || value < 0) {
      this.#outOfRange.invalid += count;
      return;
    }
    const v = Math.round(value);
    if (v < this.spec.lowest) this.#outOfRange.below += count;
    else if (v > this.spec.highest) this.#outOfRange.above += count;
    else if (count === 1) this.#hdr.recordValue(v);
    else this.#hdr.recordValueWithCount(v, count);
  }

  /** Number of recorded values (in range). */
  get count(): number {
    return this.#hdr.totalCount;
  }

  /** Copy of the counts of values that were not recorded. */
  get outOfRange(): OutOfRangeCounts {
    return { ...this.#outOfRange };
  }

  /** Value at `percentile` (0–100) in `spec.unit`, within the declared precision; null when empty. */
  valueAt(percentile: number): number | null {
    return this.count === 0 ? null : this.#hdr.getValueAtPercentile(percentile);
  }

  /** count, min, max, mean and p50/p90/p95/p99/p99.9 in `spec.unit`, plus out-of-range counts. */
  summary(): HistogramSummary {
    const empty = this.count === 0;
    const out: HistogramSummary = {
      count: this.count,
      // Extremes as the bounds of their HDR buckets (like the percentiles), so a summary is the same
      // before and after an encode/decode round trip.
      min: this.valueAt(0),
      max: this.valueAt(100),
      mean: empty ? null : this.#hdr.mean,
      p50: null,
      p90: null,
      p95: null,
      p99: null,
      p999: null,
      outOfRange: this.outOfRange,
    };
    for (const [key, p] of summaryPercentiles) out[key] = this.valueAt(p);
    return out;
  }

  /** The recorded counts as HdrHistogram's compressed base64 (V2 encoding); out-of-range counts are not in it. */
  encode(): string {
    return encodeIntoCompressedBase64(this.#hdr);
  }

  /** Adds every recorded value and out-of-range count of `other` to this one (merging, never averaging). */
  add(other: QuantityHistogram): this {
    if (other.spec.unit !== this.spec.unit) {
      throw new UsageError(`cannot merge a histogram in ${other.spec.unit} into one in ${this.spec.unit}`);
    }
    if (other.#hdr.maxValue > this.spec.highest) {
      throw new UsageError(`cannot merge: values up to ${other.#hdr.maxValue} ${other.spec.unit} exceed this histogram's range`);
    }
    this.#hdr.add(other.#hdr);
    this.#outOfRange.below += other.#outOfRange.below;
    this.#outOfRange.above += other.#outOfRange.above;
    this.#outOfRange.invalid += other.#outOfRange.invalid;
    return this;
  }

  /** Decodes `encoded` (from `encode()`) into a histogram of `spec`, with the out-of-range counts stored beside it. */
  static decode(
    encoded: string,
    spec: Readonly<HistogramSpec> = latencySpec,
    outOfRange: Partial<OutOfRangeCounts> = {},
  ): QuantityHistogram {
    let decoded: Histogram;
    try {
      decoded = decodeFromCompressedBase64(encoded, 32, false);
    } catch (cause) {
      throw new UsageError('histogram: not a valid compressed-base64 HDR histogram', { cause });
    }
    const h = new QuantityHistogram(spec);
    // Copy into a histogram of the declared spec so a foreign range cannot creep in through a file.
    if (decoded.totalCount > 0) {
      const tmp = new QuantityHistogram(spec, decoded);
      h.add(tmp);
    }
    h.#outOfRange.below = outOfRange.below ?? 0;
    h.#outOfRange.above = outOfRange.above ?? 0;
    h.#outOfRange.invalid = outOfRange.invalid ?? 0;
    return h;
  }
}

/** A new empty latency histogram (µs, 1 µs – 1 h, 3 digits). */
export function createLatencyHistogram(): QuantityHistogram {
  return new QuantityHistogram(latencySpec);
}

/** Merges histograms of one quantity into a new one; the inputs are left unchanged. */
export function mergeHistograms(histograms: readonly QuantityHistogram[], spec: Readonly<HistogramSpec> = latencySpec): QuantityHistogram {
  const merged = new QuantityHistogram(spec);
  for (const h of histograms) merged.add(h);
  return merged;
}

/** Microseconds to milliseconds, for display (null stays null). */
export function usToMs(us: number | null): number | null {
  return us === null ? null : us / 1000;
}

/** A summary's numbers in milliseconds (count and out-of-range counts unchanged), for display. */
export function summaryInMs(s: HistogramSummary): HistogramSummary {
  return {
    ...s,
    min: usToMs(s.min),
    max: usToMs(s.max),
    mean: usToMs(s.mean),
    p50: usToMs(s.p50),
    p90: usToMs(s.p90),
    p95: usToMs(s.p95),
    p99: usToMs(s.p99),
    p999: usToMs(s.p999),
    outOfRange: { ...s.outOfRange },
  };
}
