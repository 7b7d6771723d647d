/** @module Tests of histogram_quantile over bucket deltas against hand-worked examples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bucketEstimateMethod,
  classicHistograms,
  estimateQuantiles,
  histogramDelta,
  histogramQuantile,
  labelKey,
} from './bucket-quantile.js';
import type { Bucket, MetricSample } from './bucket-quantile.js';

const inf = Infinity;
/** Buckets from [le, cumulative count] pairs. */
const bk = (...pairs: [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }));

// Example A: 10 observations ≤ 0.1, 20 in (0.1, 0.5], 10 in (0.5, 1], none above: n = 40.
const exampleA = bk([0.1, 10], [0.5, 30], [1, 40], [inf, 40]);

void test('histogramQuantile matches hand-worked results', () => {
  const cases: { name: string; q: number; buckets: Bucket[]; want: number }[] = [
    // rank 20 lands in (0.1, 0.5] holding 20; 10 of them are needed: 0.1 + 0.4 · 10/20
    { name: 'median interpolates inside the bucket', q: 0.5, buckets: exampleA, want: 0.3 },
    // rank 10 is reached by the first bucket, interpolated from 0: 0 + 0.1 · 10/10
    { name: 'first bucket interpolates from zero', q: 0.25, buckets: exampleA, want: 0.1 },
    // rank 36 in (0.5, 1] holding 10; 6 needed: 0.5 + 0.5 · 6/10
    { name: 'p90', q: 0.9, buckets: exampleA, want: 0.8 },
    { name: 'q = 1 is the top of the highest non-empty bucket', q: 1, buckets: exampleA, want: 1 },
    { name: 'q = 0 is the bottom of the first bucket', q: 0, buckets: exampleA, want: 0 },
    // rank 45 is beyond every finite bucket (40): the answer is the highest finite bound
    { name: '+Inf rule', q: 0.9, buckets: bk([0.1, 10], [0.5, 30], [1, 40], [inf, 50]), want: 1 },
    { name: 'unsorted input is sorted first', q: 0.5, buckets: bk([inf, 40], [1, 40], [0.1, 10], [0.5, 30]), want: 0.3 },
    // 0.5 < 0.1's count: forced to [10, 10, 20, 20]; rank 10 → first bucket: 0.1
    { name: 'non-monotonic counts are forced monotonic', q: 0.5, buckets: bk([0.1, 10], [0.5, 8], [1, 20], [inf, 20]), want: 0.1 },
    { name: 'equal bounds are summed', q: 0.5, buckets: bk([0.1, 5], [0.1, 5], [1, 20], [inf, 20]), want: 0.1 },
    { name: 'first bound ≤ 0 is returned as is', q: 0.2, buckets: bk([-1, 5], [0, 10], [inf, 10]), want: -1 },
    { name: 'q < 0 is -Inf', q: -0.1, buckets: exampleA, want: -Infinity },
    { name: 'q > 1 is +Inf', q: 1.5, buckets: exampleA, want: Infinity },
    { name: 'no +Inf bucket is NaN', q: 0.5, buckets: bk([0.1, 10], [1, 40]), want: NaN },
    { name: 'only the +Inf bucket is NaN', q: 0.5, buckets: bk([inf, 40]), want: NaN },
    { name: 'no observations is NaN', q: 0.5, buckets: bk([0.1, 0], [1, 0], [inf, 0]), want: NaN },
    { name: 'q NaN is NaN', q: NaN, buckets: exampleA, want: NaN },
  ];
  for (const c of cases) {
    const got = histogramQuantile(c.q, c.buckets);
    if (Number.isNaN(c.want)) assert.ok(Number.isNaN(got), `${c.name}: got ${got}`);
    else assert.ok(Math.abs(got - c.want) < 1e-12 || got === c.want, `${c.name}: got ${got}, want ${c.want}`);
  }
});

/** Samples of histogram `h` for one label set: bucket pairs, sum and count. */
function scrape(labels: Record<string, string>, buckets: [string, number][], sum: number, count: number): MetricSample[] {
  return [
    ...buckets.map(([le, value]) => ({ name: 'h_bucket', labels: { ...labels, le }, value })),
    { name: 'h_sum', labels, value: sum },
    { name: 'h_count', labels, value: count },
  ];
}

void test('classicHistograms groups buckets by label set without le and reads +Inf', () => {
  const samples = [
    ...scrape({ resource_type: 'DNSZone' }, [['0.1', 1], ['+Inf', 2]], 0.5, 2),
    ...scrape({ resource_type: 'ARecord' }, [['0.1', 3], ['+Inf', 3]], 0.2, 3),
    { name: 'other_metric', labels: {}, value: 1 },
    { name: 'h_bucket', labels: { resource_type: 'DNSZone' }, value: 99 }, // no le: ignored, as PromQL does
  ];
  const hs = classicHistograms(samples, 'h');
  assert.equal(hs.length, 2);
  const zone = hs.find((h) => h.labels.resource_type === 'DNSZone');
  assert.deepEqual(zone, { labels: { resource_type: 'DNSZone' }, buckets: bk([0.1, 1], [inf, 2]), sum: 0.5, count: 2 });
});

void test('labelKey does not depend on label order', () => {
  assert.equal(labelKey({ a: '1', b: '2' }), labelKey({ b: '2', a: '1' }));
  assert.notEqual(labelKey({ a: '1' }), labelKey({ a: '2' }));
});

const zone = { resource_type: 'DNSZone' };
const before = scrape(zone, [['0.1', 5], ['0.5', 8], ['1', 10], ['+Inf', 10]], 3, 10);

void test('the window is the delta of the two scrapes, and its quantiles are those of the delta', () => {
  const after = scrape(zone, [['0.1', 15], ['0.5', 38], ['1', 50], ['+Inf', 50]], 20, 50);
  // Delta: [0.1: 10, 0.5: 30, 1: 40, +Inf: 40] = example A; sum 17 over 40 observations.
  const [est, ...rest] = estimateQuantiles('h', before, after, [0.5, 0.9, 0.99]);
  assert.equal(rest.length, 0);
  assert.ok(est);
  assert.equal(est.count, 40);
  assert.equal(est.sum, 17);
  assert.equal(est.mean, 17 / 40);
  assert.equal(est.reset, false);
  assert.ok(Math.abs((est.quantiles['0.5'] ?? NaN) - 0.3) < 1e-12);
  assert.ok(Math.abs((est.quantiles['0.9'] ?? NaN) - 0.8) < 1e-12);
  // rank 39.6 in (0.5, 1]: 0.5 + 0.5 · 9.6/10
  assert.ok(Math.abs((est.quantiles['0.99'] ?? NaN) - 0.98) < 1e-12);
  assert.equal(est.method, bucketEstimateMethod);
  assert.match(est.method, /bucket estimate/);
});

void test('a counter reset takes the later scrape as the whole increase and is flagged', () => {
  const after = scrape(zone, [['0.1', 2], ['0.5', 3], ['1', 4], ['+Inf', 4]], 1, 4);
  const [w] = histogramDelta(classicHistograms(before, 'h'), classicHistograms(after, 'h'));
  assert.ok(w);
  assert.equal(w.reset, true);
  assert.equal(w.count, 4);
  assert.deepEqual(w.buckets, bk([0.1, 2], [0.5, 3], [1, 4], [inf, 4]));
  // rank 2 in the first bucket: 0.1 · 2/2
  assert.equal(histogramQuantile(0.5, w.buckets), 0.1);
});

void test('a label set first seen in the later scrape counts from zero; one that vanished is left out', () => {
  const after = scrape({ resource_type: 'ARecord' }, [['0.1', 1], ['1', 3], ['+Inf', 3]], 1.2, 3);
  const est = estimateQuantiles('h', before, after, [0.5]);
  assert.equal(est.length, 1);
  assert.deepEqual(est[0]?.labels, { resource_type: 'ARecord' });
  assert.equal(est[0]?.count, 3);
  assert.equal(est[0]?.reset, false);
});

void test('no observations in the window gives null quantiles and a null mean, not zeros', () => {
  const est = estimateQuantiles('h', before, before, [0.5]);
  assert.equal(est[0]?.count, 0);
  assert.equal(est[0]?.quantiles['0.5'], null);
  assert.equal(est[0]?.mean, null);
});
