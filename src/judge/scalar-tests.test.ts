import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictionTest, twoProportionTest } from './scalar-tests.js';

const predictionCases = [
  { name: 'inside the spread', runs: [100, 104, 96, 102, 98], current: 101, larger: false },
  { name: 'far above the spread', runs: [100, 104, 96, 102, 98], current: 140, larger: true },
  { name: 'two runs are too weak for a modest change', runs: [100, 110], current: 125, larger: false },
];
for (const c of predictionCases) {
  test(`prediction-interval t: ${c.name}`, () => {
    const t = predictionTest(c.runs, c.current);
    assert.ok(t.pLarger !== null);
    assert.equal(t.pLarger < 0.01, c.larger, `p ${t.pLarger}`);
    assert.match(t.test, /prediction-interval t/);
  });
}

test('one baseline run: no spread, no p-value, a reason', () => {
  const t = predictionTest([100], 200);
  assert.equal(t.pLarger, null);
  assert.match(t.reason ?? '', /no run-to-run spread/);
});

test('identical baseline runs give no p-value (their spread is below the resolution, not zero), stated', () => {
  const t = predictionTest([21, 21], 24);
  assert.equal(t.pLarger, null);
  assert.equal(t.pSmaller, null);
  assert.match(t.reason ?? '', /baseline runs are identical \(21\)/);
});

const proportionCases = [
  { name: '1 % vs 1 %', b: { events: 100, total: 10_000 }, c: { events: 10, total: 1000 }, higher: false },
  { name: '1 % vs 5 % with many operations', b: { events: 100, total: 10_000 }, c: { events: 50, total: 1000 }, higher: true },
  { name: '0 of 10 vs 1 of 10', b: { events: 0, total: 10 }, c: { events: 1, total: 10 }, higher: false },
];
for (const c of proportionCases) {
  test(`two-proportion z: ${c.name}`, () => {
    const t = twoProportionTest(c.b, c.c);
    assert.ok(t.pLarger !== null);
    assert.equal(t.pLarger < 0.01, c.higher, `p ${t.pLarger}`);
  });
}
