import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { CriteriaConfig, ValueOrigin } from '../config/index.js';
import { judge } from './judge.js';
import type { Verdict } from './judge.js';
import { readFigure } from './figures.js';
import { syntheticResult } from '../../test/helpers/synthetic-result.js';
import { gaussian } from '../../test/helpers/synthetic-result.js';

const origins = new Map<string, ValueOrigin>([
  ['criteria.reconcileP99', { kind: 'flag', flag: '--reconcile-p99' }],
  ['criteria.maxErrorRate', { kind: 'profile', profile: 'quick' }],
]);

function byKey(vs: Verdict[], key: string): Verdict {
  const v = vs.find((x) => x.criterion === key);
  assert.ok(v, key);
  return v;
}

const burstCounters = { creates_started: 1000, creates_rejected: 3, create_errors: 1, creates_abandoned: 0, objects_not_ready: 6 };

test('every verdict state, with observed value, limit, comparison and method', () => {
  const r = syntheticResult({ seed: 1, reconcileP99S: 0.48, memoryPeakMB: 600, cpuPeak: 0.2, counters: burstCounters, backlog: [0, 40, 220, 130, 0] });
  const vs = judge(r, defaultConfig.criteria, origins);
  // pass: reconcile p99 0.48 s = 480 ms <= 10 000 ms
  const rec = byKey(vs, 'reconcileP99');
  assert.equal(rec.verdict, 'pass');
  assert.equal(rec.observed, 480);
  assert.equal(rec.limit, 10_000);
  assert.equal(rec.comparison, '<=');
  assert.match(rec.method, /bucket estimate/);
  assert.equal(rec.origin, 'flag --reconcile-p99');
  assert.equal(rec.explicit, true);
  // fail: 600 MB = 572.2 MiB > 512 MiB
  const mem = byKey(vs, 'maxMemoryMB');
  assert.equal(mem.verdict, 'fail');
  assert.ok(Math.abs((mem.observed ?? 0) - (600e6 / 2 ** 20)) < 1e-9);
  assert.match(mem.reason, /not <= 512 MiB/);
  // error rate: (3 + 1 + 0 + 6) / 1000 = 1 % <= 1 %
  const err = byKey(vs, 'maxErrorRate');
  assert.equal(err.observed, 0.01);
  assert.equal(err.verdict, 'pass');
  // queue depth is the client-side backlog, labelled so
  const q = byKey(vs, 'maxQueueDepth');
  assert.equal(q.observed, 220);
  assert.match(q.method, /client-side backlog/);
  // not measured: never a pass, with the reason
  for (const key of ['createToReadyP99', 'updateToReadyP99', 'deleteToGoneP99', 'e2ePropagationP99', 'dnsQueryP99', 'minSustainedOpsPerSec', 'maxRetryRate', 'maxMemoryGrowthMBPerHour']) {
    const v = byKey(vs, key);
    assert.equal(v.verdict, 'not-measured', key);
    assert.equal(v.observed, null);
    assert.ok(v.reason.length > 10, key);
  }
  assert.match(byKey(vs, 'minSustainedOpsPerSec').reason, /create_rate .*not a sustained rate/);
  assert.equal(r.criteria.length, vs.length, 'result.criteria is filled');
});

test('a metric missing from the result is not-measured with its reason', () => {
  const vs = judge(syntheticResult({ seed: 2 }), defaultConfig.criteria, origins);
  for (const v of vs) assert.equal(v.verdict, 'not-measured', v.criterion);
  assert.match(byKey(vs, 'reconcileP99').reason, /no operator 'reconcile_duration'/);
  assert.match(byKey(vs, 'maxErrorRate').reason, /no attempted operations/);
});

test('a reconcile estimate at the last finite bucket is a lower bound: it fails a lower limit, never passes a higher one', () => {
  const r = syntheticResult({ seed: 3, reconcileP99S: 60 });
  const hi: CriteriaConfig = { ...defaultConfig.criteria, reconcileP99: 120_000 };
  assert.equal(byKey(judge(r, hi, origins), 'reconcileP99').verdict, 'not-measured');
  assert.equal(byKey(judge(r, defaultConfig.criteria, origins), 'reconcileP99').verdict, 'fail');
});

test("resperf's maximum throughput against minDnsThroughputQps: a lower bound (resperf's own limit, or the ramp's top) can pass, never fail", () => {
  const at = (qps: number, lowerBound: 0 | 1, endedEarly: 0 | 1 = lowerBound): Verdict => {
    const r = syntheticResult({ seed: 6, counters: { resperf_max_throughput: qps, resperf_max_is_lower_bound: lowerBound, resperf_ended_early: endedEarly } });
    return byKey(judge(r, { ...defaultConfig.criteria, minDnsThroughputQps: 1000 }, origins), 'minDnsThroughputQps');
  };
  assert.equal(at(1500, 0).verdict, 'pass');
  assert.equal(at(800, 0).verdict, 'fail', "the loss limit crossed below the floor: the server's own limit");
  assert.equal(at(1500, 1).verdict, 'pass', 'at least 1500/s');
  const early = at(800, 1);
  assert.equal(early.verdict, 'not-measured');
  assert.match(early.reason, /^800 1\/s is only a lower bound \(resperf's own limit ended the ramp\), so it cannot show the value >= 1000 1\/s$/);
  assert.match(at(800, 1, 0).reason, /\(the server kept up to the top of the ramp\)/);
  assert.match(byKey(judge(syntheticResult({ seed: 6 }), defaultConfig.criteria, origins), 'minDnsThroughputQps').reason, /bind-resperf scenario measures it/);
});

// A synthetic RSS series with a known slope plus noise: 200 MB + 30 MiB/h, ±3 MB noise, 20 min at 5 s.
test('memory growth: the slope of a known series is recovered, with a CI containing it, and judged', () => {
  const slopeMiBPerH = 30;
  const bytesPerMs = (slopeMiBPerH * 2 ** 20) / 3_600_000;
  const r = syntheticResult({ seed: 4, rss: { durationMs: 20 * 60_000, intervalMs: 5000, bytesAt: (t, rng) => 200e6 + bytesPerMs * t + 3e6 * gaussian(rng) } });
  const f = readFigure(r, 'memory_growth', { steadyFromMs: 0 });
  assert.ok(f.value !== null && f.interval !== undefined);
  assert.ok(f.interval.low <= slopeMiBPerH && slopeMiBPerH <= f.interval.high, `${f.interval.low}..${f.interval.high}`);
  assert.ok(Math.abs(f.value - slopeMiBPerH) < 10, `slope ${f.value}`);
  const tight: CriteriaConfig = { ...defaultConfig.criteria, maxMemoryGrowthMBPerHour: 20 };
  const v = byKey(judge(r, tight, origins), 'maxMemoryGrowthMBPerHour');
  assert.equal(v.verdict, 'fail');
  assert.match(v.reason, /95 % CI/);
  assert.equal(byKey(judge(r, defaultConfig.criteria, origins), 'maxMemoryGrowthMBPerHour').verdict, 'pass');
});

test('memory growth on a steady phase shorter than the minimum is not measured, naming the minimum', () => {
  const r = syntheticResult({ seed: 5, rss: { durationMs: 5 * 60_000, intervalMs: 5000, bytesAt: () => 1e8 } });
  const f = readFigure(r, 'memory_growth');
  assert.equal(f.value, null);
  assert.match(f.reason ?? '', /at least 10 min and 10 samples/);
});

test('create→Ready p99 is judged from the create_to_ready histogram, in ms', () => {
  // log-normal with median 200 ms, sigma 0.3: p99 ≈ 200 · e^(2.326·0.3) ≈ 402 ms
  const r = syntheticResult({ seed: 3, latency: { n: 5000, medianUs: 200_000 }, counters: burstCounters });
  const c2r = byKey(judge(r, { ...defaultConfig.criteria, createToReadyP99: 300 }, origins), 'createToReadyP99');
  assert.equal(c2r.metric, 'create_to_ready.p99');
  assert.equal(c2r.verdict, 'fail');
  assert.ok(c2r.observed !== null && c2r.observed > 350 && c2r.observed < 460, String(c2r.observed));
  assert.match(c2r.reason, /ms not <= 300 ms/);
  assert.equal(byKey(judge(r, defaultConfig.criteria, origins), 'createToReadyP99').verdict, 'pass', 'under the 30 s default');
  // update→Ready and delete→gone are another scenario's latencies: not measured, saying which.
  assert.match(byKey(judge(r, defaultConfig.criteria, origins), 'updateToReadyP99').reason, /no 'update_to_ready' latency: the sustained scenario/);
});

test('a run that stopped early is not judged: every criterion not-measured with the reason', () => {
  const r = syntheticResult({ seed: 4, latency: { n: 100, medianUs: 200_000 }, counters: { creates_started: 1000, objects_not_ready: 997 } });
  const vs = judge(r, defaultConfig.criteria, origins, { notJudged: 'interrupted by SIGINT' });
  assert.equal(vs.length, Object.keys(defaultConfig.criteria).length);
  for (const v of vs) {
    assert.equal(v.verdict, 'not-measured', v.criterion);
    assert.equal(v.observed, null);
    assert.equal(v.reason, 'not judged: interrupted by SIGINT (a partial result)');
  }
});
