/** @module Text bindcar generates for BIND (zone file, `rndc addzone` block) and reads back (`rndc showzone`), pure. */
import type { CreateZoneRequest, ZoneConfig } from './bodies.js';
import { TargetNotReadyError } from '../../../errors.js';

/** The zone file bindcar writes for a primary zone: $TTL, SOA, NS, glue, then the records. */
export function renderZoneFile(config: ZoneConfig): string {
  const { soa } = config;
  const lines = [
    `$TTL ${config.ttl}`,
    '',
    `@ IN SOA ${soa.primaryNs} ${soa.adminEmail} (`,
    `    ${soa.serial}  ; Serial`,
    `    ${soa.refresh}  ; Refresh`,
    `    ${soa.retry}  ; Retry`,
    `    ${soa.expire}  ; Expire`,
    `    ${soa.negativeTtl} ); Negative TTL`,
    '',
  ];
  for (const ns of config.nameServers) lines.push(`@ IN NS ${ns}`);
  if (config.nameServers.length > 0) lines.push('');
  const glue = Object.entries(config.nameServerIps);
  for (const [ns, ip] of glue) lines.push(`${ns} IN A ${ip}`);
  if (glue.length > 0) lines.push('');
  for (const r of config.records) {
    const ttl = r.ttl === undefined ? '' : `${r.ttl} `;
    const priority = r.priority === undefined ? '' : `${r.priority} `;
    lines.push(`${r.name} ${ttl}IN ${r.type} ${priority}${r.value}`);
  }
  return `${lines.join('\n')}\n`;
}

function addressList(clause: string, items: readonly string[] | undefined, render: (item: string) => string = (i) => i): string[] {
  return items === undefined || items.length === 0 ? [] : [`${clause} { ${items.map((i) => `${render(i)}; `).join('')}}`];
}

/**
 * One `primaries` / `also-notify` endpoint in BIND's syntax. bindy 0.6.2 sends `<ip>:<port>`
 * (`[<ipv6>]:<port>` for IPv6) because named listens on 5353, not 53; bindcar 0.7.2+ renders
 * that as `<ip> port <n>`. A bare address (no port) passes as it is. `allow-transfer` is an ACL
 * of bare addresses and never goes through this.
 */
export function transferEndpoint(item: string): string {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(item);
  if (v6 !== null) return `${v6[1] ?? ''} port ${v6[2] ?? ''}`;
  const v4 = /^([^:]+):(\d+)$/.exec(item);
  return v4 === null ? item : `${v4[1] ?? ''} port ${v4[2] ?? ''}`;
}

/** The `{ type …; file "…"; allow-update { key "…"; }; … };` block bindcar passes to `rndc addzone`. */
export function renderAddzoneBlock(request: CreateZoneRequest, zoneDir: string): string {
  const parts = [`type ${request.zoneType}`];
  if (request.zoneType === 'primary') parts.push(`file "${zoneDir}/${request.zoneName}.zone"`);
  if (request.zoneType === 'secondary') parts.push(...addressList('primaries', request.zoneConfig.primaries, transferEndpoint));
  if (request.updateKeyName !== undefined) parts.push(`allow-update { key "${request.updateKeyName}"; }`);
  parts.push(...addressList('also-notify', request.zoneConfig.alsoNotify, transferEndpoint));
  parts.push(...addressList('allow-transfer', request.zoneConfig.allowTransfer));
  if (request.zoneConfig.dnssecPolicy !== undefined) parts.push(`dnssec-policy "${request.zoneConfig.dnssecPolicy}"`);
  if (request.zoneConfig.inlineSigning !== undefined) parts.push(`inline-signing ${request.zoneConfig.inlineSigning ? 'yes' : 'no'}`);
  return `{ ${parts.join('; ')}; };`;
}

/** What the handlers need from `rndc showzone`. */
export interface ShownZone {
  /** `primary` / `secondary` (BIND 9.18 may print the old `master` / `slave`; both are mapped). */
  readonly type: string;
  /** The zone has an allow-update clause. */
  readonly allowUpdate: boolean;
  /** Every `name { … };` clause of the zone body, as printed, keyed by name. */
  readonly clauses: ReadonlyMap<string, string>;
}

/** Splits the top-level statements of a `{ a; b { c; }; }` body. */
function statements(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ';' && depth === 0) {
      if (current.trim() !== '') out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/** Parses `zone "x" { type primary; file "…"; allow-update { key "k"; }; };` as rndc showzone prints it. */
export function parseShowzone(text: string): ShownZone {
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (open < 0 || close <= open) throw new TargetNotReadyError(`unexpected showzone output: ${text.trim()}`);
  const clauses = new Map<string, string>();
  for (const statement of statements(text.slice(open + 1, close))) {
    const name = statement.split(/\s+/)[0] ?? '';
    clauses.set(name, statement);
  }
  const rawType = clauses.get('type')?.split(/\s+/)[1] ?? 'unknown';
  const type = rawType === 'master' ? 'primary' : rawType === 'slave' ? 'secondary' : rawType;
  return { type, allowUpdate: clauses.has('allow-update'), clauses };
}

/**
 * The modzone block for a PATCH: the zone's current clauses with also-notify, allow-transfer and
 * allow-update replaced by the given address lists (an empty list drops the clause), as bindcar does.
 */
export function renderModzoneBlock(
  shown: ShownZone,
  change: { alsoNotify?: readonly string[]; allowTransfer?: readonly string[]; allowUpdate?: readonly string[] },
): string {
  const replaced: [string, readonly string[] | undefined][] = [
    ['also-notify', change.alsoNotify],
    ['allow-transfer', change.allowTransfer],
    ['allow-update', change.allowUpdate],
  ];
  const clauses = new Map(shown.clauses);
  for (const [name, list] of replaced) {
    if (list === undefined) continue;
    clauses.delete(name);
    const [text] = addressList(name, list, name === 'also-notify' ? transferEndpoint : undefined);
    if (text !== undefined) clauses.set(name, text);
  }
  return `{ ${[...clauses.values()].join('; ')}; };`;
}

/** Record types bindcar's record routes accept. */
export const validRecordTypes = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'PTR', 'SRV', 'CAA'] as const;

/** bindcar's record-type check: an error message, or undefined when valid. */
export function recordTypeError(type: string): string | undefined {
  const upper = type.toUpperCase();
  if ((validRecordTypes as readonly string[]).includes(upper)) return undefined;
  return `Invalid record type: ${type}. Supported types: [${validRecordTypes.map((t) => `"${t}"`).join(', ')}]`;
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** bindcar's record-value check by type: an error message, or undefined when valid. */
export function recordValueError(type: string, value: string, isIpv6: (v: string) => boolean): string | undefined {
  if (value === '') return 'Record value cannot be empty';
  switch (type.toUpperCase()) {
    case 'A':
      return ipv4.test(value) ? undefined : `Invalid IPv4 address: ${value}`;
    case 'AAAA':
      return isIpv6(value) ? undefined : `Invalid IPv6 address: ${value}`;
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'MX':
      return value.endsWith('.') ? undefined : `${type} record value must be a fully qualified domain name ending with '.': ${value}`;
    default:
      return undefined;
  }
}

/** bindcar's owner-name normalisation: `@` → apex, relative → under the zone, always with a trailing dot. */
export function normalizeRecordName(name: string, zone: string): string {
  if (name === '@') return `${zone}.`;
  if (name.endsWith('.')) return name;
  if (name.includes('.') && name.endsWith(zone)) return `${name}.`;
  return `${name}.${zone}.`;
}
