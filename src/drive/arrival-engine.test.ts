import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ArrivalSchedule } from './arrival-schedule.js';
import { runArrivals } from './arrival-engine.js';
import { LoadPause } from './load-pause.js';

test('every operation starts with its scheduled intended start, in order, and is counted once', async () => {
  const schedule = new ArrivalSchedule([{ durationMs: 500, fromPerSec: 0, toPerSec: 200 }, { durationMs: 300, fromPerSec: 200, toPerSec: 200 }]);
  const seen: { n: number; intended: number; at: number }[] = [];
  const t0 = performance.now();
  const s = await runArrivals({
    schedule,
    maxInFlight: 1000,
    perform: (n, intended) => {
      seen.push({ n, intended, at: performance.now() });
      return Promise.resolve();
    },
  });
  assert.equal(s.due, schedule.total);
  assert.equal(s.started, schedule.total);
  assert.equal(s.dropped, 0);
  assert.equal(s.stoppedBy, 'schedule-done');
  assert.deepEqual(seen.map((x) => x.n), [...Array(schedule.total).keys()]);
  for (const x of seen) {
    const offset = x.intended - s.startedMs;
    assert.ok(Math.abs(offset - (schedule.dueMs(x.n) ?? NaN)) < 1e-6, `op ${x.n}: intended offset ${offset}`);
    assert.ok(x.at >= x.intended, `op ${x.n} started before it was due`);
  }
  assert.ok(s.startedMs >= t0);
  assert.equal(s.slip.count, schedule.total);
});

test('an operation due while every slot is busy is dropped, not queued; started + dropped = due', async () => {
  const schedule = new ArrivalSchedule([{ durationMs: 600, fromPerSec: 100, toPerSec: 100 }]);
  const dropped: number[] = [];
  let resolveAll: () => void = () => undefined;
  const held = new Promise<void>((r) => (resolveAll = r));
  const started: number[] = [];
  const run = runArrivals({
    schedule,
    maxInFlight: 5,
    // The first five never answer until the schedule has ended: every later operation finds no slot.
    perform: async (n) => {
      started.push(n);
      await held;
    },
    onDropped: (n) => {
      dropped.push(n);
      if (n === schedule.total - 1) resolveAll();
    },
  });
  const s = await run;
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(s.started, 5);
  assert.equal(s.dropped, schedule.total - 5);
  assert.equal(s.started + s.dropped, s.due);
  assert.deepEqual(dropped, [...Array(schedule.total).keys()].slice(5));
});

test('stopStarting ends the schedule early and waits for operations in flight; hardStop abandons them', async () => {
  const schedule = new ArrivalSchedule([{ durationMs: 10_000, fromPerSec: 50, toPerSec: 50 }]);
  const stop = new AbortController();
  let finished = 0;
  const s = await runArrivals({
    schedule,
    maxInFlight: 100,
    stopStarting: stop.signal,
    perform: async (n) => {
      if (n === 10) stop.abort();
      await new Promise((r) => setImmediate(r));
      finished++;
    },
  });
  assert.equal(s.stoppedBy, 'stopStarting');
  assert.equal(s.started, 11);
  assert.equal(finished, 11);
  const hard = new AbortController();
  const h = await runArrivals({
    schedule,
    maxInFlight: 100,
    hardStop: hard.signal,
    perform: async (n) => {
      if (n === 3) hard.abort();
      await new Promise(() => undefined);
    },
  });
  assert.equal(h.stoppedBy, 'hardStop');
  assert.equal(h.abandoned, 4);
});

test('a hold starts nothing while in force and moves the rest of the schedule later by its length: nothing dropped or late for it', async () => {
  const schedule = new ArrivalSchedule([{ durationMs: 600, fromPerSec: 100, toPerSec: 100 }]);
  const pause = new LoadPause(() => performance.now());
  const seen: { n: number; intended: number; at: number }[] = [];
  const s = await runArrivals({
    schedule,
    maxInFlight: 1000,
    pause,
    perform: (n, intended) => {
      seen.push({ n, intended, at: performance.now() });
      // Held from operation 20's start for 300 ms (the length under test, not a wait for something).
      if (n === 20) {
        pause.hold('test');
        setTimeout(() => pause.release(), 300);
      }
      return Promise.resolve();
    },
  });
  assert.equal(s.started, schedule.total);
  assert.equal(s.dropped, 0);
  const span = pause.spans[0];
  assert.ok(span !== undefined && pause.spans.length === 1);
  const heldMs = span.toMs - span.fromMs;
  assert.ok(heldMs >= 299, `held ${heldMs} ms`);
  for (const x of seen) {
    assert.ok(x.at < span.fromMs || x.at >= span.toMs, `op ${x.n} started at ${x.at} inside the hold ${JSON.stringify(span)}`);
    const planned = s.startedMs + (schedule.dueMs(x.n) ?? NaN);
    // Before the hold: as planned; after it: exactly the hold's length later.
    const expected = x.n <= 20 ? planned : planned + heldMs;
    assert.ok(Math.abs(x.intended - expected) < 1e-6, `op ${x.n}: intended ${x.intended - s.startedMs} ms, expected ${expected - s.startedMs}`);
  }
  assert.ok(s.endedMs - s.startedMs >= (schedule.dueMs(schedule.total - 1) ?? 0) + heldMs);
});
