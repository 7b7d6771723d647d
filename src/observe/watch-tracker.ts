/** @module The watch tracker: one label-selected watch per kind, one record per object UID, milestones set once. */
import { performance } from 'node:perf_hooks';
import type { ObjectKind } from '../model/object-kinds.js';
import type { ConditionSnapshot } from '../report/result/index.js';
import { objectKeyOf } from '../model/operation.js';
import type { AcceptedWrite } from '../model/operation.js';
import { isKubeObject } from './kube-client.js';
import type { KubeClient, KubeObject } from './kube-client.js';

/** How a milestone was observed: by a watch event as it happened, or by a re-list after the watch lost history (an upper bound). */
export type ObservedBy = 'watch' | 'relist';

/** What our create produced, from its response (the engine's `created` event). */
export interface CreateInfo {
  /** Intended start of the create, ms on the monotonic clock. */
  intendedStart: number;
  sent: number;
  received: number;
  /** The generation Ready must be observed at (`status.observedGeneration ≥` it). */
  generation: number;
}

/** One object, keyed by UID. Times are ms on the tracker's monotonic clock; null = not (yet) observed. */
export interface TrackedObject {
  uid: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  /** `Kind/namespace/name`. */
  key: string;
  /** First sighting by a watch event or list; null when only the create response is known. */
  firstSeenMs: number | null;
  /** First sighting with a status (the operator wrote one: it has observed the object); null until then. */
  firstStatusMs: number | null;
  /** Our create, when this run created the object and its response arrived. */
  created: CreateInfo | null;
  /** First event with Ready=True at observedGeneration ≥ created.generation. */
  readyMs: number | null;
  readyObservedBy: ObservedBy | null;
  /** The last Ready condition seen. */
  lastCondition: ConditionSnapshot | null;
  /** Ready=True was seen without any observedGeneration (never counted as Ready). */
  readyWithoutObservedGeneration: boolean;
  /** The DELETED event (or its absence from a re-list). */
  deletedMs: number | null;
  deletedObservedBy: ObservedBy | null;
}

/** Live counts over the tracked objects. */
export interface TrackerCounts {
  /** Objects whose create response this run recorded. */
  created: number;
  /** Objects seen by a watch or list (ours or not yet confirmed). */
  seen: number;
  /** Created objects that reached Ready at the required generation (watch or re-list). */
  ready: number;
  /** Of `ready`, those first observed Ready by a re-list. */
  readyAtRelist: number;
  /** Created, not Ready, not deleted. */
  pending: number;
  /** Of `pending`, those whose last Ready condition is False with a failure reason. */
  failing: number;
  /** Objects seen deleted. */
  deleted: number;
  /** Objects known (seen or created) and not deleted. */
  live: number;
  /** Objects seen by the watch that no create response of this run claimed (yet). */
  unconfirmed: number;
}

/** A tracked object reached Ready at the required generation. */
export interface ReadyEvent {
  type: 'ready';
  uid: string;
  key: string;
  kind: string;
  atMs: number;
  observedBy: ObservedBy;
}
/** A tracked object's Ready condition changed (status, reason or message). */
export interface ConditionEvent {
  type: 'condition';
  uid: string;
  key: string;
  kind: string;
  atMs: number;
  condition: ConditionSnapshot;
}
/** A tracked object is gone. */
export interface DeletedEvent {
  type: 'deleted';
  uid: string;
  key: string;
  kind: string;
  atMs: number;
  observedBy: ObservedBy;
}
/** A watch lost its history (410 Gone) and the tracker re-listed; what the re-list revealed. */
export interface ResyncEvent {
  type: 'resync';
  kind: string;
  atMs: number;
  /** Objects first seen Ready by the re-list. */
  missedReady: number;
  /** Objects found gone by the re-list. */
  missedDeleted: number;
  /** Objects first seen by the re-list. */
  discovered: number;
}
/** A watch ended and is being resumed from its last resourceVersion. */
export interface WatchRestartEvent {
  type: 'watch-restart';
  kind: string;
  atMs: number;
  resourceVersion: string;
  /** Why it ended: `closed` by the server, or the error's message. */
  reason: string;
}
/** A list or watch failed in a way the tracker retries. */
export interface TrackerErrorEvent {
  type: 'error';
  kind: string;
  message: string;
}

/** Every event the tracker emits. */
/** An object was seen with a status for the first time: the operator has observed it. */
export interface StatusSeenEvent {
  type: 'status-seen';
  uid: string;
  key: string;
  kind: string;
  atMs: number;
}

export type TrackerEvent = ReadyEvent | ConditionEvent | DeletedEvent | StatusSeenEvent | ResyncEvent | WatchRestartEvent | TrackerErrorEvent;

/** Listener of tracker events; called synchronously, in order. */
export type TrackerListener = (e: TrackerEvent) => void;

/** How waitUntil ended. */
export type WaitOutcome = 'met' | 'timeout' | 'aborted';

/** Ready=False reasons that mean failure rather than "not yet" (TARGET.md "Status signals"). */
export const defaultFailureReasons: readonly string[] = [
  'ZoneNotFound',
  'ZoneNotConfigured',
  'InstanceFilterError',
  'NoPrimaryInstances',
  'ReconcileFailed',
  'PartialReconciliation',
  'ReconcileDegraded',
  'PrimaryFailed',
  'DuplicateZone',
];

/** Options of a tracker. */
export interface WatchTrackerOptions {
  client: KubeClient;
  kinds: readonly ObjectKind[];
  /** Namespace to watch; null = all namespaces. */
  namespace: string | null;
  /** e.g. `loadtest.bindy.firestoned.io/run-id=<id>`. */
  labelSelector: string;
  /** Condition type that means Ready (default `Ready`). */
  readyCondition?: string;
  failureReasons?: readonly string[];
  /** Delay before re-opening a watch that failed with an error, ms (default 200; doubles to 5 s). */
  retryDelayMs?: number;
  /** Monotonic clock, ms (default `performance.now`); must be the engine's clock. */
  now?: () => number;
  /**
   * Drop an object's record once it is seen deleted (after its listeners ran): a long open-loop run
   * creates and deletes objects for hours, and keeping every record would grow without bound.
   */
  forgetDeleted?: boolean;
  /** Every UID the tracker records is added here (kept after `forgetDeleted`): the run's objects, whose Events cleanup removes. */
  seenUids?: Set<string>;
}

/** Deletions of forgotten records remembered for late `awaitGone` calls. */
const maxTombstones = 10_000;

/** Called when an awaited milestone is observed: when (monotonic ms) and how. */
export type MilestoneListener = (atMs: number, observedBy: ObservedBy) => void;

interface Candidate {
  atMs: number;
  observedGeneration: number;
  observedBy: ObservedBy;
}

interface Internal extends TrackedObject {
  /** Ready=True sightings whose observedGeneration beat every earlier one: enough to answer "first with og ≥ g" for any g. */
  candidates: Candidate[];
  /** When the tracker last learnt something about this object (seen or create response), ms. */
  lastInfoMs: number;
}

interface KindWatch {
  kind: ObjectKind;
  resourceVersion: string;
  controller: AbortController | null;
  gone: boolean;
  failures: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The condition of `type` in `obj.status.conditions`, or null. */
export function conditionOf(obj: KubeObject, type: string): ConditionSnapshot | null {
  const status = obj.status;
  if (!isRecord(status) || !Array.isArray(status.conditions)) return null;
  for (const c of status.conditions) {
    if (!isRecord(c) || c.type !== type || typeof c.status !== 'string') continue;
    return {
      type,
      status: c.status,
      ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
      ...(typeof c.message === 'string' ? { message: c.message } : {}),
      ...(typeof c.observedGeneration === 'number' ? { observedGeneration: c.observedGeneration } : {}),
      ...(typeof c.lastTransitionTime === 'string' ? { lastTransitionTime: c.lastTransitionTime } : {}),
    };
  }
  return null;
}

/** `status.observedGeneration`, else the condition's own, else undefined. */
function observedGenerationOf(obj: KubeObject, cond: ConditionSnapshot): number | undefined {
  const status = obj.status;
  if (isRecord(status) && typeof status.observedGeneration === 'number') return status.observedGeneration;
  return cond.observedGeneration;
}

function sameCondition(a: ConditionSnapshot | null, b: ConditionSnapshot): boolean {
  return a !== null && a.status === b.status && a.reason === b.reason && a.message === b.message;
}

/**
 * Tracks every object carrying the label selector with one watch per kind, keyed by UID. Each
 * milestone is set once, from the first qualifying event, timed by the local monotonic clock when
 * the event is received. Resumes dropped watches from the last resourceVersion; on 410 Gone it
 * re-lists and labels what it learnt that way as observed at re-list.
 */
export class WatchTracker {
  readonly #o: WatchTrackerOptions;
  readonly #now: () => number;
  readonly #readyType: string;
  readonly #failureReasons: ReadonlySet<string>;
  readonly #records = new Map<string, Internal>();
  readonly #uidByKey = new Map<string, string>();
  readonly #listeners = new Set<TrackerListener>();
  readonly #waiters = new Set<() => void>();
  readonly #watches = new Map<ObjectKind, KindWatch>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Awaited Ready milestones per UID: the generation each needs and who to tell. */
  readonly #awaitReady = new Map<string, { generation: number; listener: MilestoneListener }[]>();
  /** Awaited deletions per UID. */
  readonly #awaitGone = new Map<string, MilestoneListener[]>();
  /** Deletions of forgotten records (forgetDeleted), newest last, bounded: the DELETED event can beat the delete's own response. */
  readonly #tombstones = new Map<string, { atMs: number; by: ObservedBy }>();
  #stopped = false;
  /** Watch restarts (resume from resourceVersion) and re-lists (after 410), for the result. */
  readonly stats = { restarts: 0, relists: 0, errors: 0 };

  constructor(options: WatchTrackerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#readyType = options.readyCondition ?? 'Ready';
    this.#failureReasons = new Set(options.failureReasons ?? defaultFailureReasons);
  }

  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: TrackerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: TrackerEvent): void {
    for (const l of [...this.#listeners]) l(e);
    this.#check();
  }

  #check(): void {
    for (const w of [...this.#waiters]) w();
  }

  /**
   * Lists every kind (objects already there are recorded as seen) and opens the watches from the
   * lists' resourceVersions. When one kind cannot be listed (a kind the server does not serve) the
   * watches already open are ended before the error is thrown: nothing is left holding the process.
   */
  async start(): Promise<void> {
    try {
      for (const kind of this.#o.kinds) {
        const w: KindWatch = { kind, resourceVersion: '', controller: null, gone: false, failures: 0 };
        this.#watches.set(kind, w);
        await this.#list(w, false);
      }
    } catch (e) {
      this.stop();
      throw e;
    }
  }

  /** Ends every watch; the records stay readable. */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#watches.values()) w.controller?.abort();
    this.#check();
  }

  /** Records our create (from the engine's `created` event); matches an object the watch may already have seen. */
  recordCreated(e: AcceptedWrite): void {
    const at = this.#now();
    const uid = e.uid !== '' ? e.uid : this.#uidByKey.get(e.key);
    if (uid === undefined) return;
    const rec = this.#records.get(uid) ?? this.#newRecord(uid, e.kind, e.namespace, e.name);
    rec.created = { intendedStart: e.intendedStart, sent: e.sent, received: e.received, generation: e.generation };
    rec.lastInfoMs = Math.max(rec.lastInfoMs, at);
    this.#resolveReady(rec);
    this.#check();
  }

  /**
   * Calls `listener` once object `uid` is seen Ready=True at observedGeneration ≥ `generation`: the
   * first such sighting, also one made before this call (the watch can be quicker than the write's
   * response). For any write that bumps the generation (an update), not only the create. Returns a cancel function.
   */
  awaitReady(uid: string, generation: number, listener: MilestoneListener): () => void {
    const entry = { generation, listener };
    const rec = this.#records.get(uid);
    const hit = rec?.candidates.find((c) => c.observedGeneration >= generation);
    if (hit !== undefined) {
      listener(hit.atMs, hit.observedBy);
      return () => undefined;
    }
    const list = this.#awaitReady.get(uid) ?? [];
    list.push(entry);
    this.#awaitReady.set(uid, list);
    return () => {
      const l = this.#awaitReady.get(uid);
      if (l === undefined) return;
      const rest = l.filter((x) => x !== entry);
      if (rest.length === 0) this.#awaitReady.delete(uid);
      else this.#awaitReady.set(uid, rest);
    };
  }

  /** Calls `listener` once object `uid` is seen deleted (DELETED event, or absent from a re-list); at once when it already was. */
  awaitGone(uid: string, listener: MilestoneListener): () => void {
    const rec = this.#records.get(uid);
    const tomb = this.#tombstones.get(uid);
    if (tomb !== undefined || (rec !== undefined && rec.deletedMs !== null)) {
      listener(tomb?.atMs ?? rec?.deletedMs ?? 0, tomb?.by ?? rec?.deletedObservedBy ?? 'watch');
      return () => undefined;
    }
    const list = this.#awaitGone.get(uid) ?? [];
    list.push(listener);
    this.#awaitGone.set(uid, list);
    return () => {
      const l = this.#awaitGone.get(uid);
      if (l === undefined) return;
      const rest = l.filter((x) => x !== listener);
      if (rest.length === 0) this.#awaitGone.delete(uid);
      else this.#awaitGone.set(uid, rest);
    };
  }

  /** Objects with an awaited milestone not yet seen (Ready at a generation, or gone). */
  awaiting(): number {
    return this.#awaitReady.size + this.#awaitGone.size;
  }

  /** Tells the listeners of `rec`'s Ready milestones that a candidate now satisfies, and forgets candidates no one can need. */
  #fireReady(rec: Internal): void {
    const list = this.#awaitReady.get(rec.uid);
    if (list !== undefined) {
      const rest: typeof list = [];
      for (const e of list) {
        const hit = rec.candidates.find((c) => c.observedGeneration >= e.generation);
        if (hit === undefined) rest.push(e);
        else e.listener(hit.atMs, hit.observedBy);
      }
      if (rest.length === 0) this.#awaitReady.delete(rec.uid);
      else this.#awaitReady.set(rec.uid, rest);
      // A listener may have changed what a waiter waits for (an operation finished).
      if (rest.length < list.length) this.#check();
    }
    this.#prune(rec);
  }

  /**
   * Keeps only the candidates a pending milestone may still need: those at or above the lowest
   * generation awaited, else the newest one (a later write's generation is higher than any seen).
   */
  #prune(rec: Internal): void {
    if (rec.candidates.length <= 1) return;
    const pending = [...(this.#awaitReady.get(rec.uid) ?? []).map((e) => e.generation), ...(rec.created !== null && rec.readyMs === null ? [rec.created.generation] : [])];
    if (pending.length === 0) {
      rec.candidates = rec.candidates.slice(-1);
      return;
    }
    const low = Math.min(...pending);
    const keep = rec.candidates.filter((c) => c.observedGeneration >= low);
    rec.candidates = keep.length > 0 ? keep : rec.candidates.slice(-1);
  }

  /** A copy of one record, by UID. */
  get(uid: string): TrackedObject | undefined {
    const r = this.#records.get(uid);
    return r === undefined ? undefined : publicRecord(r);
  }

  /** Copies of every record. */
  records(): TrackedObject[] {
    return [...this.#records.values()].map(publicRecord);
  }

  /** Live counts (see TrackerCounts). */
  counts(): TrackerCounts {
    const c: TrackerCounts = { created: 0, seen: 0, ready: 0, readyAtRelist: 0, pending: 0, failing: 0, deleted: 0, live: 0, unconfirmed: 0 };
    for (const r of this.#records.values()) {
      if (r.firstSeenMs !== null) c.seen++;
      if (r.deletedMs !== null) c.deleted++;
      else c.live++;
      if (r.created === null) {
        if (r.firstSeenMs !== null) c.unconfirmed++;
        continue;
      }
      c.created++;
      if (r.readyMs !== null) {
        c.ready++;
        if (r.readyObservedBy === 'relist') c.readyAtRelist++;
      } else if (r.deletedMs === null) {
        c.pending++;
        const lc = r.lastCondition;
        if (lc?.status === 'False' && lc.reason !== undefined && this.#failureReasons.has(lc.reason)) c.failing++;
      }
    }
    return c;
  }

  /**
   * Resolves `met` as soon as `predicate` holds (checked now and after every tracker event and
   * recorded create), `timeout` after `timeoutMs`, `aborted` when `signal` aborts or the tracker stops.
   */
  waitUntil(predicate: (t: WatchTracker) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const finish = (outcome: WaitOutcome): void => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const check = (): void => {
        if (predicate(this)) finish('met');
        else if (this.#stopped) finish('aborted');
      };
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      if (signal?.aborted) return finish('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(check);
      check();
    });
  }

  #newRecord(uid: string, kind: string, namespace: string | undefined, name: string): Internal {
    this.#o.seenUids?.add(uid);
    const key = objectKeyOf(kind, namespace, name);
    const rec: Internal = {
      uid,
      kind,
      namespace,
      name,
      key,
      firstSeenMs: null,
      firstStatusMs: null,
      created: null,
      readyMs: null,
      readyObservedBy: null,
      lastCondition: null,
      readyWithoutObservedGeneration: false,
      deletedMs: null,
      deletedObservedBy: null,
      candidates: [],
      lastInfoMs: -Infinity,
    };
    this.#records.set(uid, rec);
    this.#uidByKey.set(key, uid);
    return rec;
  }

  /** Applies one observed state of an object (a watch event or a list item). */
  #observe(obj: KubeObject, type: string, atMs: number, by: ObservedBy): { discovered: boolean; ready: boolean; deleted: boolean } {
    const out = { discovered: false, ready: false, deleted: false };
    const uid = obj.metadata.uid;
    if (uid === undefined || uid === '') return out;
    let rec = this.#records.get(uid);
    if (rec === undefined) rec = this.#newRecord(uid, obj.kind, obj.metadata.namespace, obj.metadata.name ?? '');
    if (rec.firstSeenMs === null) {
      rec.firstSeenMs = atMs;
      out.discovered = true;
    }
    rec.lastInfoMs = Math.max(rec.lastInfoMs, atMs);
    if (type === 'DELETED') {
      out.deleted = this.#markDeleted(rec, atMs, by);
      return out;
    }
    if (rec.firstStatusMs === null && isRecord(obj.status) && Object.keys(obj.status).length > 0) {
      rec.firstStatusMs = atMs;
      this.#emit({ type: 'status-seen', uid, key: rec.key, kind: rec.kind, atMs });
    }
    const cond = conditionOf(obj, this.#readyType);
    if (cond !== null && !sameCondition(rec.lastCondition, cond)) {
      rec.lastCondition = cond;
      this.#emit({ type: 'condition', uid, key: rec.key, kind: rec.kind, atMs, condition: cond });
    } else if (cond !== null) {
      rec.lastCondition = cond;
    }
    if (cond?.status === 'True') {
      const og = observedGenerationOf(obj, cond);
      if (og === undefined) rec.readyWithoutObservedGeneration = true;
      else {
        const best = rec.candidates.at(-1)?.observedGeneration ?? -Infinity;
        if (og > best) rec.candidates.push({ atMs, observedGeneration: og, observedBy: by });
      }
    }
    out.ready = this.#resolveReady(rec);
    this.#fireReady(rec);
    return out;
  }

  /** Sets readyMs from the first candidate at the required generation, once; true when it was set now. */
  #resolveReady(rec: Internal): boolean {
    if (rec.readyMs !== null || rec.created === null) return false;
    const need = rec.created.generation;
    const hit = rec.candidates.find((c) => c.observedGeneration >= need);
    if (hit === undefined) return false;
    rec.readyMs = hit.atMs;
    rec.readyObservedBy = hit.observedBy;
    this.#prune(rec);
    this.#emit({ type: 'ready', uid: rec.uid, key: rec.key, kind: rec.kind, atMs: hit.atMs, observedBy: hit.observedBy });
    return true;
  }

  #markDeleted(rec: Internal, atMs: number, by: ObservedBy): boolean {
    if (rec.deletedMs !== null) return false;
    rec.deletedMs = atMs;
    rec.deletedObservedBy = by;
    const gone = this.#awaitGone.get(rec.uid);
    this.#awaitGone.delete(rec.uid);
    for (const l of gone ?? []) l(atMs, by);
    // A deleted object never becomes Ready again: whoever awaited that learns it from its own bookkeeping.
    this.#awaitReady.delete(rec.uid);
    this.#emit({ type: 'deleted', uid: rec.uid, key: rec.key, kind: rec.kind, atMs, observedBy: by });
    if (this.#o.forgetDeleted === true) {
      this.#records.delete(rec.uid);
      if (this.#uidByKey.get(rec.key) === rec.uid) this.#uidByKey.delete(rec.key);
      this.#tombstones.set(rec.uid, { atMs, by });
      // Enough for any delete's response to arrive after its DELETED event; the oldest go first.
      if (this.#tombstones.size > maxTombstones) this.#tombstones.delete(this.#tombstones.keys().next().value as string);
    }
    return true;
  }

  /** Lists a kind; as a re-list (after 410) it derives what the watch missed. Then (re)opens the watch. */
  async #list(w: KindWatch, relist: boolean): Promise<void> {
    const listSentMs = this.#now();
    const r = await this.#o.client.list(w.kind, this.#o.namespace, this.#o.labelSelector);
    if (this.#stopped) return;
    if (!r.ok) {
      this.stats.errors++;
      this.#emit({ type: 'error', kind: w.kind, message: `list ${w.kind}: ${r.error.status} ${r.error.reason}: ${r.error.message}` });
      if (!relist) throw new Error(`list ${w.kind}: ${r.error.status} ${r.error.reason}: ${r.error.message}`);
      this.#retry(w, () => this.#list(w, true));
      return;
    }
    const at = r.receivedMs;
    const by: ObservedBy = relist ? 'relist' : 'watch';
    const present = new Set<string>();
    let missedReady = 0;
    let missedDeleted = 0;
    let discovered = 0;
    for (const item of r.value.items) {
      if (item.metadata.uid !== undefined) present.add(item.metadata.uid);
      // The first list is the starting state, not a missed change; only a re-list is labelled as one.
      const o = this.#observe(item, 'ADDED', at, by);
      if (o.ready) missedReady++;
      if (o.discovered) discovered++;
    }
    if (relist) {
      this.stats.relists++;
      // An object we knew of before the list was requested and that the list lacks was deleted
      // (or lost its label) while the watch was away. Objects we only learnt of after the request
      // may be newer than the list's snapshot, so their absence proves nothing.
      for (const rec of this.#records.values()) {
        if (rec.kind !== w.kind || rec.deletedMs !== null || present.has(rec.uid)) continue;
        if (this.#o.namespace !== null && rec.namespace !== this.#o.namespace) continue;
        if (rec.lastInfoMs < listSentMs && this.#markDeleted(rec, at, 'relist')) missedDeleted++;
      }
      this.#emit({ type: 'resync', kind: w.kind, atMs: at, missedReady, missedDeleted, discovered });
    }
    w.resourceVersion = r.value.resourceVersion;
    w.gone = false;
    await this.#watch(w);
  }

  #retry(w: KindWatch, fn: () => Promise<void>): void {
    if (this.#stopped) return;
    w.failures++;
    const delay = Math.min(5000, (this.#o.retryDelayMs ?? 200) * 2 ** Math.min(w.failures - 1, 5));
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn().catch((e: unknown) => {
        this.stats.errors++;
        this.#emit({ type: 'error', kind: w.kind, message: e instanceof Error ? e.message : String(e) });
        this.#retry(w, fn);
      });
    }, delay);
    this.#timers.add(t);
  }

  async #watch(w: KindWatch): Promise<void> {
    if (this.#stopped) return;
    const params = { resourceVersion: w.resourceVersion, allowWatchBookmarks: true, labelSelector: this.#o.labelSelector };
    let ended = false;
    const onEvent = (type: string, obj: unknown): void => {
      try {
        handle(type, obj);
      } catch (e) {
        // A fault in our own handling is reported, not lost (and the watch goes on).
        this.stats.errors++;
        this.#emit({ type: 'error', kind: w.kind, message: `watch ${w.kind}: handling a ${type} event failed: ${e instanceof Error ? e.message : String(e)}` });
      }
    };
    const handle = (type: string, obj: unknown): void => {
      const at = this.#now();
      if (this.#stopped) return;
      if (type === 'ERROR') {
        if (isRecord(obj) && obj.code === 410) w.gone = true;
        else {
          this.stats.errors++;
          this.#emit({ type: 'error', kind: w.kind, message: `watch ${w.kind}: ${isRecord(obj) && typeof obj.message === 'string' ? obj.message : 'error event'}` });
        }
        return;
      }
      if (!isKubeObject(obj)) return;
      if (obj.metadata.resourceVersion !== undefined) w.resourceVersion = obj.metadata.resourceVersion;
      if (type === 'BOOKMARK') return;
      w.failures = 0;
      this.#observe(obj, type, at, 'watch');
    };
    const onDone = (err: unknown): void => {
      if (ended || this.#stopped) return;
      ended = true;
      w.controller = null;
      const status = isRecord(err) && typeof err.statusCode === 'number' ? err.statusCode : undefined;
      if (w.gone || status === 410) {
        void this.#list(w, true).catch((e: unknown) => {
          this.stats.errors++;
          this.#emit({ type: 'error', kind: w.kind, message: e instanceof Error ? e.message : String(e) });
          this.#retry(w, () => this.#list(w, true));
        });
        return;
      }
      this.stats.restarts++;
      const reason = err === null || err === undefined ? 'closed' : err instanceof Error ? err.message : JSON.stringify(err);
      this.#emit({ type: 'watch-restart', kind: w.kind, atMs: this.#now(), resourceVersion: w.resourceVersion, reason });
      if (err === null || err === undefined) {
        // A clean end (timeout, server drop): resume at once from where we were.
        void this.#watch(w).catch(() => this.#retry(w, () => this.#watch(w)));
      } else {
        this.#retry(w, () => this.#watch(w));
      }
    };
    const controller = await this.#o.client.watch(w.kind, this.#o.namespace, params, onEvent, onDone);
    if (this.#stopped || ended) controller.abort();
    else w.controller = controller;
  }
}

function publicRecord(r: Internal): TrackedObject {
  const { candidates: _c, lastInfoMs: _l, ...pub } = r;
  return { ...pub, created: pub.created === null ? null : { ...pub.created }, lastCondition: pub.lastCondition === null ? null : { ...pub.lastCondition } };
}
