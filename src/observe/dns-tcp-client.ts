/**
 * @module Questions asked over one pipelined DNS-over-TCP connection per server (a
 * {@link DnsTcpPipe}), each answered by id: where only TCP reaches BIND9 (a port-forward), an
 * audit of thousands of questions or a prober every 250 ms must not open a connection (a stream
 * through the API server) per question. Same contract as `queryDns`: one question, its answer, or a
 * rejection on timeout or abort.
 */
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { answersQuestion, ednsOpt, type DnsEndpoint, type ExchangeOptions, type QueryResult } from './dns-exchange.js';
import { DnsTcpPipe } from './dns-tcp-pipe.js';

/** A question in flight. */
interface Pending {
  name: string;
  type: RecordType;
  settle: (err: Error | null, p?: DecodedPacket) => void;
}

/** How often a question waiting for the connection to be opened again tries to send, ms. */
const resendMs = 100;

/** Asks one server questions over a single pipelined TCP connection, opened again when it closes (at most once per `retryMs`). */
export class PipelinedDnsClient {
  readonly #server: DnsEndpoint;
  readonly #pipe: DnsTcpPipe;
  readonly #pending = new Map<number, Pending>();
  #lastError: string | null = null;

  constructor(server: DnsEndpoint, o: { retryMs?: number } = {}) {
    this.#server = server;
    this.#pipe = new DnsTcpPipe(server.host, server.port, (msg) => this.#onMessage(msg), {
      ...(o.retryMs === undefined ? {} : { retryMs: o.retryMs }),
      onError: (m) => (this.#lastError = m),
    });
  }

  /** Connections opened so far. */
  get connections(): number {
    return this.#pipe.connections;
  }

  /** The last connection error (refused, reset), if any. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Asks `name type` (EDNS0, the DO bit when asked); resolves with the answer, rejects after `timeoutMs` or on abort. Questions in flight on a connection that closes time out. */
  query(name: string, type: RecordType, o: ExchangeOptions): Promise<QueryResult> {
    const what = `${name} ${type} over TCP from ${this.#server.host}:${this.#server.port}`;
    return new Promise<QueryResult>((resolve, reject) => {
      if (o.signal?.aborted === true) return reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
      let id = randomInt(0, 0x10000);
      for (let i = 0; this.#pending.has(id) && i < 0x10000; i++) id = (id + 1) & 0xffff;
      let resend: NodeJS.Timeout | undefined;
      const settle = (err: Error | null, p?: DecodedPacket): void => {
        if (this.#pending.get(id)?.settle !== settle) return;
        this.#pending.delete(id);
        clearTimeout(timer);
        clearTimeout(resend);
        o.signal?.removeEventListener('abort', onAbort);
        if (err === null && p !== undefined) resolve({ packet: p, viaTcp: false });
        else reject(err ?? new Error(`${what}: no result`));
      };
      const onAbort = (): void => settle(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
      const timer = setTimeout(() => settle(new Error(`${what}: no answer within ${o.timeoutMs} ms${this.#lastError === null ? '' : ` (connection: ${this.#lastError})`}`)), o.timeoutMs);
      o.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { name, type, settle });
      const msg = dnsPacket.encode({ type: 'query', id, flags: 0, questions: [{ name, type, class: 'IN' }], additionals: [ednsOpt(o.dnssecOk === true)] });
      // While the pipe waits to open a connection again, the question waits too (within its timeout).
      const send = (): void => {
        if (this.#pending.get(id)?.settle !== settle) return;
        if (!this.#pipe.send(msg)) resend = setTimeout(send, resendMs);
      };
      send();
    });
  }

  /** Closes the connection; questions in flight are rejected. Idempotent. */
  close(): void {
    this.#pipe.close();
    for (const p of [...this.#pending.values()]) p.settle(new Error(`${p.name} ${p.type}: the connection was closed`));
  }

  #onMessage(msg: Buffer): void {
    let p: DecodedPacket;
    try {
      p = dnsPacket.decode(msg);
    } catch {
      return; // not a DNS message: its question times out
    }
    const pending = p.id === undefined ? undefined : this.#pending.get(p.id);
    if (pending !== undefined && answersQuestion(p, pending.name, pending.type)) pending.settle(null, p);
  }
}
