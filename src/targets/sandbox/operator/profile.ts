/**
 * @module The bindy release lines the operator twin behaves as (pure): what wakes a reconcile, what
 * follows one, and how its API client is limited. 0.6 is bindy 0.6.2 (TARGET.md); 0.8 is the v0.8
 * line (TARGET.md "bindy's v0.8 line", from bindy's ADR-0005/0009/0014/0016): records and zones
 * react only to changes of generation, finalizers, labels or annotations (records also to their
 * `status.zoneRef`), no timed requeues, failures back off per object from 2 s doubling to 60 s, and
 * the API client is limited to 20 requests/s, burst 30 (excess requests wait).
 */
import { twinBindyVersions, type TwinBindyVersion } from '../../../config/types.js';
import { isRecordKind, recordKindsOfLine, type RecordKind } from '../../../model/kinds.js';
import { isRecord, type BindyObject } from './objects.js';

/** The release lines the twin models (one list: the configuration's `sandbox.operator.version`). */
export const twinProfiles = twinBindyVersions;

/** One of {@link twinProfiles}. */
export type TwinProfile = TwinBindyVersion;

/** What a release line does around its reconciles. */
export interface ProfileRules {
  /** The release a run names as measured. */
  readonly release: string;
  /** After a reconcile, the object is queued again after a fixed interval (0.6: 300 s Ready, 30 s otherwise). */
  readonly timedRequeues: boolean;
  /** Zones and records ignore events that change none of generation, finalizers, labels, annotations (records: nor zoneRef). */
  readonly eventFilter: boolean;
  /** Per-object backoff after a failed or not-yet-Ready reconcile; null: the fixed not-Ready interval. */
  readonly failureBackoff: { readonly initialMs: number; readonly maxMs: number } | null;
  /** A zone tags only records not yet tagged with it (0.6.2 patches every selected record's zoneRef on each reconcile). */
  readonly tagUntaggedOnly: boolean;
  /**
   * Who keeps a zone's `status.records[].lastReconciledAt`: `record` (0.6.2: each record reconcile
   * reads the zone and patches its status) or `zone` (0.8, ADR-0015: the zone copies each selected
   * record's `status.lastUpdated`; a record reconcile is then ≈ 5 API calls).
   */
  readonly recordStamps: 'record' | 'zone';
  /** The API client's rate limit (requests wait for a token); null: none. */
  readonly apiClientLimit: { readonly qps: number; readonly burst: number } | null;
  /** The record kinds the line's CRDs define, which it watches and a zone lists (0.8 adds PTRRecord). */
  readonly recordKinds: readonly RecordKind[];
}



/** Each profile's rules, with where they come from. */
export const profileRules: Readonly<Record<TwinProfile, ProfileRules>> = {
  // TARGET.md "Reconciliation behaviour": requeues every 300 s when Ready, 30 s otherwise; BINDY_KUBE_QPS parsed but not applied.
  '0.6': { release: '0.6.2', timedRequeues: true, eventFilter: false, failureBackoff: null, tagUntaggedOnly: false, recordStamps: 'record', apiClientLimit: null, recordKinds: recordKindsOfLine('0.6') },
  // ADR-0009 §4 / ADR-0016 (triggers, no timed requeues, 2 s → 60 s backoff); ADR-0015 (zoneRef patched only where missing, the zone keeps the records' stamps); ADR-0005/0014 (20 QPS, burst 30).
  '0.8': { release: '0.8', timedRequeues: false, eventFilter: true, failureBackoff: { initialMs: 2000, maxMs: 60_000 }, tagUntaggedOnly: true, recordStamps: 'zone', apiClientLimit: { qps: 20, burst: 30 }, recordKinds: recordKindsOfLine('0.8') },
};

/** True for the profile names. */
export function isTwinProfile(v: string): v is TwinProfile {
  return (twinProfiles as readonly string[]).includes(v);
}

/** The parts of an object whose change wakes a 0.8 reconcile of it (pure): generation (and deletion), finalizers, labels, annotations; a record's zoneRef. */
export function triggerFingerprint(kind: string, obj: BindyObject): string {
  const m = obj.metadata ?? {};
  const sorted = (o: Readonly<Record<string, string>> | undefined): [string, string][] => Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const zoneRef = isRecordKind(kind) && isRecord(obj.status) ? (obj.status['zoneRef'] ?? null) : null;
  // deletionTimestamp: a real API server bumps the generation when it sets it (graceful deletion); counted here whether or not a server does.
  return JSON.stringify([m.generation ?? null, m.deletionTimestamp ?? null, m.finalizers ?? [], sorted(m.labels), sorted(m.annotations), zoneRef]);
}

/**
 * Whether an event of an object wakes its own reconcile (pure): always under 0.6 and for the
 * infrastructure kinds; under 0.8 a zone or record only when it is new to the operator or its
 * fingerprint changed (a status write of its own, a resync that changes nothing: no reconcile).
 */
export function reconcileTriggered(rules: ProfileRules, kind: string, before: string | undefined, after: string): boolean {
  if (!rules.eventFilter) return true;
  if (kind !== 'DNSZone' && !isRecordKind(kind)) return true;
  return before === undefined || before !== after;
}

/** The delay before the next try after `failures` failed (or not-yet-Ready) reconciles in a row, ≥ 1 (pure). */
export function failureDelayMs(backoff: NonNullable<ProfileRules['failureBackoff']>, failures: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}
