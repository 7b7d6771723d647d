/** @module Small DNS wire-format helpers dns-packet does not expose: canonical names and walking a message's records. */

/**
 * Encodes a domain name as uncompressed wire labels, lower-cased: the canonical form RFC 8945 §4.3.3
 * asks for in the TSIG variables. A trailing dot is optional; `.` or `` is the root.
 */
export function canonicalName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed === '' ? [] : trimmed.toLowerCase().split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new RangeError(`invalid DNS label in ${JSON.stringify(name)}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > 255) throw new RangeError(`DNS name too long: ${name}`);
  return out;
}

/** Offset just past a (possibly compressed) name starting at `offset`. */
export function skipName(msg: Buffer, offset: number): number {
  let at = offset;
  for (;;) {
    if (at >= msg.length) throw new RangeError('DNS name runs past the end of the message');
    const len = msg[at] ?? 0;
    if ((len & 0xc0) === 0xc0) return at + 2; // a compression pointer ends the name
    if (len === 0) return at + 1;
    at += 1 + len;
  }
}

/** Where one resource record sits in a message. */
export interface RecordSpan {
  /** First byte of the owner name. */
  readonly start: number;
  readonly type: number;
  /** First byte of RDATA. */
  readonly rdata: number;
  readonly rdlength: number;
  /** One past the last byte. */
  readonly end: number;
}

/** Counts of the header (QD, AN, NS, AR) and the span of every record after the question section. */
export function recordSpans(msg: Buffer): { counts: [number, number, number, number]; records: RecordSpan[] } {
  if (msg.length < 12) throw new RangeError('DNS message shorter than its header');
  const counts: [number, number, number, number] = [msg.readUInt16BE(4), msg.readUInt16BE(6), msg.readUInt16BE(8), msg.readUInt16BE(10)];
  let at = 12;
  for (let i = 0; i < counts[0]; i++) at = skipName(msg, at) + 4;
  const records: RecordSpan[] = [];
  const total = counts[1] + counts[2] + counts[3];
  for (let i = 0; i < total; i++) {
    const start = at;
    const afterName = skipName(msg, at);
    if (afterName + 10 > msg.length) throw new RangeError('resource record runs past the end of the message');
    const type = msg.readUInt16BE(afterName);
    const rdlength = msg.readUInt16BE(afterName + 8);
    const rdata = afterName + 10;
    const end = rdata + rdlength;
    if (end > msg.length) throw new RangeError('RDATA runs past the end of the message');
    records.push({ start, type, rdata, rdlength, end });
    at = end;
  }
  return { counts, records };
}

/** Reads a (possibly compressed) name at `offset` as lower-case dotted text without the trailing dot. */
export function readName(msg: Buffer, offset: number): string {
  const labels: string[] = [];
  let at = offset;
  for (let hops = 0; hops < 128; hops++) {
    const len = msg[at];
    if (len === undefined) throw new RangeError('DNS name runs past the end of the message');
    if ((len & 0xc0) === 0xc0) {
      at = ((len & 0x3f) << 8) | (msg[at + 1] ?? 0);
      continue;
    }
    if (len === 0) return labels.join('.').toLowerCase();
    labels.push(msg.toString('ascii', at + 1, at + 1 + len));
    at += 1 + len;
  }
  throw new RangeError('DNS name compression loop');
}
