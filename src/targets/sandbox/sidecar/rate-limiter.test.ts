import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindcarQuota, bindcarRateLimitDefaults, RateLimiter } from './rate-limiter.js';

void test('bindcar 0.7 defaults give one request per second with a burst of 10', () => {
  assert.deepEqual(bindcarQuota(bindcarRateLimitDefaults), { replenishMs: 1000, burst: 10 });
});

void test('bindcar 0.7 quirk: per_second(n) is an interval, so more requests per period means a slower rate', () => {
  assert.deepEqual(bindcarQuota({ requestsPerPeriod: 600, periodSecs: 60, burstSize: 50 }), { replenishMs: 10_000, burst: 50 });
  assert.throws(() => bindcarQuota({ requestsPerPeriod: 0, periodSecs: 60, burstSize: 10 }), /greater than 0/);
});

void test('GCRA: a burst of 10 passes at once, the 11th waits one cell, one more passes per second', () => {
  let t = 0;
  const limiter = new RateLimiter({ replenishMs: 1000, burst: 10 }, () => t);
  for (let i = 0; i < 10; i++) assert.deepEqual(limiter.check('10.0.0.1'), { allowed: true }, `request ${i + 1}`);
  assert.deepEqual(limiter.check('10.0.0.1'), { allowed: false, waitMs: 1000 });
  t = 400;
  assert.deepEqual(limiter.check('10.0.0.1'), { allowed: false, waitMs: 600 });
  t = 1000;
  assert.deepEqual(limiter.check('10.0.0.1'), { allowed: true });
  assert.equal(limiter.check('10.0.0.1').allowed, false);
  // Another client has its own bucket.
  assert.equal(limiter.check('10.0.0.2').allowed, true);
  // After a long idle the bucket is full again, but holds no more than the burst.
  t = 100_000;
  let passed = 0;
  while (limiter.check('10.0.0.1').allowed) passed++;
  assert.equal(passed, 10);
});

void test('sustained rate equals one per interval', () => {
  let t = 0;
  const limiter = new RateLimiter({ replenishMs: 1000, burst: 10 }, () => t);
  let allowed = 0;
  // 60 s of 10 requests per second: burst 10 + 60 replenished cells.
  for (t = 0; t < 60_000; t += 100) if (limiter.check('c').allowed) allowed++;
  assert.equal(allowed, 10 + 60 - 1);
});
