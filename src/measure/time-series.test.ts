/** @module Tests of time series and per-second rates from cumulative counters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeSeries, eventRatePerSecond, ratePerSecond, rateWindowMs } from './time-series.js';
import type { TimePoint } from './time-series.js';
import { UsageError } from '../errors.js';

const pts = (...pairs: [number, number][]): TimePoint[] => pairs.map(([t, value]) => ({ t, value }));

void test('a time series keeps its points, name, unit and description', () => {
  const s = new TimeSeries('operator_rss', 'bytes', 'resident set size of the operator, from /proc');
  s.add(0, 100);
  s.add(1000, 120);
  s.add(1000, 121); // equal times are allowed (two samplers may fire in the same ms)
  assert.deepEqual(s.toJSON(), {
    name: 'operator_rss',
    unit: 'bytes',
    description: 'resident set size of the operator, from /proc',
    points: pts([0, 100], [1000, 120], [1000, 121]),
  });
});

void test('a point earlier than the last is refused (the clock is monotonic)', () => {
  const s = new TimeSeries('x', 'objects', 'x');
  s.add(500, 1);
  assert.throws(() => s.add(499, 2), RangeError);
  assert.throws(() => s.add(Number.NaN, 2), RangeError);
  assert.equal(s.length, 1);
});

void test('ratePerSecond over fixed windows', () => {
  const cases: { name: string; counter: TimePoint[]; windowMs: number; want: TimePoint[] }[] = [
    {
      name: 'steady 10/s sampled each second, 2 s windows',
      counter: pts([0, 0], [1000, 10], [2000, 20], [3000, 30], [4000, 40]),
      windowMs: 2000,
      want: pts([2000, 10], [4000, 10]),
    },
    {
      name: 'window edges between samples are interpolated',
      counter: pts([0, 0], [1500, 15], [3000, 60]),
      windowMs: 1000,
      // c(1000)=10, c(2000)=15+45/3=30, c(3000)=60
      want: pts([1000, 10], [2000, 20], [3000, 30]),
    },
    {
      name: 'a counter reset counts the new value as increase',
      counter: pts([0, 100], [1000, 110], [2000, 5], [3000, 15]),
      windowMs: 1000,
      // adjusted: 0, 10, 15, 25
      want: pts([1000, 10], [2000, 5], [3000, 10]),
    },
    { name: 'a trailing partial window is left out', counter: pts([0, 0], [1500, 30]), windowMs: 1000, want: pts([1000, 20]) },
    { name: 'no points, no rates', counter: [], windowMs: 1000, want: [] },
    { name: 'a start offset is kept', counter: pts([250, 7], [1250, 12]), windowMs: 500, want: pts([750, 5], [1250, 5]) },
  ];
  for (const c of cases) {
    const got = ratePerSecond(c.counter, c.windowMs);
    assert.equal(got.length, c.want.length, c.name);
    got.forEach((p, i) => {
      const w = c.want[i];
      assert.ok(w !== undefined && p.t === w.t && Math.abs(p.value - w.value) < 1e-9, `${c.name}: point ${i} ${JSON.stringify(p)}`);
    });
  }
});

void test('a window that is not positive is a usage error', () => {
  assert.throws(() => ratePerSecond(pts([0, 0]), 0), UsageError);
});

void test('event rates: per-second counts over whole windows, the last one to the end, a short stub merged', () => {
  // 3 events in [0,1000), 1 in [1000,2000), 2 in [2000,2500]: the last window is half a window long.
  assert.deepEqual(eventRatePerSecond([0, 10, 999, 1000, 2100, 2400], 1000, 2500), pts([1000, 3], [2000, 1], [2500, 4]));
  // A 100 ms stub (under a quarter window) joins the window before: [1000,2100] holds 2 events over 1.1 s.
  const merged = eventRatePerSecond([500, 1500, 2050], 1000, 2100);
  assert.deepEqual(merged.map((p) => p.t), [1000, 2100]);
  assert.ok(Math.abs((merged[1]?.value ?? 0) - 2 / 1.1) < 1e-9);
  // Events outside [0, end] count in the first or last window; nothing is dropped.
  const edges = eventRatePerSecond([-5, 3000], 1000, 2000);
  assert.equal(edges.reduce((n, p) => n + p.value, 0), 2);
  assert.deepEqual(eventRatePerSecond([1, 2], 1000, 0), []);
  assert.throws(() => eventRatePerSecond([], 0, 1000), UsageError);
});

void test('rate windows keep about 200 points: 1 s up to 200 s, then whole seconds', () => {
  assert.equal(rateWindowMs(5_000), 1000);
  assert.equal(rateWindowMs(200_000), 1000);
  assert.equal(rateWindowMs(200_001), 2000);
  assert.equal(rateWindowMs(3_600_000), 18_000);
});
