/**
 * @module Summing time series of several load generators on one clock (pure): per-second rates by
 * re-adding their window counts, gauges by adding each one's latest sample. Percentiles are never
 * here: only counts and levels add.
 */
import { UsageError } from '../errors.js';
import { rateWindowEdges } from './time-series.js';
import type { TimePoint, TimeSeriesData } from './time-series.js';

/** A summed series, and whether every value is exact (false: some window's events may sit one window early). */
export interface SummedSeries {
  series: TimeSeriesData;
  exact: boolean;
}

/** How many events a rate point stands for: its rate times its window's length (a whole number, up to float rounding). */
function windowCounts(points: readonly TimePoint[]): { start: number; end: number; count: number }[] {
  return points.map((p, i) => {
    const start = i === 0 ? 0 : (points[i - 1]?.t ?? 0);
    return { start, end: p.t, count: Math.round((p.value * (p.t - start)) / 1000) };
  });
}

/**
 * The sum of per-second rate series built like {@link eventRatePerSecond} (windows from 0, each
 * point stamped at its window's end) by generators whose clocks start together. Each part's window
 * counts are put into the window of `windowMs` (ending at the latest part's end) where the part's
 * window starts; exact when every part's window lies inside one merged window, which holds when the
 * parts used `windowMs` (or a divisor of it) and kept their last short window (`lastStub: 'keep'`).
 */
export function sumRateSeries(parts: readonly TimeSeriesData[], windowMs: number, description: string): SummedSeries {
  const first = parts[0];
  if (first === undefined) throw new UsageError('no series to sum');
  if (!(windowMs > 0)) throw new UsageError(`rate window must be positive, got ${windowMs} ms`);
  const endMs = Math.max(0, ...parts.map((s) => s.points.at(-1)?.t ?? 0));
  const base = { name: first.name, unit: first.unit, description };
  if (!(endMs > 0)) return { series: { ...base, points: [] }, exact: true };
  const edges = rateWindowEdges(windowMs, endMs);
  const counts = new Array<number>(edges.length).fill(0);
  let exact = true;
  for (const s of parts) {
    for (const w of windowCounts(s.points)) {
      // The same rule as for single events: the window a start falls in, the last one taking the rest.
      const i = Math.min(edges.length - 1, Math.floor(w.start / windowMs));
      counts[i] = (counts[i] ?? 0) + w.count;
      if (i < edges.length - 1 && w.end > (edges[i] ?? 0) + 1e-6 && w.count > 0) exact = false;
    }
  }
  const points = edges.map((end, i) => {
    const start = i === 0 ? 0 : (edges[i - 1] ?? 0);
    return { t: end, value: ((counts[i] ?? 0) * 1000) / (end - start) };
  });
  return { series: { ...base, points }, exact };
}

/** Reads a series forward in time: the latest sample at or before each (non-decreasing) `t`, 0 before the first. */
function stepReader(points: readonly TimePoint[]): (t: number) => number {
  let i = 0;
  let v = 0;
  return (t) => {
    while (i < points.length && (points[i]?.t ?? Infinity) <= t) v = points[i++]?.value ?? v;
    return v;
  };
}

/**
 * The sum of gauge series (levels such as a backlog) sampled by generators whose clocks start
 * together: at each instant of the part with the most samples, every part's latest sample at or
 * before it (0 before its first; its last after its end), added. Exact at those instants.
 */
export function sumGaugeSeries(parts: readonly TimeSeriesData[], description: string): SummedSeries {
  const first = parts[0];
  if (first === undefined) throw new UsageError('no series to sum');
  const clock = parts.reduce((a, s) => (s.points.length > a.points.length ? s : a), first);
  const readers = parts.map((s) => stepReader(s.points));
  const points = clock.points.map((p) => ({ t: p.t, value: readers.reduce((n, at) => n + at(p.t), 0) }));
  return { series: { name: first.name, unit: first.unit, description, points }, exact: true };
}
