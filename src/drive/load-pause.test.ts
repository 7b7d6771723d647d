import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadPause } from './load-pause.js';

test('the schedule clock stops while held: held time adds up over holds, the one in force included', () => {
  let now = 1000;
  const p = new LoadPause(() => now);
  assert.equal(p.scheduleMs(1000), 0);
  now = 1500;
  p.hold('a quiet window');
  now = 1800;
  assert.ok(p.held);
  assert.equal(p.reason, 'a quiet window');
  assert.equal(p.heldMs(), 300);
  assert.equal(p.scheduleMs(1000), 500, 'the schedule stood still at 500 ms');
  p.hold('another'); // a second hold changes nothing
  assert.equal(p.reason, 'a quiet window');
  now = 2000;
  p.release();
  assert.equal(p.held, false);
  assert.equal(p.reason, null);
  assert.equal(p.heldMs(), 500);
  now = 2100;
  assert.equal(p.scheduleMs(1000), 600);
  p.hold('test');
  now = 2150;
  p.release();
  p.release(); // nothing in force: nothing changes
  assert.deepEqual(p.spans, [{ fromMs: 1500, toMs: 2000 }, { fromMs: 2100, toMs: 2150 }]);
  assert.equal(p.heldMs(), 550);
});

test('released() answers at once without a hold, on the release with one, and false on a stop', async () => {
  const p = new LoadPause(() => 0);
  assert.equal(await p.released([]), true);
  p.hold('test');
  const waiting = p.released([]);
  p.release();
  assert.equal(await waiting, true);
  p.hold('test');
  const stop = new AbortController();
  const stopped = p.released([stop.signal]);
  stop.abort();
  assert.equal(await stopped, false);
  assert.equal(await p.released([stop.signal]), false, 'already stopped');
  p.release();
});
