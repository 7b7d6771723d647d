import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventRatePerSecond } from './time-series.js';
import type { LastStub, TimeSeriesData } from './time-series.js';
import { sumGaugeSeries, sumRateSeries } from './series-merge.js';

function rate(times: number[], endMs: number, lastStub: LastStub = 'merge'): TimeSeriesData {
  return { name: 'r', unit: '1/s', description: 'r', points: eventRatePerSecond(times, 1000, endMs, lastStub) };
}

test('rates: the sum of two generators\' series is the series of all their events, when their windows fall inside the merged ones', () => {
  const a = [10, 20, 900, 1500, 2100, 2950];
  const b = [5, 1999, 2001, 2500, 3100, 3400];
  // a ends at 3000 (its last window [2000, 3000]), b at 3500: every window of a lies inside one of b's grid.
  const summed = sumRateSeries([rate(a, 3000), rate(b, 3500)], 1000, 'd');
  assert.equal(summed.exact, true);
  assert.deepEqual(summed.series.points, eventRatePerSecond([...a, ...b], 1000, 3500));
  assert.equal(summed.series.description, 'd');
});

test('rates: a generator whose last window was stretched past an edge is counted where it started, and said to be inexact', () => {
  // a ends at 2200: its last window is [1000, 2200] (a 200 ms stub merged), which crosses the merged edge at 2000.
  const a = [100, 1100, 2100];
  const summed = sumRateSeries([rate(a, 2200), rate([50], 3500)], 1000, 'd');
  assert.equal(summed.exact, false);
  const counts = summed.series.points.map((p, i, ps) => Math.round((p.value * (p.t - (i === 0 ? 0 : (ps[i - 1]?.t ?? 0)))) / 1000));
  assert.deepEqual(counts, [2, 2, 0, 0], 'every event once; 2100 is counted in [1000, 2000)');
});

test('rates: generators that keep their last short window (as shards do) always sum exactly', () => {
  const a = [100, 1100, 2100];
  const b = [50, 2900, 3400];
  const summed = sumRateSeries([rate(a, 2200, 'keep'), rate(b, 3500, 'keep')], 1000, 'd');
  assert.equal(summed.exact, true);
  assert.deepEqual(summed.series.points, eventRatePerSecond([...a, ...b], 1000, 3500));
});

test('rates: nothing measured gives an empty series', () => {
  assert.deepEqual(sumRateSeries([rate([], 0)], 1000, 'd').series.points, []);
});

test('levels: each generator\'s latest sample at each instant of the longest series, added; 0 before its first', () => {
  const g = (points: [number, number][]): TimeSeriesData => ({ name: 'b', unit: 'objects', description: 'b', points: points.map(([t, value]) => ({ t, value })) });
  const summed = sumGaugeSeries([g([[0, 1], [1000, 4], [2000, 2], [3000, 0]]), g([[500, 7], [1500, 3]])], 'd');
  assert.deepEqual(summed.series.points, [
    { t: 0, value: 1 },
    { t: 1000, value: 11 },
    { t: 2000, value: 5 },
    { t: 3000, value: 3 },
  ]);
});
