/**
 * @module What DNS should answer for a record, and how an answer compares with it (pure: no
 * sockets). Every RR is reduced to one canonical text per kind, so the comparison is a set
 * comparison: A/AAAA address sets, CNAME/NS/MX/SRV targets case-insensitive without the trailing
 * dot, TXT strings exactly, CAA flags/tag/value; a deleted record is gone on NXDOMAIN or NODATA.
 */
import type { Answer, DecodedPacket } from 'dns-packet';
import { kindInfo, zoneLabel } from '../model/kinds.js';
import type { KindInfo } from '../model/kinds.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { recordToRrs } from '../model/output/rdata.js';

/** The DNS types the record kinds publish. */
export type ProbeRrType = NonNullable<KindInfo['rrType']>;

/** What the operation should leave in DNS: `create`/`update` the desired data, `delete` the name gone. */
export type ProbeOperation = 'create' | 'update' | 'delete';

/**
 * The data a record should be served with: each accepted shape is the set of canonical RR texts of
 * one RRset. Only TXT has two shapes: bindy's operator publishes one RR per `spec.text` entry, a
 * zone file (and the model's rdata writer) one RR holding every entry as a character-string.
 */
export interface ExpectedData {
  rrType: ProbeRrType;
  shapes: readonly (readonly string[])[];
  /** The desired data in presentation form, for reports. */
  text: string;
  /** The TTL every RR must be served with (an update that only changes `spec.ttl`); absent: any TTL. */
  ttl?: number;
}

/** What one answer said about the probed name and type. */
export interface ObservedAnswer {
  /** RCODE: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, … */
  rcode: number;
  /** Canonical texts of the RRs of the probed type owned by the probed name (answer section; NS also authority). */
  rrs: string[];
  /** Other data at the name (e.g. a CNAME when an A was asked), canonical `TYPE rdata`. */
  other: string[];
  /** One line for reports: `NOERROR A 192.0.2.1`, `NXDOMAIN`, `NOERROR no data`. */
  text: string;
  /** The TTLs of `rrs`' records as served (absent where not read). */
  ttls?: number[];
}

/**
 * How an answer compares with the desired state: `match`; `pending` (nothing yet, or for a delete
 * still served); `stale` (an update's previous data); `wrong` (NOERROR with other data); `error`
 * (SERVFAIL, REFUSED…: the server does not serve the zone (yet)).
 */
export type AnswerVerdict = 'match' | 'pending' | 'stale' | 'wrong' | 'error';

const rcodeNames: Readonly<Record<number, string>> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 9: 'NOTAUTH', 10: 'NOTZONE' };

/** The name of an RCODE (`RCODE15` when it has none here). */
export function rcodeName(rcode: number): string {
  return rcodeNames[rcode] ?? `RCODE${rcode}`;
}

/** A domain name compared case-insensitively, without the trailing dot. */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

/** `name.zone`, or the zone itself for `@` or an empty name (as bindy builds the owner). */
export function recordFqdn(name: string, zoneName: string): string {
  const zone = canonicalName(zoneName);
  if (name === '@' || name === '') return zone;
  return `${canonicalName(name)}.${zone}`;
}

/** An IPv4 address with leading zeros dropped; anything that is not one is kept as it is. */
function canonicalIpv4(a: string): string {
  const parts = a.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) return a.trim();
  return parts.map((p) => String(Number(p))).join('.');
}

/** An IPv6 address in its RFC 5952 form (the URL parser compresses and lower-cases it). */
function canonicalIpv6(a: string): string {
  try {
    return new URL(`http://[${a.trim()}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return a.trim().toLowerCase();
  }
}

function txtText(strings: readonly string[]): string {
  return JSON.stringify(strings);
}

/** TXT character-strings are at most 255 bytes; a longer entry is split as BIND and the operator split it. */
function txtChunks(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 255) return [text];
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255).toString('utf8'));
  return out;
}

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}

/** The desired data of a record object, in canonical form (see {@link ExpectedData}). */
export function expectedDataOf(r: RecordObject): ExpectedData {
  const rrType = kindInfo[r.kind].rrType ?? 'A';
  const text = recordToRrs(r)
    .map((rr) => `${rr.type} ${rr.rdata}`)
    .join('; ');
  const one = (rrs: readonly string[]): ExpectedData => ({ rrType, shapes: [dedupe(rrs)], text });
  switch (r.kind) {
    case 'ARecord':
      return one(r.spec.ipv4Addresses.map(canonicalIpv4));
    case 'AAAARecord':
      return one(r.spec.ipv6Addresses.map(canonicalIpv6));
    case 'CNAMERecord':
    case 'PTRRecord':
      return one([canonicalName(r.spec.target)]);
    case 'NSRecord':
      return one([canonicalName(r.spec.nameserver)]);
    case 'MXRecord':
      return one([`${r.spec.priority} ${canonicalName(r.spec.mailServer)}`]);
    case 'SRVRecord':
      return one([`${r.spec.priority} ${r.spec.weight} ${r.spec.port} ${canonicalName(r.spec.target)}`]);
    case 'CAARecord':
      return one([`${r.spec.flags} ${r.spec.tag.toLowerCase()} ${JSON.stringify(r.spec.value)}`]);
    case 'TXTRecord':
      return {
        rrType,
        shapes: [dedupe(r.spec.text.map((t) => txtText(txtChunks(t)))), [txtText(r.spec.text.flatMap(txtChunks))]],
        text,
      };
  }
}

/** The owner name a record object is served at: `spec.name` under the zone its label names. */
export function recordObjectFqdn(r: RecordObject): string {
  const zone = r.metadata.labels[zoneLabel];
  if (zone === undefined) throw new RangeError(`${r.kind} ${r.metadata.name} has no ${zoneLabel} label: its zone is unknown`);
  return recordFqdn(r.spec.name, zone);
}

function bufferText(b: string | Buffer): string {
  return typeof b === 'string' ? b : b.toString('utf8');
}

/** The canonical text of one RR's data, or undefined for a type the probe never asks for. */
export function canonicalRdata(a: Answer): string | undefined {
  switch (a.type) {
    case 'A':
      return canonicalIpv4(a.data);
    case 'AAAA':
      return canonicalIpv6(a.data);
    case 'CNAME':
    case 'NS':
    case 'DNAME':
    case 'PTR':
      return canonicalName(a.data);
    case 'MX':
      return `${a.data.preference ?? 0} ${canonicalName(a.data.exchange)}`;
    case 'SRV':
      return `${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${canonicalName(a.data.target)}`;
    case 'CAA':
      return `${a.data.flags ?? 0} ${a.data.tag.toLowerCase()} ${JSON.stringify(a.data.value)}`;
    case 'TXT': {
      const d = a.data;
      return txtText((Array.isArray(d) ? d : [d]).map(bufferText));
    }
    default:
      return undefined;
  }
}

/** Reads what a decoded response says about `fqdn`/`rrType` (the NS of a delegation come back in the authority section). */
export function readAnswer(packet: DecodedPacket, fqdn: string, rrType: ProbeRrType): ObservedAnswer {
  const rcode = (packet.flags ?? 0) & 0xf;
  const name = canonicalName(fqdn);
  const rrs: string[] = [];
  const ttls: number[] = [];
  const other: string[] = [];
  const sections = rrType === 'NS' ? [packet.answers ?? [], packet.authorities ?? []] : [packet.answers ?? []];
  for (const section of sections) {
    for (const a of section) {
      if (a.type === 'OPT' || canonicalName(a.name) !== name) continue;
      const data = canonicalRdata(a);
      if (a.type === rrType && data !== undefined) {
        rrs.push(data);
        if (a.ttl !== undefined) ttls.push(a.ttl);
      }
      else if (section === packet.answers && a.type !== 'RRSIG') other.push(`${a.type} ${data ?? '(data)'}`);
    }
  }
  const uniq = dedupe(rrs);
  let text = rcodeName(rcode);
  if (rcode === 0) {
    const parts = [...(uniq.length > 0 ? [`${rrType} ${uniq.join(', ')}`] : []), ...other];
    text += parts.length > 0 ? ` ${parts.join('; ')}` : ' no data';
  }
  return { rcode, rrs: uniq, other, text, ttls };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** True when the answer's RRset is one of the accepted shapes of `expected`. */
export function answerMatches(expected: ExpectedData, observed: ObservedAnswer): boolean {
  if (observed.rcode !== 0 || observed.other.length > 0) return false;
  const ttl = expected.ttl;
  if (ttl !== undefined && (observed.ttls ?? []).some((t) => t !== ttl)) return false;
  return expected.shapes.some((s) => sameSet(dedupe(s), observed.rrs));
}

/** Judges one answer against the desired state of `operation` (`previous`: an update's old data). */
export function judgeAnswer(operation: ProbeOperation, expected: ExpectedData | null, observed: ObservedAnswer, previous?: ExpectedData): AnswerVerdict {
  if (observed.rcode !== 0 && observed.rcode !== 3) return 'error';
  // A delete is done once the type is gone (NXDOMAIN, or NODATA for it), whatever else the name holds.
  if (operation === 'delete') return observed.rcode === 3 || observed.rrs.length === 0 ? 'match' : 'pending';
  const empty = observed.rcode === 3 || (observed.rrs.length === 0 && observed.other.length === 0);
  if (expected === null) throw new RangeError(`a ${operation} needs the expected data`);
  if (empty) return 'pending';
  if (answerMatches(expected, observed)) return 'match';
  if (previous !== undefined && answerMatches(previous, observed)) return 'stale';
  return 'wrong';
}

/** True when the answer section holds an RRSIG of `fqdn` covering `rrType` (a signed zone's answer to a query with the DO bit). */
export function coveredBySignature(packet: DecodedPacket, fqdn: string, rrType: string): boolean {
  const name = canonicalName(fqdn);
  return (packet.answers ?? []).some((a) => a.type === 'RRSIG' && canonicalName(a.name) === name && (a.data as { typeCovered?: string } | undefined)?.typeCovered === rrType);
}
