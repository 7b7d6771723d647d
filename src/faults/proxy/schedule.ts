/**
 * @module What the proxy does with one packet (a UDP datagram or a TCP chunk) under the link's
 * fault: forward it at a release time, drop it, or hold it. Pure: time, randomness and the lane's
 * state come in as arguments, so the rules are tested without sockets.
 */
import { actsOn, type FaultSpec, type LinkProtocol } from '../fault.js';
import type { Rng } from '../../model/fixtures/prng.js';

/** Which way a packet travels: client → server (`upstream`) or back (`downstream`). */
export type Way = 'upstream' | 'downstream';

/** State of one ordered stream (a TCP connection's direction): when its last packet is released. */
export interface Lane {
  lastRelease: number;
}

/** State shared by every lane of a link in one direction: when the rate limiter is next free. */
export interface Shaper {
  nextFree: number;
}

/** The verdict for one packet. `delayed` says a fault added time to it. */
export type Verdict = { readonly action: 'forward'; readonly at: number; readonly delayed: boolean } | { readonly action: 'drop' } | { readonly action: 'hold' };

/** Inputs of {@link schedulePacket}. */
export interface PacketContext {
  readonly fault: FaultSpec | undefined;
  readonly protocol: LinkProtocol;
  readonly way: Way;
  /** Monotonic ms (performance.now()). */
  readonly now: number;
  readonly bytes: number;
  /** The fault's own seeded random stream. */
  readonly rng: Rng;
  /** Present for ordered streams (TCP): releases never overtake an earlier packet. */
  readonly lane?: Lane;
  readonly shaper: Shaper;
  /** UDP under a rate limit: a datagram that would wait longer than this in the queue is dropped (default 1000 ms). */
  readonly queueLimitMs?: number;
}

/** The TCP delay that stands for one retransmission when the spec names none (Linux's minimum RTO). */
export const defaultRetransmitMs = 200;

/**
 * Decides what happens to one packet. Delays are drawn from the fault's rng, so a seeded fault
 * decides the same way on every run for the same packet sequence. A TCP lane is ordered: a
 * packet is never released before the one ahead of it (jitter does not reorder a byte stream);
 * UDP datagrams are not, as on a real network.
 */
export function schedulePacket(c: PacketContext): Verdict {
  const f = c.fault;
  let at = c.now;
  if (f !== undefined && actsOn(f, c.way)) {
    switch (f.kind) {
      case 'partition':
        return c.protocol === 'udp' ? { action: 'drop' } : { action: 'hold' };
      case 'latency': {
        const jitter = f.jitterMs === undefined || f.jitterMs === 0 ? 0 : (c.rng.next() * 2 - 1) * f.jitterMs;
        at = c.now + Math.max(0, f.ms + jitter);
        break;
      }
      case 'loss':
        if (c.rng.next() < f.share) {
          if (c.protocol === 'udp') return { action: 'drop' };
          at = c.now + (f.retransmitMs ?? defaultRetransmitMs);
        }
        break;
      case 'bandwidth': {
        const start = Math.max(c.now, c.shaper.nextFree);
        const done = start + (c.bytes * 1000) / f.bytesPerSecond;
        if (c.protocol === 'udp' && start - c.now > (c.queueLimitMs ?? 1000)) return { action: 'drop' };
        c.shaper.nextFree = done;
        at = done;
        break;
      }
      case 'reset':
        break; // acts on connections, not on packets (see the TCP link)
    }
  }
  if (c.lane !== undefined) {
    at = Math.max(at, c.lane.lastRelease);
    c.lane.lastRelease = at;
  }
  return { action: 'forward', at, delayed: at > c.now };
}
