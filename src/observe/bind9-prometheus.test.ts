/** @module Tests of BIND9's container memory and CPU from Prometheus (a scripted PrometheusClient: the HTTP client is tested in prometheus-query.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bind9FromPrometheus, bind9Queries } from './bind9-prometheus.js';
import type { InstantSample, PrometheusClient, RangeSeries } from './prometheus-query.js';

const mib = 1024 * 1024;
const win = { startSec: 1000, endSec: 1060, stepSec: 5 };

/** A client answering each expression from `range` and `instant`, recording what was asked. */
function scripted(range: (expr: string) => RangeSeries[], instant: (expr: string) => InstantSample[]): PrometheusClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    query: (expr) => {
      asked.push(expr);
      return Promise.resolve(instant(expr));
    },
    queryRange: (expr, start, end, step) => {
      asked.push(expr);
      assert.deepEqual([start, end, step], [win.startSec, win.endSec, win.stepSec], 'the run window');
      return Promise.resolve(range(expr));
    },
  };
}

void test('the queries select the bind9 containers of the run namespace, per pod', () => {
  const q = bind9Queries('bindy-loadtest', 600);
  assert.equal(q.memory, 'sum by (pod) (container_memory_working_set_bytes{namespace="bindy-loadtest",container="bind9"})');
  assert.equal(q.cpu(5), 'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="bindy-loadtest",container="bind9"}[60s]))');
  assert.equal(q.cpu(30), 'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="bindy-loadtest",container="bind9"}[120s]))');
  assert.equal(q.cpuSeconds, 'sum by (pod) (increase(container_cpu_usage_seconds_total{namespace="bindy-loadtest",container="bind9"}[600s]))');
});

void test('per pod: the working set (start, peak, end) and CPU series on the run clock, CPU seconds; a NaN point is left out', async () => {
  const client = scripted(
    (expr) =>
      expr.includes('working_set')
        ? [
            { metric: { pod: 'loadtest-secondary-0-x' }, values: [[1000, 40 * mib], [1005, 42 * mib], [1010, 41 * mib]] },
            { metric: { pod: 'loadtest-primary-0-y' }, values: [[1000, 50 * mib], [1005, NaN], [1010, 80 * mib], [1015, 70 * mib]] },
          ]
        : [{ metric: { pod: 'loadtest-primary-0-y' }, values: [[1005, 0.25], [1010, 0.5]] }],
    () => [{ metric: { pod: 'loadtest-primary-0-y' }, ts: 1060, value: 12.345 }],
  );
  const r = await bind9FromPrometheus(client, win, 'Prometheus at http://prom:9090', 'bindy-loadtest');
  assert.deepEqual(r.notes, []);
  const v = (n: string): number | undefined => r.counters[n]?.value;
  assert.deepEqual([v('bind9_working_set_start.loadtest-primary-0-y'), v('bind9_working_set_peak.loadtest-primary-0-y'), v('bind9_working_set_end.loadtest-primary-0-y')], [50, 80, 70]);
  assert.deepEqual([v('bind9_working_set_start.loadtest-secondary-0-x'), v('bind9_working_set_peak.loadtest-secondary-0-x'), v('bind9_working_set_end.loadtest-secondary-0-x')], [40, 42, 41]);
  assert.equal(v('bind9_cpu_seconds.loadtest-primary-0-y'), 12.35);
  assert.equal(v('bind9_cpu_seconds.loadtest-secondary-0-x'), undefined, 'no CPU answer for it: not invented');
  const mem = r.timeSeries.find((s) => s.name === 'bind9_memory_working_set.loadtest-primary-0-y');
  assert.deepEqual(mem?.points, [{ t: 0, value: 50 * mib }, { t: 10_000, value: 80 * mib }, { t: 15_000, value: 70 * mib }]);
  assert.deepEqual(r.timeSeries.find((s) => s.name === 'bind9_cpu.loadtest-primary-0-y')?.points, [{ t: 5000, value: 0.25 }, { t: 10_000, value: 0.5 }]);
  assert.deepEqual(r.timeSeries.map((s) => s.name), ['bind9_memory_working_set.loadtest-primary-0-y', 'bind9_cpu.loadtest-primary-0-y', 'bind9_memory_working_set.loadtest-secondary-0-x'], 'pods in name order');
  assert.equal(client.asked.length, 3);
});

void test('no cAdvisor series: a note naming the query, no figure', async () => {
  const r = await bind9FromPrometheus(scripted(() => [], () => []), win, 'Prometheus at http://prom:9090', 'ns-1');
  assert.deepEqual(r.counters, {});
  assert.deepEqual(r.timeSeries, []);
  assert.match(r.notes[0] ?? '', /^BIND9 memory and CPU: Prometheus at http:\/\/prom:9090 has no cAdvisor series of container bind9 in ns-1 for the run \(sum by \(pod\) \(container_memory_working_set_bytes\{namespace="ns-1",container="bind9"\}\)\)/);
});
