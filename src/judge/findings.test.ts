import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLatencyHistogram } from '../measure/index.js';
import { latencyResult } from '../report/result/index.js';
import type { FailureRecord, Finding, OperatorMetric, RunResult } from '../report/result/index.js';
import { gaussian, syntheticResult } from '../../test/helpers/synthetic-result.js';
import { deriveFindings } from './findings.js';
import type { FindingsReport } from './findings.js';

/** A result with `values` (µs) as its create_to_ready histogram. */
function withReadyLatencies(r: RunResult, values: readonly number[]): RunResult {
  const h = createLatencyHistogram();
  for (const v of values) h.record(v);
  r.latencies.create_to_ready = latencyResult(h, 'test values', { byKind: { ARecord: h } });
  return r;
}

/** n values: most at `fastUs`, `slowShare` of them at `slowUs`. */
function bimodal(n: number, fastUs: number, slowUs: number, slowShare: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < n * (1 - slowShare) ? fastUs + (i % 10) * 1000 : slowUs));
}

function metric(name: string, state: OperatorMetric['state'], extra: Partial<OperatorMetric> = {}): OperatorMetric {
  return { name, bindyName: null, state, method: 'increase between the first and last scrape', values: { count: 0 }, ...extra };
}

function failure(kind: string, phase: string, reason: string, conditionReason?: string): FailureRecord {
  return {
    kind,
    name: `${kind.toLowerCase()}-x`,
    namespace: 'ns',
    uid: null,
    phase,
    reason,
    message: 'm',
    lastCondition: conditionReason === undefined ? null : { type: 'Ready', status: 'False', reason: conditionReason },
  };
}

const amplification = (perObject: number): RunResult['apiAmplification'] => ({
  requests: [
    { verb: 'POST', resource: 'arecords.bindy.firestoned.io', count: 100 },
    { verb: 'PATCH', resource: 'arecords.bindy.firestoned.io/status', count: Math.round(perObject * 100) - 150 },
    { verb: 'LIST', resource: 'arecords.bindy.firestoned.io', count: 50 },
  ],
  objectsCreated: 100,
  requestsPerObject: perObject,
  method: 'test',
});

interface Case {
  name: string;
  result: () => RunResult;
  findings: string[];
  recommendations: string[];
  check?: (r: FindingsReport) => void;
}

function find(list: readonly Finding[], id: string): Finding {
  const f = list.find((x) => x.id === id);
  assert.ok(f, `${id} in ${list.map((x) => x.id).join(', ')}`);
  return f;
}

const cases: Case[] = [
  { name: 'an empty result says nothing', result: () => syntheticResult({ seed: 1 }), findings: [], recommendations: [] },
  {
    name: 'backlog growing linearly while creating: slope, create rate and fit cited',
    // 250 accepted at 50/s: a 5 s create phase, samples at 0..5 s growing 40/s, then draining.
    result: () => syntheticResult({ seed: 1, backlog: [0, 40, 80, 120, 160, 200, 150, 60, 0], counters: { create_rate: 50, creates_accepted: 250 } }),
    findings: ['backlog-grows-during-creates'],
    recommendations: [],
    check: (r) => {
      const f = find(r.findings, 'backlog-grows-during-creates');
      assert.equal(f.severity, 'high');
      assert.equal(f.evidence['backlog_growth_per_s'], 40);
      assert.equal(f.evidence['create_rate_per_s'], 50);
      assert.equal(f.evidence['absorbed_rate_per_s'], 10);
      assert.equal(f.evidence['fit_r2'], 1);
      assert.equal(f.evidence['fit_points'], 6);
      assert.match(f.text, /cannot keep up at this rate: the client-side backlog grew 40 objects\/s while creating at 50\/s/);
    },
  },
  {
    name: 'backlog growing at a fifth of the create rate is medium',
    result: () => syntheticResult({ seed: 1, backlog: [0, 10, 20, 30, 40, 50, 0], counters: { create_rate: 50, creates_accepted: 250 } }),
    findings: ['backlog-grows-during-creates'],
    recommendations: [],
    check: (r) => assert.equal(find(r.findings, 'backlog-grows-during-creates').severity, 'medium'),
  },
  {
    name: 'an operator that keeps up (flat, noisy backlog) is no finding',
    result: () => syntheticResult({ seed: 1, backlog: [0, 3, 2, 4, 3, 2, 0], counters: { create_rate: 50, creates_accepted: 300 } }),
    findings: [],
    recommendations: [],
  },
  {
    name: 'a backlog that rose and fell within the create phase is not linear growth',
    result: () => syntheticResult({ seed: 1, backlog: [0, 100, 200, 100, 0, 0, 0], counters: { create_rate: 50, creates_accepted: 300 } }),
    findings: [],
    recommendations: [],
  },
  {
    name: 'growth after the create phase (the drain window) is not counted',
    // 100 accepted at 50/s: a 2 s phase, 3 samples: too few for a line.
    result: () => syntheticResult({ seed: 1, backlog: [0, 40, 80, 120, 160], counters: { create_rate: 50, creates_accepted: 100 } }),
    findings: [],
    recommendations: [],
  },
  {
    name: 'API amplification above 10 per object cites the top request and the O(N²) zone reconcile',
    result: () => Object.assign(syntheticResult({ seed: 1 }), { apiAmplification: amplification(23.4) }),
    findings: ['api-amplification-high'],
    recommendations: [],
    check: (r) => {
      const f = find(r.findings, 'api-amplification-high');
      assert.equal(f.severity, 'medium');
      assert.equal(f.evidence['requests_per_object'], 23.4);
      assert.equal(f.evidence['top_request'], 'PATCH arecords.bindy.firestoned.io/status');
      assert.match(f.text, /O\(N²\)/);
    },
  },
  {
    name: 'API amplification above 30 per object is high',
    result: () => Object.assign(syntheticResult({ seed: 1 }), { apiAmplification: amplification(40) }),
    findings: ['api-amplification-high'],
    recommendations: [],
    check: (r) => assert.equal(find(r.findings, 'api-amplification-high').severity, 'high'),
  },
  { name: '7 requests per object is fine', result: () => Object.assign(syntheticResult({ seed: 1 }), { apiAmplification: amplification(7) }), findings: [], recommendations: [] },
  {
    name: 'p99 > 5 × p50 on create→Ready is a long tail',
    // 96 % near 100 ms, 4 % at 2 s: p50 ≈ 100 ms, p99 = 2 s.
    result: () => withReadyLatencies(syntheticResult({ seed: 1 }), bimodal(500, 100_000, 2_000_000, 0.04)),
    findings: ['long-tail-create-to-ready'],
    recommendations: [],
    check: (r) => {
      const f = find(r.findings, 'long-tail-create-to-ready');
      assert.equal(f.severity, 'medium');
      assert.equal(f.evidence['slowest_kind'], 'ARecord');
      assert.ok(Number(f.evidence['p99_over_p50']) > 5 && Number(f.evidence['p99_over_p50']) < 20, String(f.evidence['p99_over_p50']));
    },
  },
  {
    name: 'p99 > 20 × p50 is high',
    result: () => withReadyLatencies(syntheticResult({ seed: 1 }), bimodal(500, 100_000, 5_000_000, 0.04)),
    findings: ['long-tail-create-to-ready'],
    recommendations: [],
    check: (r) => assert.equal(find(r.findings, 'long-tail-create-to-ready').severity, 'high'),
  },
  { name: 'a tight distribution has no tail finding', result: () => syntheticResult({ seed: 1, latency: { n: 4000, medianUs: 200_000, sigma: 0.3 } }), findings: [], recommendations: [] },
  {
    name: 'too few values for a tail verdict',
    result: () => withReadyLatencies(syntheticResult({ seed: 1 }), bimodal(20, 100_000, 5_000_000, 0.1)),
    findings: [],
    recommendations: [],
  },
  {
    name: 'missing queue depth and never-incremented requeues become recommendations to bindy',
    result: () => {
      const r = syntheticResult({ seed: 1, backlog: [0, 5, 0] });
      r.operator = [
        metric('queue_depth', 'missing', { method: 'bindy exposes no work-queue depth metric', values: {} }),
        metric('retries', 'never-updated', { bindyName: 'bindy_firestoned_io_requeues_total' }),
        metric('reconcile_total', 'present', { values: { count: 266 } }),
        metric('errors', 'never-updated'),
        metric('managed_records', 'missing', { values: {} }),
      ];
      return r;
    },
    findings: [],
    recommendations: ['bindy-metric-queue-depth-missing', 'bindy-metric-managed-records-missing', 'bindy-metric-retries-never-updated'],
    check: (r) => {
      assert.equal(find(r.recommendations, 'bindy-metric-queue-depth-missing').evidence['client_side_backlog_peak'], 5);
      const retries = find(r.recommendations, 'bindy-metric-retries-never-updated');
      assert.equal(retries.evidence['reconciles'], 266);
      assert.match(retries.text, /requeues_total never moved although 266 reconciles ran/);
    },
  },
  {
    name: 'one idle label set, an unscraped source or no objects created is not a gap in bindy',
    result: () => {
      const r = syntheticResult({ seed: 1, counters: { creates_accepted: 0 } });
      r.operator = [
        metric('reconcile_duration', 'present', { labels: { resource_type: 'ARecord' } }),
        metric('reconcile_duration', 'never-updated', { labels: { resource_type: 'MXRecord' } }),
        metric('queue_depth', 'missing', { method: 'not observed: no operator metrics source' }),
        metric('reconcile_total', 'never-updated'),
      ];
      return r;
    },
    findings: [],
    recommendations: [],
  },
  {
    name: 'reconcile metrics that never moved while objects were created',
    result: () => {
      const r = syntheticResult({ seed: 1, counters: { creates_accepted: 100 } });
      r.operator = [metric('reconcile_total', 'never-updated'), metric('reconcile_duration', 'never-updated')];
      return r;
    },
    findings: [],
    recommendations: ['bindy-metric-reconcile-duration-never-updated', 'bindy-metric-reconcile-total-never-updated'],
    check: (r) => assert.ok(r.recommendations.every((f) => f.severity === 'high')),
  },
  {
    name: 'event-loop lag above 10 ms: the run understates the system',
    result: () => syntheticResult({ seed: 1, counters: { event_loop_lag_p99: 15_600, event_loop_lag_max: 51_000, late_starts_no_slot: 1 } }),
    findings: ['load-generator-saturated'],
    recommendations: ['rerun-with-generator-headroom'],
    check: (r) => {
      const f = find(r.findings, 'load-generator-saturated');
      assert.equal(f.evidence['event_loop_lag_p99_ms'], 15.6);
      assert.equal(f.evidence['late_starts_no_slot'], 1);
      assert.match(f.text, /event-loop delay p99 15\.6 ms > 10 ms.*understates the system/);
    },
  },
  { name: 'event-loop lag of 5 ms is fine', result: () => syntheticResult({ seed: 1, counters: { event_loop_lag_p99: 5_000 } }), findings: [], recommendations: [] },
  {
    name: 'a saturation note alone (as burst-measure writes it) is enough',
    result: () => {
      const r = syntheticResult({ seed: 1 });
      r.notes.push('load generator saturation: local dispatch overhead p99 12.0 ms > 10 ms: the generator, not the target, delayed sends');
      return r;
    },
    findings: ['load-generator-saturated'],
    recommendations: ['rerun-with-generator-headroom'],
    check: (r) => assert.match(find(r.findings, 'load-generator-saturated').text, /local dispatch overhead p99 12\.0 ms/),
  },
  {
    name: 'failures grouped by phase and reason, with kinds and the usual last condition',
    result: () => {
      const r = syntheticResult({ seed: 1, counters: { creates_started: 1000 } });
      r.failures = [
        failure('ARecord', 'create_to_ready', 'NotReadyByTimeout', 'ZoneNotFound'),
        failure('ARecord', 'create_to_ready', 'NotReadyByTimeout', 'ZoneNotFound'),
        failure('TXTRecord', 'create_to_ready', 'NotReadyByTimeout'),
        failure('MXRecord', 'create', 'Invalid'),
      ];
      return r;
    },
    findings: ['failures-create-invalid', 'failures-create-to-ready-not-ready-by-timeout'],
    recommendations: [],
    check: (r) => {
      const f = find(r.findings, 'failures-create-to-ready-not-ready-by-timeout');
      assert.equal(f.evidence['objects'], 3);
      assert.equal(f.evidence['kinds'], 'ARecord 2, TXTRecord 1');
      assert.equal(f.evidence['top_last_condition'], 'Ready=False/ZoneNotFound');
      assert.equal(f.severity, 'medium'); // 0.3 % of creates
    },
  },
  {
    name: 'failures at 1 % of creates or more are high',
    result: () => {
      const r = syntheticResult({ seed: 1, counters: { creates_started: 100 } });
      r.failures = [failure('ARecord', 'create_to_ready', 'NotReadyByTimeout')];
      return r;
    },
    findings: ['failures-create-to-ready-not-ready-by-timeout'],
    recommendations: [],
    check: (r) => assert.equal(r.findings[0]?.severity, 'high'),
  },
];

for (const c of cases) {
  test(`findings: ${c.name}`, () => {
    const report = deriveFindings(c.result());
    assert.deepEqual(report.findings.map((f) => f.id), c.findings);
    assert.deepEqual(report.recommendations.map((f) => f.id), c.recommendations);
    for (const f of [...report.findings, ...report.recommendations]) assert.ok(Object.keys(f.evidence).length > 0, `${f.id} cites evidence`);
    c.check?.(report);
  });
}

test('findings: sorted by severity, then id; the same result gives the same findings', () => {
  const build = (): RunResult => {
    const r = withReadyLatencies(syntheticResult({ seed: 1, counters: { event_loop_lag_p99: 20_000, creates_started: 1000 } }), bimodal(500, 100_000, 2_000_000, 0.04));
    r.apiAmplification = amplification(40);
    r.failures = [failure('ARecord', 'create', 'Invalid')];
    return r;
  };
  const a = deriveFindings(build());
  assert.deepEqual(a.findings.map((f) => `${f.severity} ${f.id}`), ['high api-amplification-high', 'medium failures-create-invalid', 'medium load-generator-saturated', 'medium long-tail-create-to-ready']);
  assert.deepEqual(deriveFindings(build()), a);
});

test('sustained: a backlog whose slope interval is above 0 and that grew past its bound is "cannot keep up"; otherwise it kept up', () => {
  const withBacklog = (slope: number, low: number, high: number, growth: number): RunResult => {
    const counters = { backlog_slope: slope, backlog_slope_low: low, backlog_slope_high: high, backlog_growth: growth, backlog_growth_bound: 20, offered_rate: 20, sustained_ops_rate: 14 };
    return syntheticResult({ seed: 1, scenario: 'sustained', counters });
  };
  const grew = deriveFindings(withBacklog(120, 100, 140, 240)).findings.find((f) => f.id === 'backlog-growing');
  assert.ok(grew !== undefined && grew.severity === 'high', 'growing backlog found');
  assert.match(grew.text, /cannot keep up at 20 operations\/s/);
  assert.match(grew.text, /absorbed about 14 operations\/s/);
  // Inside the bound, or an interval that reaches 0: kept up.
  for (const r of [withBacklog(3, 1, 5, 6), withBacklog(30, -2, 62, 60)]) {
    const ids = deriveFindings(r).findings.map((f) => f.id);
    assert.ok(ids.includes('backlog-stable') && !ids.includes('backlog-growing'), ids.join(','));
  }
});

test('findings drawn from the sandbox speak of "the operator (sandbox twin)", never of bindy; on a cluster they name bindy', () => {
  const build = (kind: 'sandbox' | 'cluster'): RunResult => {
    const r = withReadyLatencies(syntheticResult({ seed: 1, backlog: [0, 5, 0], counters: { event_loop_lag_p99: 20_000, creates_started: 1000, creates_accepted: 100 } }), bimodal(500, 100_000, 2_000_000, 0.04));
    r.metadata.target.kind = kind;
    r.apiAmplification = amplification(40);
    r.operator = [
      metric('queue_depth', 'missing', { values: {} }),
      metric('retries', 'never-updated', { bindyName: 'bindy_firestoned_io_requeues_total' }),
      metric('managed_records', 'missing', { values: {} }),
      metric('reconcile_total', 'never-updated'),
      metric('reconcile_duration', 'never-updated'),
    ];
    return r;
  };
  // "bindy" as a word, not inside a metric or resource name (bindy_firestoned_io_…, arecords.bindy.firestoned.io).
  const bindyWord = /(?<![\w.])bindy(?![\w-]|\.\w)/;
  const sandbox = deriveFindings(build('sandbox'));
  const all = [...sandbox.findings, ...sandbox.recommendations];
  assert.ok(all.length >= 7, all.map((f) => f.id).join(', '));
  for (const f of all) assert.doesNotMatch(f.text, bindyWord, `${f.id}: ${f.text}`);
  assert.ok(all.filter((f) => /the operator \(sandbox twin\)/i.test(f.text)).length >= 6, 'the twin is named');
  const cluster = deriveFindings(build('cluster'));
  const named = [...cluster.findings, ...cluster.recommendations].filter((f) => bindyWord.test(f.text)).map((f) => f.id);
  for (const id of ['api-amplification-high', 'long-tail-create-to-ready', 'load-generator-saturated', 'bindy-metric-queue-depth-missing', 'bindy-metric-reconcile-total-never-updated']) {
    assert.ok(named.includes(id), `${id} names bindy on a cluster`);
  }
});

/** A rate series of one point per second: `values[i]` over (i s, i+1 s]. */
function perSecond(name: string, values: readonly number[]): RunResult['timeSeries'][number] {
  return { name, unit: '1/s', description: `synthetic ${name}`, points: values.map((value, i) => ({ t: (i + 1) * 1000, value })) };
}

test('a long stall of the Ready rate while objects wait names what was seen then: bindcar 429s, operator errors', () => {
  // 40 s: Ready at 10/s for 10 s, nothing for 20 s (backlog 50 throughout), then 10/s again.
  const ready = [...Array<number>(10).fill(10), ...Array<number>(20).fill(0), ...Array<number>(10).fill(10)];
  const build = (extra: RunResult['timeSeries']): RunResult => {
    const r = syntheticResult({ seed: 1, backlog: [0, ...Array<number>(39).fill(50), 0] });
    r.timeSeries.push(perSecond('ready_per_second', ready), ...extra);
    return r;
  };
  // bindcar refused 4 requests a second, and the operator erred once a second, during the stall only.
  const during = (v: number): number[] => ready.map((x) => (x === 0 ? v : 0));
  const seen = deriveFindings(build([perSecond('bindcar_rate_limited_per_second', during(4)), perSecond('operator_errors_per_second', during(1)), perSecond('operator_reconciles_per_second', during(1))]));
  const stall = find(seen.findings, 'ready-rate-stall');
  assert.equal(stall.severity, 'medium');
  assert.equal(
    stall.text,
    'No object became Ready for 20 s (from 10 s to 30 s of the run) while 50 objects waited (client-side backlog). At that time bindcar\'s rate limiter answered about 80 requests ' +
      'with 429 Too Many Requests, and the operator (sandbox twin) counted about 20 reconcile errors. The operator (sandbox twin) ran about 20 reconciles in that time.',
  );
  assert.deepEqual([stall.evidence['bindcar_429s'], stall.evidence['operator_errors'], stall.evidence['stall_s']], [80, 20, 20]);
  // Nothing observed: said so, and what was not observed is named.
  const quiet = find(deriveFindings(build([perSecond('operator_errors_per_second', during(0))])).findings, 'ready-rate-stall');
  assert.match(quiet.text, /Nothing the tool observed explains it: bindcar's 429s were not observed \(its metrics were not scraped\); the operator \(sandbox twin\) counted no errors\.$/);
});

test('no stall finding for a short gap, or for a flat Ready rate with nothing waiting', () => {
  const short = syntheticResult({ seed: 1, backlog: Array<number>(20).fill(5) });
  short.timeSeries.push(perSecond('ready_per_second', [5, 5, ...Array<number>(9).fill(0), 5, 5]));
  assert.ok(!deriveFindings(short).findings.some((f) => f.id === 'ready-rate-stall'), '9 s is not a stall');
  const idle = syntheticResult({ seed: 1, backlog: [5, 0, ...Array<number>(30).fill(0)] });
  idle.timeSeries.push(perSecond('ready_per_second', [5, ...Array<number>(30).fill(0)]));
  assert.ok(!deriveFindings(idle).findings.some((f) => f.id === 'ready-rate-stall'), 'nothing waited');
});

/** A result whose operator RSS follows `bytesAt` (1 s samples over `minutes`), with `effective` as its configuration. */
function withRss(minutes: number, bytesAt: (tMs: number, noise: number) => number, effective: RunResult['config']['effective']): RunResult {
  const r = syntheticResult({ seed: 7, rss: { durationMs: minutes * 60_000, intervalMs: 1000, bytesAt: (t, rng) => bytesAt(t, gaussian(rng)) } });
  r.config.effective = effective;
  const last = r.timeSeries.find((s) => s.name === 'operator_memory_rss')?.points.at(-1)?.value ?? 0;
  r.operator.push(metric('process_memory', 'present', { unit: 'MB', values: { last: last / 1e6 } }));
  return r;
}

const MiB = 2 ** 20;
const perHour = (mibPerHour: number): number => (mibPerHour * MiB) / 3_600_000;
const criteria = { maxMemoryGrowthMBPerHour: 100, maxMemoryMB: 512 };
const lowered = { judge: { memoryGrowthMinimum: { duration: 60_000, samples: 30 } }, criteria };

test('a leak of 30 MiB/min over a 2 min phase, with the minimum lowered: the finding fires, its interval holds 1800 MiB/h', () => {
  const r = withRss(2, (t, z) => 80e6 + perHour(1800) * t + 1e6 * z, lowered);
  const f = find(deriveFindings(r).findings, 'operator-memory-growing');
  assert.equal(f.severity, 'high', 'above 5 × 100 MiB/h');
  const [slope, low, high] = ['slope_mib_per_h', 'interval_low', 'interval_high'].map((k) => Number(f.evidence[k])) as [number, number, number];
  assert.ok(low <= 1800 && 1800 <= high, `${low}..${high}`);
  assert.ok(Math.abs(slope - 1800) < 100, String(slope));
  assert.match(f.text, /^The operator \(sandbox twin\)'s memory grew \d+ MiB\/h over the steady phase \(95 % interval \d+ to \d+ MiB\/h\), above 100 MiB\/h \(on the sandbox reported, not judged/);
  assert.match(f.text, /it would reach 512 MiB in about [\d.]+ h/);
  assert.match(String(f.evidence['method']), /minimum steady phase lowered to 1\.0 min/);
  // The same series with the default minimum (10 min): no figure, so no finding, rather than a guess.
  assert.ok(!deriveFindings(withRss(2, (t, z) => 80e6 + perHour(1800) * t + 1e6 * z, { criteria })).findings.some((x) => x.id === 'operator-memory-growing'));
});

test('no leak finding on a flat series with GC noise, or on growth whose interval does not clear the limit', () => {
  // 20 min flat at 90 MB, a 10 MB GC sawtooth every 30 s plus noise.
  const flat = withRss(20, (t, z) => 90e6 + 10e6 * ((t % 30_000) / 30_000) + 1e6 * z, { criteria });
  assert.ok(!deriveFindings(flat).findings.some((x) => x.id === 'operator-memory-growing'));
  // 50 MiB/h is under the default 100 MiB/h; the standard profile's 20 MiB/h makes it a (medium) finding.
  const slow = (limit: number): RunResult => withRss(20, (t, z) => 90e6 + perHour(50) * t + 1e6 * z, { criteria: { ...criteria, maxMemoryGrowthMBPerHour: limit } });
  assert.ok(!deriveFindings(slow(100)).findings.some((x) => x.id === 'operator-memory-growing'));
  assert.equal(find(deriveFindings(slow(20)).findings, 'operator-memory-growing').severity, 'medium');
});
