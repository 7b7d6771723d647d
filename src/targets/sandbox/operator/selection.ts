/** @module Which Bind9Instances serve a zone and which records belong to it: bindy's label-selector wiring, pure. */
import { isRecordKind, type RecordKind } from '../../../model/kinds.js';
import { arr, isRecord, str, type BindyObject } from './objects.js';
import { parseLabelSelector, selectorMatches, type LabelSelector } from './label-selector.js';

/** The selectors of `spec.bind9InstancesFrom` or `spec.recordsFrom`; malformed entries select nothing. */
export function zoneSelectors(zone: BindyObject, field: 'bind9InstancesFrom' | 'recordsFrom'): LabelSelector[] {
  const out: LabelSelector[] = [];
  for (const entry of arr(zone.spec?.[field])) {
    const s = isRecord(entry) ? parseLabelSelector(entry['selector']) : undefined;
    if (s !== undefined) out.push(s);
  }
  return out;
}

function sameNamespace(a: BindyObject, b: BindyObject): boolean {
  return (a.metadata?.namespace ?? '') === (b.metadata?.namespace ?? '');
}

function byName(a: BindyObject, b: BindyObject): number {
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** Instances of the zone's namespace that any `bind9InstancesFrom` selector matches, by name. */
export function selectInstances(zone: BindyObject, instances: readonly BindyObject[]): BindyObject[] {
  const selectors = zoneSelectors(zone, 'bind9InstancesFrom');
  return instances
    .filter((i) => sameNamespace(zone, i) && i.metadata?.deletionTimestamp === undefined)
    .filter((i) => selectors.some((s) => selectorMatches(s, i.metadata?.labels)))
    .sort(byName);
}

/** `primary` or `secondary`, from `spec.role` (required by the CRD). */
export function instanceRole(instance: BindyObject): 'primary' | 'secondary' | undefined {
  const role = str(instance.spec?.['role'])?.toLowerCase();
  return role === 'primary' || role === 'secondary' ? role : undefined;
}

/** A record with its kind, as the zone reconcile lists them. */
export interface KindedRecord {
  readonly kind: RecordKind;
  readonly object: BindyObject;
}

/** True when the zone's `recordsFrom` selects this record (same namespace, any selector). */
export function zoneSelectsRecord(zone: BindyObject, record: BindyObject): boolean {
  if (!sameNamespace(zone, record)) return false;
  return zoneSelectors(zone, 'recordsFrom').some((s) => selectorMatches(s, record.metadata?.labels));
}

/** Records of the zone's namespace its `recordsFrom` selects, each once, in kind then name order. */
export function selectRecords(zone: BindyObject, records: readonly KindedRecord[]): KindedRecord[] {
  return records
    .filter((r) => isRecordKind(r.kind) && zoneSelectsRecord(zone, r.object))
    .sort((a, b) => a.kind.localeCompare(b.kind) || byName(a.object, b.object));
}

/** A reference from a record's `status.zoneRef` (set by the zone reconcile). */
export interface ZoneRef {
  readonly apiVersion: string;
  readonly kind: 'DNSZone';
  readonly name: string;
  readonly namespace: string;
  readonly zoneName: string;
}

/** The record's `status.zoneRef`, when the zone reconcile has set it. */
export function recordZoneRef(record: BindyObject): ZoneRef | undefined {
  const z = record.status?.['zoneRef'];
  if (!isRecord(z)) return undefined;
  const name = str(z['name']);
  const namespace = str(z['namespace']);
  const zoneName = str(z['zoneName']);
  if (name === undefined || namespace === undefined || zoneName === undefined) return undefined;
  return { apiVersion: str(z['apiVersion']) ?? '', kind: 'DNSZone', name, namespace, zoneName };
}
