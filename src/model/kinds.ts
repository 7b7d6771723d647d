/**
 * @module The bindy kinds: API group, version, names and scope of each, as bindy's CRDs declare
 * them (bindy.firestoned.io/v1beta1). Fixtures, the sandbox API server and the watchers all read
 * this one table.
 */

/** bindy's API group. */
export const bindyGroup = 'bindy.firestoned.io';
/** The one served version. */
export const bindyVersion = 'v1beta1';
/** `apiVersion` of every bindy object. */
export const bindyApiVersion = `${bindyGroup}/${bindyVersion}`;

/**
 * The 9 DNS record kinds ("record" means any of them; there is no DNSRecord kind). PTRRecord came
 * with bindy's v0.8 line: a 0.6 cluster serves only the other 8 ({@link KindInfo.since}).
 */
export const recordKinds = [
  'ARecord',
  'AAAARecord',
  'CNAMERecord',
  'MXRecord',
  'TXTRecord',
  'NSRecord',
  'SRVRecord',
  'CAARecord',
  'PTRRecord',
] as const;
export type RecordKind = (typeof recordKinds)[number];

/** Every bindy kind. */
export const bindyKinds = [
  'DNSZone',
  ...recordKinds,
  'Bind9Cluster',
  'Bind9Instance',
  'ClusterBind9Provider',
] as const;
export type BindyKind = (typeof bindyKinds)[number];

/** Names and scope of one kind, as in its CRD. */
export interface KindInfo {
  kind: BindyKind;
  plural: string;
  singular: string;
  listKind: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** The finalizer bindy puts on objects of this kind (`bindy.firestoned.io/<kind-lowercase>-finalizer`). */
  finalizer: string;
  /** For record kinds: the DNS RR type it publishes. */
  rrType?: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS' | 'SRV' | 'CAA' | 'PTR';
  /** The bindy release line whose CRDs added the kind; absent: every line the tool knows (0.6 on). */
  since?: BindyLine;
}

/** The bindy release lines the tool tells apart by what they serve and do (`0.6`: 0.6.x; `0.8`: the v0.8 line). */
export const bindyLines = ['0.6', '0.8'] as const;
/** One of {@link bindyLines}. */
export type BindyLine = (typeof bindyLines)[number];

/** True for the names of {@link bindyLines}. */
export function isBindyLine(v: string): v is BindyLine {
  return (bindyLines as readonly string[]).includes(v);
}

function info(kind: BindyKind, shortNames: readonly string[], namespaced = true, rrType?: KindInfo['rrType'], since?: BindyLine): KindInfo {
  const singular = kind.toLowerCase();
  return {
    kind,
    plural: `${singular}s`,
    singular,
    listKind: `${kind}List`,
    shortNames,
    namespaced,
    finalizer: `${bindyGroup}/${singular}-finalizer`,
    ...(rrType === undefined ? {} : { rrType }),
    ...(since === undefined ? {} : { since }),
  };
}

/** Metadata of every bindy kind, keyed by kind. */
export const kindInfo: Readonly<Record<BindyKind, KindInfo>> = {
  DNSZone: info('DNSZone', ['zone', 'zones', 'dz', 'dzs']),
  ARecord: info('ARecord', ['a'], true, 'A'),
  AAAARecord: info('AAAARecord', ['aaaa'], true, 'AAAA'),
  CNAMERecord: info('CNAMERecord', ['cname'], true, 'CNAME'),
  MXRecord: info('MXRecord', ['mx'], true, 'MX'),
  TXTRecord: info('TXTRecord', ['txt'], true, 'TXT'),
  NSRecord: info('NSRecord', ['ns'], true, 'NS'),
  SRVRecord: info('SRVRecord', ['srv'], true, 'SRV'),
  CAARecord: info('CAARecord', ['caa'], true, 'CAA'),
  PTRRecord: info('PTRRecord', ['ptr'], true, 'PTR', '0.8'),
  Bind9Cluster: info('Bind9Cluster', ['b9c', 'b9cs']),
  Bind9Instance: info('Bind9Instance', ['b9', 'b9s']),
  ClusterBind9Provider: info('ClusterBind9Provider', ['cb9p', 'cb9ps'], false),
};

/** True when `k` names one of the record kinds. */
export function isRecordKind(k: string): k is RecordKind {
  return (recordKinds as readonly string[]).includes(k);
}

/** The label every object the tool creates carries, with the run id as value. */
export const runIdLabel = 'loadtest.bindy.firestoned.io/run-id';
/** The label bindy's convention uses to tie a record to its zone (selected by the zone's recordsFrom). */
export const zoneLabel = `${bindyGroup}/zone`;
/** Labels bindy puts on instances made by a Bind9Cluster. */
export const clusterLabel = `${bindyGroup}/cluster`;
export const roleLabel = `${bindyGroup}/role`;

/** True for bindy's kinds (the thirteen CRDs of the 0.8 line). */
export function isBindyKind(k: string): k is BindyKind {
  return (bindyKinds as readonly string[]).includes(k);
}

/** The bindy kinds a release line's CRDs define (0.6: 12; 0.8: 13 with PTRRecord). */
export function kindsOfLine(line: BindyLine): BindyKind[] {
  return bindyKinds.filter((k) => kindInfo[k].since === undefined || bindyLines.indexOf(kindInfo[k].since) <= bindyLines.indexOf(line));
}

/** The record kinds a release line's CRDs define, in the table's order (0.6: 8; 0.8: 9 with PTRRecord). */
export function recordKindsOfLine(line: BindyLine): RecordKind[] {
  return kindsOfLine(line).filter(isRecordKind);
}

/** True for a kind an older bindy does not serve: a run lists it only when the API server does. */
export function isOptionalKind(k: string): boolean {
  return isBindyKind(k) && kindInfo[k].since !== undefined;
}
