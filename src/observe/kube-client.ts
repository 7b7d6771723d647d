/**
 * @module A thin, timed layer for the bindy kinds: the kubeconfig through @kubernetes/client-node,
 * the calls over kube-transport.ts; API errors come back as data.
 */
import { accessSync, constants } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError, UsageError } from '../errors.js';
import { PooledAuthentication } from './pooled-client.js';
import { KubeTransport, type RawResponse } from './kube-transport.js';
import { openWatch, type WatchEventHandler } from './watch-stream.js';
import { parseWithoutUnreadArrays } from './watch-line.js';
import { bindyKinds } from '../model/kinds.js';
import type { BindyKind } from '../model/kinds.js';
import { objectKindOf, resourceOf, type ObjectKind } from '../model/object-kinds.js';

/** Object metadata, as far as this tool reads it. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  /** Who wrote which fields when (server-side apply's bookkeeping); `time` is RFC 3339, whole seconds. */
  managedFields?: { manager?: string; operation?: string; time?: string }[];
}

/** A Kubernetes object the tool writes (a bindy kind, or the machinery of a shard Job), as sent and as received. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  /** A ConfigMap's text values. */
  data?: Record<string, string>;
  /** A ConfigMap's binary values, base64 on the wire. */
  binaryData?: Record<string, string>;
  /** A Role's rules. */
  rules?: unknown[];
  /** A RoleBinding's role and subjects. */
  roleRef?: unknown;
  subjects?: unknown[];
  /** An Event's object (`uid`, `kind`, `name`, `namespace`). */
  involvedObject?: unknown;
}

/** One `causes` entry of a `kind: Status` error body (422 Invalid lists one per field). */
export interface StatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

/** An API error as the server stated it: HTTP code, Status reason, message and causes. */
export interface ApiFailure {
  /** HTTP status code; 0 when no response arrived (connection refused, reset, timeout). */
  status: number;
  /** Status `reason` (`Invalid`, `AlreadyExists`, `TooManyRequests`…), or `NetworkError`. */
  reason: string;
  /** The server's message, or the transport error's. */
  message: string;
  causes: StatusCause[];
  /** Retry-After in seconds when the server sent one. */
  retryAfterSeconds?: number;
}

/** Times of one API call on the local monotonic clock (`performance.now()`, ms). */
export interface ApiTiming {
  /** Just before the request was handed to the HTTP client. */
  sentMs: number;
  /** When the response (or the transport error) had been read. */
  receivedMs: number;
}

/** The outcome of one API call: a value or the server's error, always with its timing. */
export type ApiResult<T> = ({ ok: true; value: T } | { ok: false; error: ApiFailure }) & ApiTiming;

/** A page-merged list: the items and the list's resourceVersion (to watch from). */
export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

/** What a page-by-page list went through (see KubeClient.listPages). */
export interface PagedListing {
  /** Pages read. */
  pages: number;
  /** Objects handed over, all pages together. */
  items: number;
  /** Times an expired continue token was followed by the one its 410 carried (the list is then not one snapshot). */
  resumedAfterExpiry: number;
  /** The first page's resourceVersion. */
  resourceVersion: string;
}

/** The continue token a 410 Expired answer carries in its Status (kube-apiserver sets one when the list may go on, inconsistent). */
function continueOfExpired(body: Buffer): string | undefined {
  try {
    const status: unknown = JSON.parse(body.toString('utf8'));
    const meta = isRecord(status) && isRecord(status.metadata) ? status.metadata : {};
    return typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
  } catch {
    return undefined;
  }
}

/** What the burst engine needs to write objects (KubeClient implements it; tests may fake it). */
export interface ObjectCreator {
  /** Creates `obj` in its namespace; never throws for an API error. */
  create(obj: KubeObject): Promise<ApiResult<KubeObject>>;
}

/** Where to connect: a kubeconfig file (optionally a context) or a loaded KubeConfig. */
export type KubeClientSource = { kubeconfigPath: string; context?: string } | { kubeConfig: KubeConfig };

const pageSize = 500;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `v` looks like a Kubernetes object (kind, apiVersion and a metadata object). */
export function isKubeObject(v: unknown): v is KubeObject {
  return isRecord(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string' && isRecord(v.metadata);
}

/** The bindy kind of `kind`, or a UsageError: this layer serves only the bindy kinds. */
export function bindyKindOf(kind: string): BindyKind {
  const k = (bindyKinds as readonly string[]).includes(kind) ? (kind as BindyKind) : undefined;
  if (k === undefined) throw new UsageError(`${kind} is not a bindy kind (known: ${bindyKinds.join(', ')})`);
  return k;
}

/** Parses an error body (string or object) into the Status fields; anything else keeps its text. */
export function failureFromBody(status: number, body: unknown, fallback: string): ApiFailure {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      b = undefined;
    }
  }
  if (isRecord(b) && b.kind === 'Status') {
    const details = isRecord(b.details) ? b.details : {};
    const causes = Array.isArray(details.causes) ? details.causes.filter(isRecord) : [];
    const retry = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
    return {
      status: typeof b.code === 'number' ? b.code : status,
      reason: typeof b.reason === 'string' && b.reason !== '' ? b.reason : 'Unknown',
      message: typeof b.message === 'string' ? b.message : fallback,
      causes: causes.map((c) => ({
        ...(typeof c.field === 'string' ? { field: c.field } : {}),
        ...(typeof c.reason === 'string' ? { reason: c.reason } : {}),
        ...(typeof c.message === 'string' ? { message: c.message } : {}),
      })),
      ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
    };
  }
  const text = typeof body === 'string' && body !== '' ? body.slice(0, 500) : fallback;
  return { status, reason: status === 401 ? 'Unauthorized' : 'Unknown', message: text, causes: [] };
}

/** Any thrown value of an API call as an ApiFailure (ApiException → the server's Status). */
export function failureOf(e: unknown): ApiFailure {
  if (e instanceof ResponseError) return failureOfResponse(e.response);
  if (e instanceof ApiException) {
    const code = typeof e.code === 'number' ? e.code : 0;
    const retryHeader = isRecord(e.headers) ? e.headers['retry-after'] : undefined;
    const f = failureFromBody(code, e.body, `HTTP ${code}`);
    if (f.retryAfterSeconds === undefined && typeof retryHeader === 'string' && /^\d+$/.test(retryHeader)) {
      f.retryAfterSeconds = Number(retryHeader);
    }
    return f;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { status: 0, reason: 'NetworkError', message, causes: [] };
}

/** The `propagationPolicy` query a delete of `kind` carries (a Job's pods go with it), or ''. */
function propagationQuery(kind: ObjectKind, sep: '?' | '&'): string {
  const policy = resourceOf(kind).propagationPolicy;
  return policy === undefined ? '' : `${sep}propagationPolicy=${policy}`;
}

/** An error response of the transport, thrown inside a timed call and read back by failureOf. */
class ResponseError extends Error {
  readonly response: RawResponse;
  constructor(response: RawResponse) {
    super(`HTTP ${response.status}`);
    this.response = response;
  }
}

/** A non-2xx transport response as an ApiFailure (its Status body, and Retry-After when the body has none). */
function failureOfResponse(r: RawResponse): ApiFailure {
  const error = failureFromBody(r.status, r.body.toString('utf8'), `HTTP ${r.status}`);
  const retry = r.headers['retry-after'];
  if (error.retryAfterSeconds === undefined && typeof retry === 'string' && /^\d+$/.test(retry)) error.retryAfterSeconds = Number(retry);
  return error;
}

/**
 * Create, list and delete objects of the bindy kinds, each call timed on the monotonic clock and
 * each API error returned as data carrying the server's Status (reason, message, causes).
 */
export class KubeClient implements ObjectCreator {
  /** The loaded kubeconfig (credentials and TLS for every call). */
  readonly kubeConfig: KubeConfig;
  readonly #auth: PooledAuthentication;
  readonly #transport: KubeTransport;
  readonly #now: () => number;

  constructor(source: KubeClientSource, now: () => number = () => performance.now()) {
    if ('kubeConfig' in source) {
      this.kubeConfig = source.kubeConfig;
    } else {
      const kc = new KubeConfig();
      try {
        accessSync(source.kubeconfigPath, constants.R_OK);
      } catch (cause) {
        throw new TargetNotReadyError(`cannot read kubeconfig ${source.kubeconfigPath}`, { cause, hint: 'pass --kubeconfig PATH' });
      }
      try {
        kc.loadFromFile(source.kubeconfigPath);
      } catch (cause) {
        // The file is there but is not a kubeconfig (not YAML, or missing what client-node needs): bad input, exit 2.
        const why = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
        throw new UsageError(`invalid kubeconfig ${source.kubeconfigPath}: ${why}`, { cause });
      }
      if (source.context !== undefined) {
        if (!kc.getContexts().some((c) => c.name === source.context)) {
          throw new UsageError(`kubeconfig ${source.kubeconfigPath} has no context ${source.context}`);
        }
        kc.setCurrentContext(source.context);
      }
      this.kubeConfig = kc;
    }
    if (this.kubeConfig.getCurrentCluster() === null) {
      throw new TargetNotReadyError('the kubeconfig has no current cluster', { hint: 'set current-context or pass --context' });
    }
    // Pooled keep-alive connections: client-node alone opens a TCP + TLS connection per request,
    // which would put a handshake into every create latency and cap the create rate.
    this.#auth = new PooledAuthentication(this.kubeConfig);
    this.#transport = new KubeTransport(this.kubeConfig, this.#auth);
    this.#now = now;
  }

  /** Closes the pooled connections (idle ones never hold the process open; this frees them now). */
  close(): void {
    this.#auth.destroy();
  }

  /** The local monotonic clock this client times calls with, in ms. */
  now(): number {
    return this.#now();
  }

  /** Runs `call`, timing it and turning a thrown error into an ApiFailure. */
  async #timed<T>(call: () => Promise<T>): Promise<ApiResult<T>> {
    const sentMs = this.#now();
    try {
      const value = await call();
      return { ok: true, value, sentMs, receivedMs: this.#now() };
    } catch (e) {
      return { ok: false, error: failureOf(e), sentMs, receivedMs: this.#now() };
    }
  }

  /** Creates `obj` (a bindy kind or a discovery source) in `obj.metadata.namespace`, over the lean transport (the hot path of a burst). */
  async create(obj: KubeObject): Promise<ApiResult<KubeObject>> {
    const info = resourceOf(objectKindOf(obj.kind));
    const namespace = obj.metadata.namespace;
    const path = this.collectionPath(info.kind, info.namespaced && namespace !== undefined ? namespace : null);
    return this.#objectCall('POST', path, obj, undefined, `create ${obj.kind}`);
  }

  /**
   * Server-side applies `obj` (its kind, name, namespace and the fields it sets) as `fieldManager`,
   * forcing ownership of those fields: an update without read-modify-write, so it never meets a
   * 409 from the operator's own writes. The API server counts it under the verb APPLY.
   */
  apply(obj: KubeObject, fieldManager: string): Promise<ApiResult<KubeObject>> {
    const info = resourceOf(objectKindOf(obj.kind));
    const name = obj.metadata.name ?? '';
    const base = this.collectionPath(info.kind, info.namespaced ? (obj.metadata.namespace ?? null) : null);
    const query = new URLSearchParams({ fieldManager, force: 'true' });
    return this.#objectCall('PATCH', `${base}/${encodeURIComponent(name)}?${query.toString()}`, obj, 'application/apply-patch+yaml', `apply ${obj.kind} ${name}`);
  }

  /** Merge-patches one object (RFC 7386: `null` removes a key); the answer is the object as stored. */
  mergePatch(kind: ObjectKind, namespace: string | null, name: string, patch: Record<string, unknown>): Promise<ApiResult<KubeObject>> {
    const path = `${this.collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
    return this.#objectCall('PATCH', path, patch, 'application/merge-patch+json', `patch ${kind} ${name}`);
  }

  /**
   * Deletes one object (foreground finalizers stay the operator's business). The 2xx answer (the
   * object with its deletionTimestamp, or a Status) is drained unread: cleanup deletes tens of
   * thousands of Events and parsing each answer was the end phase's memory peak.
   */
  async delete(kind: ObjectKind, namespace: string, name: string): Promise<ApiResult<void>> {
    const sentMs = this.#now();
    let r: RawResponse;
    try {
      r = await this.#transport.sendForStatus('DELETE', `${this.collectionPath(kind, namespace)}/${encodeURIComponent(name)}${propagationQuery(kind, '?')}`);
    } catch (e) {
      return { ok: false, error: failureOf(e), sentMs, receivedMs: this.#now() };
    }
    const receivedMs = this.#now();
    if (r.status < 200 || r.status >= 300) return { ok: false, error: failureOfResponse(r), sentMs, receivedMs };
    return { ok: true, value: undefined, sentMs, receivedMs };
  }

  /** One call on a single object over the transport; a 2xx answer must be an object. */
  async #objectCall(method: string, path: string, body: unknown, contentType: string | undefined, what: string): Promise<ApiResult<KubeObject>> {
    const sentMs = this.#now();
    let r: RawResponse;
    try {
      r = await this.#transport.send(method, path, body, contentType);
    } catch (e) {
      return { ok: false, error: failureOf(e), sentMs, receivedMs: this.#now() };
    }
    const receivedMs = this.#now();
    if (r.status < 200 || r.status >= 300) return { ok: false, error: failureOfResponse(r), sentMs, receivedMs };
    let out: unknown;
    try {
      out = JSON.parse(r.body.toString('utf8'));
    } catch {
      out = undefined;
    }
    if (isKubeObject(out)) return { ok: true, value: out, sentMs, receivedMs };
    return { ok: false, error: { status: r.status, reason: 'BadResponse', message: `${what}: the ${r.status} response is not an object`, causes: [] }, sentMs, receivedMs };
  }

  /**
   * Lists objects of `kind` matching `labelSelector`, every page; `namespace` null = all namespaces.
   * Objects come without their `records` and `managedFields` arrays (see watch-line.ts): a run's
   * DNSZones list every record in their status, and nothing this tool lists for reads either.
   */
  list(kind: ObjectKind, namespace: string | null, labelSelector: string): Promise<ApiResult<ObjectList>> {
    return this.#timed(async () => {
      const items: KubeObject[] = [];
      const listed = await this.#pages(kind, namespace, labelSelector, (page) => {
        for (const o of page) items.push(o);
      }, false);
      return { items, resourceVersion: listed.resourceVersion };
    });
  }

  /**
   * Lists like {@link list} but hands each page to `onPage` (awaited) before asking for the next,
   * so a large collection (the Events of an hour-long run: ~90,000) is never held whole. A list that
   * outlives the server's compaction window gets 410 Expired on its continue token; with
   * `resumeExpired` it goes on with the token that 410 carries (the rest from a newer snapshot:
   * inconsistent, which a caller looking only for its own objects can accept) and counts it.
   */
  listPages(
    kind: ObjectKind,
    namespace: string | null,
    labelSelector: string,
    onPage: (items: KubeObject[]) => void | Promise<void>,
    options: { resumeExpired?: boolean } = {},
  ): Promise<ApiResult<PagedListing>> {
    return this.#timed(() => this.#pages(kind, namespace, labelSelector, onPage, options.resumeExpired === true));
  }

  async #pages(kind: ObjectKind, namespace: string | null, labelSelector: string, onPage: (items: KubeObject[]) => void | Promise<void>, resumeExpired: boolean): Promise<PagedListing> {
    const path = this.collectionPath(kind, namespace);
    const out: PagedListing = { pages: 0, items: 0, resumedAfterExpiry: 0, resourceVersion: '' };
    let cont: string | undefined;
    do {
      const query = new URLSearchParams({ labelSelector, limit: String(pageSize) });
      if (cont !== undefined) query.set('continue', cont);
      const r = await this.#transport.send('GET', `${path}?${query.toString()}`);
      if (r.status === 410 && cont !== undefined && resumeExpired) {
        const fresh = continueOfExpired(r.body);
        if (fresh === undefined) throw new ResponseError(r);
        cont = fresh;
        out.resumedAfterExpiry++;
        continue;
      }
      if (r.status !== 200) throw new ResponseError(r);
      const page = parseWithoutUnreadArrays(r.body);
      if (!isRecord(page) || !Array.isArray(page.items)) throw new Error(`list ${kind}: the response is not a list`);
      const items = page.items.filter(isKubeObject);
      const meta = isRecord(page.metadata) ? page.metadata : {};
      // Every page is served from the first page's snapshot, so the first resourceVersion is the list's.
      if (out.resourceVersion === '' && typeof meta.resourceVersion === 'string') out.resourceVersion = meta.resourceVersion;
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
      out.pages++;
      out.items += items.length;
      await onPage(items);
    } while (cont !== undefined);
    return out;
  }

  /** Reads one object (without its `records` and `managedFields` arrays); null when it does not exist. */
  get(kind: ObjectKind, namespace: string | null, name: string): Promise<ApiResult<KubeObject | null>> {
    const path = `${this.collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
    return this.#timed(async () => {
      const r = await this.#transport.send('GET', path);
      if (r.status === 404) return null;
      if (r.status !== 200) throw new ResponseError(r);
      const obj = parseWithoutUnreadArrays(r.body);
      if (!isKubeObject(obj)) throw new Error(`get ${kind} ${name}: the response is not an object`);
      return obj;
    });
  }

  /** Deletes every object of `kind` in `namespace` matching `labelSelector` (deletecollection; the deleted objects it answers with are drained unread). */
  deleteCollection(kind: ObjectKind, namespace: string, labelSelector: string): Promise<ApiResult<void>> {
    if (labelSelector.trim() === '') throw new UsageError('deleteCollection needs a label selector: it never deletes unlabelled objects');
    const path = this.collectionPath(kind, namespace);
    return this.#timed(async () => {
      const r = await this.#transport.sendForStatus('DELETE', `${path}?${new URLSearchParams({ labelSelector }).toString()}${propagationQuery(kind, '&')}`);
      if (r.status < 200 || r.status >= 300) throw new ResponseError(r);
    });
  }

  /**
   * Watches `kind` in `namespace` (null = all) with `query` (resourceVersion, labelSelector,
   * allowWatchBookmarks…) over the pooled transport, without the `records` and `managedFields`
   * arrays (see watch-line.ts); the contract is client-node's `Watch.watch` (see watch-stream.ts).
   */
  watch(kind: ObjectKind, namespace: string | null, query: Record<string, string | boolean | undefined>, onEvent: WatchEventHandler, onDone: (err: unknown) => void): Promise<AbortController> {
    return openWatch((path, signal) => this.#transport.stream(path, signal), this.collectionPath(kind, namespace), query, onEvent, onDone);
  }

  /**
   * The kinds of `kinds` the API server serves, in their order: discovery of each group/version
   * (one GET each). A kind of an unserved group/version, or one its discovery does not list, is
   * left out (PTRRecord on a bindy 0.6 cluster); any other failure is thrown.
   */
  async servedKinds<K extends ObjectKind>(kinds: readonly K[]): Promise<K[]> {
    const byPrefix = new Map<string, Set<string> | null>();
    for (const k of kinds) {
      const { prefix } = resourceOf(k);
      if (byPrefix.has(prefix)) continue;
      const r = await this.#transport.send('GET', prefix);
      if (r.status === 404) {
        byPrefix.set(prefix, null);
        continue;
      }
      if (r.status !== 200) throw new ResponseError(r);
      const doc: unknown = JSON.parse(r.body.toString('utf8'));
      const resources = isRecord(doc) && Array.isArray(doc['resources']) ? doc['resources'] : [];
      byPrefix.set(prefix, new Set(resources.flatMap((x) => (isRecord(x) && typeof x['name'] === 'string' ? [x['name']] : []))));
    }
    return kinds.filter((k) => byPrefix.get(resourceOf(k).prefix)?.has(resourceOf(k).plural) === true);
  }

  /** The collection path of `kind` (namespace null = all namespaces): where creates go and watches read. */
  collectionPath(kind: ObjectKind, namespace: string | null): string {
    const info = resourceOf(kind);
    return namespace !== null && info.namespaced ? `${info.prefix}/namespaces/${namespace}/${info.plural}` : `${info.prefix}/${info.plural}`;
  }
}
