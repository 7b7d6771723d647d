/**
 * @module Probes that ask a question through a link and time the answer: a DNS query over UDP or
 * TCP, or an HTTP(S) GET. Any answer counts (an NXDOMAIN, a 401): the probe proves the path works,
 * not that the server is happy.
 */
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { udpQuery } from '../targets/sandbox/bind9/udp-query.js';
import type { ProbeSpec } from './fault.js';

/** What a probe saw. */
export interface ProbeResult {
  readonly ok: boolean;
  /** Request sent → answer received, ms (when it answered). */
  readonly rttMs?: number;
  readonly detail: string;
}

function tcpDnsQuery(host: string, port: number, name: string, type: 'SOA' | 'NS' | 'A', timeoutMs: number): Promise<number> {
  const id = randomInt(0, 0x10000);
  const query = dnsPacket.streamEncode({ type: 'query', id, flags: 0, questions: [{ type, name, class: 'IN' }] });
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no DNS answer over TCP within ${timeoutMs} ms`)), timeoutMs);
    function finish(error?: Error, rcode?: number): void {
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined && rcode !== undefined) resolve(rcode);
      else reject(error ?? new Error('connection closed before an answer'));
    }
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error('connection closed before an answer')));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      try {
        const packet = dnsPacket.streamDecode(buf);
        finish(undefined, (packet.flags ?? 0) & 0xf);
      } catch (e) {
        finish(e as Error);
      }
    });
    socket.once('connect', () => socket.write(query));
  });
}

function httpGet(host: string, port: number, path: string, tls: boolean, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = { host, port, path, method: 'GET', timeout: timeoutMs, agent: false as const };
    // The sandbox API server's certificate is self-signed; a probe asks whether the link answers, not who.
    const req = tls ? httpsRequest({ ...options, rejectUnauthorized: false }) : httpRequest(options);
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error(`no HTTP answer within ${timeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}

/** Runs `probe` against `listen` (the link's address) and reports whether and how fast it answered. */
export async function runProbe(probe: ProbeSpec, listen: { readonly host: string; readonly port: number }): Promise<ProbeResult> {
  const timeoutMs = probe.timeoutMs ?? 2000;
  const t0 = performance.now();
  const rtt = (): number => Math.round((performance.now() - t0) * 1000) / 1000;
  try {
    if (probe.kind === 'dns') {
      const rcode = probe.protocol === 'udp' ? (await udpQuery(listen.port, probe.name, probe.type, timeoutMs)).rcode : await tcpDnsQuery(listen.host, listen.port, probe.name, probe.type, timeoutMs);
      const ms = rtt();
      return { ok: true, rttMs: ms, detail: `DNS ${probe.name} ${probe.type} over ${probe.protocol} answered rcode ${rcode} in ${ms} ms` };
    }
    const status = await httpGet(listen.host, listen.port, probe.path, probe.tls === true, timeoutMs);
    const ms = rtt();
    return { ok: true, rttMs: ms, detail: `GET ${probe.path} answered ${status} in ${ms} ms` };
  } catch (e) {
    return { ok: false, detail: `${probe.kind} probe of ${listen.host}:${listen.port} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
