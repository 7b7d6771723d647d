/**
 * @module bindy's status conditions for records and zones: types, reasons, messages, transition
 * times and the "only write when something changed" rule (pure). Messages follow bindy's
 * `src/reconcilers/records/mod.rs` and `src/reconcilers/dnszone/status_helpers.rs`.
 */
import { arr, isRecord, num, str } from './objects.js';

/** A status condition as bindy writes it (no per-condition observedGeneration). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

/** RFC 3339 with sub-second digits and a `+00:00` offset, as chrono's `to_rfc3339()` prints UTC. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** The conditions of a status, skipping malformed entries. */
export function readConditions(status: Record<string, unknown> | undefined): Condition[] {
  const out: Condition[] = [];
  for (const c of arr(status?.['conditions'])) {
    if (!isRecord(c)) continue;
    const type = str(c['type']);
    const s = str(c['status']);
    if (type === undefined || (s !== 'True' && s !== 'False' && s !== 'Unknown')) continue;
    out.push({ type, status: s, reason: str(c['reason']) ?? '', message: str(c['message']) ?? '', lastTransitionTime: str(c['lastTransitionTime']) ?? '' });
  }
  return out;
}

/** Sets one condition; the transition time moves only when the status value changes. */
export function setCondition(conditions: readonly Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition[] {
  const prev = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = prev !== undefined && prev.status === next.status && prev.lastTransitionTime !== '' ? prev.lastTransitionTime : rfc3339(now);
  const c: Condition = { ...next, lastTransitionTime };
  return prev === undefined ? [...conditions, c] : conditions.map((x) => (x.type === next.type ? c : x));
}

/** The record reasons bindy uses on the one `Ready` condition. */
export type RecordReason = 'NotSelected' | 'ZoneNotFound' | 'ZoneNotConfigured' | 'InstanceFilterError' | 'NoPrimaryInstances' | 'ReconcileFailed' | 'ReconcileSucceeded';

/** What a record reconcile concluded. */
export interface RecordOutcome {
  readonly ready: boolean;
  readonly reason: RecordReason;
  readonly message: string;
  readonly generation: number | undefined;
  /** Set only on success (then with lastUpdated, and addresses for A/AAAA). */
  readonly recordHash?: string;
  readonly addresses?: string;
  readonly publishedName?: string;
}

/** bindy's record messages. */
export const recordMessages = {
  notSelected: 'Record not selected by any DNSZone recordsFrom selector',
  zoneNotFound: (ns: string, name: string, e: string) => `Referenced DNSZone ${ns}/${name} not found: ${e}`,
  zoneNotConfigured: (e: string) => `DNSZone has no instances: ${e}`,
  instanceFilterError: (e: string) => `Failed to filter primary instances: ${e}`,
  noPrimaryInstances: 'DNSZone has no primary instances configured',
  succeeded: (rrType: string, zoneName: string) => `${rrType} record added to zone ${zoneName}`,
  failed: (e: string) => `Failed to add record to zone: ${e}`,
} as const;

/**
 * The new record status, or undefined when bindy would skip the write: same observedGeneration and
 * the Ready condition has the same status, reason and message. Exactly one condition, `Ready`;
 * `zone`/`zoneRef` are kept (the zone reconcile owns them), `addresses` kept unless given.
 */
export function recordStatus(current: Record<string, unknown> | undefined, o: RecordOutcome, now: Date): Record<string, unknown> | undefined {
  const prevReady = readConditions(current).find((c) => c.type === 'Ready');
  const status = o.ready ? 'True' : 'False';
  const unchanged =
    current !== undefined &&
    num(current['observedGeneration']) === o.generation &&
    prevReady !== undefined &&
    prevReady.status === status &&
    prevReady.reason === o.reason &&
    prevReady.message === o.message;
  if (unchanged) return undefined;
  const [ready] = setCondition(prevReady === undefined ? [] : [prevReady], { type: 'Ready', status, reason: o.reason, message: o.message }, now);
  const next: Record<string, unknown> = { conditions: [ready] };
  if (o.generation !== undefined) next['observedGeneration'] = o.generation;
  for (const keep of ['zone', 'zoneRef'] as const) if (current?.[keep] !== undefined && current[keep] !== null) next[keep] = current[keep];
  if (o.recordHash !== undefined) {
    next['recordHash'] = o.recordHash;
    next['lastUpdated'] = rfc3339(now);
  }
  const addresses = o.addresses ?? str(current?.['addresses']);
  if (addresses !== undefined) next['addresses'] = addresses;
  if (o.publishedName !== undefined) next['publishedName'] = o.publishedName;
  return next;
}

/** How the zone's configuration on its instances went. */
export type ZoneOutcome =
  | {
      readonly kind: 'configured';
      readonly primaries: number;
      readonly secondaries: number;
      readonly expectedPrimaries: number;
      readonly expectedSecondaries: number;
      readonly endpoints: number;
      readonly records: number;
      /** No secondary took the zone (bindy's non-fatal secondary error): its message. */
      readonly secondaryFailure?: string;
    }
  | { readonly kind: 'primaryFailed'; readonly message: string };

/**
 * The zone's Ready/Degraded/Progressing triple after a reconcile, as bindy's
 * `set_final_zone_conditions` / `set_failure_conditions` leave it.
 */
export function zoneConditions(current: readonly Condition[], zoneName: string, o: ZoneOutcome, now: Date): Condition[] {
  let c = [...current];
  if (o.kind === 'primaryFailed') {
    c = setCondition(c, { type: 'Degraded', status: 'True', reason: 'PrimaryFailed', message: o.message }, now);
    c = setCondition(c, { type: 'Ready', status: 'False', reason: 'PrimaryFailed', message: o.message }, now);
    return setCondition(c, { type: 'Progressing', status: 'False', reason: 'PrimaryFailed', message: 'Reconciliation attempt finished with errors' }, now);
  }
  if (o.secondaryFailure !== undefined) {
    // bindy sets Degraded/SecondaryFailed during the run; set_final_zone_conditions then sees a degraded condition.
    c = setCondition(c, { type: 'Degraded', status: 'True', reason: 'SecondaryFailed', message: o.secondaryFailure }, now);
    c = setCondition(c, { type: 'Ready', status: 'False', reason: 'ReconcileDegraded', message: `Zone ${zoneName} reconciliation completed with degraded state - see Degraded condition for details` }, now);
  } else if (o.primaries < o.expectedPrimaries || o.secondaries < o.expectedSecondaries) {
    const pending = o.expectedPrimaries - o.primaries + (o.expectedSecondaries - o.secondaries);
    const message = `Zone ${zoneName} configured on ${o.primaries}/${o.expectedPrimaries} primary and ${o.secondaries}/${o.expectedSecondaries} secondary instance(s) - ${pending} instance(s) pending`;
    c = setCondition(c, { type: 'Degraded', status: 'True', reason: 'PartialReconciliation', message }, now);
    c = setCondition(c, { type: 'Ready', status: 'False', reason: 'PartialReconciliation', message }, now);
  } else {
    const message = `Zone ${zoneName} configured on ${o.primaries} primary and ${o.secondaries} secondary instance(s) (${o.endpoints} endpoint(s)), discovered ${o.records} DNS record(s)`;
    c = setCondition(c, { type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', message }, now);
    c = setCondition(c, { type: 'Degraded', status: 'False', reason: 'ReconcileSucceeded', message: '' }, now);
  }
  return setCondition(c, { type: 'Progressing', status: 'False', reason: 'ReconcileComplete', message: 'Reconciliation attempt finished' }, now);
}

/** True when two condition lists differ in anything but transition times. */
export function conditionsChanged(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (a.length !== b.length) return true;
  return a.some((x) => {
    const y = b.find((c) => c.type === x.type);
    return y === undefined || y.status !== x.status || y.reason !== x.reason || y.message !== x.message;
  });
}
