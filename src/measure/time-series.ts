/** @module Time series of one quantity over a run, and per-second rates from a cumulative counter. */
import { UsageError } from '../errors.js';

/** One observation: `t` in ms since the run started (monotonic clock), `value` in the series' unit. */
export interface TimePoint {
  t: number;
  value: number;
}

/** A named series as stored in the result. */
export interface TimeSeriesData {
  name: string;
  /** Unit of `value`, e.g. `bytes`, `1/s`, `objects`. */
  unit: string;
  /** What was measured and how. */
  description: string;
  points: TimePoint[];
}

/** A time series that only grows forward in time. */
export class TimeSeries {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly #points: TimePoint[] = [];

  constructor(name: string, unit: string, description: string) {
    this.name = name;
    this.unit = unit;
    this.description = description;
  }

  /** Appends a point; `t` (ms since run start) must not go back, since it comes from a monotonic clock. */
  add(t: number, value: number): void {
    const last = this.#points.at(-1);
    if (!Number.isFinite(t) || (last !== undefined && t < last.t)) {
      throw new RangeError(`time series ${this.name}: t=${t} ms is earlier than the previous point (t=${last?.t ?? 'none'} ms)`);
    }
    this.#points.push({ t, value });
  }

  /** Number of points. */
  get length(): number {
    return this.#points.length;
  }

  /** A copy of the series as plain data for the result. */
  toJSON(): TimeSeriesData {
    return { name: this.name, unit: this.unit, description: this.description, points: this.#points.map((p) => ({ ...p })) };
  }
}

/**
 * Per-second rates of a cumulative counter over fixed windows of `windowMs`, starting at the first
 * point. The counter's value at each window edge is interpolated linearly between the samples on
 * either side; a drop in value is a counter reset (the process restarted and counted from 0 again),
 * so the new value is all increase, as Prometheus' `rate()` assumes. Each output point is stamped at
 * its window's end; a trailing partial window is left out (its rate would be over a different span).
 */
export function ratePerSecond(counter: readonly TimePoint[], windowMs: number): TimePoint[] {
  if (!(windowMs > 0)) throw new UsageError(`rate window must be positive, got ${windowMs} ms`);
  const first = counter[0];
  if (first === undefined) return [];
  // Cumulative increase since the first point, with resets undone.
  const adjusted: TimePoint[] = [];
  let offset = 0;
  let prev = first.value;
  for (const p of counter) {
    if (p.value < prev) offset += prev;
    prev = p.value;
    adjusted.push({ t: p.t, value: p.value + offset - first.value });
  }
  const end = adjusted.at(-1)?.t ?? first.t;
  const out: TimePoint[] = [];
  let i = 0;
  let before = 0; // the adjusted counter at the current window's start
  for (let edge = first.t + windowMs; edge <= end; edge += windowMs) {
    while (i < adjusted.length - 1 && (adjusted[i + 1]?.t ?? Infinity) < edge) i++;
    const at = interpolate(adjusted, i, edge);
    out.push({ t: edge, value: ((at - before) * 1000) / windowMs });
    before = at;
  }
  return out;
}

/** The value at time `t`, between points `i` and `i + 1` (the caller guarantees `points[i].t ≤ t`). */
function interpolate(points: readonly TimePoint[], i: number, t: number): number {
  const a = points[i];
  const b = points[i + 1];
  if (a === undefined) return 0;
  if (b === undefined || b.t === a.t) return a.value;
  if (t >= b.t) return b.value;
  return a.value + ((b.value - a.value) * (t - a.t)) / (b.t - a.t);
}

/**
 * Events per second over consecutive windows of `windowMs` from 0 to `endMs`, from each event's
 * time (ms since the run started). Each point is stamped at its window's end. The last window ends
 * at `endMs` and its rate is over its own length; a stub shorter than a quarter window is merged
 * into the window before it (a rate over a few ms would be noise). Events after `endMs` count in
 * the last window, events before 0 in the first.
 */
export function eventRatePerSecond(timesMs: readonly number[], windowMs: number, endMs: number, lastStub: LastStub = 'merge'): TimePoint[] {
  if (!(windowMs > 0)) throw new UsageError(`rate window must be positive, got ${windowMs} ms`);
  if (!(endMs > 0)) return [];
  const edges = rateWindowEdges(windowMs, endMs, lastStub);
  const counts = new Array<number>(edges.length).fill(0);
  for (const t of timesMs) {
    // Every window but the last starts at a multiple of windowMs; the last takes everything after.
    const i = Math.min(edges.length - 1, Math.max(0, Math.floor(t / windowMs)));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return edges.map((end, i) => {
    const start = i === 0 ? 0 : (edges[i - 1] ?? 0);
    return { t: end, value: ((counts[i] ?? 0) * 1000) / (end - start) };
  });
}

/**
 * What a rate series does with a last window shorter than a quarter window: `merge` it into the
 * window before (a rate over a few ms is noise), or `keep` it (a shard's series: every window then
 * lies inside one window of the shards' sum, so the sum is exact).
 */
export type LastStub = 'merge' | 'keep';

/**
 * The window ends of {@link eventRatePerSecond} (pure): every `windowMs` from 0, the last one at
 * `endMs`; a last stub shorter than a quarter window is merged into the window before it unless kept.
 */
export function rateWindowEdges(windowMs: number, endMs: number, lastStub: LastStub = 'merge'): number[] {
  const edges: number[] = [];
  for (let edge = windowMs; edge < endMs; edge += windowMs) edges.push(edge);
  const lastStart = edges.at(-1) ?? 0;
  if (lastStub === 'merge' && edges.length > 0 && endMs - lastStart < windowMs / 4) edges.pop();
  edges.push(endMs);
  return edges;
}

/** A rate window that keeps a series of a run lasting `durationMs` to about 200 points: whole seconds, at least 1 s. */
export function rateWindowMs(durationMs: number): number {
  return Math.max(1000, Math.ceil(durationMs / 200 / 1000) * 1000);
}
