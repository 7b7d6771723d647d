/**
 * @module The result's `operator` section and the operator's time series, from the first and last
 * scrape of bindy's (and bindcar's) `/metrics` and the values tracked in between; pure.
 */
import type { OperatorMetric, OperatorMetricState } from '../report/result/types.js';
import { bucketEstimateMethod, classicHistograms, histogramDelta, histogramQuantile, labelKey } from './bucket-quantile.js';
import type { Bucket, MetricSample } from './bucket-quantile.js';
import { ratePerSecond } from './time-series.js';
import type { TimePoint, TimeSeriesData } from './time-series.js';

/** One scrape: when it arrived (ms since the run started, monotonic) and its samples. */
export interface ScrapeAt {
  t: number;
  samples: readonly MetricSample[];
}

/** What a sampler saw of one source over the run (a `SamplerSnapshot` fits). */
export interface ScrapeWindow {
  /** Where the samples came from, quoted in `method`. */
  source: string;
  first: ScrapeAt | null;
  last: ScrapeAt | null;
  /** Tracked values (see {@link operatorTrackedValues}); counters reset-corrected. */
  series: Record<string, { points: readonly TimePoint[] }>;
}

/** bindy's metric names (bindy `src/metrics.rs`, namespace `bindy_firestoned_io`). */
export const bindyMetric = {
  reconciliations: 'bindy_firestoned_io_reconciliations_total',
  duration: 'bindy_firestoned_io_reconciliation_duration_seconds',
  errors: 'bindy_firestoned_io_errors_total',
  requeues: 'bindy_firestoned_io_requeues_total',
  resourcesActive: 'bindy_firestoned_io_resources_active',
  rss: 'process_resident_memory_bytes',
  cpu: 'process_cpu_seconds_total',
} as const;

/** bindcar's metric names (bindcar `src/metrics.rs`). */
export const bindcarMetric = {
  rndcDuration: 'bindcar_rndc_command_duration_seconds',
  rndcTotal: 'bindcar_rndc_commands_total',
  zonesManaged: 'bindcar_zones_managed',
  httpRequests: 'bindcar_http_requests_total',
} as const;

function sumOf(samples: readonly MetricSample[], name: string): number | null {
  let found = false;
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    found = true;
    sum += s.value;
  }
  return found ? sum : null;
}

/** What the sampler keeps from every operator scrape, by series name. */
export const operatorTrackedValues = {
  rss: { kind: 'gauge', pick: (s: readonly MetricSample[]) => sumOf(s, bindyMetric.rss) },
  cpu: { kind: 'counter', pick: (s: readonly MetricSample[]) => sumOf(s, bindyMetric.cpu) },
  // bindy creates a counter's series at its first increment, so an absent family reads as 0.
  reconciles: { kind: 'counter', pick: (s: readonly MetricSample[]) => sumOf(s, bindyMetric.reconciliations) ?? 0 },
  errors: { kind: 'counter', pick: (s: readonly MetricSample[]) => sumOf(s, bindyMetric.errors) ?? 0 },
} as const;

/** What the sampler keeps from every bindcar scrape. */
export const sidecarTrackedValues = {
  zones: { kind: 'gauge', pick: (s: readonly MetricSample[]) => sumOf(s, bindcarMetric.zonesManaged) },
  // Requests bindcar's rate limiter refused (429): a series appears at its first increment, so none reads as 0.
  rateLimited: { kind: 'counter', pick: (s: readonly MetricSample[]) => s.filter((x) => x.name === bindcarMetric.httpRequests && x.labels['status'] === '429').reduce((a, x) => a + x.value, 0) },
} as const;

/** Inputs of {@link operatorObservation}. */
export interface OperatorObservationInput {
  /** bindy's `/metrics`; null when it was not scraped at all. */
  operator: ScrapeWindow | null;
  /** bindcar's `/metrics` (rndc and zone figures); null when not scraped. */
  sidecar?: ScrapeWindow | null;
  /** Process figures of the operator from elsewhere (`/proc`), used when its `/metrics` has none. */
  process?: ScrapeWindow | null;
  /** Window of the per-second rate series (CPU cores, reconciles/s), ms; usually the scrape interval. */
  rateWindowMs: number;
}

/** The operator section and its time series. */
export interface OperatorObservation {
  metrics: OperatorMetric[];
  timeSeries: TimeSeriesData[];
}

/** A counter's increase per label set between two scrapes (a drop = reset: the later value is the increase). */
interface CounterIncrease {
  labels: Record<string, string>;
  increase: number;
  reset: boolean;
}

/**
 * The increase of counter `name` over the window, grouped by the labels in `by`. A series absent
 * from the first scrape is new in the window and counts from 0 (bindy creates its series at their
 * first increment); a series that went down was reset and its later value is all increase.
 */
function counterIncrease(w: ScrapeWindow, name: string, by: readonly string[]): CounterIncrease[] {
  const before = new Map<string, number>();
  for (const s of w.first?.samples ?? []) if (s.name === name) before.set(labelKey(s.labels), s.value);
  const groups = new Map<string, CounterIncrease>();
  for (const s of w.last?.samples ?? []) {
    if (s.name !== name) continue;
    const b = before.get(labelKey(s.labels)) ?? 0;
    const reset = s.value < b;
    const labels: Record<string, string> = {};
    for (const l of by) labels[l] = s.labels[l] ?? '';
    const key = labelKey(labels);
    const g = groups.get(key) ?? { labels, increase: 0, reset: false };
    g.increase += reset ? s.value : s.value - b;
    g.reset ||= reset;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels)));
}

/** True when series `name` (or its `_bucket`/`_sum`/`_count`) appears in either scrape. */
function exposed(w: ScrapeWindow | null | undefined, name: string): boolean {
  const has = (s: readonly MetricSample[] | undefined): boolean => (s ?? []).some((x) => x.name === name || x.name.startsWith(`${name}_`));
  return has(w?.first?.samples) || has(w?.last?.samples);
}

function windowSeconds(w: ScrapeWindow): number | null {
  if (w.first === null || w.last === null) return null;
  const s = (w.last.t - w.first.t) / 1000;
  return s > 0 ? s : null;
}

function rate(count: number, seconds: number | null): number | null {
  return seconds === null ? null : count / seconds;
}

function windowText(w: ScrapeWindow): string {
  const s = windowSeconds(w);
  return `first and last scrape of ${w.source}${s === null ? '' : ` (${s.toFixed(1)} s apart)`}`;
}

function notObserved(name: string, bindyName: string, why: string, unit?: string): OperatorMetric {
  return { name, bindyName, state: 'missing', ...(unit !== undefined ? { unit } : {}), method: `not observed: ${why}`, values: {} };
}

function stateOf(moved: boolean): OperatorMetricState {
  return moved ? 'present' : 'never-updated';
}

function fixed(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Quantile rows of classic histogram `name`: one per label set (labels other than `le`) and one for
 * all label sets together (`sum by (le)`, i.e. bucket counts added across label sets).
 */
function histogramRows(w: ScrapeWindow, ourName: string, name: string, unit: string, note: string): OperatorMetric[] {
  const window = histogramDelta(classicHistograms(w.first?.samples ?? [], name), classicHistograms(w.last?.samples ?? [], name));
  const method = `${bucketEstimateMethod}, ${windowText(w)}${note}`;
  const row = (buckets: Bucket[], count: number, sum: number, reset: boolean, labels?: Record<string, string>): OperatorMetric => {
    const q = (x: number): number | null => (count > 0 ? fixed(histogramQuantile(x, buckets)) : null);
    return {
      name: ourName,
      bindyName: name,
      state: stateOf(count > 0),
      unit,
      method: reset ? `${method}; a counter reset was seen, so only the increase after it counts` : method,
      ...(labels !== undefined ? { labels } : {}),
      values: { count, p50: q(0.5), p90: q(0.9), p99: q(0.99), mean: count > 0 && Number.isFinite(sum) ? sum / count : null },
    };
  };
  const total = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let reset = false;
  for (const h of window) {
    for (const b of h.buckets) total.set(b.le, (total.get(b.le) ?? 0) + b.count);
    count += h.count;
    sum += h.sum;
    reset ||= h.reset;
  }
  const all = row([...total].map(([le, c]) => ({ le, count: c })), count, sum, reset);
  const perSet = window
    .filter((h) => Object.keys(h.labels).length > 0)
    .sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels)))
    .map((h) => row(h.buckets, h.count, h.sum, h.reset, h.labels));
  return [all, ...perSet];
}

/** Rows of a counter: all label sets together, then per label set of `by`. */
function counterRows(w: ScrapeWindow, ourName: string, name: string, unit: string, by: readonly string[], note = ''): OperatorMetric[] {
  const groups = counterIncrease(w, name, by);
  const secs = windowSeconds(w);
  const method = `increase of the counter between the ${windowText(w)}; rate = increase / that span${note}`;
  const total = groups.reduce((a, g) => a + g.increase, 0);
  const anyReset = groups.some((g) => g.reset);
  const resetNote = '; a counter reset was seen, so the later value counts as the whole increase';
  const rows: OperatorMetric[] = [
    { name: ourName, bindyName: name, state: stateOf(total > 0), unit, method: anyReset ? method + resetNote : method, values: { count: total, rate: rate(total, secs) } },
  ];
  if (by.length > 0) {
    for (const g of groups) {
      rows.push({
        name: ourName,
        bindyName: name,
        state: stateOf(g.increase > 0),
        unit,
        method: g.reset ? method + resetNote : method,
        labels: g.labels,
        values: { count: g.increase, rate: rate(g.increase, secs) },
      });
    }
  }
  return rows;
}

const mb = 1_000_000;

function points(w: ScrapeWindow | null | undefined, name: string): readonly TimePoint[] {
  return w?.series[name]?.points ?? [];
}

/** Memory and CPU rows and series from whichever source has the process metrics. */
function processRows(input: OperatorObservationInput): OperatorObservation {
  const fromEndpoint = exposed(input.operator, bindyMetric.rss) || exposed(input.operator, bindyMetric.cpu);
  const w = fromEndpoint ? input.operator : (input.process ?? null);
  if (w === null || w === undefined || w.last === null) {
    const why = 'the operator endpoint has no process metrics and no process was sampled';
    return { metrics: [notObserved('process_memory', bindyMetric.rss, why, 'MB'), notObserved('process_cpu', bindyMetric.cpu, why, 'cores')], timeSeries: [] };
  }
  const how = fromEndpoint ? `${bindyMetric.rss} / ${bindyMetric.cpu} scraped from ${w.source}` : `sampled from ${w.source}`;
  const rss = points(w, 'rss');
  const rssValues = rss.map((p) => p.value);
  const memory: OperatorMetric = {
    name: 'process_memory',
    bindyName: bindyMetric.rss,
    // The process always has a resident size: observed at all means present, even when it held still.
    state: rssValues.length > 0 ? 'present' : 'missing',
    unit: 'MB',
    method: `resident set size (1 MB = 10^6 bytes), ${how}, every scrape (${rssValues.length} points)`,
    values:
      rssValues.length > 0
        ? {
            first: (rssValues[0] ?? 0) / mb,
            last: (rssValues.at(-1) ?? 0) / mb,
            peak: Math.max(...rssValues) / mb,
            mean: rssValues.reduce((a, b) => a + b, 0) / rssValues.length / mb,
          }
        : { first: null, last: null, peak: null, mean: null },
  };
  const cpu = points(w, 'cpu');
  const cpuRates = ratePerSecond(cpu, input.rateWindowMs);
  const c0 = cpu[0];
  const c1 = cpu.at(-1);
  const span = c0 !== undefined && c1 !== undefined ? (c1.t - c0.t) / 1000 : 0;
  const cpuRow: OperatorMetric = {
    name: 'process_cpu',
    bindyName: bindyMetric.cpu,
    state: cpu.length > 0 ? 'present' : 'missing',
    unit: 'cores',
    method: `rate of CPU seconds (user + system) as cores, ${how}: mean over the whole span between the first and last scrape, peak over ${input.rateWindowMs} ms windows (null when the run was shorter than one window)`,
    values: {
      cpuSeconds: c0 !== undefined && c1 !== undefined ? c1.value - c0.value : null,
      mean: c0 !== undefined && c1 !== undefined && span > 0 ? (c1.value - c0.value) / span : null,
      peak: cpuRates.length > 0 ? Math.max(...cpuRates.map((p) => p.value)) : null,
    },
  };
  const timeSeries: TimeSeriesData[] = [];
  if (rss.length > 0) timeSeries.push({ name: 'operator_memory_rss', unit: 'bytes', description: `operator resident set size, ${how}`, points: rss.map((p) => ({ ...p })) });
  if (cpuRates.length > 0) {
    timeSeries.push({ name: 'operator_cpu', unit: 'cores', description: `operator CPU use, rate of ${bindyMetric.cpu} over ${input.rateWindowMs} ms windows, ${how}`, points: cpuRates });
  }
  return { metrics: [memory, cpuRow], timeSeries };
}

/**
 * The operator section: one or more rows for each quantity the seed's §5.1 table asks for
 * (reconcile duration, reconcile total, queue depth, rndc operation duration and total, managed
 * zones and records, errors, retries), each mapped to bindy's or bindcar's metric where one exists
 * and marked `present` (it moved during the run), `never-updated` (exposed or documented, did not
 * move) or `missing` (no such metric, or its source was not scraped — `method` then says so), then
 * the operator's memory and CPU; and the time series (RSS, CPU cores, reconciles/s, errors/s).
 */
export function operatorObservation(input: OperatorObservationInput): OperatorObservation {
  const metrics: OperatorMetric[] = [];
  const timeSeries: TimeSeriesData[] = [];
  const op = input.operator !== null && input.operator.last !== null ? input.operator : null;
  const noOperator = 'bindy’s /metrics was not scraped successfully';

  if (op !== null) {
    metrics.push(...histogramRows(op, 'reconcile_duration', bindyMetric.duration, 's', ''));
    metrics.push(...counterRows(op, 'reconcile_total', bindyMetric.reconciliations, 'reconciliations', ['resource_type', 'status']));
  } else {
    metrics.push(notObserved('reconcile_duration', bindyMetric.duration, noOperator, 's'), notObserved('reconcile_total', bindyMetric.reconciliations, noOperator, 'reconciliations'));
  }
  metrics.push({
    name: 'queue_depth',
    bindyName: null,
    state: 'missing',
    method: 'bindy exposes no work-queue depth metric; the burst results give the client-side backlog instead (objects written but not yet Ready, from the watch)',
    values: {},
  });

  const sc = input.sidecar !== null && input.sidecar !== undefined && input.sidecar.last !== null ? input.sidecar : null;
  const noSidecar = 'bindcar’s /metrics was not scraped (pass its metrics address)';
  if (sc !== null) {
    metrics.push(...histogramRows(sc, 'rndc_operation_duration', bindcarMetric.rndcDuration, 's', ' (bindcar metric)'));
    metrics.push(...counterRows(sc, 'rndc_operation_total', bindcarMetric.rndcTotal, 'commands', ['command', 'result'], ' (bindcar metric)'));
    const zones = points(sc, 'zones').map((p) => p.value);
    const firstZ = sumOf(sc.first?.samples ?? [], bindcarMetric.zonesManaged);
    const lastZ = sumOf(sc.last?.samples ?? [], bindcarMetric.zonesManaged);
    const all = [...zones, ...(firstZ === null ? [] : [firstZ]), ...(lastZ === null ? [] : [lastZ])];
    metrics.push({
      name: 'managed_zones',
      bindyName: bindcarMetric.zonesManaged,
      state: stateOf(all.length > 0 && all.some((v) => v !== all[0])),
      unit: 'zones',
      method: `gauge ${bindcarMetric.zonesManaged} (bindcar metric) at the first and last scrape of ${sc.source}, peak over every scrape`,
      values: { first: firstZ, last: lastZ, peak: all.length > 0 ? Math.max(...all) : null },
    });
    const z = points(sc, 'zones');
    if (z.length > 0) timeSeries.push({ name: 'bindcar_zones_managed', unit: 'zones', description: `${bindcarMetric.zonesManaged} scraped from ${sc.source}`, points: z.map((p) => ({ ...p })) });
    const limited = ratePerSecond(points(sc, 'rateLimited'), input.rateWindowMs);
    if (limited.length > 0) {
      timeSeries.push({
        name: 'bindcar_rate_limited_per_second',
        unit: '1/s',
        description: `rate of ${bindcarMetric.httpRequests}{status="429"} (bindcar's rate limiter refusing a request) over ${input.rateWindowMs} ms windows, scraped from ${sc.source}`,
        points: limited,
      });
    }
  } else {
    metrics.push(
      notObserved('rndc_operation_duration', bindcarMetric.rndcDuration, noSidecar, 's'),
      notObserved('rndc_operation_total', bindcarMetric.rndcTotal, noSidecar, 'commands'),
      notObserved('managed_zones', bindcarMetric.zonesManaged, noSidecar, 'zones'),
    );
  }
  metrics.push({
    name: 'managed_records',
    bindyName: null,
    state: 'missing',
    method: `neither bindy nor bindcar counts managed records; ${bindyMetric.resourcesActive} is only ever decremented (on deletion), so it is not a count`,
    values: {},
  });

  if (op !== null) {
    metrics.push(...counterRows(op, 'errors', bindyMetric.errors, 'errors', ['resource_type', 'error_type']));
    const retries = counterRows(op, 'retries', bindyMetric.requeues, 'requeues', []);
    // Documented but never incremented by bindy's controllers; say whether it is even exposed.
    if (!exposed(op, bindyMetric.requeues)) for (const r of retries) r.method += '; the series was not exposed at all';
    metrics.push(...retries);
  } else {
    metrics.push(notObserved('errors', bindyMetric.errors, noOperator, 'errors'), notObserved('retries', bindyMetric.requeues, noOperator, 'requeues'));
  }

  const proc = processRows(input);
  metrics.push(...proc.metrics);
  timeSeries.push(...proc.timeSeries);
  if (op !== null) {
    for (const [key, name, what] of [
      ['reconciles', 'operator_reconciles_per_second', bindyMetric.reconciliations],
      ['errors', 'operator_errors_per_second', bindyMetric.errors],
    ] as const) {
      const r = ratePerSecond(points(op, key), input.rateWindowMs);
      if (r.length > 0) timeSeries.push({ name, unit: '1/s', description: `rate of ${what} (all label sets) over ${input.rateWindowMs} ms windows, scraped from ${op.source}`, points: r });
    }
  }
  return { metrics, timeSeries };
}
