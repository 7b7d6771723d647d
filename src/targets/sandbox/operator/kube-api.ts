/**
 * @module The operator's Kubernetes calls through @kubernetes/client-node, as a real controller
 * makes them: merge patches with `application/merge-patch+json`, status through the `/status`
 * subresource, finalizer changes as kube-runtime's JSON patches (a `test` of the list they read).
 */
import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { bindyApiVersion, bindyGroup, bindyVersion, kindInfo, type BindyKind } from '../../../model/kinds.js';
import { arr, isRecord, str, type BindyObject } from './objects.js';
import { makePooledApiClient, PooledAuthentication } from '../../../observe/pooled-client.js';
import { TokenBucket } from './token-bucket.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** HTTP status of a failed client-node call, when there was one. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function asObject(v: unknown): BindyObject {
  if (!isRecord(v)) throw new TypeError('API server answered a non-object');
  return v;
}

/** Kubernetes calls of the operator (one instance per operator). */
/** One request as bindy 0.8's kube_api_* metrics count it. */
export interface ApiRequestRecord {
  /** Plural, with `/status` for the status subresource (`arecords`, `dnszones/status`, `events`). */
  readonly resource: string;
  /** `get`, `list`, `create`, `patch`, `delete`. */
  readonly verb: string;
  /** The HTTP status, `error` when none came. */
  readonly status: string;
  readonly seconds: number;
}

export class KubeApi {
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly #fieldManager: string;
  readonly #auth: PooledAuthentication;
  /** Every call made, by verb, for the twin's own accounting. */
  readonly calls = { list: 0, get: 0, patch: 0, create: 0, delete: 0 };

  /** The client's rate limit (bindy 0.8: 20/s, burst 30); absent: none. */
  readonly #limit: TokenBucket | undefined;
  readonly #onLimited: (() => void) | undefined;
  readonly #onRequest: ((r: ApiRequestRecord) => void) | undefined;

  constructor(
    kubeConfig: KubeConfig,
    fieldManager = 'bindy',
    options: { readonly limit?: { readonly qps: number; readonly burst: number }; readonly onLimited?: () => void; readonly onRequest?: (r: ApiRequestRecord) => void } = {},
  ) {
    this.#limit = options.limit === undefined ? undefined : new TokenBucket(options.limit.qps, options.limit.burst);
    this.#onLimited = options.onLimited;
    this.#onRequest = options.onRequest;
    // One keep-alive connection pool for every call, as kube-rs's client has (see pooled-client.ts).
    this.#auth = new PooledAuthentication(kubeConfig);
    this.custom = makePooledApiClient(kubeConfig, this.#auth, CustomObjectsApi);
    this.core = makePooledApiClient(kubeConfig, this.#auth, CoreV1Api);
    this.#fieldManager = fieldManager;
  }

  /** Waits for a token of the client's rate limit (excess requests queue, as kube-rs's rate-limited client does). */
  async #admit(): Promise<void> {
    const limit = this.#limit;
    if (limit === undefined || limit.tryTake()) return;
    this.#onLimited?.();
    do await new Promise((r) => setTimeout(r, limit.msUntilNext()));
    while (!limit.tryTake());
  }

  /** Runs one request after the limiter, telling `onRequest` its resource, verb, status and time (bindy 0.8's kube_api_* metrics). */
  async #request<T>(resource: string, verb: string, call: () => Promise<T>): Promise<T> {
    await this.#admit();
    const t0 = performance.now();
    let status = '200';
    try {
      return await call();
    } catch (error) {
      status = String(apiStatus(error) ?? 'error');
      throw error;
    } finally {
      this.#onRequest?.({ resource, verb, status, seconds: (performance.now() - t0) / 1000 });
    }
  }

  /** Closes the pooled connections (after the last call). */
  close(): void {
    this.#auth.destroy();
  }

  /** Every object of a kind in a namespace, following `continue` tokens (bindy's list_all_paginated). */
  async list(kind: BindyKind, namespace: string): Promise<BindyObject[]> {
    const items: BindyObject[] = [];
    let token: string | undefined;
    do {
      this.calls.list++;
      const page: unknown = await this.#request(kindInfo[kind].plural, 'list', () =>
        this.custom.listNamespacedCustomObject({
          group: bindyGroup,
          version: bindyVersion,
          namespace,
          plural: kindInfo[kind].plural,
          limit: 500,
          ...(token === undefined ? {} : { _continue: token }),
        }),
      );
      if (!isRecord(page)) break;
      for (const i of arr(page['items'])) items.push({ ...asObject(i), apiVersion: bindyApiVersion, kind });
      const meta = page['metadata'];
      token = isRecord(meta) ? str(meta['continue']) : undefined;
    } while (token !== undefined && token !== '');
    return items;
  }

  /** The object, or undefined on 404. */
  async get(kind: BindyKind, namespace: string, name: string): Promise<BindyObject | undefined> {
    this.calls.get++;
    try {
      const o: unknown = await this.#request(kindInfo[kind].plural, 'get', () => this.custom.getNamespacedCustomObject({ group: bindyGroup, version: bindyVersion, namespace, plural: kindInfo[kind].plural, name }));
      return { ...asObject(o), apiVersion: bindyApiVersion, kind };
    } catch (error) {
      if (apiStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** JSON merge patch of `status` through the status subresource. */
  async patchStatus(kind: BindyKind, namespace: string, name: string, status: Record<string, unknown>): Promise<BindyObject> {
    this.calls.patch++;
    const o: unknown = await this.#request(`${kindInfo[kind].plural}/status`, 'patch', () =>
      this.custom.patchNamespacedCustomObjectStatus(
        { group: bindyGroup, version: bindyVersion, namespace, plural: kindInfo[kind].plural, name, body: { status }, fieldManager: this.#fieldManager },
        mergePatch,
      ),
    );
    return asObject(o);
  }

  /**
   * Adds `finalizer` as kube-runtime's finalizer helper does: a JSON patch that tests the list it
   * read, so a conflict means the finalizers changed, not that anything else (status) did.
   */
  async addFinalizer(kind: BindyKind, obj: BindyObject, finalizer: string): Promise<BindyObject> {
    const current = obj.metadata?.finalizers ?? [];
    const ops =
      current.length === 0
        ? [{ op: 'add', path: '/metadata/finalizers', value: [finalizer] }]
        : [
            { op: 'test', path: '/metadata/finalizers', value: current },
            { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
          ];
    return this.#jsonPatch(kind, obj, ops);
  }

  /** Removes `finalizer` as kube-runtime does: test that it is still at its index, then remove that index. */
  async removeFinalizer(kind: BindyKind, obj: BindyObject, finalizer: string): Promise<BindyObject> {
    const i = (obj.metadata?.finalizers ?? []).indexOf(finalizer);
    if (i < 0) return obj;
    return this.#jsonPatch(kind, obj, [
      { op: 'test', path: `/metadata/finalizers/${i}`, value: finalizer },
      { op: 'remove', path: `/metadata/finalizers/${i}` },
    ]);
  }

  async #jsonPatch(kind: BindyKind, obj: BindyObject, ops: readonly Record<string, unknown>[]): Promise<BindyObject> {
    this.calls.patch++;
    const meta = obj.metadata ?? {};
    const o: unknown = await this.#request(kindInfo[kind].plural, 'patch', () =>
      this.custom.patchNamespacedCustomObject(
        { group: bindyGroup, version: bindyVersion, namespace: meta.namespace ?? '', plural: kindInfo[kind].plural, name: meta.name ?? '', body: ops, fieldManager: this.#fieldManager },
        jsonPatch,
      ),
    );
    return asObject(o);
  }

  /** Creates a bindy object; false when it already exists. */
  async create(kind: BindyKind, obj: BindyObject): Promise<boolean> {
    this.calls.create++;
    try {
      await this.#request(kindInfo[kind].plural, 'create', () =>
        this.custom.createNamespacedCustomObject({
          group: bindyGroup,
          version: bindyVersion,
          namespace: obj.metadata?.namespace ?? '',
          plural: kindInfo[kind].plural,
          body: obj,
          fieldManager: this.#fieldManager,
        }),
      );
      return true;
    } catch (error) {
      if (apiStatus(error) === 409) return false;
      throw error;
    }
  }

  /** Deletes a bindy object; 404 is fine. */
  async delete(kind: BindyKind, namespace: string, name: string): Promise<void> {
    this.calls.delete++;
    try {
      await this.#request(kindInfo[kind].plural, 'delete', () => this.custom.deleteNamespacedCustomObject({ group: bindyGroup, version: bindyVersion, namespace, plural: kindInfo[kind].plural, name }));
    } catch (error) {
      if (apiStatus(error) !== 404) throw error;
    }
  }

  /** A core/v1 Event about `obj` (bindy: `generateName: <name>-`, Normal for True, else Warning); failures are ignored like bindy's. */
  async event(obj: BindyObject, type: 'Normal' | 'Warning', reason: string, message: string, now: Date): Promise<void> {
    this.calls.create++;
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    try {
      await this.#request('events', 'create', () => this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${meta.name ?? 'object'}-`, namespace },
          involvedObject: { apiVersion: obj.apiVersion ?? bindyApiVersion, kind: obj.kind ?? '', name: meta.name ?? '', namespace, ...(meta.uid === undefined ? {} : { uid: meta.uid }) },
          reason,
          message,
          type,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          source: { component: 'bindy' },
        },
      }));
    } catch {
      // bindy logs and goes on: an event is never worth failing a reconcile for.
    }
  }
}
