import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { releaseAt } from './release-timer.js';

void test('releaseAt never fires before its time, and fires within a few ms after it', async () => {
  for (const ms of [0.3, 2.5, 20]) {
    const at = performance.now() + ms;
    const fired = await new Promise<number>((resolve) => releaseAt(at, () => resolve(performance.now())));
    assert.ok(fired >= at, `${ms} ms: fired ${at - fired} ms early`);
    assert.ok(fired - at < 20, `${ms} ms: fired ${fired - at} ms late`);
  }
});

void test('releaseAt is asynchronous even for a past time, and cancel() stops it', async () => {
  let calls = 0;
  const past = releaseAt(performance.now() - 5, () => calls++);
  assert.equal(calls, 0, 'not called synchronously');
  const cancelled = releaseAt(performance.now() + 1, () => calls++);
  cancelled.cancel();
  await new Promise<void>((resolve) => releaseAt(performance.now() + 10, resolve));
  assert.equal(calls, 1, 'the past one ran once, the cancelled one never');
  past.cancel(); // after firing: a no-op
});
