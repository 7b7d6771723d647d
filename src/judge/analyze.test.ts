import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './analyze.js';
import type { Analysis, ComparisonRow } from './analyze.js';
import { analysisMarkdown } from './analysis-markdown.js';
import { buildBaseline } from './baseline.js';
import { syntheticResult } from '../../test/helpers/synthetic-result.js';
import type { SyntheticOptions } from '../../test/helpers/synthetic-result.js';

/** A baseline of `seeds.length` runs drawn from one distribution. */
function baselineOf(seeds: number[], opts: (seed: number) => Omit<SyntheticOptions, 'seed'>) {
  return buildBaseline(seeds.map((seed) => ({ source: `b${seed}.json`, result: syntheticResult({ seed, ...opts(seed) }) })));
}

function row(a: Analysis, metric: string): ComparisonRow {
  const r = a.rows.find((x) => x.metric === metric);
  assert.ok(r, metric);
  return r;
}

const latency = (n: number, medianUs: number) => ({ latency: { n, medianUs, sigma: 0.3 } });

test('two samples of one distribution (other seeds) are never a regression', () => {
  const b = baselineOf([1, 2, 3], () => latency(5000, 200_000));
  for (const seed of [10, 11, 12, 13]) {
    const a = analyze(b, syntheticResult({ seed, ...latency(5000, 200_000) }), { threshold: 0.1 });
    assert.equal(a.regressions, 0, `seed ${seed}`);
    for (const p of ['p50', 'p90', 'p99']) assert.equal(row(a, `create_to_ready ${p}`).verdict, 'same');
  }
});

test('a 20 % slower distribution with enough samples is a regression with a small p-value', () => {
  const b = baselineOf([1, 2, 3], () => latency(5000, 200_000));
  const a = analyze(b, syntheticResult({ seed: 20, ...latency(5000, 240_000) }), { threshold: 0.1 });
  const p50 = row(a, 'create_to_ready p50');
  assert.equal(p50.verdict, 'regression');
  assert.ok(p50.change !== null && p50.change > 0.15 && p50.change < 0.25, `change ${p50.change}`);
  // Both tests must agree: the p-value is the larger of Mann–Whitney's and the 3 runs' prediction t
  // (with df = 2 the run-level evidence, not the 15,000 objects, bounds it).
  assert.ok(p50.pValue !== null && p50.pValue < 0.01, `p ${p50.pValue}`);
  assert.match(p50.test, /Mann–Whitney U .* and prediction-interval t \(n=3, df=2\)/);
  assert.ok(a.regressions >= 1);
});

test('a 20 % change on a tiny sample is not significant and so not a regression', () => {
  const b = baselineOf([1], () => latency(6, 200_000));
  const a = analyze(b, syntheticResult({ seed: 30, ...latency(6, 240_000) }), { threshold: 0.1 });
  const rows = ['p50', 'p90', 'p99'].map((p) => row(a, `create_to_ready ${p}`));
  for (const r of rows) {
    assert.notEqual(r.verdict, 'regression');
    assert.ok(r.pValue !== null && r.pValue > 0.01, `p ${r.pValue}`);
  }
  assert.equal(a.regressions, 0);
});

const thresholds = [
  { threshold: 0.1, expect: 'regression' },
  { threshold: 0.3, expect: 'same' },
];
for (const t of thresholds) {
  test(`the threshold is respected: 20 % slower at threshold ${t.threshold * 100} % → ${t.expect}`, () => {
    const b = baselineOf([1, 2, 3], () => latency(5000, 200_000));
    const a = analyze(b, syntheticResult({ seed: 40, ...latency(5000, 240_000) }), { threshold: t.threshold });
    assert.equal(row(a, 'create_to_ready p50').verdict, t.expect);
  });
}

test('direction-aware: faster latency is better, never a regression', () => {
  const b = baselineOf([1, 2, 3], () => latency(5000, 200_000));
  const a = analyze(b, syntheticResult({ seed: 50, ...latency(5000, 160_000) }), { threshold: 0.1 });
  const p50 = row(a, 'create_to_ready p50');
  assert.equal(p50.verdict, 'better');
  assert.equal(p50.significant, true);
  assert.equal(a.regressions, 0);
});

const scalarCases = [
  { name: 'a rate 30 % lower is a regression', current: { create_rate: 70 }, metric: 'create_rate', expect: 'regression' },
  { name: 'a rate 30 % higher is better', current: { create_rate: 130 }, metric: 'create_rate', expect: 'better' },
  { name: 'a rate within run-to-run noise is the same', current: { create_rate: 97 }, metric: 'create_rate', expect: 'same' },
];
for (const c of scalarCases) {
  test(`per-run figures, direction-aware: ${c.name}`, () => {
    const b = baselineOf([1, 2, 3, 4], (s) => ({ counters: { create_rate: [100, 104, 96, 101][s - 1] ?? 100 } }));
    const a = analyze(b, syntheticResult({ seed: 60, counters: c.current }), { threshold: 0.1 });
    assert.equal(row(a, c.metric).verdict, c.expect);
  });
}

test('memory higher beyond the spread is a regression; noisy baseline runs shield a similar value', () => {
  // On a cluster: on the sandbox the memory is the operator twin's, never a regression of bindy (test below).
  const onCluster = (r: ReturnType<typeof syntheticResult>) => Object.assign(r, { metadata: { ...r.metadata, target: { kind: 'cluster' as const, description: 'c' } } });
  const b = baselineOf([1, 2, 3, 4], (s) => ({ memoryPeakMB: [100, 103, 98, 101][s - 1] ?? 100 }));
  assert.equal(row(analyze(b, onCluster(syntheticResult({ seed: 70, memoryPeakMB: 140 })), { threshold: 0.1 }), 'memory_peak').verdict, 'regression');
  const noisy = baselineOf([1, 2, 3], (s) => ({ memoryPeakMB: [100, 150, 80][s - 1] ?? 100 }));
  assert.equal(row(analyze(noisy, onCluster(syntheticResult({ seed: 71, memoryPeakMB: 140 })), { threshold: 0.1 }), 'memory_peak').verdict, 'worse');
});

test('one baseline run: a scalar change is reported but cannot be a regression', () => {
  const b = baselineOf([1], () => ({ counters: { create_rate: 100 } }));
  const r = row(analyze(b, syntheticResult({ seed: 80, counters: { create_rate: 50 } }), { threshold: 0.1 }), 'create_rate');
  assert.equal(r.verdict, 'worse');
  assert.equal(r.pValue, null);
  assert.match(r.note ?? '', /no run-to-run spread/);
});

test('error rates use the pooled counts', () => {
  const b = baselineOf([1, 2], () => ({ counters: { creates_started: 5000, creates_rejected: 10 } }));
  const a = analyze(b, syntheticResult({ seed: 90, counters: { creates_started: 5000, creates_rejected: 60 } }), { threshold: 0.1 });
  const r = row(a, 'error_rate');
  assert.equal(r.baseline, 20 / 10_000);
  assert.equal(r.verdict, 'regression');
  assert.match(r.test, /two-proportion/);
});

test('markdown: a table with metric, baseline, current, change, verdict, test and p-value', () => {
  const b = baselineOf([1, 2, 3], () => latency(5000, 200_000));
  const md = analysisMarkdown(analyze(b, syntheticResult({ seed: 20, ...latency(5000, 240_000) }), { threshold: 0.1 }));
  assert.match(md, /\| metric \| baseline \| current \| change \| verdict \| test \| p-value \|/);
  assert.match(md, /\| create_to_ready p50 \| [\d.]+ ms \| [\d.]+ ms \| \+\d+\.\d % \| \*\*REGRESSION\*\* \| Mann–Whitney U/);
  assert.match(md, /threshold 10\.0 %/);
});

test('rows that do not measure bindy are at most worse: generator timings always, the twins on the sandbox', async () => {
  const { createLatencyHistogram } = await import('../measure/index.js');
  const { latencyResult } = await import('../report/result/index.js');
  const withApi = (seed: number, medianUs: number, kind: 'sandbox' | 'cluster') => {
    const r = syntheticResult({ seed, ...latency(2000, 200_000), memoryPeakMB: seed < 10 ? 100 + seed : 300 });
    r.metadata.target = { kind, description: 'd' };
    for (const name of ['api_create', 'schedule_slip', 'resolvable_uncertainty']) {
      const h = createLatencyHistogram();
      for (let i = 0; i < 2000; i++) h.record(medianUs * (1 + (i % 50) / 100));
      r.latencies[name] = latencyResult(h, 'test');
    }
    return r;
  };
  const cases = [
    { kind: 'sandbox' as const, api: 'worse', slip: 'worse', memory: 'worse' },
    { kind: 'cluster' as const, api: 'regression', slip: 'worse', memory: 'regression' },
  ];
  for (const c of cases) {
    const b = buildBaseline([1, 2, 3].map((seed) => ({ source: `b${seed}.json`, result: withApi(seed, 5_000, c.kind) })));
    const a = analyze(b, withApi(20, 10_000, c.kind), { threshold: 0.1 });
    assert.equal(row(a, 'api_create p50').verdict, c.api, `${c.kind} api_create`);
    assert.equal(row(a, 'schedule_slip p50').verdict, c.slip, `${c.kind} schedule_slip`);
    assert.equal(row(a, 'resolvable_uncertainty p50').verdict, 'worse', `${c.kind} resolvable_uncertainty: the prober's own resolution`);
    assert.equal(row(a, 'memory_peak').verdict, c.memory, `${c.kind} memory_peak`);
    if (c.api === 'worse') assert.match(row(a, 'api_create p50').note ?? '', /API server twin/);
    assert.equal(row(a, 'create_to_ready p50').verdict, 'same');
    assert.equal(a.regressions, c.kind === 'sandbox' ? 0 : 4);
  }
});

test('with 3+ baseline runs a shift inside their run-to-run spread is not a regression; one far outside is', () => {
  // Three runs whose medians differ by ±6 %: run-to-run noise that per-object Mann–Whitney cannot see.
  const medians: Record<number, number> = { 1: 200_000, 2: 212_000, 3: 190_000 };
  const b = baselineOf([1, 2, 3], (seed) => latency(5000, medians[seed] ?? 200_000));
  const near = row(analyze(b, syntheticResult({ seed: 50, ...latency(5000, 222_000) }), { threshold: 0.1 }), 'create_to_ready p50');
  assert.equal(near.verdict, 'worse', `+${((near.change ?? 0) * 100).toFixed(1)} %: beyond the threshold, within the runs' spread`);
  assert.equal(near.significant, false);
  assert.ok(near.pValue !== null && near.pValue > 0.01, `p ${near.pValue}`);
  assert.match(near.test, /Mann–Whitney U .* and prediction-interval t \(n=3, df=2\) over 3 runs' p50/);
  const far = row(analyze(b, syntheticResult({ seed: 51, ...latency(5000, 350_000) }), { threshold: 0.1 }), 'create_to_ready p50');
  assert.equal(far.verdict, 'regression');
  assert.ok(far.pValue !== null && far.pValue < 0.01, `p ${far.pValue}`);
});

test('analyze states how the current run differs from the baseline (another bindy version is a release check, not an error)', () => {
  const b = baselineOf([1, 2], () => latency(500, 200_000));
  const same = analyze(b, syntheticResult({ seed: 5, ...latency(500, 200_000) }), { threshold: 0.1 });
  assert.deepEqual(same.differences, []);
  assert.doesNotMatch(analysisMarkdown(same), /differs from the baseline/);
  const other = syntheticResult({ seed: 6, ...latency(500, 200_000) });
  other.metadata.target.bindyVersion = 'bindy 0.8.0';
  const a = analyze(b, other, { threshold: 0.1 });
  assert.deepEqual(a.differences, ['bindy version bindy 0.8.0 (was unknown)']);
  assert.match(analysisMarkdown(a), /The current run differs from the baseline in: bindy version bindy 0\.8\.0 \(was unknown\)\./);
});
