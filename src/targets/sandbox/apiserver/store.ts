/**
 * @module The sandbox API server's storage: objects per resource, one global revision counter (as
 * etcd's), a bounded event history per resource (as the watch cache: bounded in count and in age)
 * and synchronous fan-out to watchers.
 */
import { expired } from './status.js';

/** Object metadata the server reads and writes (other fields pass through). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** A stored object. Stored objects are never mutated: every write stores a new object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** One change, as kept in the history and sent to watchers. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object after the change (for DELETED: its last state, with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (absent for ADDED); selector-filtered watches need it. */
  prev?: KubeObject;
  /** The global revision of this change. */
  rv: number;
}

/** Receives events in revision order, synchronously, at the moment of the write. */
export type StoreListener = (e: StoreEvent) => void;

/** Options of a Store. */
export interface StoreOptions {
  /** At most this many events kept per resource for watch resumption and paginated lists; older ones answer 410 (default 10,000). */
  historySize?: number;
  /**
   * Events older than this, in ms, leave the history once it holds more than {@link historyFloor}
   * of them (default 75,000: the watch cache's eventFreshDuration).
   */
  historyWindowMs?: number;
  /** Clock of the history window, in ms (tests make it manual). */
  now?: () => number;
}

/** Default of {@link StoreOptions.historyWindowMs}: kube-apiserver's watch cache keeps at least 75 s of events. */
export const defaultHistoryWindowMs = 75_000;
/** Events a resource keeps whatever their age: the watch cache's lower bound of capacity (100). */
export const historyFloor = 100;

/** One kept event and when it was recorded (ms of the store's clock). */
interface Recorded {
  e: StoreEvent;
  at: number;
}

interface ResourceState {
  objects: Map<string, KubeObject>;
  /** Kept events in revision order from `head`; slots before it are dropped (undefined, so they hold nothing). */
  history: (Recorded | undefined)[];
  head: number;
  /** Revision of the newest event dropped from the history (0: none dropped yet). */
  compactedRv: number;
  listeners: Set<StoreListener>;
}

/** Key of an object inside its resource: `namespace/name`, or `name` when cluster scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Stores the objects of every resource and emits their changes. */
export class Store {
  private revision = 0;
  private readonly resources = new Map<string, ResourceState>();
  private readonly historySize: number;
  private readonly historyWindowMs: number;
  private readonly now: () => number;

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 10_000;
    this.historyWindowMs = options.historyWindowMs ?? defaultHistoryWindowMs;
    this.now = options.now ?? Date.now;
  }

  /** The current global revision (the resourceVersion of the newest write). */
  get rv(): number {
    return this.revision;
  }

  private state(resource: string): ResourceState {
    let s = this.resources.get(resource);
    if (!s) {
      s = { objects: new Map(), history: [], head: 0, compactedRv: 0, listeners: new Set() };
      this.resources.set(resource, s);
    }
    return s;
  }

  /** The stored object, or undefined. */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.state(resource).objects.get(objectKey(namespace, name));
  }

  /** Every object of a resource (of one namespace when given), sorted by key as etcd returns them. */
  list(resource: string, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.state(resource).objects.values()) {
      if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    }
    return out.sort(byKey);
  }

  /** Number of objects of a resource. */
  count(resource: string): number {
    return this.state(resource).objects.size;
  }

  /** True when some object of any of `resources` lives in the namespace. */
  hasObjectsIn(resources: readonly string[], namespace: string): boolean {
    for (const r of resources) {
      for (const o of this.state(r).objects.values()) if (o.metadata.namespace === namespace) return true;
    }
    return false;
  }

  private stamp(obj: KubeObject): { obj: KubeObject; rv: number } {
    const rv = ++this.revision;
    return { obj: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } }, rv };
  }

  private emit(s: ResourceState, e: StoreEvent): void {
    const at = this.now();
    s.history.push({ e, at });
    this.compact(s, at);
    for (const l of [...s.listeners]) l(e);
  }

  /**
   * Drops the oldest events while there are more than `historySize`, or more than
   * {@link historyFloor} and the oldest is older than the window: what the watch cache keeps, so
   * memory follows the write rate times the window instead of growing to the count bound with
   * whole objects (a DNSZone's status lists its records: tens of kB per event).
   */
  private compact(s: ResourceState, now: number): void {
    const floor = Math.min(historyFloor, this.historySize);
    let live = s.history.length - s.head;
    for (;;) {
      const oldest = s.history[s.head];
      if (oldest === undefined) break;
      if (live <= this.historySize && (live <= floor || now - oldest.at <= this.historyWindowMs)) break;
      s.compactedRv = oldest.e.rv;
      // A dropped slot must not keep its objects alive until the next splice.
      s.history[s.head] = undefined;
      s.head++;
      live--;
    }
    // Splice once the dropped prefix outgrows what is kept: O(1) amortised, not a shift per event.
    if (s.head > 0 && s.head >= live) {
      s.history.splice(0, s.head);
      s.head = 0;
    }
  }

  /** Events kept in the history of a resource (for tests and memory checks). */
  historyLength(resource: string): number {
    const s = this.state(resource);
    return s.history.length - s.head;
  }

  /** Slots of the history array of a resource, dropped ones included (for tests: it stays within twice what is kept). */
  historySlots(resource: string): number {
    return this.state(resource).history.length;
  }

  /** Stores a new object (the caller checked it does not exist) and emits ADDED. Returns it with its resourceVersion. */
  create(resource: string, obj: KubeObject): KubeObject {
    const s = this.state(resource);
    const { obj: stored, rv } = this.stamp(obj);
    s.objects.set(objectKey(stored.metadata.namespace, stored.metadata.name), stored);
    this.emit(s, { type: 'ADDED', object: stored, rv });
    return stored;
  }

  /** Replaces an existing object and emits MODIFIED. */
  update(resource: string, obj: KubeObject): KubeObject {
    const s = this.state(resource);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const prev = s.objects.get(key);
    const { obj: stored, rv } = this.stamp(obj);
    s.objects.set(key, stored);
    this.emit(s, prev ? { type: 'MODIFIED', object: stored, prev, rv } : { type: 'ADDED', object: stored, rv });
    return stored;
  }

  /** Removes an object and emits DELETED carrying its last state at the deletion's revision. */
  remove(resource: string, obj: KubeObject): KubeObject {
    const s = this.state(resource);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const prev = s.objects.get(key) ?? obj;
    s.objects.delete(key);
    const { obj: gone, rv } = this.stamp(obj);
    this.emit(s, { type: 'DELETED', object: gone, prev, rv });
    return gone;
  }

  /** Throws 410 Expired when events after `rv` may have been dropped from the history. */
  private checkNotCompacted(s: ResourceState, rv: number): void {
    if (rv < s.compactedRv) throw expired(`too old resource version: ${rv} (${s.compactedRv + 1})`);
  }

  /**
   * The objects of a resource as they were at revision `rv`, rebuilt by undoing the newer events
   * of the history (so a paginated list sees one consistent snapshot, as etcd's MVCC gives a real
   * server). Throws 410 Expired when the history no longer reaches back to `rv`.
   */
  snapshotAt(resource: string, rv: number, namespace?: string): KubeObject[] {
    const s = this.state(resource);
    if (rv >= this.revision) return this.list(resource, namespace);
    this.checkNotCompacted(s, rv);
    const objects = new Map(s.objects);
    for (let i = s.history.length - 1; i >= s.head; i--) {
      const e = s.history[i]?.e;
      if (!e || e.rv <= rv) break;
      const key = objectKey(e.object.metadata.namespace, e.object.metadata.name);
      if (e.type === 'ADDED') objects.delete(key);
      else if (e.prev) objects.set(key, e.prev);
    }
    const out = [...objects.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace);
    return out.sort(byKey);
  }

  /**
   * Calls `listener` with every event of the resource after revision `fromRv`, first from the
   * history, then live, with no gap and no duplicate (replay and subscription happen in one
   * synchronous step). Throws 410 Expired when the history no longer reaches back to `fromRv`.
   * Returns the function that unsubscribes.
   */
  watch(resource: string, fromRv: number, listener: StoreListener): () => void {
    const s = this.state(resource);
    this.checkNotCompacted(s, fromRv);
    let lo = s.head;
    let hi = s.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s.history[mid]?.e.rv ?? 0) <= fromRv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < s.history.length; i++) {
      const e = s.history[i]?.e;
      if (e) listener(e);
    }
    s.listeners.add(listener);
    return () => s.listeners.delete(listener);
  }

  /** Number of live watch listeners on a resource (for tests and metrics). */
  listenerCount(resource: string): number {
    return this.state(resource).listeners.size;
  }
}

function byKey(a: KubeObject, b: KubeObject): number {
  const ka = objectKey(a.metadata.namespace, a.metadata.name);
  const kb = objectKey(b.metadata.namespace, b.metadata.name);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
