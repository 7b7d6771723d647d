/** @module The (value, count) buckets of a stored HDR histogram, out-of-range counts included at the ends (pure). */
import { JsHistogram, decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { UsageError } from '../errors.js';
import type { MeasuredHistogram } from '../report/result/index.js';

/** One bucket: every recorded value equivalent to `value` (in the histogram's unit) and how many there were. */
export interface Bucket {
  /** The bucket's highest equivalent value; `0` stands for "below range", `Infinity` for "above range". */
  value: number;
  count: number;
}

/**
 * The non-empty buckets of `entry`'s histogram in increasing value order. Values offered below the
 * range are a bucket at 0 and values above it (longer than 1 h) a bucket at Infinity: for a rank
 * test they are still smaller / larger than everything recorded, so they are kept, not dropped.
 * Invalid values (negative, NaN) have no place in an order and are left out.
 */
export function bucketsOf(entry: MeasuredHistogram): Bucket[] {
  let hdr;
  try {
    hdr = decodeFromCompressedBase64(entry.histogram.data, 32, false);
  } catch (cause) {
    throw new UsageError('histogram: not a valid compressed-base64 HDR histogram', { cause });
  }
  if (!(hdr instanceof JsHistogram)) throw new UsageError('histogram: decoded into an unexpected histogram type');
  const out: Bucket[] = [];
  const below = entry.summary.outOfRange.below;
  if (below > 0) out.push({ value: 0, count: below });
  const it = hdr.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    if (v.countAddedInThisIterationStep > 0) out.push({ value: v.valueIteratedTo, count: v.countAddedInThisIterationStep });
  }
  const above = entry.summary.outOfRange.above;
  if (above > 0) out.push({ value: Infinity, count: above });
  return out;
}
