/** @module The RRset a record spec publishes (owner from `name`/`@`, TTL default 300, RDATA per kind) and its hash, pure. */
import { createHash } from 'node:crypto';
import { kindInfo, type RecordKind } from '../../../model/kinds.js';
import type { RrData, RrSet } from '../dns-update/update-message.js';
import { arr, num, str } from './objects.js';

/** bindy publishes records without `spec.ttl` with this TTL, in seconds. */
export const defaultRecordTtl = 300;

/** `name.zone`, or the zone for `@`/empty; a trailing dot is dropped. */
export function ownerName(name: string, zoneName: string): string {
  const zone = zoneName.replace(/\.$/, '');
  if (name === '@' || name === '') return zone;
  return `${name.replace(/\.$/, '')}.${zone}`;
}

function fqdn(v: unknown): string | undefined {
  const s = str(v);
  return s === undefined || s === '' ? undefined : s.replace(/\.$/, '');
}

/** TXT character-strings are at most 255 bytes; longer texts are split (as BIND's zone parser does). */
function txtChunks(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 255) return [text];
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255).toString('utf8'));
  return out;
}

/** The RRset, or a message saying which spec field is unusable. */
export type RrsetResult = { readonly ok: true; readonly rrset: RrSet } | { readonly ok: false; readonly error: string };

/** Builds the RRset a record of `kind` with `spec` publishes in `zoneName`. */
export function recordRrset(kind: RecordKind, spec: Record<string, unknown>, zoneName: string): RrsetResult {
  const name = str(spec['name']);
  if (name === undefined) return { ok: false, error: 'spec.name is missing' };
  const type = kindInfo[kind].rrType;
  if (type === undefined) return { ok: false, error: `${kind} is not a record kind` };
  const ttl = num(spec['ttl']) ?? defaultRecordTtl;
  const records: RrData[] = [];
  const bad = (field: string): RrsetResult => ({ ok: false, error: `spec.${field} is missing or invalid` });
  switch (type) {
    case 'A':
    case 'AAAA': {
      const field = type === 'A' ? 'ipv4Addresses' : 'ipv6Addresses';
      const addrs = arr(spec[field]).map(str);
      if (addrs.length === 0 || addrs.some((a) => a === undefined)) return bad(field);
      for (const a of addrs as string[]) records.push({ type, data: a });
      break;
    }
    case 'CNAME':
    case 'PTR': {
      const t = fqdn(spec['target']);
      if (t === undefined) return bad('target');
      records.push({ type, data: t });
      break;
    }
    case 'NS': {
      const t = fqdn(spec['nameserver']);
      if (t === undefined) return bad('nameserver');
      records.push({ type, data: t });
      break;
    }
    case 'MX': {
      const preference = num(spec['priority']);
      const exchange = fqdn(spec['mailServer']);
      if (preference === undefined) return bad('priority');
      if (exchange === undefined) return bad('mailServer');
      records.push({ type, data: { preference, exchange } });
      break;
    }
    case 'TXT': {
      const texts = arr(spec['text']).map(str);
      if (texts.length === 0 || texts.some((t) => t === undefined)) return bad('text');
      // One TXT RR per entry of spec.text, each entry split into 255-byte character-strings.
      for (const t of texts as string[]) records.push({ type, data: txtChunks(t) });
      break;
    }
    case 'SRV': {
      const priority = num(spec['priority']);
      const weight = num(spec['weight']);
      const port = num(spec['port']);
      const target = fqdn(spec['target']);
      if (priority === undefined || weight === undefined || port === undefined || target === undefined) return bad('priority/weight/port/target');
      records.push({ type, data: { priority, weight, port, target } });
      break;
    }
    case 'CAA': {
      const flags = num(spec['flags']) ?? 0;
      const tag = str(spec['tag']);
      const value = str(spec['value']);
      if (tag === undefined || value === undefined) return bad('tag/value');
      records.push({ type, data: { flags, tag, value } });
      break;
    }
  }
  return { ok: true, rrset: { name: ownerName(name, zoneName), type, ttl, records } };
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** `status.recordHash`: SHA-256 (hex) of the spec with sorted keys, so equal specs hash equal. */
export function recordHash(spec: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

/** `status.addresses` of A/AAAA records: the addresses joined with commas (bindy's display field). */
export function displayAddresses(kind: RecordKind, spec: Record<string, unknown>): string | undefined {
  if (kind === 'ARecord') return arr(spec['ipv4Addresses']).map(str).join(',');
  if (kind === 'AAAARecord') return arr(spec['ipv6Addresses']).map(str).join(',');
  return undefined;
}
