import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { parseResult, serializeResult } from '../report/result/index.js';
import type { RunResult } from '../report/result/index.js';
import { asBaseline, buildBaseline } from './baseline.js';
import { syntheticResult } from '../../test/helpers/synthetic-result.js';

const run = (seed: number, extra: Parameters<typeof syntheticResult>[0] = { seed }) =>
  syntheticResult({ latency: { n: 2000, medianUs: 50_000 }, counters: { creates_started: 100, creates_rejected: seed, create_rate: 40 + seed }, memoryPeakMB: 100 + seed, ...extra, seed });

test('histograms are merged (counts added), other figures kept per run', () => {
  const inputs = [1, 2, 3].map((s) => ({ source: `r${s}.json`, result: run(s) }));
  const b = buildBaseline(inputs);
  assert.equal(b.latencies.create_to_ready?.summary.count, 6000);
  // The merged max is the max of the runs' maxima (merged, not averaged).
  const maxes = inputs.map((i) => i.result.latencies.create_to_ready?.summary.max ?? 0);
  assert.equal(b.latencies.create_to_ready?.summary.max, Math.max(...maxes));
  assert.equal(b.baseline.count, 3);
  assert.deepEqual(b.baseline.runs.map((r) => r.figures.create_rate.value), [41, 42, 43]);
  assert.deepEqual(b.baseline.runs.map((r) => r.figures.error_rate.counts), [1, 2, 3].map((s) => ({ events: s, total: 100 })));
  assert.equal(b.metadata.status, 'completed');
  assert.equal(b.metadata.scenario, 'burst');
  assert.deepEqual(b.counters, {});
});

test('a baseline survives serialisation and is recognised again', () => {
  const b = buildBaseline([{ source: 'a', result: run(1) }]);
  const back = asBaseline(parseResult(serializeResult(b), 'b.json'), 'b.json');
  assert.deepEqual(back.baseline, b.baseline);
});

/** Sets `scenarios.burst` and a sandbox port-bearing description as a README-way run records them (`force`: replace what is there). */
function withConfig(r: RunResult, burst: Record<string, number>, force = true): RunResult {
  if (force || Object.keys(r.config.effective).length === 0) {
    r.config.effective = { output: `./results-${r.metadata.runId}`, runId: r.metadata.runId, scenarios: { burst: { zones: 5, ...burst } }, fixtures: { zones: 10 }, sandbox: { operator: { workers: 4 } } };
  }
  return r;
}

test('runs made the README way merge: ports, paths, run ids and output folders are not identity', () => {
  const inputs = [1, 2, 3].map((s) => {
    const r = withConfig(run(s), { records: 60 });
    r.metadata.target.description = `sandbox twin on loopback (API server https://127.0.0.1:${40000 + s}, named 127.0.0.1:${50000 + s}), started for this run`;
    r.metadata.target.bindyVersion = 'bindy 0.6.2, bindcar 0.7.3 (sandbox twins)';
    r.config.origins = { output: `flag --output` };
    return { source: `r${s}.json`, result: r };
  });
  const b = buildBaseline(inputs);
  assert.equal(b.baseline.count, 3);
  assert.ok(b.notes.some((n) => /targets differ only in what is not identity/.test(n)), b.notes.join('\n'));
});

const refusals = [
  { name: 'another scenario', second: () => run(2, { seed: 2, scenario: 'sustained' }), message: /^r2\.json: scenario 'sustained' differs from 'burst'/ },
  {
    name: 'another target kind',
    second: () => {
      const r = run(2);
      r.metadata.target = { kind: 'cluster', description: 'cluster https://k (context kind)' };
      return r;
    },
    message: /^r2\.json: not comparable with r1\.json: target kind cluster \(was sandbox\); sandbox\.operator\.workers \(unset\) \(was 4\); a baseline holds runs of one target kind/,
  },
  {
    name: 'another bindy version',
    second: () => {
      const r = run(2);
      r.metadata.target.bindyVersion = 'bindy 0.8.0';
      return r;
    },
    message: /^r2\.json: not comparable with r1\.json: bindy version bindy 0\.8\.0 \(was unknown\)/,
  },
  {
    name: 'another tool version',
    second: () => {
      const r = run(2);
      r.metadata.toolVersion = '9.9.9';
      return r;
    },
    message: /tool version 9\.9\.9 \(was 0\.1\.0\)/,
  },
  {
    name: 'another scenario configuration',
    second: () => withConfig(run(2), { records: 500 }),
    message: /^r2\.json: not comparable with r1\.json: scenarios\.burst\.records 500 \(was 60\);/,
  },
  {
    name: 'an aborted run',
    second: () => {
      const r = run(2);
      r.metadata.status = 'aborted';
      return r;
    },
    message: /^r2\.json: run run-2 was aborted/,
  },
  { name: 'the same run twice', second: () => run(1), message: /^r2\.json: run run-1 is already in the baseline \(r1\.json\)/ },
];
for (const c of refusals) {
  test(`refuses ${c.name}, naming the file`, () => {
    assert.throws(
      () => buildBaseline([{ source: 'r1.json', result: withConfig(run(1), { records: 60 }) }, { source: 'r2.json', result: withConfig(c.second(), { records: 60 }, false) }]),
      (e: unknown) => e instanceof UsageError && c.message.test(e.message),
    );
  });
}

test('an ordinary result is not a baseline', () => {
  assert.throws(() => asBaseline(run(1), 'x.json'), (e: unknown) => e instanceof UsageError && /^x\.json: not a baseline/.test(e.message));
});
