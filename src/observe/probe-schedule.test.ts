/** @module Tests of the prober's spacing, token bucket and due queue. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueQueue, TokenBucket, nextSpacingMs } from './probe-schedule.js';

void test('spacing: fast during the first phase, then doubling up to the cap', () => {
  const s = { fastIntervalMs: 50, fastPhaseMs: 2000, maxIntervalMs: 1000 };
  const seen: number[] = [];
  let t = 0;
  let prev = 0;
  while (t < 6000) {
    prev = nextSpacingMs(s, t, prev);
    seen.push(prev);
    t += prev;
  }
  // 40 probes 50 ms apart fill the fast phase; then 100, 200, 400, 800, and 1000 from there on.
  assert.equal(seen.filter((x) => x === 50).length, 40);
  assert.deepEqual(seen.slice(40, 46), [100, 200, 400, 800, 1000, 1000]);
  assert.ok(seen.every((x) => x <= 1000));
});

void test('token bucket: a burst at once, then the rate; waitMs says when the next token comes', () => {
  const b = new TokenBucket(100, 5, 0);
  let taken = 0;
  while (b.take(0)) taken++;
  assert.equal(taken, 5);
  assert.equal(b.waitMs(0), 10);
  assert.equal(b.take(9), false);
  assert.equal(b.take(10), true);
  // Over one second at most rate + burst tokens, never more.
  let n = 0;
  for (let t = 10; t <= 1010; t++) while (b.take(t)) n++;
  assert.ok(n <= 100 + 5 && n >= 99, `${n} tokens in a second`);
  assert.throws(() => new TokenBucket(0, 1, 0), /rate > 0/);
});

void test('due queue: items leave by due time, ties in insertion order', () => {
  const q = new DueQueue<string>();
  const items: [number, string][] = [[30, 'c'], [10, 'a'], [20, 'b1'], [20, 'b2'], [5, 'first'], [40, 'd']];
  for (const [due, s] of items) q.push(due, s);
  assert.equal(q.size, 6);
  assert.equal(q.peekDueMs(), 5);
  const out: string[] = [];
  for (let x = q.pop(); x !== undefined; x = q.pop()) out.push(x);
  assert.deepEqual(out, ['first', 'a', 'b1', 'b2', 'c', 'd']);
  assert.equal(q.peekDueMs(), undefined);
  // Many random items come out sorted.
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const dues = Array.from({ length: 500 }, () => Math.floor(rand() * 1000));
  for (const d of dues) q.push(d, String(d));
  const sorted: number[] = [];
  for (let x = q.pop(); x !== undefined; x = q.pop()) sorted.push(Number(x));
  assert.deepEqual(sorted, [...dues].sort((a, b) => a - b));
});
