/**
 * @module The sandbox API server's storage: objects per resource, one global revision counter (as
 * etcd's), a bounded event history per resource (as the watch cache) and synchronous fan-out to watchers.
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
  /** Events kept per resource for watch resumption and paginated lists; older ones answer 410. */
  historySize?: number;
}

interface ResourceState {
  objects: Map<string, KubeObject>;
  history: StoreEvent[];
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

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 10_000;
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
    s.history.push(e);
    if (s.history.length - s.head > this.historySize) {
      s.compactedRv = s.history[s.head]?.rv ?? s.compactedRv;
      // Advance the head and splice rarely: O(1) amortised instead of a shift per event.
      s.head++;
      if (s.head >= this.historySize) {
        s.history.splice(0, s.head);
        s.head = 0;
      }
    }
    for (const l of [...s.listeners]) l(e);
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
      const e = s.history[i];
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
      if ((s.history[mid]?.rv ?? 0) <= fromRv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < s.history.length; i++) {
      const e = s.history[i];
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
