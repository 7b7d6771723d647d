/**
 * @module The rndc control-channel message format (BIND's ISCCC), as bindcar ≥ 0.7 speaks it natively
 * instead of spawning the rndc program: a table of keys to values (binary data, tables, lists), framed
 * by a 4-byte length and a 4-byte version (1), signed with an HMAC of the shared key in a leading
 * `_auth` entry over the bytes that follow it. Pure: no sockets here (see rndc.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** A value in a control message: binary data (strings are sent as their UTF-8 bytes), a table, or a list. */
export type RndcValue = Buffer | string | RndcTable | RndcValue[];
/** A table: keys in the order they are sent. */
export interface RndcTable {
  [key: string]: RndcValue;
}

/** HMAC algorithms of rndc keys. */
export type RndcAlgorithm = 'hmac-md5' | 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

const typeBinary = 1;
const typeTable = 2;
const typeList = 3;
/** The protocol version every message carries. */
const version = 1;
/** A SHA signature: one algorithm byte, then the base64 digest NUL-padded to 88 bytes (BIND's HSHA_LENGTH). */
const shaSignatureLength = 88;
/** Algorithm numbers of the `hsha` signature's first byte (ISCCC_ALG_HMACSHA1…512). */
const shaNumber: Record<Exclude<RndcAlgorithm, 'hmac-md5'>, number> = { 'hmac-sha1': 161, 'hmac-sha224': 162, 'hmac-sha256': 163, 'hmac-sha384': 164, 'hmac-sha512': 165 };

/** A message that does not decode or does not verify; the message says what is wrong. */
export class RndcWireError extends Error {}

function isTable(v: RndcValue): v is RndcTable {
  return typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function encodeValue(v: RndcValue): Buffer {
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const data = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    return Buffer.concat([Buffer.from([typeBinary]), u32(data.length), data]);
  }
  const data = Array.isArray(v) ? Buffer.concat(v.map(encodeValue)) : encodeTableBody(v);
  return Buffer.concat([Buffer.from([Array.isArray(v) ? typeList : typeTable]), u32(data.length), data]);
}

/** A table's entries without the table's own type and length (the form of a message's top level). */
export function encodeTableBody(table: RndcTable): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(table)) {
    const k = Buffer.from(key, 'ascii');
    if (k.length === 0 || k.length > 255) throw new RndcWireError(`key ${JSON.stringify(key)} is not 1-255 bytes`);
    parts.push(Buffer.from([k.length]), k, encodeValue(value));
  }
  return Buffer.concat(parts);
}

function digest(algorithm: RndcAlgorithm, secret: Buffer, data: Buffer): string {
  return createHmac(algorithm.slice('hmac-'.length), secret).update(data).digest('base64');
}

/** The `_auth` entry's table for a signature of `signed` (the bytes after the entry). */
function authTable(algorithm: RndcAlgorithm, secret: Buffer, signed: Buffer): RndcTable {
  const b64 = digest(algorithm, secret, signed);
  // MD5: the 24 base64 characters without their two '=' (22); SHA: algorithm byte, digest NUL-padded.
  if (algorithm === 'hmac-md5') return { hmd5: b64.replace(/=+$/, '') };
  const sig = Buffer.alloc(1 + shaSignatureLength);
  sig[0] = shaNumber[algorithm];
  sig.write(b64, 1, 'ascii');
  return { hsha: sig };
}

/** One framed, signed message: length, version, `_auth`, then `message`'s entries. */
export function encodeMessage(message: RndcTable, algorithm: RndcAlgorithm, secret: Buffer): Buffer {
  const body = encodeTableBody(message);
  const auth = encodeTableBody({ _auth: authTable(algorithm, secret, body) });
  const payload = Buffer.concat([u32(version), auth, body]);
  return Buffer.concat([u32(payload.length), payload]);
}

/** The bytes of a complete frame at the start of `buffer` (length-prefixed), or undefined while incomplete. */
export function frameLength(buffer: Buffer): number | undefined {
  if (buffer.length < 4) return undefined;
  const total = 4 + buffer.readUInt32BE(0);
  return buffer.length >= total ? total : undefined;
}

interface Cursor {
  readonly buf: Buffer;
  pos: number;
}

function need(c: Cursor, n: number, what: string): void {
  if (c.pos + n > c.buf.length) throw new RndcWireError(`message truncated in ${what} (${c.buf.length - c.pos} of ${n} bytes)`);
}

function decodeValue(c: Cursor, depth: number): RndcValue {
  need(c, 5, 'a value header');
  const type = c.buf[c.pos] ?? 0;
  const len = c.buf.readUInt32BE(c.pos + 1);
  c.pos += 5;
  need(c, len, 'a value');
  const end = c.pos + len;
  const slice = c.buf.subarray(c.pos, end);
  if (depth > 16) throw new RndcWireError('message nested deeper than 16 levels');
  let value: RndcValue;
  // Type 0 (string) is unused by BIND; it reads as binary data.
  if (type === 0 || type === typeBinary) value = Buffer.from(slice);
  else if (type === typeTable) value = decodeTableBody(slice, depth + 1).table;
  else if (type === typeList) {
    const list: RndcValue[] = [];
    const inner: Cursor = { buf: slice, pos: 0 };
    while (inner.pos < slice.length) list.push(decodeValue(inner, depth + 1));
    value = list;
  } else throw new RndcWireError(`unknown value type ${type}`);
  c.pos = end;
  return value;
}

/** A table body's entries; `firstEnd` is where the first entry ends (the start of the signed bytes when it is `_auth`). */
export function decodeTableBody(buf: Buffer, depth = 0): { table: RndcTable; firstEnd: number; firstKey?: string } {
  const c: Cursor = { buf, pos: 0 };
  const table: RndcTable = {};
  let firstEnd = 0;
  let firstKey: string | undefined;
  while (c.pos < buf.length) {
    const klen = buf[c.pos] ?? 0;
    c.pos += 1;
    need(c, klen, 'a key');
    const key = buf.toString('ascii', c.pos, c.pos + klen);
    c.pos += klen;
    table[key] = decodeValue(c, depth);
    if (firstKey === undefined) {
      firstKey = key;
      firstEnd = c.pos;
    }
  }
  return { table, firstEnd, ...(firstKey === undefined ? {} : { firstKey }) };
}

/**
 * Decodes one complete frame and checks its signature with the shared key; a message that is not
 * signed by that key (or not version 1) throws RndcWireError.
 */
export function decodeMessage(frame: Buffer, algorithm: RndcAlgorithm, secret: Buffer): RndcTable {
  if (frame.length < 8) throw new RndcWireError('message shorter than its header');
  const len = frame.readUInt32BE(0);
  if (len !== frame.length - 4) throw new RndcWireError(`length field ${len} does not match the ${frame.length - 4} bytes received`);
  const v = frame.readUInt32BE(4);
  if (v !== version) throw new RndcWireError(`protocol version ${v}, expected ${version}`);
  const body = frame.subarray(8);
  const { table, firstEnd, firstKey } = decodeTableBody(body);
  const auth = table['_auth'];
  if (firstKey !== '_auth' || auth === undefined || !isTable(auth)) throw new RndcWireError('message is not signed (no leading _auth)');
  const expected = authTable(algorithm, secret, body.subarray(firstEnd));
  const [name, want] = Object.entries(expected)[0] ?? ['', ''];
  const got = auth[name];
  const a = Buffer.from(typeof want === 'string' || Buffer.isBuffer(want) ? want : '');
  const b = typeof got === 'string' || Buffer.isBuffer(got) ? Buffer.from(got) : Buffer.alloc(0);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new RndcWireError(`signature does not verify with the key (${algorithm})`);
  delete table['_auth'];
  return table;
}

/** A table's entry as text (binary data decoded as UTF-8); undefined when absent or not data. */
export function textOf(table: RndcValue | undefined, key: string): string | undefined {
  if (table === undefined || !isTable(table)) return undefined;
  const v = table[key];
  if (typeof v === 'string') return v;
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
}

/** A nested table by key; undefined when absent or not a table. */
export function tableOf(table: RndcTable, key: string): RndcTable | undefined {
  const v = table[key];
  return v !== undefined && isTable(v) ? v : undefined;
}
