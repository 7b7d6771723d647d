/**
 * @module Cleanup: delete by run-id label only, then wait (watch-driven, bounded) until every
 * object is gone; then remove the Events about those objects (matched by UID, see cleanup-events.ts).
 */
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import { isOptionalKind, runIdLabel } from '../model/kinds.js';
import { apfKinds, objectKinds, resourceOf, shardJobKinds, type ObjectKind } from '../model/object-kinds.js';
import { readJournals, removeJournal } from '../observe/journal.js';
import type { KubeClient } from '../observe/kube-client.js';
import { WatchTracker } from '../observe/watch-tracker.js';
import { describeHolder, holdersHint, type Holder, type OperatorState } from './cleanup-holders.js';
import { removeRunEvents, type EventsCleanup } from './cleanup-events.js';

/** What to clean: one run's objects, or every object any run of this tool left. */
export type CleanupTarget = { runId: string } | { all: true };

/** Options of cleanup. */
export interface CleanupOptions {
  client: KubeClient;
  target: CleanupTarget;
  /** Namespace to clean; null = every namespace. Namespaces named in journals are added. */
  namespace: string | null;
  /** Kinds to clean (default every kind the tool writes: discovery sources first, then bindy's). */
  kinds?: readonly ObjectKind[];
  /** Directory of run journals: journals of the target are read for namespaces and removed when done. */
  journalDir?: string;
  /** How long to wait for finalizers to let go, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  onEvent?: (e: CleanupEvent) => void;
  /** While objects are left, a `waiting` event (with what holds them) this often, ms; default 5000. */
  waitingEveryMs?: number;
  /** Whether the operator that removes the finalizers runs (for the hint); default unknown. */
  operatorState?: () => OperatorState;
  /**
   * UIDs of the run's objects already deleted during the run (a sustained run's deletes, churn):
   * their Events are removed with those of the objects cleanup finds.
   */
  runObjectUids?: ReadonlySet<string>;
}

/** At most this many holders are read and shown. */
const holdersShown = 5;

/** Progress of a cleanup. */
export type CleanupEvent =
  | { type: 'found'; selector: string; namespaces: (string | null)[]; objects: number; journals: string[] }
  | { type: 'deleting'; kind: ObjectKind; namespace: string; objects: number }
  | { type: 'delete-failed'; kind: ObjectKind; namespace: string; status: number; message: string }
  | { type: 'progress'; remaining: number; gone: number }
  | { type: 'waiting'; remaining: number; gone: number; elapsedMs: number; holders: Holder[]; hint: string }
  | { type: 'done'; remaining: number; outcome: 'clean' | 'timeout' | 'aborted' }
  | ({ type: 'events' } & EventsCleanup);

/** What cleanup did. */
export interface CleanupReport {
  /** Label selector every deletion used. */
  selector: string;
  /** Objects that carried the label when cleanup started. */
  found: number;
  /** Of those, the ones seen gone. */
  gone: number;
  /** `Kind/namespace/name` of the objects still there at the end (finalizers held them past the timeout). */
  remaining: string[];
  /** Journals removed because everything of their run was gone. */
  journalsRemoved: string[];
  outcome: 'clean' | 'timeout' | 'aborted';
  /** What held the first remaining objects at the end (finalizers, last condition). */
  holders: Holder[];
  /** The likely cause of what is left and what to do; null when clean. */
  hint: string | null;
  /** The Events about the run's objects, removed after the wait; null when cleanup was interrupted first. */
  events: EventsCleanup | null;
  /** Why the Events could not be listed (the objects' cleanup is unaffected); absent when they were. */
  eventsError?: string;
}

/** The label selector of a cleanup target (a run id must be a valid label value). */
export function cleanupSelector(target: CleanupTarget): string {
  if ('all' in target) return runIdLabel;
  if (!/^[a-z0-9A-Z]([-_.a-z0-9A-Z]*[a-z0-9A-Z])?$/.test(target.runId) || target.runId.length > 63) {
    throw new UsageError(`run id ${JSON.stringify(target.runId)} is not a valid label value`);
  }
  return `${runIdLabel}=${target.runId}`;
}

/**
 * Deletes every object of the target by label (deletecollection per kind and namespace), then
 * waits until the watches have seen each one gone, or the timeout. Never deletes by name and so
 * never touches an object without the run-id label.
 */
export async function cleanup(options: CleanupOptions): Promise<CleanupReport> {
  const selector = cleanupSelector(options.target);
  const emit = options.onEvent ?? (() => undefined);
  const target = options.target;
  const journals = options.journalDir === undefined ? [] : readJournals(options.journalDir).filter((j) => 'all' in target || j.runId === target.runId);
  const scopes: (string | null)[] =
    options.namespace === null ? [null] : [...new Set([options.namespace, ...journals.flatMap((j) => j.namespaces)])].sort();
  // APF objects a journal names come first: a throttle must be lifted before the operator finalises the rest.
  const journalledApf = apfKinds.filter((k) => journals.some((j) => j.objects.some((o) => o.kind === k)));
  // A sharded run's Job, ConfigMaps and RBAC a journal names come before everything (the Job first:
  // its pods stop creating), whatever kinds were asked for: they are never part of a plan's kinds.
  const journalledShardJob = shardJobKinds.filter((k) => journals.some((j) => j.objects.some((o) => o.kind === k)));
  const asked = [...new Set([...journalledShardJob, ...(options.kinds ?? [...journalledApf, ...objectKinds])])];
  // A kind an older bindy does not define (PTRRecord on 0.6) cannot hold objects there: listing it would fail.
  const optional = asked.filter(isOptionalKind);
  const served = optional.length === 0 ? [] : await options.client.servedKinds(optional);
  const kinds = asked.filter((k) => !isOptionalKind(k) || served.includes(k));
  // Every run object's UID: those deleted during the run, and those the trackers list now.
  const uids = new Set(options.runObjectUids);
  // Cluster-scoped kinds are watched by the first tracker only, so no object is counted twice.
  const trackers = scopes.map(
    (namespace, i) =>
      new WatchTracker({ client: options.client, kinds: i === 0 ? kinds : kinds.filter((k) => resourceOf(k).namespaced), namespace, labelSelector: selector, seenUids: uids }),
  );
  try {
    for (const t of trackers) await t.start();
    const found = trackers.reduce((n, t) => n + t.counts().live, 0);
    emit({ type: 'found', selector, namespaces: scopes, objects: found, journals: journals.map((j) => j.path) });
    // Live objects by kind, then namespace: one pass over the records (a run may have many thousands).
    const live = new Map<ObjectKind, Map<string, number>>();
    for (const t of trackers) {
      for (const r of t.records()) {
        if (r.deletedMs !== null || !(kinds as readonly string[]).includes(r.kind)) continue;
        const kind = r.kind as ObjectKind;
        const byNamespace = live.get(kind) ?? new Map<string, number>();
        byNamespace.set(r.namespace ?? '', (byNamespace.get(r.namespace ?? '') ?? 0) + 1);
        live.set(kind, byNamespace);
      }
    }
    for (const kind of kinds) {
      const byNamespace = live.get(kind) ?? new Map<string, number>();
      for (const [namespace, objects] of [...byNamespace].sort()) {
        emit({ type: 'deleting', kind, namespace, objects });
        if (resourceOf(kind).deleteCollection) {
          const r = await options.client.deleteCollection(kind, namespace, selector);
          if (!r.ok) emit({ type: 'delete-failed', kind, namespace, status: r.error.status, message: r.error.message });
          continue;
        }
        // One by one, the labelled objects the watch listed (Services have no deletecollection).
        for (const t of trackers) {
          for (const o of t.records().filter((x) => x.kind === kind && (x.namespace ?? '') === namespace && x.deletedMs === null)) {
            if (options.signal?.aborted === true) break;
            const r = await options.client.delete(kind, namespace, o.name);
            if (!r.ok && r.error.status !== 404) emit({ type: 'delete-failed', kind, namespace, status: r.error.status, message: `${o.name}: ${r.error.message}` });
          }
        }
      }
    }
    const remaining = (): number => trackers.reduce((n, t) => n + t.counts().live, 0);
    const unsubscribe = trackers.map((t) =>
      t.on((e) => {
        if (e.type === 'deleted') emit({ type: 'progress', remaining: remaining(), gone: found - remaining() });
      }),
    );
    const operator = options.operatorState ?? (() => 'unknown' as const);
    // What holds the first objects still there: read one by one (a handful, for a person to read).
    const readHolders = async (): Promise<Holder[]> => {
      const left = trackers.flatMap((t) => t.records().filter((r) => r.deletedMs === null)).slice(0, holdersShown);
      const out: Holder[] = [];
      for (const r of left) {
        if (!(kinds as readonly string[]).includes(r.kind)) continue;
        const got = await options.client.get(r.kind as ObjectKind, r.namespace ?? null, r.name);
        if (got.ok && got.value !== null) out.push(describeHolder(got.value, Date.now()));
      }
      return out;
    };
    const started = performance.now();
    let finished = false;
    const waiting = setInterval(() => {
      void readHolders().then((holders) => {
        if (!finished && remaining() > 0) emit({ type: 'waiting', remaining: remaining(), gone: found - remaining(), elapsedMs: performance.now() - started, holders, hint: holdersHint(holders, operator()) });
      });
    }, options.waitingEveryMs ?? 5000);
    const deadline = performance.now() + options.timeoutMs;
    let outcome: CleanupReport['outcome'] = 'clean';
    try {
      for (const t of trackers) {
        const w = await t.waitUntil((x) => x.counts().live === 0, Math.max(0, deadline - performance.now()), options.signal);
        if (w !== 'met') {
          outcome = w === 'timeout' ? 'timeout' : 'aborted';
          break;
        }
      }
    } finally {
      finished = true;
      clearInterval(waiting);
      for (const u of unsubscribe) u();
    }
    const left = trackers.flatMap((t) => t.records().filter((r) => r.deletedMs === null).map((r) => r.key)).sort();
    const journalsRemoved: string[] = [];
    if (left.length === 0) {
      for (const j of journals) {
        // A sandbox the run started and that still runs is left to undo too.
        if (j.sandbox !== null && !j.sandbox.stopped) continue;
        removeJournal(j.path);
        journalsRemoved.push(j.path);
      }
    }
    // An interrupted cleanup says what it left at once; only a timed-out one reads what holds it.
    const holders = outcome === 'timeout' ? await readHolders() : [];
    emit({ type: 'done', remaining: left.length, outcome });
    // After the wait: the operator reports on objects until their finalizers are gone.
    let events: EventsCleanup | null = null;
    let eventsError: string | undefined;
    if (outcome !== 'aborted') {
      try {
        events = await removeRunEvents(options.client, scopes, uids, options.signal);
        emit({ type: 'events', ...events });
      } catch (e) {
        eventsError = e instanceof Error ? e.message : String(e);
      }
    }
    const hint = outcome === 'timeout' ? holdersHint(holders, operator()) : null;
    return { selector, found, gone: found - left.length, remaining: left, journalsRemoved, outcome, holders, hint, events, ...(eventsError === undefined ? {} : { eventsError }) };
  } finally {
    for (const t of trackers) t.stop();
  }
}
