/**
 * @module Groups a result's time series into the report's charts (pure): the expected figures
 * (create and Ready rates, backlog / queue depth, operator memory, CPU, reconciles) in a fixed
 * order, each either drawn or stated absent, then any other series the result holds.
 */
import type { TimeSeriesData } from '../../measure/index.js';
import type { ChartSpec } from './chart-spec.js';

/** A figure the report always mentions: drawn from the series it matches, or stated absent. */
interface ExpectedFigure {
  id: string;
  title: string;
  matches: (name: string) => boolean;
  /** What the reader gets instead, when the result has no such series. */
  absent: string;
}

const expectedFigures: readonly ExpectedFigure[] = [
  {
    id: 'rates',
    title: 'Operation rates over time (created and Ready; offered, achieved and completed on a schedule)',
    matches: (n) => /^(creates?|ready|resolvable)_(rate|per_second)$/.test(n) || /^(offered|achieved|completed)_ops_per_second$/.test(n),
    absent:
      'This result holds no create-rate or Ready-rate time series; the whole-run rates (create_rate, ready_rate) are in the counters table.',
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
];

/** A chart of one or more series sharing a unit, with the descriptions that say how each was measured. */
export interface SeriesFigure {
  title: string;
  chart: ChartSpec;
  /** `name: description` of every series drawn, shown under the chart. */
  methods: string[];
}

/** An expected figure the result has no series for. */
export interface AbsentFigure {
  title: string;
  /** Why there is no chart, stated in the report where the chart would be. */
  absent: string;
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
      return { label: s.name, values };
    }),
  };
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
 * series, one chart per name.
 */
export function seriesFigures(all: readonly TimeSeriesData[]): (SeriesFigure | AbsentFigure)[] {
  const figures: (SeriesFigure | AbsentFigure)[] = [];
  const absent = figures;
  const used = new Set<TimeSeriesData>();
  const withPoints = all.filter((s) => s.points.length > 0);
  for (const f of expectedFigures) {
    const found = withPoints.filter((s) => f.matches(s.name));
    for (const s of all) if (f.matches(s.name)) used.add(s);
    if (found.length === 0) {
      const empty = all.filter((s) => f.matches(s.name)).map((s) => s.name);
      absent.push({ title: f.title, absent: empty.length > 0 ? `${f.absent} (Series ${empty.join(', ')} present but with no points.)` : f.absent });
      continue;
    }
    byUnit(found).forEach((group, i) => {
      figures.push({ title: f.title, chart: lineChart(`ts-${f.id}-${i}`, group), methods: group.map((s) => `${s.name}: ${s.description}`) });
    });
  }
  let n = 0;
  for (const s of all) {
    if (used.has(s)) continue;
    if (s.points.length === 0) {
      absent.push({ title: s.name, absent: `Series ${s.name} is in the result but has no points.` });
      continue;
    }
    figures.push({ title: s.name, chart: lineChart(`ts-other-${n++}`, [s]), methods: [`${s.name}: ${s.description}`] });
  }
  return figures;
}
