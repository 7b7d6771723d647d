/** @module A scripted DNS server on TCP only, as a port-forward reaches one: pipelined, out of order, closing after N answers. */
import { createServer } from 'node:net';
import type { Socket as TcpSocket } from 'node:net';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';
import type { Answer, Question } from 'dns-packet';

/** What the scripted server answers for a question: an RCODE and answers; `drop` sends nothing. */
export type TcpScript = (q: Question) => { rcode: number; answers: Answer[] } | 'drop';

/**
 * A DNS server on TCP only (no UDP socket on its port: a UDP query goes nowhere), as a kubectl
 * port-forward is: it answers every query of a connection after `delayMs`, the later ones first
 * within a batch (out of order), and closes a connection after `closeAfter` answers.
 */
export async function tcpOnlyDns(script: TcpScript, o: { delayMs: number; closeAfter: number }): Promise<{ port: number; connections: number; queries: number; maxPipelined: number; close(): Promise<void> }> {
  const state = { connections: 0, queries: 0, maxPipelined: 0 };
  const open = new Set<TcpSocket>();
  const server = createServer((c) => {
    state.connections++;
    open.add(c);
    c.on('close', () => open.delete(c));
    let buf = Buffer.alloc(0);
    let answered = 0;
    let waiting: Buffer[] = [];
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        state.queries++;
        const q = msg.questions?.[0];
        const r = q === undefined ? 'drop' : script(q);
        if (q === undefined || r === 'drop') continue;
        waiting.push(Buffer.from(dnsPacket.streamEncode({ type: 'response', id: msg.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER | r.rcode, questions: [q], answers: r.answers })));
        state.maxPipelined = Math.max(state.maxPipelined, waiting.length);
        if (waiting.length === 1) {
          setTimeout(() => {
            const batch = waiting.reverse();
            waiting = [];
            for (const b of batch) {
              if (c.destroyed) return;
              c.write(b);
              if (++answered >= o.closeAfter) return void c.end();
            }
          }, o.delayMs);
        }
      }
    });
    c.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    get connections() {
      return state.connections;
    },
    get queries() {
      return state.queries;
    },
    get maxPipelined() {
      return state.maxPipelined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of open) c.destroy();
      }),
  };
}
