/** @module Tests of the Prometheus client and the operator figures asked of it, against a tiny fake Prometheus. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { operatorFromPrometheus, operatorQueries, prometheusClient, promDuration } from './prometheus-query.js';

/** A fake Prometheus answering each query from `answer(path, params)`; records every request. */
async function fakePrometheus(answer: (path: string, q: URLSearchParams) => { status?: number; body: unknown }) {
  const seen: { path: string; q: URLSearchParams }[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: u.pathname, q: u.searchParams });
    const a = answer(u.pathname, u.searchParams);
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
const vector = (rows: [Record<string, string>, string][]) => ({ status: 'success', data: { resultType: 'vector', result: rows.map(([metric, v]) => ({ metric, value: [1000, v] })) } });
const matrix = (values: [number, string][]) => ({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } });

void test('PromQL: windows in whole seconds, the bucket-quantile query by resource_type', () => {
  const cases: { secs: number; want: string }[] = [
    { secs: 0.2, want: '1s' },
    { secs: 59.1, want: '60s' },
    { secs: 300, want: '300s' },
  ];
  for (const c of cases) assert.equal(promDuration(c.secs), c.want);
  assert.equal(
    operatorQueries(120).quantile(0.99),
    'histogram_quantile(0.99, sum by (le, resource_type) (rate(bindy_firestoned_io_reconciliation_duration_seconds_bucket[120s])))',
  );
});

void test('query and query_range send the window and parse vectors and matrices; a Prometheus error is surfaced', async () => {
  const fp = await fakePrometheus((path, q) => {
    if (q.get('query') === 'bad(') return { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'parse error' } };
    return path === '/api/v1/query' ? { body: vector([[{ a: 'b' }, '1.5'], [{}, 'NaN']]) } : { body: matrix([[1000, '1'], [1005, '2']]) };
  });
  try {
    const c = prometheusClient(`${fp.url}/`);
    const v = await c.query('up', 1234.5);
    assert.deepEqual(v[0], { metric: { a: 'b' }, ts: 1000, value: 1.5 });
    assert.ok(Number.isNaN(v[1]?.value));
    assert.equal(fp.seen[0]?.q.get('time'), '1234.5');
    const m = await c.queryRange('up', 1000, 1005, 5);
    assert.deepEqual(m[0]?.values, [[1000, 1], [1005, 2]]);
    assert.deepEqual(['start', 'end', 'step'].map((k) => fp.seen[1]?.q.get(k)), ['1000', '1005', '5']);
    await assert.rejects(c.query('bad(', 1), /parse error/);
  } finally {
    await fp.close();
  }
});

void test('operatorFromPrometheus: per-resource_type percentiles, counts, rates and series on the run’s time axis', async () => {
  const fp = await fakePrometheus((path, q) => {
    const expr = q.get('query') ?? '';
    if (path === '/api/v1/query_range') return { body: matrix(expr.includes('rate(') ? [[1010, '0.25']] : [[1000, '5e7'], [1010, '6e7']]) };
    if (expr.startsWith('histogram_quantile(0.99')) return { body: vector([[{ resource_type: 'ARecord' }, '0.98'], [{ resource_type: 'DNSZone' }, 'NaN']]) };
    if (expr.startsWith('histogram_quantile')) return { body: vector([[{ resource_type: 'ARecord' }, '0.3']]) };
    if (expr.includes('_count[')) return { body: vector([[{ resource_type: 'ARecord' }, '40'], [{ resource_type: 'DNSZone' }, '0']]) };
    if (expr.includes('reconciliations_total')) return { body: vector([[{ resource_type: 'ARecord', status: 'success' }, '40']]) };
    return { body: vector([]) };
  });
  try {
    const r = await operatorFromPrometheus(prometheusClient(fp.url), { startSec: 1000, endSec: 1020, stepSec: 5 }, 'prom');
    const rows = Object.fromEntries(r.metrics.map((m) => [`${m.name}/${m.labels?.resource_type ?? ''}`, m]));
    assert.deepEqual(rows['reconcile_duration/ARecord']?.values, { count: 40, p50: 0.3, p90: 0.3, p99: 0.98 });
    assert.equal(rows['reconcile_duration/DNSZone']?.state, 'never-updated');
    assert.equal(rows['reconcile_duration/DNSZone']?.values.p99, null);
    assert.deepEqual(rows['reconcile_total/']?.values, { count: 40, rate: 2 });
    assert.equal(rows['errors/']?.state, 'never-updated');
    assert.deepEqual(r.timeSeries.map((s) => [s.name, s.points]), [
      ['operator_memory_rss', [{ t: 0, value: 5e7 }, { t: 10000, value: 6e7 }]],
      ['operator_cpu', [{ t: 10000, value: 0.25 }]],
    ]);
    assert.ok(fp.seen.filter((s) => s.path === '/api/v1/query').every((s) => s.q.get('time') === '1020'), 'instant queries at the run end');
    assert.ok(fp.seen.some((s) => (s.q.get('query') ?? '').includes('[20s]')), 'the window is the run');
  } finally {
    await fp.close();
  }
});
