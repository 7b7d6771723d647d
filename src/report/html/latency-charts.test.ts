import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLatencyHistogram } from '../../measure/index.js';
import { curvePercentiles, latencyDistribution, ninesOf, percentileCurve } from './latency-charts.js';

test('distribution: bin counts equal a brute-force count of the recorded values and add up to the total', () => {
  // Integers below 2048 µs are exact in a 3-digit HDR histogram, so the bins can be checked exactly.
  const values: number[] = [];
  let s = 1;
  for (let i = 0; i < 5000; i++) {
    s = (s * 48271) % 2147483647;
    values.push(1 + (s % 2000));
  }
  const h = createLatencyHistogram();
  for (const v of values) h.record(v);
  for (const bins of [1, 7, 40]) {
    const d = latencyDistribution(h, bins);
    assert.ok(d !== null);
    assert.equal(d.bins.reduce((a, b) => a + b.count, 0), values.length);
    for (const b of d.bins) assert.equal(b.count, values.filter((v) => v > b.lo && v <= b.hi).length, `bin (${b.lo}, ${b.hi}] of ${bins}`);
  }
});

test('distribution: log-spaced over a wide range, one bin when every value is equal, null when empty', () => {
  const h = createLatencyHistogram();
  for (const v of [1000, 10_000, 1_000_000, 5_000_000]) h.record(v);
  const d = latencyDistribution(h, 10);
  assert.equal(d?.log, true);
  assert.equal(d?.bins.reduce((a, b) => a + b.count, 0), 4);
  const one = createLatencyHistogram();
  one.record(500, 3);
  assert.deepEqual(latencyDistribution(one)?.bins.map((b) => b.count), [3]);
  assert.equal(latencyDistribution(createLatencyHistogram()), null);
});

test('percentile curve: the fixed percentiles the count resolves, values from valueAt, then the maximum', () => {
  const h = createLatencyHistogram();
  for (let v = 1; v <= 1000; v++) h.record(v * 1000);
  const c = percentileCurve(h);
  assert.ok(c !== null);
  // 1000 values resolve percentiles below 99.9 (3 nines); the last point is the maximum at 1 − 1/1000.
  const fixed = c.points.slice(0, -1);
  assert.deepEqual(fixed.map((p) => p.p), curvePercentiles.filter((p) => ninesOf(p) < 3));
  for (const p of fixed) assert.equal(p.us, h.valueAt(p.p));
  const last = c.points.at(-1);
  assert.equal(last?.us, h.valueAt(100));
  assert.ok(Math.abs((last?.nines ?? 0) - 3) < 1e-9);
  assert.equal(percentileCurve(createLatencyHistogram()), null);
});
