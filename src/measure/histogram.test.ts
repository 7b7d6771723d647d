/** @module Tests of the HDR latency histograms: precision, out-of-range counting, encoding, merging. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuantityHistogram, createLatencyHistogram, latencySpec, mergeHistograms, summaryInMs, usToMs } from './histogram.js';
import { UsageError } from '../errors.js';

/** True when `actual` is within 3 significant digits (relative error ≤ 1e-3) of `expected`. */
function within3Digits(actual: number | null, expected: number): boolean {
  return actual !== null && Math.abs(actual - expected) <= expected * 1e-3;
}

void test('uniform 1..100000 µs: percentiles within 3 significant digits of the exact order statistics', () => {
  const h = createLatencyHistogram();
  for (let v = 1; v <= 100_000; v++) h.record(v);
  const s = h.summary();
  assert.equal(s.count, 100_000);
  assert.equal(s.min, 1);
  assert.ok(within3Digits(s.max, 100_000), `max ${s.max}`);
  assert.ok(within3Digits(s.mean, 50_000.5), `mean ${s.mean}`);
  // The exact p-th percentile of 1..N is ceil(p/100 · N).
  for (const [key, exact] of [
    ['p50', 50_000],
    ['p90', 90_000],
    ['p95', 95_000],
    ['p99', 99_000],
    ['p999', 99_900],
  ] as const) {
    assert.ok(within3Digits(s[key], exact), `${key} = ${s[key]}, want ${exact} ± 0.1%`);
  }
  assert.deepEqual(s.outOfRange, { below: 0, above: 0, invalid: 0 });
});

void test('a skewed distribution: 99 fast values and 1 slow one put p99 low and max high', () => {
  const h = createLatencyHistogram();
  h.record(1000, 99); // 1 ms, 99 times
  h.record(2_000_000); // 2 s once
  const s = h.summary();
  assert.equal(s.count, 100);
  assert.ok(within3Digits(s.p99, 1000), `p99 ${s.p99}`);
  assert.ok(within3Digits(s.p999, 2_000_000), `p99.9 ${s.p999}`);
  assert.ok(within3Digits(s.max, 2_000_000));
});

void test('out-of-range values are counted by kind and never recorded or clamped', () => {
  const cases: { value: number; kind: 'below' | 'above' | 'invalid' }[] = [
    { value: 0.2, kind: 'below' },
    { value: 0, kind: 'below' },
    { value: latencySpec.highest + 1, kind: 'above' },
    { value: 5 * 3_600_000_000, kind: 'above' },
    { value: -3, kind: 'invalid' },
    { value: Number.NaN, kind: 'invalid' },
    { value: Number.POSITIVE_INFINITY, kind: 'invalid' },
  ];
  for (const { value, kind } of cases) {
    const h = createLatencyHistogram();
    h.record(10);
    h.record(value);
    const s = h.summary();
    assert.equal(s.count, 1, `value ${value} must not be recorded`);
    assert.equal(s.max, 10, `value ${value} must not move max`);
    assert.equal(s.outOfRange[kind], 1, `value ${value} counted as ${kind}`);
  }
});

void test('an empty histogram reports null statistics, not zeros', () => {
  const s = createLatencyHistogram().summary();
  assert.equal(s.count, 0);
  for (const key of ['min', 'max', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999'] as const) assert.equal(s[key], null, key);
});

void test('encode → decode keeps every count, percentile and the out-of-range counts given beside it', () => {
  const h = createLatencyHistogram();
  for (let v = 1; v <= 20_000; v += 7) h.record(v * 13);
  h.record(-1);
  h.record(latencySpec.highest * 2);
  const encoded = h.encode();
  assert.match(encoded, /^[A-Za-z0-9+/]+=*$/);
  const back = QuantityHistogram.decode(encoded, latencySpec, h.outOfRange);
  assert.deepEqual(back.summary(), h.summary());
  for (let p = 0; p <= 100; p += 0.5) assert.equal(back.valueAt(p), h.valueAt(p), `percentile ${p}`);
});

void test('decoding garbage is a UsageError', () => {
  assert.throws(() => QuantityHistogram.decode('not a histogram!'), UsageError);
});

void test('merging two histograms equals one histogram that recorded both sets of values', () => {
  const a = createLatencyHistogram();
  const b = createLatencyHistogram();
  const both = createLatencyHistogram();
  for (let i = 1; i <= 5000; i++) {
    const x = (i * 7919) % 100_000;
    const y = 1_000_000 + i * 31;
    a.record(x);
    b.record(y);
    both.record(x);
    both.record(y);
  }
  b.record(-5);
  both.record(-5);
  const merged = mergeHistograms([a, b]);
  assert.deepEqual(merged.summary(), both.summary());
  assert.equal(merged.encode(), both.encode());
  // The inputs are untouched, and the merge is not an average of their percentiles.
  assert.equal(a.count, 5000);
  assert.notEqual(merged.summary().p50, ((a.summary().p50 ?? 0) + (b.summary().p50 ?? 0)) / 2);
});

void test('merging a histogram of another unit is refused', () => {
  const bytes = new QuantityHistogram({ unit: 'bytes', lowest: 1, highest: 1e9, significantDigits: 3 });
  assert.throws(() => createLatencyHistogram().add(bytes), UsageError);
});

void test('µs to ms helpers divide by 1000 and keep null', () => {
  assert.equal(usToMs(1500), 1.5);
  assert.equal(usToMs(null), null);
  const h = createLatencyHistogram();
  h.record(2000);
  const ms = summaryInMs(h.summary());
  assert.equal(ms.p50, 2);
  assert.equal(ms.count, 1);
});
