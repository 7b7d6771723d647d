/**
 * @module The figures criteria and baselines judge, read from a run result: each with its value,
 * unit, how it was measured, and — when it is missing — why (pure).
 */
import type { CounterData } from '../measure/index.js';
import type { OperatorMetric, RunResult } from '../report/result/index.js';
import { linearFit } from './linear-fit.js';

/** Every figure the judge knows. */
export const figureIds = [
  'create_to_ready_p99',
  'update_to_ready_p99',
  'delete_to_gone_p99',
  'reconcile_p99',
  'e2e_propagation_p99',
  'dns_query_p99',
  'dns_query_loss',
  'dns_max_throughput',
  'sustained_ops_rate',
  'create_rate',
  'ready_rate',
  'error_rate',
  'retry_rate',
  'memory_peak',
  'cpu_peak',
  'cpu_mean',
  'queue_depth_peak',
  'memory_growth',
] as const;
/** One figure's id. */
export type FigureId = (typeof figureIds)[number];

/** Static facts about a figure: its unit, which way is better, and a label for reports. */
export interface FigureInfo {
  unit: string;
  better: 'lower' | 'higher';
  label: string;
}

/** Unit, direction and label of every figure. */
export const figureInfo: Readonly<Record<FigureId, FigureInfo>> = {
  create_to_ready_p99: { unit: 'ms', better: 'lower', label: 'create → Ready p99' },
  update_to_ready_p99: { unit: 'ms', better: 'lower', label: 'update → Ready p99' },
  delete_to_gone_p99: { unit: 'ms', better: 'lower', label: 'delete → gone p99' },
  reconcile_p99: { unit: 'ms', better: 'lower', label: 'operator reconcile p99 (bucket estimate)' },
  e2e_propagation_p99: { unit: 'ms', better: 'lower', label: 'create → resolvable p99' },
  dns_query_p99: { unit: 'ms', better: 'lower', label: 'DNS query p99' },
  dns_query_loss: { unit: 'fraction', better: 'lower', label: 'DNS queries lost' },
  dns_max_throughput: { unit: '1/s', better: 'higher', label: 'DNS maximum throughput (resperf)' },
  sustained_ops_rate: { unit: '1/s', better: 'higher', label: 'sustained operations/s' },
  create_rate: { unit: '1/s', better: 'higher', label: 'burst create rate' },
  ready_rate: { unit: '1/s', better: 'higher', label: 'burst Ready rate' },
  error_rate: { unit: 'fraction', better: 'lower', label: 'error rate' },
  retry_rate: { unit: 'fraction', better: 'lower', label: 'retry rate' },
  memory_peak: { unit: 'MiB', better: 'lower', label: 'operator peak RSS' },
  cpu_peak: { unit: 'cores', better: 'lower', label: 'operator peak CPU' },
  cpu_mean: { unit: 'cores', better: 'lower', label: 'operator mean CPU' },
  queue_depth_peak: { unit: 'objects', better: 'lower', label: 'client-side backlog peak (bindy has no queue metric)' },
  memory_growth: { unit: 'MiB/h', better: 'lower', label: 'operator memory growth (steady phase)' },
};

/** A figure read from one result: a value, or null and the reason. */
export interface Figure {
  id: FigureId;
  value: number | null;
  unit: string;
  /** How it was measured (from the result's own `method`/`description` where it has one). */
  method: string;
  /** Why `value` is null. */
  reason?: string;
  /** Event and total counts behind a share (error and retry rates), for a proportion test. */
  counts?: { events: number; total: number };
  /** The 95 % confidence interval (memory growth). */
  interval?: { low: number; high: number; confidence: number };
  /** True when the value is only a lower bound (a bucket estimate at the last finite bucket; resperf stopped by its own limit or the ramp's top). */
  lowerBound?: boolean;
  /** The fitted line the value is the slope of (memory growth), in the series' own units: y = intercept + slope·t, t in ms, from the phase's first sample to its last. */
  line?: FittedLine;
}

/** A least-squares line over a stretch of a time series: what the HTML report draws over the series. */
export interface FittedLine {
  fromMs: number;
  toMs: number;
  /** In the series' unit, at t = 0. */
  intercept: number;
  /** Series unit per ms. */
  slope: number;
}

/** Options of {@link readFigures}. */
export interface FigureOptions {
  /** Start of the steady phase in ms since the run started; default: when the client-side backlog drained, else 0. */
  steadyFromMs?: number;
  /**
   * Criteria whose figure exists but does not describe the system under test, with the reason
   * (the sandbox's operator is the tool's own twin: its memory and CPU say nothing about bindy's).
   */
  notApplicable?: Readonly<Partial<Record<string, string>>>;
  /** The least steady phase for memory growth; default: the run's own `judge.memoryGrowthMinimum`, else {@link memoryGrowthMinimum}. */
  memoryGrowthMinimum?: MemoryGrowthMinimum;
}

/** The least steady phase a memory-growth slope is fitted on. */
export interface MemoryGrowthMinimum {
  readonly durationMs: number;
  readonly points: number;
}

/** The default least steady phase a memory-growth slope is judged on: 10 minutes and 10 samples. */
export const memoryGrowthMinimum = { durationMs: 10 * 60_000, points: 10 } as const;

/**
 * The minimum a result was run with (its effective `judge.memoryGrowthMinimum`, lowered by tests
 * for short ground-truth runs), so `report` and `analyze` read its figure as the run did; results
 * written before the key existed get the default.
 */
export function memoryGrowthMinimumOf(result: RunResult): MemoryGrowthMinimum {
  const j = result.config.effective['judge'];
  const m = j !== null && typeof j === 'object' && !Array.isArray(j) ? j['memoryGrowthMinimum'] : undefined;
  if (m === null || typeof m !== 'object' || Array.isArray(m) || m === undefined) return memoryGrowthMinimum;
  const d = m['duration'];
  const n = m['samples'];
  return { durationMs: typeof d === 'number' ? d : memoryGrowthMinimum.durationMs, points: typeof n === 'number' ? n : memoryGrowthMinimum.points };
}

/** bindy's last finite reconcile-duration bucket, in seconds: a bucket estimate there is only a lower bound. */
const lastFiniteReconcileBucketS = 60;
const bytesPerMiB = 1024 * 1024;
const bytesPerMB = 1_000_000;

function missing(id: FigureId, method: string, reason: string): Figure {
  return { id, value: null, unit: figureInfo[id].unit, method, reason };
}

function present(id: FigureId, value: number, method: string, extra: Partial<Figure> = {}): Figure {
  return { id, value, unit: figureInfo[id].unit, method, ...extra };
}

function overallRow(result: RunResult, name: string): OperatorMetric | undefined {
  return result.operator.find((m) => m.name === name && (m.labels === undefined || Object.keys(m.labels).length === 0));
}

function operatorValue(result: RunResult, id: FigureId, row: string, key: string, scale: number, what: string): Figure {
  const m = overallRow(result, row);
  if (m === undefined) return missing(id, what, `the result has no operator '${row}' observation (the operator's metrics were not scraped in this run)`);
  if (m.state === 'missing') return missing(id, m.method, `operator '${row}' not observed: ${m.method}`);
  const v = m.values[key];
  if (v === undefined || v === null) return missing(id, m.method, `operator '${row}' has no '${key}' value (${m.state})`);
  return present(id, v * scale, `${what}: ${m.method}`);
}

function latencyP99(result: RunResult, id: FigureId, name: string, scenario: string): Figure {
  const l = result.latencies[name];
  if (l === undefined) return missing(id, `p99 of latency '${name}'`, `the result has no '${name}' latency: the ${scenario} scenario measures it`);
  if (l.summary.count === 0 || l.summary.p99 === null) return missing(id, l.method, `latency '${name}' recorded no value`);
  return present(id, l.summary.p99 / 1000, `p99 of the HDR histogram (3 significant digits) of '${name}': ${l.method}`);
}

function counter(result: RunResult, name: string): CounterData | undefined {
  return result.counters[name];
}

function share(result: RunResult, id: FigureId, eventsName: string, what: string, fallback: () => Figure): Figure {
  const total = counter(result, 'operations_attempted');
  const events = counter(result, eventsName);
  if (total === undefined || events === undefined) return fallback();
  if (total.value === 0) return missing(id, `${eventsName} / operations_attempted`, 'no operation was attempted');
  return present(id, events.value / total.value, `${what}: counter ${eventsName} / operations_attempted`, { counts: { events: events.value, total: total.value } });
}

/** Burst: failed = rejected + unanswered + abandoned + created but never Ready; attempted = creates started. */
function burstErrorRate(result: RunResult): Figure {
  const started = counter(result, 'creates_started');
  const how = 'burst: (creates_rejected + create_errors + creates_abandoned + objects_not_ready) / creates_started';
  if (started === undefined) return missing('error_rate', how, 'the result counts no attempted operations (neither operations_attempted nor creates_started)');
  if (started.value === 0) return missing('error_rate', how, 'no create was started');
  const failed = ['creates_rejected', 'create_errors', 'creates_abandoned', 'objects_not_ready'].reduce((s, n) => s + (counter(result, n)?.value ?? 0), 0);
  return present('error_rate', failed / started.value, how, { counts: { events: failed, total: started.value } });
}

/** The highest value of time series `name`, or a reason it has none. */
function seriesPeak(result: RunResult, id: FigureId, name: string, method: string): Figure {
  const s = result.timeSeries.find((x) => x.name === name);
  if (s === undefined) return missing(id, method, `the result has no '${name}' time series`);
  if (s.points.length === 0) return missing(id, method, `time series '${name}' has no point`);
  return present(id, Math.max(...s.points.map((p) => p.value)), `${method}: ${s.description}`);
}

/** When the client-side backlog first fell back to 0 after its peak (the burst is absorbed), in ms. */
function backlogDrainedAtMs(result: RunResult): number | null {
  const s = result.timeSeries.find((x) => x.name === 'client_side_backlog');
  if (s === undefined || s.points.length === 0) return null;
  let peak = 0;
  s.points.forEach((p, i) => {
    if (p.value > (s.points[peak]?.value ?? 0)) peak = i;
  });
  return s.points.slice(peak).find((p) => p.value === 0)?.t ?? null;
}

function memoryGrowth(result: RunResult, options: FigureOptions): Figure {
  const method = 'least-squares slope of operator RSS (operator_memory_rss) over the steady phase, 95 % t confidence interval';
  const s = result.timeSeries.find((x) => x.name === 'operator_memory_rss');
  if (s === undefined) return missing('memory_growth', method, "the result has no 'operator_memory_rss' time series (the operator's memory was not sampled)");
  // A scheduled run names its steady phase (after the ramp-up); a burst's starts when its backlog drained.
  const from = options.steadyFromMs ?? result.counters['steady_phase_from_ms']?.value ?? backlogDrainedAtMs(result) ?? 0;
  const pts = s.points.filter((p) => p.t >= from);
  const first = pts[0];
  const last = pts.at(-1);
  const span = first !== undefined && last !== undefined ? last.t - first.t : 0;
  const phase = `steady phase from ${Math.round(from / 1000)} s: ${pts.length} samples over ${(span / 60_000).toFixed(1)} min`;
  const min = options.memoryGrowthMinimum ?? memoryGrowthMinimumOf(result);
  if (pts.length < Math.max(3, min.points) || span < min.durationMs) {
    return missing('memory_growth', `${method}; ${phase}`, `${phase}; a slope needs at least ${min.durationMs / 60_000} min and ${min.points} samples (judge.memoryGrowthMinimum)`);
  }
  const fit = linearFit(pts.map((p) => ({ x: p.t, y: p.value })));
  if (fit === null || first === undefined || last === undefined) return missing('memory_growth', method, 'every sample has the same time');
  const line = { fromMs: first.t, toMs: last.t, intercept: fit.intercept, slope: fit.slope };
  // bytes per ms → MiB per hour.
  const k = 3_600_000 / bytesPerMiB;
  const ci = fit.slopeInterval;
  // A phase shorter than the default is dominated by warm-up: say so wherever the figure is shown.
  const lowered = min.durationMs < memoryGrowthMinimum.durationMs ? `; minimum steady phase lowered to ${(min.durationMs / 60_000).toFixed(1)} min (judge.memoryGrowthMinimum; default ${memoryGrowthMinimum.durationMs / 60_000} min)` : '';
  return present('memory_growth', fit.slope * k, `${method}; ${phase}${lowered}`, { line, ...(ci === null ? {} : { interval: { low: ci.low * k, high: ci.high * k, confidence: ci.confidence } }) });
}

/** Reads one figure from `result`. */
export function readFigure(result: RunResult, id: FigureId, options: FigureOptions = {}): Figure {
  switch (id) {
    case 'create_to_ready_p99':
      return latencyP99(result, id, 'create_to_ready', 'burst or sustained');
    case 'update_to_ready_p99':
      return latencyP99(result, id, 'update_to_ready', 'sustained');
    case 'delete_to_gone_p99':
      return latencyP99(result, id, 'delete_to_gone', 'sustained');
    case 'reconcile_p99': {
      const f = operatorValue(result, id, 'reconcile_duration', 'p99', 1000, 'p99 of bindy_firestoned_io_reconciliation_duration_seconds (all resource types), in ms');
      // At the last finite bucket bound histogram_quantile caps the answer: the true p99 may be higher.
      if (f.value !== null && f.value >= lastFiniteReconcileBucketS * 1000) f.lowerBound = true;
      return f;
    }
    case 'e2e_propagation_p99':
      return latencyP99(result, id, 'create_to_resolvable', 'e2e, burst or sustained (with the DNS prober)');
    case 'dns_query_p99':
      return latencyP99(result, id, 'dns_query', 'bind-query (dnsperf)');
    case 'dns_query_loss': {
      const sent = counter(result, 'dns_queries_sent');
      const lost = counter(result, 'dns_queries_lost');
      const how = 'dnsperf: counter dns_queries_lost (unanswered within the query timeout) / dns_queries_sent';
      if (sent === undefined || lost === undefined) return missing(id, how, "the result counts no DNS queries: the bind-query scenario (dnsperf) measures it");
      if (sent.value === 0) return missing(id, how, 'dnsperf sent no query');
      return present(id, lost.value / sent.value, how, { counts: { events: lost.value, total: sent.value } });
    }
    case 'dns_max_throughput': {
      const c = counter(result, 'resperf_max_throughput');
      const how = "resperf: counter resperf_max_throughput, the most answers per second of a ramp interval whose loss stayed within resperf's -L";
      if (c === undefined) return missing(id, how, 'the result has no resperf maximum throughput: the bind-resperf scenario measures it');
      const lower = counter(result, 'resperf_max_is_lower_bound')?.value === 1;
      return present(id, c.value, lower ? `${how}; a lower bound: ${counter(result, 'resperf_ended_early')?.value === 1 ? "resperf's own limit ended the ramp" : 'the server kept up to the top of the ramp'}` : how, lower ? { lowerBound: true } : {});
    }
    case 'sustained_ops_rate': {
      const c = counter(result, 'sustained_ops_rate');
      if (c === undefined) {
        return missing(
          id,
          'operations completed per second over the steady phase (counter sustained_ops_rate)',
          "the result has no 'sustained_ops_rate': the sustained scenario measures it (a burst's create_rate is throughput over one short burst, not a sustained rate)",
        );
      }
      return present(id, c.value, `counter sustained_ops_rate: ${c.description}`);
    }
    case 'create_rate':
    case 'ready_rate': {
      const c = counter(result, id);
      return c === undefined ? missing(id, `counter ${id}`, `the result has no '${id}' counter`) : present(id, c.value, `counter ${id}: ${c.description}`);
    }
    case 'error_rate':
      return share(result, id, 'operations_failed', 'failed or rejected / attempted', () => burstErrorRate(result));
    case 'retry_rate':
      return share(result, id, 'operations_retried', 'retried / attempted', () =>
        missing(
          id,
          'retried / attempted operations (counters operations_retried, operations_attempted)',
          "the result counts no retries: the burst engine never retries and bindy's requeues_total is never incremented; the sustained and chaos scenarios count client retries",
        ),
      );
    case 'memory_peak':
      return operatorValue(result, id, 'process_memory', 'peak', bytesPerMB / bytesPerMiB, 'operator peak resident set size, MiB');
    case 'cpu_peak':
      return operatorValue(result, id, 'process_cpu', 'peak', 1, 'operator peak CPU in cores');
    case 'cpu_mean':
      return operatorValue(result, id, 'process_cpu', 'mean', 1, 'operator mean CPU in cores');
    case 'queue_depth_peak':
      return seriesPeak(result, id, 'client_side_backlog', 'peak of the client-side backlog (objects written, not yet Ready; bindy has no queue-depth metric)');
    case 'memory_growth':
      return memoryGrowth(result, options);
  }
}

/** Every figure of `result`, keyed by id. */
export function readFigures(result: RunResult, options: FigureOptions = {}): Record<FigureId, Figure> {
  const out = {} as Record<FigureId, Figure>;
  for (const id of figureIds) out[id] = readFigure(result, id, options);
  return out;
}
