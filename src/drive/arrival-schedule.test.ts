import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalSchedule, rampThenConstant, steps } from './arrival-schedule.js';
import type { RateSegment } from './arrival-schedule.js';

/** Reference: walks the profile in 1 µs steps, adding rate·dt (trapezoid), and notes when the sum reaches each n. */
function reference(segments: readonly RateSegment[], count: number): number[] {
  const out: number[] = [];
  const dt = 0.001; // ms
  let t = 0;
  let acc = 0;
  let n = 0;
  for (const s of segments) {
    const rate = (x: number): number => (s.fromPerSec + ((s.toPerSec - s.fromPerSec) * x) / s.durationMs) / 1000;
    for (let x = 0; x < s.durationMs && n < count; x += dt) {
      while (n < count && acc >= n - 1e-12) {
        out.push(t + x);
        n++;
      }
      acc += ((rate(x) + rate(Math.min(s.durationMs, x + dt))) / 2) * dt;
    }
    t += s.durationMs;
  }
  return out;
}

test('a constant rate puts operation n at n/rate from the start, with no drift however long the run', () => {
  const s = new ArrivalSchedule([{ durationMs: 3_600_000, fromPerSec: 500, toPerSec: 500 }]);
  assert.equal(s.total, 1_800_000);
  assert.equal(s.dueMs(0), 0);
  assert.equal(s.dueMs(1), 2);
  assert.equal(s.dueMs(1_799_999), 3_599_998);
  assert.equal(s.dueMs(1_800_000), null);
});

test('a ramp and a staircase match a step-by-step integration of the rate within 2 µs', () => {
  const profiles: RateSegment[][] = [rampThenConstant(50, 20_000, 5_000), steps(5, 10, 45, 2_000), [{ durationMs: 3_000, fromPerSec: 80, toPerSec: 10 }]];
  for (const p of profiles) {
    const s = new ArrivalSchedule(p);
    const ref = reference(p, s.total);
    assert.equal(ref.length, s.total, 'the reference finds as many operations as the schedule counts');
    for (let n = 0; n < s.total; n++) {
      const due = s.dueMs(n);
      assert.ok(due !== null && Math.abs(due - (ref[n] ?? NaN)) <= 0.002, `op ${n}: ${due} vs reference ${ref[n]}`);
    }
  }
});

test('due times never go backwards and dueBy counts exactly the operations due by then', () => {
  const s = new ArrivalSchedule([...rampThenConstant(20, 10_000, 4_000), { durationMs: 1_000, fromPerSec: 0, toPerSec: 0 }, { durationMs: 2_000, fromPerSec: 30, toPerSec: 30 }]);
  let last = -1;
  for (let n = 0; n < s.total; n++) {
    const due = s.dueMs(n) ?? NaN;
    assert.ok(due >= last, `op ${n} at ${due} before op ${n - 1} at ${last}`);
    assert.ok(s.dueBy(due) >= n + 1, `dueBy(${due}) = ${s.dueBy(due)} < ${n + 1}`);
    last = due;
  }
  // ramp 4 s to 20/s = 40 ops, 6 s at 20/s = 120, 1 s at 0, 2 s at 30/s = 60.
  assert.equal(s.total, 220);
  assert.equal(s.dueBy(10_500), 160, 'nothing is due in the pause at rate 0');
  assert.equal(s.dueBy(s.durationMs), 220);
  assert.equal(s.rateAt(2_000), 10);
  assert.equal(s.rateAt(10_500), 0);
});

test('bad profiles are refused with a reason', () => {
  assert.throws(() => new ArrivalSchedule([]), /at least one segment/);
  assert.throws(() => new ArrivalSchedule([{ durationMs: 0, fromPerSec: 1, toPerSec: 1 }]), /duration must be above 0/);
  assert.throws(() => new ArrivalSchedule([{ durationMs: 10, fromPerSec: -1, toPerSec: 1 }]), /at least 0/);
  assert.throws(() => rampThenConstant(10, 1_000, 2_000), /longer than the duration/);
  assert.throws(() => steps(1, 0, 10, 1_000), /step must be above 0/);
});
