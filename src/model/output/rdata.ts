/** @module Rendering a bindy record object as BIND zone-file resource records (presentation format). */
import { kindInfo } from '../kinds.js';
import type { RecordObject } from '../fixtures/objects.js';

/** One RR line's parts: relative owner (or `@`), TTL in seconds (undefined = zone default), type, RDATA text. */
export interface ZoneRr {
  owner: string;
  ttl: number | undefined;
  type: string;
  rdata: string;
}

/**
 * Quotes one TXT/CAA character-string: `"` and `\` are backslash-escaped, bytes outside printable
 * ASCII become `\DDD` (decimal), as RFC 1035 §5.1 presentation format requires.
 */
export function quoteString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${String(byte).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** The RRs a record publishes: one per address for A/AAAA, one otherwise (TXT strings in one RR). */
export function recordToRrs(r: RecordObject): ZoneRr[] {
  const base = { owner: r.spec.name, ttl: r.spec.ttl, type: kindInfo[r.kind].rrType ?? 'A' };
  switch (r.kind) {
    case 'ARecord':
      return r.spec.ipv4Addresses.map((a) => ({ ...base, rdata: a }));
    case 'AAAARecord':
      return r.spec.ipv6Addresses.map((a) => ({ ...base, rdata: a }));
    case 'CNAMERecord':
    case 'PTRRecord':
      return [{ ...base, rdata: r.spec.target }];
    case 'MXRecord':
      return [{ ...base, rdata: `${r.spec.priority} ${r.spec.mailServer}` }];
    case 'TXTRecord':
      return [{ ...base, rdata: r.spec.text.map(quoteString).join(' ') }];
    case 'NSRecord':
      return [{ ...base, rdata: r.spec.nameserver }];
    case 'SRVRecord':
      return [{ ...base, rdata: `${r.spec.priority} ${r.spec.weight} ${r.spec.port} ${r.spec.target}` }];
    case 'CAARecord':
      return [{ ...base, rdata: `${r.spec.flags} ${r.spec.tag} ${quoteString(r.spec.value)}` }];
  }
}

/** One RR as a zone-file line. */
export function rrLine(rr: ZoneRr): string {
  return `${rr.owner}\t${rr.ttl === undefined ? '' : rr.ttl}\tIN\t${rr.type}\t${rr.rdata}\n`;
}
