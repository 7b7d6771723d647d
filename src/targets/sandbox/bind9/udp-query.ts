/** @module One DNS query over UDP to a loopback server, used to tell that named answers. */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';

/** The parts of an answer the sandbox looks at. */
export interface UdpAnswer {
  /** Response code, e.g. 0 NOERROR, 3 NXDOMAIN, 5 REFUSED. */
  readonly rcode: number;
  readonly packet: DecodedPacket;
}

/** Sends `name type` to 127.0.0.1:`port` and resolves with the reply, or rejects after `timeoutMs`. */
export function udpQuery(port: number, name: string, type: RecordType, timeoutMs = 1000): Promise<UdpAnswer> {
  const id = randomInt(0, 0x10000);
  const query = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] });
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => finish(new Error(`no DNS answer from 127.0.0.1:${port} within ${timeoutMs} ms`)), timeoutMs);
    function finish(error: Error | undefined, answer?: UdpAnswer): void {
      clearTimeout(timer);
      socket.close();
      if (answer !== undefined) resolve(answer);
      else reject(error ?? new Error('no answer'));
    }
    socket.on('error', (error) => finish(error));
    socket.on('message', (message) => {
      let packet: DecodedPacket;
      try {
        packet = dnsPacket.decode(message);
      } catch {
        return; // not a DNS message: keep waiting for the real one
      }
      if (packet.id !== id) return;
      // dns-packet keeps the 4-bit RCODE in the low bits of `flags`.
      finish(undefined, { rcode: (packet.flags ?? 0) & 0xf, packet });
    });
    socket.send(query, port, '127.0.0.1', (error) => {
      if (error) finish(error);
    });
  });
}
