/** @module RFC 2136 UPDATE messages (zone section, no prerequisites, update section) in wire format (pure). */
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { canonicalName } from './wire.js';

/** The record types the operator publishes, with their RDATA as dns-packet takes it. */
export type RrData =
  | { readonly type: 'A'; readonly data: string }
  | { readonly type: 'AAAA'; readonly data: string }
  | { readonly type: 'CNAME'; readonly data: string }
  | { readonly type: 'PTR'; readonly data: string }
  | { readonly type: 'NS'; readonly data: string }
  | { readonly type: 'MX'; readonly data: { readonly preference: number; readonly exchange: string } }
  /** One TXT RR: its character-strings, each at most 255 bytes. */
  | { readonly type: 'TXT'; readonly data: readonly string[] }
  | { readonly type: 'SRV'; readonly data: { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string } }
  | { readonly type: 'CAA'; readonly data: { readonly flags: number; readonly tag: string; readonly value: string } };

/** A record type the operator publishes. */
export type RrType = RrData['type'];

/** Numeric RR type codes (RFC 1035, 3596, 2782, 8659). */
export const rrTypeCode: Readonly<Record<RrType, number>> = { A: 1, NS: 2, CNAME: 5, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, CAA: 257 };

/** An RRset: every record of one owner name and type. */
export interface RrSet {
  /** Owner name, fully qualified, without the trailing dot. */
  readonly name: string;
  readonly type: RrType;
  /** Seconds. */
  readonly ttl: number;
  /** Each item's `type` must equal the set's `type`. */
  readonly records: readonly RrData[];
}

/** One change in the update section. */
export type UpdateOp =
  /** Delete the RRset, then add these records: the RRset ends up exactly as given. */
  | { readonly op: 'replace'; readonly rrset: RrSet }
  /** Delete the whole RRset of this name and type (class ANY, RFC 2136 §2.5.2). */
  | { readonly op: 'delete'; readonly name: string; readonly type: RrType };

/** DNS header flags of an UPDATE request: opcode 5 in bits 11–14. */
export const updateFlags = 5 << 11;

function toAnswer(name: string, ttl: number, rr: RrData): Answer {
  switch (rr.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return { type: rr.type, name, ttl, class: 'IN', data: rr.data };
    case 'MX':
      return { type: 'MX', name, ttl, class: 'IN', data: { preference: rr.data.preference, exchange: rr.data.exchange } };
    case 'TXT':
      return { type: 'TXT', name, ttl, class: 'IN', data: rr.data.map((s) => Buffer.from(s, 'utf8')) };
    case 'SRV':
      return { type: 'SRV', name, ttl, class: 'IN', data: { ...rr.data } };
    case 'CAA':
      return { type: 'CAA', name, ttl, class: 'IN', data: { flags: rr.data.flags, tag: caaTag(rr.data.tag), value: rr.data.value } };
  }
}

/** The CAA tags RFC 8659 defines; dns-packet's types know no others. */
function caaTag(tag: string): 'issue' | 'issuewild' | 'iodef' {
  if (tag === 'issue' || tag === 'issuewild' || tag === 'iodef') return tag;
  throw new RangeError(`CAA tag ${JSON.stringify(tag)} is not one of issue, issuewild, iodef`);
}

/** "Delete an RRset": owner, type, class ANY, TTL 0, empty RDATA (RFC 2136 §2.5.2). */
function deleteRrset(name: string, type: RrType): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rrTypeCode[type], 0);
  fixed.writeUInt16BE(255, 2);
  return Buffer.concat([canonicalName(name), fixed]);
}

/**
 * The UPDATE message for `zone` with the given changes, unsigned. dns-packet encodes the header,
 * the zone section and every added record; an RRset deletion needs a typed RR with class ANY and
 * no RDATA, which dns-packet's typed encoders cannot express, so those records are written here
 * and spliced in before the additions (dns-packet never compresses names, so records move freely).
 */
export function buildUpdate(zone: string, ops: readonly UpdateOp[], id: number): Buffer {
  const deletes: Buffer[] = [];
  const adds: Answer[] = [];
  for (const op of ops) {
    if (op.op === 'delete') {
      deletes.push(deleteRrset(op.name, op.type));
      continue;
    }
    deletes.push(deleteRrset(op.rrset.name, op.rrset.type));
    for (const rr of op.rrset.records) {
      if (rr.type !== op.rrset.type) throw new RangeError(`record of type ${rr.type} in an ${op.rrset.type} RRset`);
      adds.push(toAnswer(op.rrset.name, op.rrset.ttl, rr));
    }
  }
  const encoded = dnsPacket.encode({
    type: 'query',
    id,
    flags: updateFlags,
    questions: [{ type: 'SOA', name: zone, class: 'IN' }],
    authorities: adds,
  });
  const afterZone = 12 + canonicalName(zone).length + 4;
  const out = Buffer.concat([encoded.subarray(0, afterZone), ...deletes, encoded.subarray(afterZone)]);
  out.writeUInt16BE(adds.length + deletes.length, 8);
  return out;
}
