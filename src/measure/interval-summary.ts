/**
 * @module Every figure of a long run summarised per interval (pure: no I/O): operations by the
 * interval of their intended start (their latency p99 from an HDR histogram per interval, never an
 * average of percentiles), DNS answers by the interval of the operation they answer, failures by
 * when they happened, and each time series reduced over the interval (mean or max, as its
 * meaning asks). The worst interval is the one whose slowest figure is furthest above the run's own.
 */
import { createLatencyHistogram, type QuantityHistogram } from './histogram.js';
import type { TimeSeriesData } from './time-series.js';

/** One measured operation: when it was due and how long until its effect (Ready / gone), ms. Times on the series' axis. */
export interface IntervalOperation {
  type: 'create' | 'update' | 'delete';
  intendedMs: number;
  /** Intended start → effect seen; null when never seen. */
  effectMs: number | null;
  /** Intended start → answered right by the slowest server; null when not probed or never answered. */
  resolvableMs: number | null;
}

/** One interval's figures: `null` where nothing was measured in it. */
export interface IntervalFigures {
  [name: string]: number | null;
}

/** One interval of the run. */
export interface IntervalSummary {
  index: number;
  fromMs: number;
  toMs: number;
  /** Phases that overlap it (spike, fault, recovery…), by label. */
  phases: string[];
  figures: IntervalFigures;
}

/** How a series is reduced over an interval. */
const seriesReductions: Readonly<Record<string, { figure: string; how: 'mean' | 'max' | 'sum' }>> = {
  achieved_ops_per_second: { figure: 'ops_per_second', how: 'mean' },
  client_side_backlog: { figure: 'backlog_max', how: 'max' },
  working_set: { figure: 'working_set_max', how: 'max' },
  dns_answers_per_second: { figure: 'dns_answers_per_second', how: 'mean' },
  dns_queries_lost: { figure: 'dns_queries_lost', how: 'sum' },
  dns_query_p99: { figure: 'dns_query_p99_max', how: 'max' },
};

/** Effect-latency figure names per operation type (ms). */
const effectFigure = { create: 'create_to_ready_p99_ms', update: 'update_to_ready_p99_ms', delete: 'delete_to_gone_p99_ms' } as const;

/** A phase on the series' axis (ms); `toMs` null: it never ended within the run. */
export interface IntervalPhase {
  label: string;
  fromMs: number;
  toMs: number | null;
}

/** Inputs of {@link summariseIntervals}. */
export interface IntervalInputs {
  intervalMs: number;
  /** End of the last interval (the load's length, or when it settled), ms on the series' axis. */
  endMs: number;
  operations: readonly IntervalOperation[];
  /** Failures' times on the series' axis. */
  failuresAtMs: readonly number[];
  series: readonly TimeSeriesData[];
  phases: readonly IntervalPhase[];
}

function p99Ms(h: QuantityHistogram): number | null {
  const us = h.valueAt(99);
  return us === null ? null : Math.round(us / 100) / 10;
}

/** The run's figures per interval (see the module doc). */
export function summariseIntervals(o: IntervalInputs): IntervalSummary[] {
  if (!(o.intervalMs > 0)) throw new RangeError(`intervalMs must be above 0, got ${o.intervalMs}`);
  const count = Math.max(1, Math.ceil(o.endMs / o.intervalMs));
  const at = (t: number): number => Math.min(count - 1, Math.max(0, Math.floor(t / o.intervalMs)));
  const rows = Array.from({ length: count }, (_, i) => ({
    effect: { create: createLatencyHistogram(), update: createLatencyHistogram(), delete: createLatencyHistogram() },
    resolvable: createLatencyHistogram(),
    ops: 0,
    notSeen: 0,
    failures: 0,
    fromMs: i * o.intervalMs,
    toMs: Math.min(o.endMs, (i + 1) * o.intervalMs),
  }));
  for (const op of o.operations) {
    const row = rows[at(op.intendedMs)];
    if (row === undefined) continue;
    row.ops++;
    if (op.effectMs === null) row.notSeen++;
    else row.effect[op.type].record(Math.max(0, op.effectMs) * 1000);
    if (op.resolvableMs !== null) row.resolvable.record(Math.max(0, op.resolvableMs) * 1000);
  }
  for (const t of o.failuresAtMs) {
    const row = rows[at(t)];
    if (row !== undefined) row.failures++;
  }
  return rows.map((row, index) => {
    const figures: IntervalFigures = {
      operations: row.ops,
      operations_not_seen_taking_effect: row.notSeen,
      failures: row.failures,
      [effectFigure.create]: p99Ms(row.effect.create),
      [effectFigure.update]: p99Ms(row.effect.update),
      [effectFigure.delete]: p99Ms(row.effect.delete),
      resolvable_p99_ms: p99Ms(row.resolvable),
    };
    for (const s of o.series) {
      const r = seriesReductions[s.name];
      if (r === undefined) continue;
      const values = s.points.filter((p) => p.t > row.fromMs && p.t <= row.toMs).map((p) => p.value);
      if (values.length === 0) {
        figures[r.figure] = null;
        continue;
      }
      const v = r.how === 'max' ? Math.max(...values) : r.how === 'sum' ? values.reduce((a, b) => a + b, 0) : values.reduce((a, b) => a + b, 0) / values.length;
      figures[r.figure] = Math.round(v * 100) / 100;
    }
    const phases = o.phases.filter((p) => p.fromMs < row.toMs && (p.toMs ?? Number.POSITIVE_INFINITY) > row.fromMs).map((p) => p.label);
    return { index, fromMs: row.fromMs, toMs: row.toMs, phases, figures };
  });
}

/** The figure that ranks intervals: the slowest answer (DNS when probed, else Ready) of the interval's operations. */
function rankOf(i: IntervalSummary): number | null {
  const f = i.figures;
  const candidates = [f['resolvable_p99_ms'], f[effectFigure.create], f[effectFigure.update], f[effectFigure.delete]].filter((v): v is number => typeof v === 'number');
  return candidates.length === 0 ? null : Math.max(...candidates);
}

/**
 * The worst interval: the most failures and operations never seen taking effect first, then the
 * slowest p99; with why, in words. Null when no interval measured anything.
 */
export function worstInterval(intervals: readonly IntervalSummary[]): { index: number; why: string } | null {
  let best: { i: IntervalSummary; bad: number; rank: number } | null = null;
  for (const i of intervals) {
    const bad = (i.figures['failures'] ?? 0) + (i.figures['operations_not_seen_taking_effect'] ?? 0);
    const rank = rankOf(i);
    if (rank === null && bad === 0) continue;
    const r = rank ?? 0;
    if (best === null || bad > best.bad || (bad === best.bad && r > best.rank)) best = { i, bad, rank: r };
  }
  if (best === null) return null;
  const f = best.i.figures;
  const parts: string[] = [];
  const add = (name: string, label: string): void => {
    const v = f[name];
    if (typeof v === 'number') parts.push(`${label} ${v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`}`);
  };
  add('resolvable_p99_ms', 'change→answered p99');
  add(effectFigure.create, 'create→Ready p99');
  add(effectFigure.update, 'update→Ready p99');
  add(effectFigure.delete, 'delete→gone p99');
  if ((f['failures'] ?? 0) > 0) parts.push(`${f['failures']} failures`);
  if ((f['operations_not_seen_taking_effect'] ?? 0) > 0) parts.push(`${f['operations_not_seen_taking_effect']} operations never took effect`);
  if (best.i.phases.length > 0) parts.push(`during ${best.i.phases.join(', ')}`);
  return { index: best.i.index, why: parts.join('; ') };
}
