import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLeak, leakBytesDue, leakCapBytes } from './memory-leak.js';

const MiB = 1024 * 1024;

test('leak pacing: bytes due grow linearly with the time since the start, up to the cap', () => {
  assert.equal(leakBytesDue(0, 30), 0);
  assert.equal(leakBytesDue(-5, 30), 0, 'a clock before the start holds nothing');
  assert.equal(leakBytesDue(60_000, 0), 0, 'rate 0: no leak');
  assert.equal(leakBytesDue(60_000, 30), 30 * MiB, 'one minute at 30 MiB/min');
  assert.equal(leakBytesDue(1000, 30), Math.floor(0.5 * MiB), 'one second: half a MiB');
  assert.equal(leakBytesDue(90_000, 30), 45 * MiB);
  assert.equal(leakBytesDue(3_600_000, 30), leakCapBytes, 'an hour at 30 MiB/min would be 1800 MiB: capped at 1 GiB');
  assert.equal(leakBytesDue(60_000, 30, 10 * MiB), 10 * MiB, 'an explicit cap');
  // Late ticks are made up: the amount depends on the elapsed time alone, not on how often it was asked.
  let held = 0;
  for (const t of [500, 1000, 4000, 4100, 10_000]) held = Math.max(held, leakBytesDue(t, 12));
  assert.equal(held, leakBytesDue(10_000, 12));
});

test('MemoryLeak allocates what is due at each tick, stops at the cap once and says so, and releases on stop', () => {
  let now = 0;
  const caps: number[] = [];
  const leak = new MemoryLeak({ mibPerMinute: 60, capBytes: 3 * MiB, now: () => now, onCap: (b) => caps.push(b) });
  leak.start();
  try {
    now = 1000;
    leak.tick();
    assert.equal(leak.bytes, MiB);
    now = 1500;
    leak.tick();
    assert.equal(leak.bytes, 1.5 * MiB);
    now = 60_000;
    leak.tick();
    assert.equal(leak.bytes, 3 * MiB, 'capped');
    leak.tick();
    assert.deepEqual(caps, [3 * MiB], 'the cap is reported once');
  } finally {
    leak.release();
  }
  assert.equal(leak.bytes, 0);
  assert.throws(() => new MemoryLeak({ mibPerMinute: 0 }), RangeError);
});

test('the leaked memory is resident: RSS grows by about what was allocated', () => {
  let now = 0;
  const leak = new MemoryLeak({ mibPerMinute: 64, now: () => now });
  leak.start();
  try {
    const before = process.memoryUsage().rss;
    now = 60_000;
    leak.tick();
    const grown = process.memoryUsage().rss - before;
    // A zero-filled allocation would leave the pages unbacked and RSS nearly flat.
    assert.ok(grown >= 60 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB for 64 MiB leaked`);
  } finally {
    leak.release();
  }
});
