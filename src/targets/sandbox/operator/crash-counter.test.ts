import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashCounter } from './crash-counter.js';

test('crash counter: true exactly once, when the Nth reconcile is done', () => {
  const c = new CrashCounter(3);
  assert.deepEqual([c.count(), c.count(), c.count(), c.count()], [false, false, true, false]);
  assert.equal(c.done, 4);
  assert.equal(new CrashCounter(1).count(), true);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new CrashCounter(bad), RangeError);
});
