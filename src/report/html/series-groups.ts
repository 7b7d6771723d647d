/**
 * @module Groups a result's time series into the report's charts (pure): the expected figures
 * (create and Ready rates, backlog / queue depth, operator memory, CPU, reconciles, BIND9 memory
 * and CPU) in a fixed order, each either drawn or stated absent, then any other series the result holds.
 */
import type { TimeSeriesData } from '../../measure/index.js';
import type { Figure } from '../../judge/figures.js';
import { displayValue, formatWithUnit } from '../units.js';
import type { ChartSeries, ChartSpec } from './chart-spec.js';

/** A figure the report always mentions: drawn from the series it matches, or stated absent. */
interface ExpectedFigure {
  id: string;
  title: string;
  matches: (name: string) => boolean;
  /** What the reader gets instead, when the result has no such series; empty: nothing is said (the figure before covers it). */
  absent: string;
}

const expectedFigures: readonly ExpectedFigure[] = [
  {
    id: 'rates',
    title: 'Operation rates over time (created; offered, achieved and completed on a schedule)',
    matches: (n) => /^creates?_(rate|per_second)$/.test(n) || /^(offered|achieved|completed)_ops_per_second$/.test(n),
    absent:
      'This result holds no create-rate or Ready-rate time series; the whole-run rates (create_rate, ready_rate) are in the counters table.',
  },
  {
    // Its own chart: on a burst the create spike is tens of times the Ready rate and would squash it flat.
    id: 'ready-rates',
    title: 'Ready rate over time (and resolvable rate, when probed)',
    matches: (n) => /^(ready|resolvable)_(rate|per_second)$/.test(n),
    absent: '',
  },
  {
    id: 'backlog',
    title: 'Backlog / queue depth',
    matches: (n) => n === 'client_side_backlog' || n === 'backlog' || n === 'queue_depth' || n === 'operator_queue_depth',
    absent: 'This result holds no backlog or queue-depth series (bindy exposes no queue-depth metric; the client-side backlog was not sampled).',
  },
  {
    id: 'memory',
    title: 'Operator memory (resident set)',
    matches: (n) => n === 'operator_memory_rss',
    absent: "This result holds no operator memory series (the operator's /metrics, /proc or Prometheus was not observed).",
  },
  {
    id: 'cpu',
    title: 'Operator CPU',
    matches: (n) => n === 'operator_cpu',
    absent: "This result holds no operator CPU series (the operator's /metrics, /proc or Prometheus was not observed).",
  },
  {
    id: 'reconciles',
    title: 'Operator reconciles and errors per second',
    matches: (n) => n === 'operator_reconciles_per_second' || n === 'operator_errors_per_second',
    absent: "This result holds no reconcile-rate series (the operator's metrics were not scraped).",
  },
  {
    id: 'bind9-memory',
    title: 'BIND9 memory (resident set of each named on the sandbox; working set of each bind9 container on a cluster)',
    matches: (n) => n.startsWith('bind9_memory_rss.') || n.startsWith('bind9_memory_working_set.'),
    absent: 'This result holds no BIND9 memory series (named does not run on this machine: on a cluster its containers\' metrics come from Prometheus, --prometheus URL).',
  },
  {
    id: 'bind9-cpu',
    title: 'BIND9 CPU (each named)',
    matches: (n) => n.startsWith('bind9_cpu.'),
    absent: '',
  },
];

/** A chart of one or more series sharing a unit, with the descriptions that say how each was measured. */
export interface SeriesFigure {
  title: string;
  chart: ChartSpec;
  /** `name: description` of every series drawn, shown under the chart. */
  methods: string[];
  /** Series of this figure that were 0 at every sample, left out of the chart and named instead. */
  alwaysZero: string[];
  /** Why a series given a fit has no fitted line (the judge fitted none), shown under the chart. */
  noFit: string[];
}

/** Series name → the judge's figure fitted to it (its `line`), drawn over that series. */
export type SeriesFits = Readonly<Partial<Record<string, Figure>>>;

/** An expected figure the result has no series for. */
export interface AbsentFigure {
  title: string;
  /** Why there is no chart, stated in the report where the chart would be. */
  absent: string;
  /** True when the series exist but were 0 throughout: a plain statement, not a warning. */
  flat?: boolean;
}

/** True when a series has points and every one of them is 0. */
export function isAlwaysZero(s: TimeSeriesData): boolean {
  return s.points.length > 0 && s.points.every((p) => p.value === 0);
}

/** How a flat-zero series is stated instead of drawn. */
function zeroText(s: TimeSeriesData): string {
  const first = s.points[0]?.t ?? 0;
  const last = s.points.at(-1)?.t ?? 0;
  return `${s.name} was always 0 over the run (${s.points.length} samples from ${(first / 1000).toFixed(1)} s to ${(last / 1000).toFixed(1)} s).`;
}

/** Peak and last value of a series in the chart's unit, for its legend (the live legend is empty without a cursor). */
function legendNote(s: TimeSeriesData, factor: number, unit: string): string {
  const peak = s.points.reduce((mx, p) => Math.max(mx, p.value), Number.NEGATIVE_INFINITY) * factor;
  const last = (s.points.at(-1)?.value ?? 0) * factor;
  const f = (v: number): string => String(Number(v.toPrecision(3)));
  if (unit === '1/s') return `peak ${f(peak)}/s, last ${f(last)}/s`;
  return `peak ${f(peak)}, last ${f(last)} ${unit}`;
}

/** Unit shown on the axis, and the factor applied: bytes are shown in MB (10^6 bytes). */
function displayUnit(unit: string): { unit: string; factor: number } {
  return unit === 'bytes' ? { unit: 'MB', factor: 1e-6 } : { unit, factor: 1 };
}

/** One chart of `series` (same unit): x is the union of their times in seconds, gaps where a series has no point. */
function lineChart(id: string, series: readonly TimeSeriesData[]): ChartSpec {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const unit = displayUnit(series[0]?.unit ?? '');
  return {
    id,
    kind: 'line',
    xLabel: 's since the run started',
    yLabel: unit.unit,
    x: times.map((t) => t / 1000),
    series: series.map((s) => {
      const values: (number | null)[] = times.map(() => null);
      for (const p of s.points) values[index.get(p.t) ?? 0] = p.value * unit.factor;
      return { label: s.name, note: legendNote(s, unit.factor, unit.unit), values };
    }),
  };
}

/**
 * `fit`'s line as a dashed series on `x` (s), over exactly the phase it was fitted on, labelled
 * with the figure's own slope and interval (the numbers the criteria and findings print); or why
 * there is none. `factor` takes the series' unit to the chart's.
 */
function fittedSeries(x: readonly number[], factor: number, fit: Figure): ChartSeries | string {
  const line = fit.line;
  if (fit.value === null || line === undefined) return `No fitted line: ${fit.reason ?? 'the judge fitted none'}.`;
  const from = line.fromMs / 1000;
  const to = line.toMs / 1000;
  const values = x.map((s) => (s >= from && s <= to ? (line.intercept + line.slope * s * 1000) * factor : null));
  const ci = fit.interval;
  const interval = ci === undefined ? '' : ` (${Math.round(ci.confidence * 100)} %: ${displayValue(ci.low, fit.unit).value} to ${displayValue(ci.high, fit.unit).value})`;
  return { label: `fitted: ${fit.value >= 0 ? '+' : ''}${formatWithUnit(fit.value, fit.unit)}${interval}`, dashed: true, values };
}

/** A chart of `group`'s series that moved, with any fitted line over them; those 0 throughout are named, not drawn; a group of only those is a statement. */
function figure(title: string, id: string, group: readonly TimeSeriesData[], fits: SeriesFits): SeriesFigure | AbsentFigure {
  const zero = group.filter(isAlwaysZero);
  const drawn = group.filter((s) => !isAlwaysZero(s));
  if (drawn.length === 0) return { title, absent: zero.map(zeroText).join(' '), flat: true };
  const chart = lineChart(id, drawn);
  const methods = drawn.map((s) => `${s.name}: ${s.description}`);
  const noFit: string[] = [];
  for (const s of drawn) {
    const fit = fits[s.name];
    if (fit === undefined) continue;
    const fitted = fittedSeries(chart.x, displayUnit(s.unit).factor, fit);
    if (typeof fitted === 'string') noFit.push(fitted);
    else {
      chart.series.push(fitted);
      methods.push(`fitted line: ${fit.method}`);
    }
  }
  return { title, chart, methods, alwaysZero: zero.map(zeroText), noFit };
}

/** Splits series by unit, keeping their order, so every chart has one y unit. */
function byUnit(series: readonly TimeSeriesData[]): TimeSeriesData[][] {
  const groups = new Map<string, TimeSeriesData[]>();
  for (const s of series) groups.set(s.unit, [...(groups.get(s.unit) ?? []), s]);
  return [...groups.values()];
}

/**
 * The time-series figures of a result, in order: each expected figure drawn from its series or
 * stated absent (a series with no points counts as absent, never drawn empty), then every other
 * series, one chart per name; `fits` adds the judge's fitted lines over the series they fit.
 */
export function seriesFigures(all: readonly TimeSeriesData[], fits: SeriesFits = {}): (SeriesFigure | AbsentFigure)[] {
  const figures: (SeriesFigure | AbsentFigure)[] = [];
  const absent = figures;
  const used = new Set<TimeSeriesData>();
  const withPoints = all.filter((s) => s.points.length > 0);
  for (const f of expectedFigures) {
    const found = withPoints.filter((s) => f.matches(s.name));
    for (const s of all) if (f.matches(s.name)) used.add(s);
    if (found.length === 0) {
      const empty = all.filter((s) => f.matches(s.name)).map((s) => s.name);
      if (f.absent === '' && empty.length === 0) continue;
      absent.push({ title: f.title, absent: empty.length > 0 ? `${f.absent} (Series ${empty.join(', ')} present but with no points.)`.trim() : f.absent });
      continue;
    }
    byUnit(found).forEach((group, i) => figures.push(figure(f.title, `ts-${f.id}-${i}`, group, fits)));
  }
  let n = 0;
  for (const s of all) {
    if (used.has(s)) continue;
    if (s.points.length === 0) {
      absent.push({ title: s.name, absent: `Series ${s.name} is in the result but has no points.` });
      continue;
    }
    figures.push(figure(s.name, `ts-other-${n++}`, [s], fits));
  }
  return figures;
}
