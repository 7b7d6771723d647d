import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../model/fixtures/prng.js';
import type { FaultSpec, LinkProtocol } from '../fault.js';
import { schedulePacket, type Lane, type Shaper, type Verdict, type Way } from './schedule.js';

function run(fault: FaultSpec | undefined, opts: { protocol?: LinkProtocol; way?: Way; now?: number; bytes?: number; lane?: Lane; shaper?: Shaper; seed?: number } = {}): Verdict {
  return schedulePacket({
    fault,
    protocol: opts.protocol ?? 'udp',
    way: opts.way ?? 'upstream',
    now: opts.now ?? 1000,
    bytes: opts.bytes ?? 100,
    rng: createRng(opts.seed ?? 1),
    shaper: opts.shaper ?? { nextFree: 0 },
    ...(opts.lane === undefined ? {} : { lane: opts.lane }),
  });
}

void test('no fault, or a fault for the other direction: forwarded now, not delayed', () => {
  assert.deepEqual(run(undefined), { action: 'forward', at: 1000, delayed: false });
  assert.deepEqual(run({ kind: 'latency', ms: 50 }, { way: 'downstream' }), { action: 'forward', at: 1000, delayed: false });
  assert.deepEqual(run({ kind: 'loss', share: 1 }, { way: 'downstream' }), { action: 'forward', at: 1000, delayed: false });
});

void test('latency adds ms; jitter stays within ±jitterMs, is clamped at 0, and spreads over the range', () => {
  assert.deepEqual(run({ kind: 'latency', ms: 200 }), { action: 'forward', at: 1200, delayed: true });
  const rng = createRng(3);
  const delays: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const v = schedulePacket({ fault: { kind: 'latency', ms: 100, jitterMs: 30 }, protocol: 'udp', way: 'upstream', now: 0, bytes: 1, rng, shaper: { nextFree: 0 } });
    assert.equal(v.action, 'forward');
    if (v.action === 'forward') delays.push(v.at);
  }
  assert.ok(Math.min(...delays) >= 70 && Math.max(...delays) <= 130);
  assert.ok(Math.min(...delays) < 72 && Math.max(...delays) > 128, 'the draws reach both ends');
  const clamped = run({ kind: 'latency', ms: 5, jitterMs: 1000 }, { seed: 9 });
  assert.ok(clamped.action === 'forward' && clamped.at >= 1000);
});

void test('a TCP lane never releases a chunk before the one ahead of it, even with jitter', () => {
  const lane: Lane = { lastRelease: 0 };
  const rng = createRng(5);
  let last = 0;
  for (let i = 0; i < 500; i++) {
    const v = schedulePacket({ fault: { kind: 'latency', ms: 50, jitterMs: 50 }, protocol: 'tcp', way: 'upstream', now: i, bytes: 1, rng, lane, shaper: { nextFree: 0 } });
    assert.ok(v.action === 'forward' && v.at >= last && v.at >= i);
    if (v.action === 'forward') last = v.at;
  }
  // After the fault, the lane still holds the order: the next chunk waits for the last delayed one.
  assert.deepEqual(run(undefined, { protocol: 'tcp', now: 10, lane }), { action: 'forward', at: last, delayed: true });
});

void test('loss drops UDP datagrams at the seeded share; on TCP it delays by the retransmission time instead', () => {
  const rng = createRng(42);
  let dropped = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    if (schedulePacket({ fault: { kind: 'loss', share: 0.2 }, protocol: 'udp', way: 'upstream', now: 0, bytes: 1, rng, shaper: { nextFree: 0 } }).action === 'drop') dropped++;
  }
  // Binomial(20000, 0.2): sd = 56.6; 4 sd either side.
  assert.ok(Math.abs(dropped - 4000) < 4 * 56.6, `dropped ${dropped}`);
  const same = (seed: number): string => Array.from({ length: 50 }, () => run({ kind: 'loss', share: 0.5 }, { seed }).action).join();
  assert.equal(same(7), same(7), 'same seed, same decisions');
  assert.deepEqual(run({ kind: 'loss', share: 1 }, { protocol: 'tcp', lane: { lastRelease: 0 } }), { action: 'forward', at: 1200, delayed: true });
  assert.deepEqual(run({ kind: 'loss', share: 1, retransmitMs: 50 }, { protocol: 'tcp', lane: { lastRelease: 0 } }), { action: 'forward', at: 1050, delayed: true });
});

void test('bandwidth serialises packets through the shared shaper; UDP beyond the queue limit is dropped', () => {
  const shaper: Shaper = { nextFree: 0 };
  const f: FaultSpec = { kind: 'bandwidth', bytesPerSecond: 1000 };
  assert.deepEqual(run(f, { shaper, bytes: 100 }), { action: 'forward', at: 1100, delayed: true });
  assert.deepEqual(run(f, { shaper, bytes: 100 }), { action: 'forward', at: 1200, delayed: true });
  assert.equal(shaper.nextFree, 1200);
  const full: Shaper = { nextFree: 3000 };
  assert.deepEqual(run(f, { shaper: full }), { action: 'drop' });
  assert.equal(full.nextFree, 3000, 'a dropped datagram takes no slot');
  assert.deepEqual(run(f, { protocol: 'tcp', shaper: full, lane: { lastRelease: 0 } }), { action: 'forward', at: 3100, delayed: true });
});

void test('partition drops UDP and holds TCP, both ways; reset leaves packets alone', () => {
  assert.deepEqual(run({ kind: 'partition' }, { way: 'downstream' }), { action: 'drop' });
  assert.deepEqual(run({ kind: 'partition' }, { protocol: 'tcp' }), { action: 'hold' });
  assert.deepEqual(run({ kind: 'reset' }, { protocol: 'tcp' }), { action: 'forward', at: 1000, delayed: false });
});
