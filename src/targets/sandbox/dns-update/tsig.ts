/**
 * @module TSIG (RFC 8945) signing and verification of DNS messages with HMAC-SHA256/384/512 (pure).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalName, readName, recordSpans, skipName } from './wire.js';

/** A TSIG key as BIND's `key` clause states it. */
export interface TsigKeySpec {
  /** Key name, a DNS name. */
  readonly name: string;
  readonly algorithm: 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';
  /** Base64 of the shared secret. */
  readonly secret: string;
}

/** TSIG RR type and the class it is sent with. */
export const tsigType = 250;
const classAny = 255;
/** Fudge BIND's own tools use: the accepted clock skew, in seconds. */
export const defaultFudgeSeconds = 300;

const hashOf = { 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' } as const;

/** The TSIG variables of RFC 8945 §4.3.3, in the order they are digested. */
export function tsigVariables(key: TsigKeySpec, timeSigned: number, fudge: number, error = 0, other: Buffer = Buffer.alloc(0)): Buffer {
  const fixed = Buffer.alloc(2 + 4);
  fixed.writeUInt16BE(classAny, 0);
  fixed.writeUInt32BE(0, 2); // TTL
  const tail = Buffer.alloc(6 + 2 + 2 + 2);
  writeUint48(tail, timeSigned, 0);
  tail.writeUInt16BE(fudge, 6);
  tail.writeUInt16BE(error, 8);
  tail.writeUInt16BE(other.length, 10);
  return Buffer.concat([canonicalName(key.name), fixed, canonicalName(key.algorithm), tail, other]);
}

function writeUint48(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt16BE(Math.floor(value / 2 ** 32) & 0xffff, offset);
  buf.writeUInt32BE(value % 2 ** 32, offset + 2);
}

function readUint48(buf: Buffer, offset: number): number {
  return buf.readUInt16BE(offset) * 2 ** 32 + buf.readUInt32BE(offset + 2);
}

/** HMAC of the concatenated parts with the key's secret. */
export function tsigMac(key: TsigKeySpec, parts: readonly Buffer[]): Buffer {
  const hmac = createHmac(hashOf[key.algorithm], Buffer.from(key.secret, 'base64'));
  for (const p of parts) hmac.update(p);
  return hmac.digest();
}

/** A signed message and the MAC a response's signature will chain to. */
export interface SignedMessage {
  readonly wire: Buffer;
  readonly mac: Buffer;
}

/**
 * Appends a TSIG record to `msg` (which must not carry one): MAC over the message as it is plus the
 * TSIG variables (§4.3.3), then ARCOUNT + 1. `timeSigned` is in seconds since the epoch.
 */
export function signMessage(msg: Buffer, key: TsigKeySpec, timeSigned: number, fudge = defaultFudgeSeconds): SignedMessage {
  const mac = tsigMac(key, [msg, tsigVariables(key, timeSigned, fudge)]);
  const alg = canonicalName(key.algorithm);
  const rdata = Buffer.alloc(alg.length + 6 + 2 + 2 + mac.length + 2 + 2 + 2);
  let at = alg.copy(rdata, 0);
  writeUint48(rdata, timeSigned, at);
  at += 6;
  at = rdata.writeUInt16BE(fudge, at);
  at = rdata.writeUInt16BE(mac.length, at);
  at += mac.copy(rdata, at);
  at = rdata.writeUInt16BE(msg.readUInt16BE(0), at); // original ID
  at = rdata.writeUInt16BE(0, at); // error
  rdata.writeUInt16BE(0, at); // other len
  const head = Buffer.alloc(10);
  head.writeUInt16BE(tsigType, 0);
  head.writeUInt16BE(classAny, 2);
  head.writeUInt32BE(0, 4);
  head.writeUInt16BE(rdata.length, 8);
  const wire = Buffer.concat([msg, canonicalName(key.name), head, rdata]);
  wire.writeUInt16BE(msg.readUInt16BE(10) + 1, 10);
  return { wire, mac };
}

/** The TSIG record found at the end of a message. */
export interface TsigRecord {
  readonly keyName: string;
  readonly algorithm: string;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Buffer;
  readonly originalId: number;
  /** TSIG error: 0, or 16 BADSIG, 17 BADKEY, 18 BADTIME, 22 BADTRUNC. */
  readonly error: number;
  readonly other: Buffer;
  /** The message as it was before signing: TSIG removed, ARCOUNT − 1, the original ID. */
  readonly unsigned: Buffer;
}

/** Finds and decodes the TSIG record, which RFC 8945 requires to be the last record; undefined when absent. */
export function extractTsig(wire: Buffer): TsigRecord | undefined {
  const { counts, records } = recordSpans(wire);
  const last = records[records.length - 1];
  if (last === undefined || counts[3] === 0 || last.type !== tsigType) return undefined;
  let at = last.rdata;
  const algorithm = readName(wire, at);
  at = skipName(wire, at);
  const timeSigned = readUint48(wire, at);
  at += 6;
  const fudge = wire.readUInt16BE(at);
  const macSize = wire.readUInt16BE(at + 2);
  at += 4;
  const mac = Buffer.from(wire.subarray(at, at + macSize));
  at += macSize;
  const originalId = wire.readUInt16BE(at);
  const error = wire.readUInt16BE(at + 2);
  const otherLen = wire.readUInt16BE(at + 4);
  const other = Buffer.from(wire.subarray(at + 6, at + 6 + otherLen));
  const unsigned = Buffer.from(wire.subarray(0, last.start));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(counts[3] - 1, 10);
  return { keyName: readName(wire, last.start), algorithm, timeSigned, fudge, mac, originalId, error, other, unsigned };
}

/** Outcome of {@link verifyTsig}. */
export type TsigVerdict =
  | { readonly ok: true; readonly record: TsigRecord }
  | { readonly ok: false; readonly reason: string; readonly record?: TsigRecord };

/**
 * Checks a signed message: key and algorithm names, the MAC (for a response, chained to the
 * request's MAC as §4.3.1 says), and that `nowSeconds` is within the fudge of the signing time.
 */
export function verifyTsig(wire: Buffer, key: TsigKeySpec, nowSeconds: number, requestMac?: Buffer): TsigVerdict {
  const record = extractTsig(wire);
  if (record === undefined) return { ok: false, reason: 'message carries no TSIG record' };
  if (record.keyName !== key.name.toLowerCase().replace(/\.$/, '')) return { ok: false, reason: `signed with key ${record.keyName}`, record };
  if (record.algorithm !== key.algorithm) return { ok: false, reason: `signed with algorithm ${record.algorithm}`, record };
  const prefix: Buffer[] = [];
  if (requestMac !== undefined) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(requestMac.length, 0);
    prefix.push(len, requestMac);
  }
  const expected = tsigMac(key, [...prefix, record.unsigned, tsigVariables(key, record.timeSigned, record.fudge, record.error, record.other)]);
  if (expected.length !== record.mac.length || !timingSafeEqual(expected, record.mac)) return { ok: false, reason: 'MAC does not match (BADSIG)', record };
  if (Math.abs(nowSeconds - record.timeSigned) > record.fudge) return { ok: false, reason: 'signing time outside the fudge (BADTIME)', record };
  return { ok: true, record };
}
