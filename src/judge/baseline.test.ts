import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { parseResult, serializeResult } from '../report/result/index.js';
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

const refusals = [
  { name: 'another scenario', second: () => run(2, { seed: 2, scenario: 'sustained' }), message: /^r2\.json: scenario 'sustained' differs from 'burst'/ },
  { name: 'another target', second: () => run(2, { seed: 2, targetDescription: 'kind cluster' }), message: /^r2\.json: target .* differs/ },
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
      () => buildBaseline([{ source: 'r1.json', result: run(1) }, { source: 'r2.json', result: c.second() }]),
      (e: unknown) => e instanceof UsageError && c.message.test(e.message),
    );
  });
}

test('an ordinary result is not a baseline', () => {
  assert.throws(() => asBaseline(run(1), 'x.json'), (e: unknown) => e instanceof UsageError && /^x\.json: not a baseline/.test(e.message));
});
