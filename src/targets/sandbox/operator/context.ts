/** @module What every reconcile function gets: API access, caches, DNS and bindcar targets, clock, metrics. */
import type { RecordKind } from '../../../model/kinds.js';
import type { UpdateTarget } from '../dns-update/update-client.js';
import type { KubeApi } from './kube-api.js';
import type { BindyObject } from './objects.js';
import type { SidecarClient, ZoneFinalizerPolicy } from './sidecar-client.js';

/** Read access to the informer caches. */
export interface Caches {
  get(kind: 'Bind9Cluster' | 'Bind9Instance' | 'DNSZone' | RecordKind, namespace: string, name: string): BindyObject | undefined;
  list(kind: 'Bind9Cluster' | 'Bind9Instance' | 'DNSZone' | RecordKind, namespace: string): readonly BindyObject[];
}

/**
 * One secondary BIND9 server: what bindy finds behind a `C-secondary-<i>` instance (its pod's
 * bindcar and its named). The sandbox maps instance index i of every cluster to the i-th.
 */
export interface SecondaryServer {
  /** The bindcar beside it. */
  readonly sidecar: SidecarClient;
  /** Its named: where the primary's NOTIFY goes (bindy: the pod IP and port 5353). */
  readonly dns: { readonly host: string; readonly port: number };
}

/** Shared by the reconcilers. */
export interface ReconcileContext {
  readonly api: KubeApi;
  readonly caches: Caches;
  /** named, where records are published by RFC 2136 UPDATE. */
  readonly dns: UpdateTarget;
  /** bindcar in front of the primaries' named. */
  readonly sidecar: SidecarClient;
  /** The secondaries, by instance index (`C-secondary-<i>` → `[i]`); absent or short: those instances have no pod. */
  readonly secondaries?: readonly SecondaryServer[];
  /**
   * The primary's named as its secondaries transfer from it (bindy: the primary pods' IPs, port
   * 5353), never a fault link of the operator's own path; default `dns`.
   */
  readonly primaryTransfer?: { readonly host: string; readonly port: number };
  /** What the zone finalizer does when bindcar fails for good (default bindy 0.6.2's: let go). */
  readonly zoneFinalizer?: ZoneFinalizerPolicy;
  readonly now: () => Date;
  /** Queues another reconcile of a key (`Kind/namespace/name`). */
  readonly enqueue: (key: string, delayMs?: number) => void;
  readonly signal: AbortSignal;
  /** Queue every selected record after a zone had to be created again (see OperatorOptions). */
  readonly republishOnZoneRecreate?: boolean;
  /** bindy 0.8 (ADR-0015): a zone tags only the records not tagged with it yet; 0.6.2 tags every selected record on every reconcile. */
  readonly tagUntaggedOnly?: boolean;
  /** Who stamps a zone's `status.records[].lastReconciledAt` (absent: `record`, as 0.6.2; see ProfileRules). */
  readonly recordStamps?: 'record' | 'zone';
  /** The record kinds a zone lists to select its records: the release line's (absent: 0.6's eight). */
  readonly recordKinds?: readonly RecordKind[];
}

/** What a reconcile asks of the queue afterwards. */
export interface ReconcileResult {
  /** Ready: requeue after the long interval; otherwise the short one (0.6). */
  readonly ready: boolean;
  /**
   * Not Ready because something failed (bindy returns an error there: a failed UPDATE, bindcar, no
   * zone or primary yet): 0.8 backs off and tries again. Not Ready without it (a record no zone
   * selects yet): 0.8 waits for the change that will wake it.
   */
  readonly failed?: boolean;
}

/** `Kind/namespace/name`. */
export function queueKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Splits a queue key. */
export function parseQueueKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}
