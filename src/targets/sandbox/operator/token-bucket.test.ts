import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket, capacityBurst } from './token-bucket.js';

test('token bucket: full at the start, then one token every 1/rate s, never more than the burst', () => {
  let now = 0;
  const b = new TokenBucket(5, 2, () => now);
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), false, 'the burst of 2 is spent');
  assert.equal(b.msUntilNext(), 200, 'at 5/s the next token comes in 200 ms');
  now = 199;
  assert.equal(b.tryTake(), false);
  now = 200;
  assert.equal(b.tryTake(), true);
  now = 10_000;
  assert.equal(b.msUntilNext(), 0);
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), true);
  assert.equal(b.tryTake(), false, 'a long idle stretch banks only the burst');
  assert.throws(() => new TokenBucket(0, 1), RangeError);
  assert.throws(() => new TokenBucket(1, 0), RangeError);
});

test('token bucket: greedy takers over any window get at most burst + rate × window', () => {
  let now = 0;
  const rate = 5;
  const burst = capacityBurst(rate);
  const b = new TokenBucket(rate, burst, () => now);
  const taken: number[] = [];
  // Ask every 7 ms for 20 s, as many times as it gives.
  for (now = 0; now <= 20_000; now += 7) while (b.tryTake()) taken.push(now);
  for (let i = 0; i < taken.length; i++) {
    for (let j = i; j < taken.length; j++) {
      const window = ((taken[j] ?? 0) - (taken[i] ?? 0)) / 1000;
      assert.ok(j - i + 1 <= burst + rate * window + 1e-9, `${j - i + 1} tokens in ${window} s`);
    }
  }
  assert.ok(taken.length >= burst + rate * 20 - 1, `the ceiling is reached, not undercut: ${taken.length}`);
  assert.equal(capacityBurst(0.5), 1);
  assert.equal(capacityBurst(12.5), 13);
});
