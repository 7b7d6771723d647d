import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restTracker } from './operator-rest.js';

test('at rest once the reconcile counter stayed still for stillMs; the tail counted', () => {
  const t = restTracker({ stillMs: 5000, maxMs: 30_000 });
  assert.equal(t(0, 100), undefined);
  assert.equal(t(1000, 102), undefined);
  assert.equal(t(2000, 103), undefined);
  assert.equal(t(6000, 103), undefined, '4 s still');
  assert.deepEqual(t(7000, 103), { waitedMs: 7000, reconciles: 3, rested: true });
});

test('an operator that never pauses ends the wait at maxMs, said as not rested', () => {
  const t = restTracker({ stillMs: 5000, maxMs: 10_000 });
  let out;
  for (let ms = 0, n = 0; out === undefined; ms += 1000, n++) out = t(ms, n);
  assert.deepEqual(out, { waitedMs: 10_000, reconciles: 10, rested: false });
});

test('no counter to read ends the wait at once; a restarted operator (lower count) is movement, its tail still counted', () => {
  assert.deepEqual(restTracker({ stillMs: 5000, maxMs: 30_000 })(0, null), { waitedMs: 0, reconciles: null, rested: false });
  const t = restTracker({ stillMs: 2000, maxMs: 30_000 });
  t(0, 50);
  t(1000, 52);
  t(2000, 1);
  assert.equal(t(3000, 1), undefined);
  assert.deepEqual(t(4000, 1), { waitedMs: 4000, reconciles: 3, rested: true });
});
