/** @module Tests of the operator section against hand-written bindy and bindcar expositions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from '../observe/prometheus-text.js';
import type { OperatorMetric } from '../report/result/types.js';
import { bucketEstimateMethod } from './bucket-quantile.js';
import { operatorObservation, operatorTrackedValues, sidecarTrackedValues } from './operator-metrics.js';
import type { ScrapeWindow } from './operator-metrics.js';
import type { TimePoint } from './time-series.js';

const H = 'bindy_firestoned_io_reconciliation_duration_seconds';
const les = ['0.001', '0.01', '0.1', '0.5', '1', '2', '5', '10', '30', '60', '+Inf'];

/** Exposition lines of bindy's duration histogram for one resource_type from cumulative counts per bucket. */
function durationLines(type: string, cumulative: number[], sum: number): string {
  const lines = les.map((le, i) => `${H}_bucket{resource_type="${type}",le="${le}"} ${cumulative[i] ?? 0}`);
  return [...lines, `${H}_sum{resource_type="${type}"} ${sum}`, `${H}_count{resource_type="${type}"} ${cumulative.at(-1) ?? 0}`].join('\n');
}

/** A window from exposition texts, each with its time (ms); tracked values picked as the sampler would. */
function windowOf(source: string, scrapes: [number, string][], track: Record<string, { kind: string; pick: (s: never[]) => number | null }>): ScrapeWindow {
  const parsed = scrapes.map(([t, text]) => ({ t, samples: parsePrometheusText(text).samples }));
  const series: Record<string, { points: TimePoint[] }> = {};
  for (const [name, tv] of Object.entries(track)) {
    const pts: TimePoint[] = [];
    let offset = 0;
    let prev: number | null = null;
    for (const s of parsed) {
      const v = (tv.pick as (x: typeof s.samples) => number | null)(s.samples);
      if (v === null) continue;
      if (tv.kind === 'counter' && prev !== null && v < prev) offset += prev;
      prev = v;
      pts.push({ t: s.t, value: v + (tv.kind === 'counter' ? offset : 0) });
    }
    series[name] = { points: pts };
  }
  return { source, first: parsed[0] ?? null, last: parsed.at(-1) ?? null, series };
}

const header = `# HELP ${H} Duration of reconciliations\n# TYPE ${H} histogram\n`;
// Start: 4 ARecord reconciles already done before the run (all ≤ 0.01 s); no DNSZone series yet.
const opStart = [
  header + durationLines('ARecord', [0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], 0.02),
  'bindy_firestoned_io_reconciliations_total{resource_type="ARecord",status="success"} 4',
  'process_resident_memory_bytes 50000000',
  'process_cpu_seconds_total 10',
].join('\n');
// Mid: RSS peaks, CPU +1 s.
const opMid = opStart.replace('process_resident_memory_bytes 50000000', 'process_resident_memory_bytes 90000000').replace('process_cpu_seconds_total 10', 'process_cpu_seconds_total 11');
// End (10 s after start): 40 more ARecord reconciles: 10 in (0.01,0.1], 20 in (0.1,0.5], 10 in (0.5,1];
// 2 DNSZone reconciles, both in (1,2]; 3 errors; requeues_total exposed but never moved from 0.
const opEnd = [
  header + durationLines('ARecord', [0, 4, 14, 34, 44, 44, 44, 44, 44, 44, 44], 14.02),
  durationLines('DNSZone', [0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2], 3),
  'bindy_firestoned_io_reconciliations_total{resource_type="ARecord",status="success"} 41',
  'bindy_firestoned_io_reconciliations_total{resource_type="ARecord",status="error"} 3',
  'bindy_firestoned_io_reconciliations_total{resource_type="DNSZone",status="success"} 2',
  'bindy_firestoned_io_errors_total{resource_type="ARecord",error_type="bindcar"} 3',
  'bindy_firestoned_io_requeues_total{resource_type="ARecord",reason="x"} 0',
  'process_resident_memory_bytes 70000000',
  'process_cpu_seconds_total 13',
].join('\n');

const RNDC = 'bindcar_rndc_command_duration_seconds';
const scStart = ['bindcar_zones_managed 1', 'bindcar_rndc_commands_total{command="addzone",result="success"} 1', `${RNDC}_bucket{command="addzone",le="0.01"} 1`, `${RNDC}_bucket{command="addzone",le="+Inf"} 1`, `${RNDC}_sum{command="addzone"} 0.005`, `${RNDC}_count{command="addzone"} 1`].join('\n');
// 20 requests refused by bindcar's rate limiter during the run (429), besides the accepted ones.
const scEnd = ['bindcar_http_requests_total{method="POST",path="/api/v1/zones",status="201"} 2', 'bindcar_http_requests_total{method="POST",path="/api/v1/zones",status="429"} 20', 'bindcar_zones_managed 3', 'bindcar_rndc_commands_total{command="addzone",result="success"} 3', `${RNDC}_bucket{command="addzone",le="0.01"} 3`, `${RNDC}_bucket{command="addzone",le="+Inf"} 3`, `${RNDC}_sum{command="addzone"} 0.013`, `${RNDC}_count{command="addzone"} 3`].join('\n');

const operator = windowOf('op', [[0, opStart], [5000, opMid], [10000, opEnd]], operatorTrackedValues);
const sidecar = windowOf('sc', [[0, scStart], [10000, scEnd]], sidecarTrackedValues);
const full = operatorObservation({ operator, sidecar, rateWindowMs: 5000 });

function row(rows: OperatorMetric[], name: string, labels?: Record<string, string>): OperatorMetric {
  const r = rows.find((m) => m.name === name && JSON.stringify(m.labels) === JSON.stringify(labels));
  assert.ok(r, `row ${name} ${JSON.stringify(labels)} present`);
  return r;
}

void test('every §5.1 quantity has a row mapped to bindy’s or bindcar’s name with its state', () => {
  const cases: { name: string; bindyName: string | null; state: string }[] = [
    { name: 'reconcile_duration', bindyName: H, state: 'present' },
    { name: 'reconcile_total', bindyName: 'bindy_firestoned_io_reconciliations_total', state: 'present' },
    { name: 'queue_depth', bindyName: null, state: 'missing' },
    { name: 'rndc_operation_duration', bindyName: RNDC, state: 'present' },
    { name: 'rndc_operation_total', bindyName: 'bindcar_rndc_commands_total', state: 'present' },
    { name: 'managed_zones', bindyName: 'bindcar_zones_managed', state: 'present' },
    { name: 'managed_records', bindyName: null, state: 'missing' },
    { name: 'errors', bindyName: 'bindy_firestoned_io_errors_total', state: 'present' },
    { name: 'retries', bindyName: 'bindy_firestoned_io_requeues_total', state: 'never-updated' },
    { name: 'process_memory', bindyName: 'process_resident_memory_bytes', state: 'present' },
    { name: 'process_cpu', bindyName: 'process_cpu_seconds_total', state: 'present' },
  ];
  for (const c of cases) {
    const r = row(full.metrics, c.name);
    assert.equal(r.bindyName, c.bindyName, c.name);
    assert.equal(r.state, c.state, c.name);
  }
});

void test('reconcile duration percentiles are bucket estimates over the run window, per resource_type and overall', () => {
  const cases: { labels?: Record<string, string>; want: Record<string, number | null> }[] = [
    // Window: 10 in (0.01,0.1], 20 in (0.1,0.5], 10 in (0.5,1]; the 4 pre-run reconciles are excluded.
    // p50: rank 20 → (0.1,0.5] holds 20, 10 needed: 0.1 + 0.4·10/20 = 0.3. p90: rank 36 → 0.5 + 0.5·6/10 = 0.8.
    // p99: rank 39.6 → 0.5 + 0.5·9.6/10 = 0.98. mean: (14.02 − 0.02)/40 = 0.35 (exact).
    { labels: { resource_type: 'ARecord' }, want: { count: 40, p50: 0.3, p90: 0.8, p99: 0.98, mean: 0.35 } },
    // Both in (1,2]: p50 rank 1 → 1 + 1·1/2 = 1.5.
    { labels: { resource_type: 'DNSZone' }, want: { count: 2, p50: 1.5, p90: 1.9, p99: 1.99, mean: 1.5 } },
    // All 42 together: p99 rank 41.58 → (1,2] holds 2 after 40: 1 + 1·1.58/2 = 1.79.
    { want: { count: 42, p50: 0.3 + 0.4 * (1 / 20), p90: 0.5 + 0.5 * (37.8 - 30) / 10, p99: 1.79, mean: 17 / 42 } },
  ];
  for (const c of cases) {
    const r = row(full.metrics, 'reconcile_duration', c.labels);
    assert.ok(r.method.startsWith(bucketEstimateMethod), 'labelled as a bucket estimate');
    for (const [k, v] of Object.entries(c.want)) {
      const got = r.values[k];
      assert.ok(typeof got === 'number' && v !== null && Math.abs(got - v) < 1e-9, `${JSON.stringify(c.labels)} ${k}: got ${got}, want ${v}`);
    }
  }
});

void test('counters give the increase over the window and a rate over the scrapes’ span', () => {
  const cases: { name: string; labels?: Record<string, string>; count: number; rate: number }[] = [
    { name: 'reconcile_total', count: 42, rate: 4.2 },
    { name: 'reconcile_total', labels: { resource_type: 'ARecord', status: 'success' }, count: 37, rate: 3.7 },
    { name: 'reconcile_total', labels: { resource_type: 'ARecord', status: 'error' }, count: 3, rate: 0.3 },
    { name: 'errors', labels: { resource_type: 'ARecord', error_type: 'bindcar' }, count: 3, rate: 0.3 },
    { name: 'rndc_operation_total', labels: { command: 'addzone', result: 'success' }, count: 2, rate: 0.2 },
    { name: 'retries', count: 0, rate: 0 },
  ];
  for (const c of cases) {
    const r = row(full.metrics, c.name, c.labels);
    assert.equal(r.values.count, c.count, `${c.name} count`);
    assert.ok(Math.abs((r.values.rate ?? NaN) - c.rate) < 1e-9, `${c.name} rate ${r.values.rate}`);
  }
});

void test('memory and CPU: peak and mean from every scrape, CPU as cores', () => {
  const mem = row(full.metrics, 'process_memory');
  assert.deepEqual(mem.values, { first: 50, last: 70, peak: 90, mean: 70 });
  const cpu = row(full.metrics, 'process_cpu');
  // 3 CPU s over 10 s = 0.3 cores; windows of 5 s: 1 s/5 s = 0.2, 2 s/5 s = 0.4.
  assert.ok(Math.abs((cpu.values.mean ?? NaN) - 0.3) < 1e-9);
  assert.ok(Math.abs((cpu.values.peak ?? NaN) - 0.4) < 1e-9);
  const series = Object.fromEntries(full.timeSeries.map((s) => [s.name, s]));
  assert.deepEqual(series.operator_memory_rss?.points.map((p) => p.value), [50e6, 90e6, 70e6]);
  assert.deepEqual(series.operator_cpu?.points.map((p) => Math.round(p.value * 1e9) / 1e9), [0.2, 0.4]);
  assert.equal(series.operator_cpu?.unit, 'cores');
  assert.deepEqual(series.bindcar_zones_managed?.points.map((p) => p.value), [1, 3]);
  // 429s are a rate of their own (a counter that first appears mid-run reads as 0 before).
  assert.deepEqual(series.bindcar_rate_limited_per_second?.points, [{ t: 5000, value: 2 }, { t: 10000, value: 2 }]);
  assert.deepEqual(row(full.metrics, 'managed_zones').values, { first: 1, last: 3, peak: 3 });
});

void test('sources not scraped, never-moved metrics and counter resets are reported as such', () => {
  const quiet = windowOf('op', [[0, opStart], [10000, opStart]], operatorTrackedValues);
  const reset = windowOf('op', [[0, opEnd], [10000, opStart]], operatorTrackedValues);
  const cases: { name: string; obs: ReturnType<typeof operatorObservation>; row: string; state: string; check?: (r: OperatorMetric) => void }[] = [
    { name: 'no operator scrape', obs: operatorObservation({ operator: null, rateWindowMs: 1000 }), row: 'reconcile_duration', state: 'missing', check: (r) => assert.match(r.method, /^not observed/) },
    { name: 'no sidecar scrape', obs: operatorObservation({ operator, rateWindowMs: 1000 }), row: 'rndc_operation_total', state: 'missing', check: (r) => assert.match(r.method, /not scraped/) },
    { name: 'nothing reconciled', obs: operatorObservation({ operator: quiet, rateWindowMs: 1000 }), row: 'reconcile_duration', state: 'never-updated', check: (r) => assert.equal(r.values.p99, null) },
    {
      name: 'requeues never exposed',
      obs: operatorObservation({ operator: quiet, rateWindowMs: 1000 }),
      row: 'retries',
      state: 'never-updated',
      check: (r) => assert.match(r.method, /not exposed at all/),
    },
    {
      name: 'operator restarted: later values are the increase',
      obs: operatorObservation({ operator: reset, rateWindowMs: 1000 }),
      row: 'reconcile_total',
      state: 'present',
      check: (r) => {
        assert.equal(r.values.count, 4);
        assert.match(r.method, /reset/);
      },
    },
  ];
  for (const c of cases) {
    const r = row(c.obs.metrics, c.row);
    assert.equal(r.state, c.state, c.name);
    c.check?.(r);
  }
});

void test('process figures fall back to a /proc source when the endpoint has none', () => {
  const bare = windowOf('op', [[0, 'bindy_firestoned_io_reconciliations_total{resource_type="A",status="success"} 1'], [2000, 'bindy_firestoned_io_reconciliations_total{resource_type="A",status="success"} 2']], operatorTrackedValues);
  const proc = windowOf('/proc/42', [[0, 'process_resident_memory_bytes 1000000\nprocess_cpu_seconds_total 1'], [2000, 'process_resident_memory_bytes 3000000\nprocess_cpu_seconds_total 2']], operatorTrackedValues);
  const without = operatorObservation({ operator: bare, rateWindowMs: 1000 });
  assert.equal(row(without.metrics, 'process_memory').state, 'missing');
  const withProc = operatorObservation({ operator: bare, process: proc, rateWindowMs: 1000 });
  const mem = row(withProc.metrics, 'process_memory');
  assert.equal(mem.values.peak, 3);
  assert.match(mem.method, /\/proc\/42/);
  assert.equal(row(withProc.metrics, 'process_cpu').values.mean, 0.5);
});
