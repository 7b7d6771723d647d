import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBurstOptions, intendedOffsetMs } from './burst-plan.js';

test('paced offsets match a slow exact reference (rational arithmetic) and never drift', () => {
  for (const qps of [1, 3, 7, 50, 333, 1000]) {
    for (const n of [0, 1, 2, 10, 999, 100_000, 1_000_000]) {
      // Reference: n/qps seconds in exact integer nanoseconds (BigInt), compared within 1 ns.
      const exactNs = (BigInt(n) * 1_000_000_000n) / BigInt(qps);
      const got = intendedOffsetMs(n, { qps });
      assert.ok(got !== null);
      assert.ok(Math.abs(got * 1e6 - Number(exactNs)) < 1, `qps ${qps} n ${n}: ${got} ms`);
    }
  }
});

test('unpaced operations have no schedule; bad options are refused', () => {
  assert.equal(intendedOffsetMs(5, {}), null);
  assert.throws(() => intendedOffsetMs(1, { qps: 0 }), /qps/);
  assert.throws(() => intendedOffsetMs(-1, { qps: 1 }), /whole number/);
  assert.throws(() => checkBurstOptions({ concurrency: 0 }), /concurrency/);
  assert.throws(() => checkBurstOptions({ concurrency: 2, qps: -1 }), /qps/);
  checkBurstOptions({ concurrency: 1 });
});
