/**
 * @module One-shot DNS exchanges for audits: a query over UDP (EDNS0, asked again over TCP when the
 * answer is truncated) and a zone transfer (AXFR) over TCP, each bounded by a timeout and abortable.
 * TCP messages are RFC 1035 §4.2.2 length-prefixed; an AXFR spans as many messages as the server
 * likes and ends with the zone's SOA seen a second time (RFC 5936 §2.2).
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { connect, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, RecordType } from 'dns-packet';
import { canonicalName, rcodeName } from './dns-expectation.js';

/** Where to send: host (IPv4 or IPv6 literal) and port. */
export interface DnsEndpoint {
  host: string;
  port: number;
}

/** Bounds of one exchange. */
export interface ExchangeOptions {
  /** Give up after this long, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Set EDNS's DO bit (DNSSEC OK): a signed zone's answers then carry their RRSIGs. */
  dnssecOk?: boolean;
}

/** Which way a query got its answer. */
export interface QueryResult {
  packet: DecodedPacket;
  /** The UDP answer was truncated and the TCP one is returned. */
  viaTcp: boolean;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Resolves with `run`'s value unless the timeout or the signal comes first; `cleanup` runs either way. */
function bounded<T>(what: string, o: ExchangeOptions, run: (settle: (err: Error | null, v?: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (o.signal?.aborted === true) return reject(abortError(o.signal));
    let done = false;
    let cleanup: () => void = () => undefined;
    const settle = (err: Error | null, v?: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      cleanup();
      if (err === null && v !== undefined) resolve(v);
      else reject(err ?? new Error(`${what}: no result`));
    };
    const onAbort = (): void => settle(o.signal === undefined ? new Error('aborted') : abortError(o.signal));
    const timer = setTimeout(() => settle(new Error(`${what}: no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = run(settle);
    if (done) cleanup();
  });
}

/**
 * A TCP exchange: sends `query`, hands each whole response message to `onMessage` until it returns
 * true (done). Rejects on a closed connection before that, the timeout, or the signal.
 */
function tcpExchange(server: DnsEndpoint, query: Packet, onMessage: (p: DecodedPacket) => boolean, what: string, o: ExchangeOptions): Promise<true> {
  return bounded<true>(what, o, (settle) => {
    const socket = connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    socket.on('error', (e) => settle(e));
    socket.on('end', () => settle(new Error(`${what}: connection closed before the answer ended`)));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const frame = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        let packet: DecodedPacket;
        try {
          packet = dnsPacket.decode(frame);
        } catch (e) {
          return settle(new Error(`${what}: undecodable message (${e instanceof Error ? e.message : String(e)})`));
        }
        if (packet.id !== query.id) continue; // not ours: skip it
        try {
          if (onMessage(packet)) return settle(null, true);
        } catch (e) {
          return settle(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    socket.write(dnsPacket.streamEncode(query));
    return () => socket.destroy();
  });
}

/** The same question, answered and about the same name and type (a response to it). */
export function answersQuestion(p: DecodedPacket, name: string, type: RecordType): boolean {
  const q = p.questions?.[0];
  return p.type === 'response' && q !== undefined && canonicalName(q.name) === canonicalName(name) && q.type === type;
}

/** One UDP query; the answer from another address, with another id or question is ignored. */
function udpOnce(server: DnsEndpoint, query: Packet, name: string, type: RecordType, o: ExchangeOptions): Promise<DecodedPacket> {
  return bounded<DecodedPacket>(`${name} ${type} from ${server.host}:${server.port}`, o, (settle) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    socket.on('error', (e) => settle(e));
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== server.port) return;
      let p: DecodedPacket;
      try {
        p = dnsPacket.decode(msg);
      } catch {
        return; // not a DNS message: keep waiting for the real one
      }
      if (p.id === query.id && answersQuestion(p, name, type)) settle(null, p);
    });
    socket.send(dnsPacket.encode(query), server.port, server.host, (e) => {
      if (e) settle(e);
    });
    return () => socket.close();
  });
}

/** The OPT record of a query: a 4096-byte UDP payload, the DO bit as asked. */
export function ednsOpt(dnssecOk: boolean): NonNullable<Packet['additionals']>[number] {
  return { type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: dnssecOk ? 0x8000 : 0, flag_do: dnssecOk, options: [] };
}

/**
 * Asks `name type` over UDP with an EDNS0 4096-byte buffer (the DO bit when `dnssecOk`); a
 * truncated answer is asked again over TCP (the rest of the same timeout). Rejects on timeout,
 * socket error or abort.
 */
export async function queryDns(server: DnsEndpoint, name: string, type: RecordType, o: ExchangeOptions): Promise<QueryResult> {
  const start = performance.now();
  const id = randomInt(0, 0x10000);
  const question = { name, type, class: 'IN' as const };
  const udp: Packet = {
    type: 'query',
    id,
    flags: 0,
    questions: [question],
    additionals: [ednsOpt(o.dnssecOk === true)],
  };
  const packet = await udpOnce(server, udp, name, type, o);
  if (!packet.flag_tc) return { packet, viaTcp: false };
  const left = Math.max(1, o.timeoutMs - (performance.now() - start));
  let answer: DecodedPacket | undefined;
  await tcpExchange(
    server,
    { type: 'query', id, flags: 0, questions: [question], ...(o.dnssecOk === true ? { additionals: [ednsOpt(true)] } : {}) },
    (p) => {
      if (!answersQuestion(p, name, type)) return false;
      answer = p;
      return true;
    },
    `${name} ${type} over TCP from ${server.host}:${server.port}`,
    { ...o, timeoutMs: left },
  );
  if (answer === undefined) throw new Error(`${name} ${type}: no TCP answer`);
  return { packet: answer, viaTcp: true };
}

/** What an AXFR gave: every RR in order (the closing SOA left out) and how many messages carried them. */
export interface AxfrResult {
  answers: Answer[];
  messages: number;
}

/**
 * Transfers `zone` over TCP. Rejects when the server refuses (any RCODE but NOERROR, with its name,
 * e.g. `REFUSED`), the first RR is not the zone's SOA, the connection closes early, on timeout or
 * abort.
 */
export async function transferZone(server: DnsEndpoint, zone: string, o: ExchangeOptions): Promise<AxfrResult> {
  const id = randomInt(0, 0x10000);
  const answers: Answer[] = [];
  let messages = 0;
  let soas = 0;
  const apex = canonicalName(zone);
  const what = `AXFR ${apex} from ${server.host}:${server.port}`;
  await tcpExchange(
    server,
    { type: 'query', id, flags: 0, questions: [{ name: apex, type: 'AXFR', class: 'IN' }] },
    (p) => {
      messages++;
      const rcode = (p.flags ?? 0) & 0xf;
      if (rcode !== 0) throw new Error(`${what}: ${rcodeName(rcode)}`);
      for (const a of p.answers ?? []) {
        if (a.type === 'SOA' && canonicalName(a.name) === apex) {
          soas++;
          if (soas === 2) return true;
        } else if (soas === 0) {
          throw new Error(`${what}: the transfer did not start with the zone's SOA`);
        }
        answers.push(a);
      }
      return false;
    },
    what,
    o,
  );
  return { answers, messages };
}
