/**
 * @module Test support: a UDP relay in front of a DNS server on loopback. Every query is passed on
 * `delayMs` later (a known delay the figures must show), except `blocked` names, which the relay
 * answers NXDOMAIN itself (as if not there yet), so a test decides when a name is first seen.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';

/** A running relay. */
export interface UdpRelay {
  port: number;
  /** Lower-case names answered NXDOMAIN by the relay. */
  blocked: Set<string>;
  close: () => void;
}

/** Starts a relay to 127.0.0.1:`upstreamPort` (ids are assumed unique among the clients in flight); `onQuery` hears the count of queries received so far. */
export async function udpRelay(upstreamPort: number, o: { delayMs?: number; onQuery?: (count: number) => void } = {}): Promise<UdpRelay> {
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  const blocked = new Set<string>();
  const clients = new Map<number, { address: string; port: number }>();
  const delay = o.delayMs ?? 0;
  front.bind(0, '127.0.0.1');
  back.bind(0, '127.0.0.1');
  await Promise.all([once(front, 'listening'), once(back, 'listening')]);
  let closed = false;
  let count = 0;
  front.on('message', (m, rinfo) => {
    o.onQuery?.(++count);
    const q = dnsPacket.decode(m);
    const question = q.questions?.[0];
    if (question !== undefined && blocked.has(question.name.toLowerCase())) {
      front.send(dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER | 3, questions: [question] }), rinfo.port, rinfo.address);
      return;
    }
    clients.set(q.id ?? 0, { address: rinfo.address, port: rinfo.port });
    const pass = (): void => {
      if (!closed) back.send(m, upstreamPort, '127.0.0.1');
    };
    if (delay > 0) setTimeout(pass, delay);
    else pass();
  });
  back.on('message', (m) => {
    const c = clients.get(m.readUInt16BE(0));
    if (c !== undefined) front.send(m, c.port, c.address);
  });
  return {
    port: front.address().port,
    blocked,
    close: () => {
      closed = true;
      front.close();
      back.close();
    },
  };
}
