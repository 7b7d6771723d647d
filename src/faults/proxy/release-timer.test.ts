import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { releaseAt } from './release-timer.js';

// How late it fires is a figure for bench/fault-proxy.bench.ts; this test asserts only that it is never early and does fire.
void test('releaseAt never fires before its time, and does fire', async () => {
  for (const ms of [0.3, 2.5, 20]) {
    const at = performance.now() + ms;
    const fired = await new Promise<number>((resolve) => releaseAt(at, () => resolve(performance.now())));
    assert.ok(fired >= at, `${ms} ms: fired ${at - fired} ms early`);
    assert.ok(fired - at < 1000, `${ms} ms: fired ${fired - at} ms late`);
  }
});

void test('releaseAt is asynchronous even for a past time, and cancel() stops it', async () => {
  let calls = 0;
  let pastFired = (): void => undefined;
  const fired = new Promise<void>((resolve) => (pastFired = resolve));
  const past = releaseAt(performance.now() - 5, () => {
    calls++;
    pastFired();
  });
  assert.equal(calls, 0, 'not called synchronously');
  let cancelledCalls = 0;
  const cancelled = releaseAt(performance.now() + 1, () => cancelledCalls++);
  cancelled.cancel();
  await fired;
  // Past the cancelled one's time (a busy loop may run an expired timer before the check phase: so
  // the past one is awaited first, not raced against this timer).
  await new Promise<void>((resolve) => releaseAt(performance.now() + 10, resolve));
  assert.equal(calls, 1, 'the past one ran once');
  assert.equal(cancelledCalls, 0, 'the cancelled one never ran');
  past.cancel(); // after firing: a no-op
});
