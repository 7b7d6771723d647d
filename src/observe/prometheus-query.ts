/**
 * @module bindy's figures from a Prometheus server (`--prometheus URL`) instead of scraping: a small
 * HTTP client for `/api/v1/query` and `/api/v1/query_range`, the PromQL it asks, and the rows it makes.
 */
import type { OperatorMetric } from '../report/result/types.js';
import type { TimeSeriesData } from '../measure/index.js';
import { bindyMetric } from '../measure/operator-metrics.js';
import { FetchError, fetchText } from './metrics-fetch.js';
import type { FetchOptions } from './metrics-fetch.js';

/** One series of an instant query: its labels and value. */
export interface InstantSample {
  metric: Record<string, string>;
  /** Unix seconds (Prometheus' clock). */
  ts: number;
  /** NaN when Prometheus answered "NaN" (e.g. histogram_quantile over no observations). */
  value: number;
}

/** One series of a range query. */
export interface RangeSeries {
  metric: Record<string, string>;
  /** `[unix seconds, value]` pairs. */
  values: [number, number][];
}

/** The two calls bindy-loadtest makes. */
export interface PrometheusClient {
  /** Instant query evaluated at `atSec` (unix seconds). */
  query(expr: string, atSec: number): Promise<InstantSample[]>;
  /** Range query from `startSec` to `endSec` every `stepSec`. */
  queryRange(expr: string, startSec: number, endSec: number, stepSec: number): Promise<RangeSeries[]>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** A `[ts, "value"]` pair as Prometheus sends it. */
function pair(v: unknown): [number, number] {
  if (!Array.isArray(v) || typeof v[0] !== 'number' || typeof v[1] !== 'string') throw new FetchError('Prometheus: malformed sample pair', 200);
  return [v[0], Number(v[1])];
}

/** The `data` of a successful answer with the expected `resultType`, or a FetchError with Prometheus' own message. */
function resultOf(text: string, expected: 'vector' | 'matrix'): unknown[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new FetchError('Prometheus: the answer is not JSON', 200, { cause: e });
  }
  if (!isRecord(body)) throw new FetchError('Prometheus: the answer is not an object', 200);
  if (body.status !== 'success') {
    const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);
    throw new FetchError(`Prometheus: ${text(body.errorType, 'error')}: ${text(body.error, 'no message')}`, 200);
  }
  const data = body.data;
  if (!isRecord(data) || data.resultType !== expected || !Array.isArray(data.result)) {
    throw new FetchError(`Prometheus: expected a ${expected} result`, 200);
  }
  return data.result;
}

/** A client for the Prometheus HTTP API at `baseUrl` (e.g. `http://prometheus:9090`). */
export function prometheusClient(baseUrl: string, options: FetchOptions = {}): PrometheusClient {
  const base = baseUrl.replace(/\/+$/, '');
  // A 400/422 from Prometheus carries its PromQL error in the body, which the FetchError message quotes.
  const get = (path: string, params: Record<string, string>): Promise<string> =>
    fetchText(`${base}${path}?${new URLSearchParams(params).toString()}`, options);
  return {
    async query(expr, atSec) {
      const result = resultOf(await get('/api/v1/query', { query: expr, time: String(atSec) }), 'vector');
      return result.map((r) => {
        if (!isRecord(r)) throw new FetchError('Prometheus: malformed vector', 200);
        const [ts, value] = pair(r.value);
        return { metric: stringRecord(r.metric), ts, value };
      });
    },
    async queryRange(expr, startSec, endSec, stepSec) {
      const result = resultOf(
        await get('/api/v1/query_range', { query: expr, start: String(startSec), end: String(endSec), step: String(stepSec) }),
        'matrix',
      );
      return result.map((r) => {
        if (!isRecord(r) || !Array.isArray(r.values)) throw new FetchError('Prometheus: malformed matrix', 200);
        return { metric: stringRecord(r.metric), values: r.values.map(pair) };
      });
    },
  };
}

/** A PromQL range selector duration for `seconds` (whole seconds, at least 1). */
export function promDuration(seconds: number): string {
  return `${Math.max(1, Math.ceil(seconds))}s`;
}

/**
 * The PromQL bindy-loadtest asks, over a run of `windowSec` seconds ending at the query time.
 * `processSelector` picks the operator's process metrics (default: pods of namespace bindy-system
 * named bindy-…, the labels Prometheus' usual kubernetes-pods job attaches).
 */
export function operatorQueries(windowSec: number, processSelector = '{namespace="bindy-system",pod=~"bindy-.+"}'): {
  quantile: (q: number) => string;
  reconcileCount: string;
  durationCount: string;
  errorCount: string;
  memory: string;
  cpu: (stepSec: number) => string;
} {
  const w = promDuration(windowSec);
  return {
    quantile: (q) => `histogram_quantile(${q}, sum by (le, resource_type) (rate(${bindyMetric.duration}_bucket[${w}])))`,
    durationCount: `sum by (resource_type) (increase(${bindyMetric.duration}_count[${w}]))`,
    reconcileCount: `sum by (resource_type, status) (increase(${bindyMetric.reconciliations}[${w}]))`,
    errorCount: `sum by (resource_type, error_type) (increase(${bindyMetric.errors}[${w}]))`,
    memory: `sum(${bindyMetric.rss}${processSelector})`,
    // rate() needs at least two samples in its window: four steps cover a 15 s scrape interval at a 5 s step.
    cpu: (stepSec) => `sum(rate(${bindyMetric.cpu}${processSelector}[${promDuration(Math.max(4 * stepSec, 60))}]))`,
  };
}

/** The run window in Prometheus' clock and how to place its points on the run's time axis. */
export interface PrometheusWindow {
  /** Unix seconds at the run's start and end (the run's wall-clock anchors). */
  startSec: number;
  endSec: number;
  /** Range-query resolution, seconds. */
  stepSec: number;
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Operator rows (reconcile duration per resource_type, reconciles and errors per label set) and the
 * memory/CPU series, asked of Prometheus for the run window. Percentiles are `histogram_quantile`
 * over `rate(_bucket[window])` at the run's end — the same bucket estimate as from two scrapes, but
 * depending on Prometheus' scrape interval at both edges. Series points are placed at
 * (Prometheus timestamp − run start) × 1000 ms: wall clock of another machine, so approximate.
 */
export async function operatorFromPrometheus(client: PrometheusClient, win: PrometheusWindow, source: string, processSelector?: string): Promise<{ metrics: OperatorMetric[]; timeSeries: TimeSeriesData[] }> {
  const span = win.endSec - win.startSec;
  const q = operatorQueries(span, processSelector);
  const [p50, p90, p99, counts, reconciles, errors, memory, cpu] = await Promise.all([
    client.query(q.quantile(0.5), win.endSec),
    client.query(q.quantile(0.9), win.endSec),
    client.query(q.quantile(0.99), win.endSec),
    client.query(q.durationCount, win.endSec),
    client.query(q.reconcileCount, win.endSec),
    client.query(q.errorCount, win.endSec),
    client.queryRange(q.memory, win.startSec, win.endSec, win.stepSec),
    client.queryRange(q.cpu(win.stepSec), win.startSec, win.endSec, win.stepSec),
  ]);
  const byType = (xs: InstantSample[], t: string): number | null => num(xs.find((x) => (x.metric.resource_type ?? '') === t)?.value ?? NaN);
  const metrics: OperatorMetric[] = [];
  const types = [...new Set(counts.map((c) => c.metric.resource_type ?? ''))].sort();
  for (const t of types) {
    const count = byType(counts, t);
    metrics.push({
      name: 'reconcile_duration',
      bindyName: bindyMetric.duration,
      state: (count ?? 0) > 0 ? 'present' : 'never-updated',
      unit: 's',
      method: `bucket estimate: ${q.quantile(0.99).replace('0.99', 'q')} at the run end, from ${source}`,
      labels: { resource_type: t },
      values: { count, p50: byType(p50, t), p90: byType(p90, t), p99: byType(p99, t) },
    });
  }
  for (const [name, bindyName, xs, expr] of [
    ['reconcile_total', bindyMetric.reconciliations, reconciles, q.reconcileCount],
    ['errors', bindyMetric.errors, errors, q.errorCount],
  ] as const) {
    const total = xs.reduce((a, x) => a + (Number.isFinite(x.value) ? x.value : 0), 0);
    metrics.push({
      name,
      bindyName,
      state: total > 0 ? 'present' : 'never-updated',
      method: `${expr} at the run end, from ${source} (increase() extrapolates to the window edges, so counts may be fractional)`,
      values: { count: total, rate: span > 0 ? total / span : null },
    });
  }
  const series = (name: string, unit: string, description: string, r: RangeSeries[]): TimeSeriesData[] => {
    const first = r[0];
    if (first === undefined) return [];
    return [{ name, unit, description, points: first.values.filter(([, v]) => Number.isFinite(v)).map(([ts, v]) => ({ t: (ts - win.startSec) * 1000, value: v })) }];
  };
  return {
    metrics,
    timeSeries: [
      ...series('operator_memory_rss', 'bytes', `${q.memory} from ${source}, every ${win.stepSec} s`, memory),
      ...series('operator_cpu', 'cores', `${q.cpu(win.stepSec)} from ${source}, every ${win.stepSec} s`, cpu),
    ],
  };
}
