/** @module Sends a TSIG-signed RFC 2136 UPDATE to a DNS server over UDP (one shared socket per server; TCP when truncated or asked) and checks the answer. */
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import { signMessage, verifyTsig, type TsigKeySpec, type TsigVerdict } from './tsig.js';
import { buildUpdate, type UpdateOp } from './update-message.js';
import { DnsUpdateError, rcodeName } from './update-error.js';
import { udpChannel } from './udp-channel.js';

/** Where and how to send updates. */
export interface UpdateTarget {
  readonly host: string;
  readonly port: number;
  readonly tsig: TsigKeySpec;
  /** Per attempt, in ms (default 3000). */
  readonly timeoutMs?: number;
  /** `tcp` always uses TCP; `udp` (default) falls back to TCP when the answer is truncated. */
  readonly transport?: 'udp' | 'tcp';
  /** Seconds since the epoch, for signing and checking times (default: the wall clock). */
  readonly now?: () => number;
}

/** What the server answered. */
export interface UpdateResult {
  readonly rcode: number;
  readonly rcodeName: string;
  readonly transport: 'udp' | 'tcp';
  /** Verification of the response's TSIG against the request's MAC. */
  readonly tsig: TsigVerdict;
}

function tcpExchange(host: string, port: number, wire: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new DnsUpdateError(`no answer to DNS UPDATE from ${host}:${port} (tcp) within ${timeoutMs} ms`)), timeoutMs);
    function finish(error: Error | undefined, answer?: Buffer): void {
      clearTimeout(timer);
      socket.destroy();
      if (answer !== undefined) resolve(answer);
      else reject(error ?? new DnsUpdateError('no answer'));
    }
    socket.on('error', (error) => finish(new DnsUpdateError(`DNS UPDATE to ${host}:${port} (tcp) failed: ${error.message}`, undefined, { cause: error })));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2) return;
      const len = buffered.readUInt16BE(0);
      if (buffered.length >= 2 + len) finish(undefined, buffered.subarray(2, 2 + len));
    });
    socket.on('end', () => finish(new DnsUpdateError(`${host}:${port} closed the TCP connection without a full answer`)));
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(wire.length, 0);
    socket.write(Buffer.concat([prefix, wire]));
  });
}

/**
 * Signs and sends one UPDATE for `zone` and returns the server's answer (any RCODE). Throws
 * DnsUpdateError only when no answer came (timeout, socket error).
 */
export async function sendUpdate(target: UpdateTarget, zone: string, ops: readonly UpdateOp[]): Promise<UpdateResult> {
  const now = target.now ?? (() => Math.floor(Date.now() / 1000));
  const timeoutMs = target.timeoutMs ?? 3000;
  let transport: 'udp' | 'tcp' = target.transport ?? 'udp';
  // Over UDP the ID must be free on the shared socket; nothing awaits between choosing and sending it.
  const channel = transport === 'udp' ? udpChannel(target.host, target.port) : undefined;
  const id = channel?.freeId() ?? randomInt(0, 0x10000);
  const signed = signMessage(buildUpdate(zone, ops, id), target.tsig, now());
  let answer: Buffer;
  if (channel !== undefined) {
    answer = await channel.exchange(signed.wire, id, timeoutMs);
    // TC: the answer did not fit a datagram; RFC 2136 §6 has the client retry over TCP.
    if (((answer.readUInt16BE(2) >> 9) & 1) === 1) {
      transport = 'tcp';
      answer = await tcpExchange(target.host, target.port, signed.wire, timeoutMs);
    }
  } else {
    answer = await tcpExchange(target.host, target.port, signed.wire, timeoutMs);
  }
  const rcode = answer.readUInt16BE(2) & 0xf;
  return { rcode, rcodeName: rcodeName(rcode), transport, tsig: verifyTsig(answer, target.tsig, now(), signed.mac) };
}

/** Like {@link sendUpdate}, but throws DnsUpdateError unless the server answered NOERROR with a valid signature. */
export async function applyUpdate(target: UpdateTarget, zone: string, ops: readonly UpdateOp[]): Promise<UpdateResult> {
  const result = await sendUpdate(target, zone, ops);
  if (result.rcode !== 0) throw new DnsUpdateError(`DNS UPDATE of zone ${zone} refused by ${target.host}:${target.port}: ${result.rcodeName}`, result.rcode);
  if (!result.tsig.ok) throw new DnsUpdateError(`DNS UPDATE answer from ${target.host}:${target.port} failed TSIG verification: ${result.tsig.reason}`, result.rcode);
  return result;
}
