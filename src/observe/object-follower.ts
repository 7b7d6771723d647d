/**
 * @module Following a few objects of one kind (a sharded run's Job and ConfigMaps): read them,
 * then watch from that resourceVersion; a watch that ends or answers 410 Gone is read and opened
 * again, so no change is missed. Objects are picked by label, or by name (a watch selected by
 * `metadata.name`, which is what RBAC with resourceNames allows a shard pod).
 */
import type { ObjectKind } from '../model/object-kinds.js';
import type { KubeClient, KubeObject } from './kube-client.js';

/** Which objects to follow: by label selector, or the one with this name. */
export type FollowSelection = { labelSelector: string } | { name: string };

/** Options of {@link ObjectFollower}. */
export interface FollowOptions {
  client: KubeClient;
  kind: ObjectKind;
  namespace: string;
  select: FollowSelection;
  /** Every object as read or changed (ADDED, MODIFIED, and each read after a reconnect). */
  onObject: (obj: KubeObject) => void;
  /** An object seen deleted (or missing from a re-read after it was seen). */
  onDeleted: (obj: KubeObject) => void;
  /** A read that failed (the follower tries again after `retryMs`). */
  onError?: (message: string) => void;
  /** Pause before reading again after a failed read, ms (default 1000): never a hot loop against an API server in trouble. */
  retryMs?: number;
}

function isKubeObjectLike(v: unknown): v is KubeObject {
  return typeof v === 'object' && v !== null && typeof (v as KubeObject).metadata === 'object';
}

/** Follows the selected objects until {@link stop}. */
export class ObjectFollower {
  readonly #o: FollowOptions;
  #watch: AbortController | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | null = null;
  readonly #seen = new Map<string, KubeObject>();

  constructor(o: FollowOptions) {
    this.#o = o;
  }

  /** Reads the objects (each goes to onObject) and opens the watch; throws when the first read fails. */
  async start(): Promise<void> {
    const rv = await this.#read();
    this.#open(rv);
  }

  /** Stops following (no callback after it returns). */
  stop(): void {
    this.#stopped = true;
    this.#watch?.abort();
    if (this.#retry !== null) clearTimeout(this.#retry);
  }

  /** Reads the selection; returns the resourceVersion to watch from. */
  async #read(): Promise<string> {
    const { client, kind, namespace, select } = this.#o;
    let items: KubeObject[];
    let rv: string;
    if ('labelSelector' in select) {
      const r = await client.list(kind, namespace, select.labelSelector);
      if (!r.ok) throw new Error(`list ${kind} ${select.labelSelector}: ${r.error.message}`);
      items = r.value.items;
      rv = r.value.resourceVersion;
    } else {
      const r = await client.get(kind, namespace, select.name);
      if (!r.ok) throw new Error(`get ${kind} ${namespace}/${select.name}: ${r.error.message}`);
      items = r.value === null ? [] : [r.value];
      rv = r.value?.metadata.resourceVersion ?? '';
    }
    if (this.#stopped) return rv;
    const now = new Set(items.map((i) => i.metadata.name ?? ''));
    // Gone while nobody watched: said as a deletion.
    for (const [name, obj] of this.#seen) {
      if (!now.has(name)) {
        this.#seen.delete(name);
        this.#o.onDeleted(obj);
      }
    }
    for (const i of items) {
      this.#seen.set(i.metadata.name ?? '', i);
      this.#o.onObject(i);
    }
    return rv;
  }

  #again(): void {
    if (this.#stopped) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#read().then(
        (rv) => this.#open(rv),
        (e: unknown) => {
          this.#o.onError?.(e instanceof Error ? e.message : String(e));
          this.#again();
        },
      );
    }, this.#o.retryMs ?? 1000);
    this.#retry.unref();
  }

  #open(rv: string): void {
    if (this.#stopped) return;
    const { client, kind, namespace, select } = this.#o;
    const query: Record<string, string | boolean | undefined> = {
      allowWatchBookmarks: true,
      ...(rv === '' ? {} : { resourceVersion: rv }),
      ...('labelSelector' in select ? { labelSelector: select.labelSelector } : { fieldSelector: `metadata.name=${select.name}` }),
    };
    void client
      .watch(
        kind,
        namespace,
        query,
        (type, obj) => {
          if (this.#stopped) return;
          if (type === 'ERROR') {
            // 410 Gone and any other watch error: read again and reopen (below, when the stream ends).
            this.#watch?.abort();
            return;
          }
          if (!isKubeObjectLike(obj)) return;
          const name = obj.metadata.name ?? '';
          if (type === 'DELETED') {
            this.#seen.delete(name);
            this.#o.onDeleted(obj);
          } else if (type === 'ADDED' || type === 'MODIFIED') {
            this.#seen.set(name, obj);
            this.#o.onObject(obj);
          }
        },
        () => {
          // The watch ended (server timeout, a drop, an ERROR): nothing is missed when read again.
          if (!this.#stopped) this.#again();
        },
      )
      .then((c) => {
        this.#watch = c;
        if (this.#stopped) c.abort();
      });
  }
}
