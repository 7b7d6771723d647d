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

/** The 8 DNS record kinds ("record" means any of them; there is no DNSRecord kind). */
export const recordKinds = [
  'ARecord',
  'AAAARecord',
  'CNAMERecord',
  'MXRecord',
  'TXTRecord',
  'NSRecord',
  'SRVRecord',
  'CAARecord',
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
  rrType?: 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'NS' | 'SRV' | 'CAA';
}

function info(kind: BindyKind, shortNames: readonly string[], namespaced = true, rrType?: KindInfo['rrType']): KindInfo {
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
  Bind9Cluster: info('Bind9Cluster', ['b9c', 'b9cs']),
  Bind9Instance: info('Bind9Instance', ['b9', 'b9s']),
  ClusterBind9Provider: info('ClusterBind9Provider', ['cb9p', 'cb9ps'], false),
};

/** True when `k` names one of the 8 record kinds. */
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

/** True for bindy's kinds (the twelve CRDs). */
export function isBindyKind(k: string): k is BindyKind {
  return (bindyKinds as readonly string[]).includes(k);
}
