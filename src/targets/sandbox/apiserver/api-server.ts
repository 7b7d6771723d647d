/**
 * @module The sandbox Kubernetes API server: a request handler first (usable in process), an
 * HTTP listener on 127.0.0.1 second. Serves discovery, health, metrics and the resources of a
 * Registry with bearer-token auth, watch streams and injectable faults.
 */
import { apiextensionsGroup, apiextensionsResources, establishedStatus, resourcesOfCrd } from './crd-registration.js';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isPortForwardPath, PortForwardServer } from './port-forward.js';
import { ExecServer, isExecPath } from './pod-exec.js';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.js';
import { managerFromUserAgent } from './managed-fields.js';
import { ApiServerMetrics, type RequestLabels } from './metrics.js';
import { openApiGroupVersion, openApiRoot } from './openapi.js';
import { openApiV2 } from './openapi-v2.js';
import { encodeOpenApiV2, openApiV2ProtoAccept, openApiV2ProtoType } from './openapi-v2-proto.js';
import { isObject, patchTypes } from './patch.js';
import { Registry, resourceKey, type DeleteOptions, type FieldValidation, type ListQuery, type WatchDelivery } from './registry.js';
import { apiVersionOf, bindyResources, coreResources, flowcontrolResources, type ResourceDefinition } from './resources.js';
import { metricVerb, resolveRoute, type ResourceRoute } from './routes.js';
import {
  ApiStatusError,
  badRequest,
  failure,
  internalError,
  pathNotFound,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
  type StatusBody,
} from './status.js';
import { Store, type KubeObject, type StoreEvent } from './store.js';
import { generateServingCert, type ServingCert } from './serving-cert.js';
import { anonymousUser, sandboxAdmin, type TokenIdentity, type UserInfo } from './identities.js';
import { bootstrapObjects } from './flowcontrol/defaults.js';
import { FlowControl, type Rejected } from './flowcontrol/dispatcher.js';
import { flowcontrolGroup, flowcontrolVersion, type FlowSchemaObject, type PriorityLevelObject, type RequestDigest } from './flowcontrol/types.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';

/** Faults the server injects into resource requests; change the fields at any time. */
export interface FaultOptions {
  /** Added before handling every resource request, in ms. */
  latencyMs: number;
  /** Share of resource requests answered 429 TooManyRequests with Retry-After (0..1). */
  tooManyRequestsRate: number;
  /** Retry-After of injected 429s, in seconds. */
  retryAfterSeconds: number;
  /** Share of resource requests answered 500 InternalError (0..1). */
  serverErrorRate: number;
}

/** Options of createApiServer. */
export interface ApiServerOptions {
  /** Resources to serve; default: the core kinds, API Priority and Fairness' kinds and the bindy kinds (no validation). */
  resources?: ResourceDefinition[];
  /** Bearer token of the admin user (`adminUser`); default: 32 random bytes, hex. */
  token?: string;
  /** Who `token` authenticates as (default {@link sandboxAdmin}: loadtest-admin in system:masters). */
  adminUser?: UserInfo;
  /** More accepted tokens, each with its user (a real server's static token file). */
  identities?: readonly TokenIdentity[];
  /** API Priority and Fairness (on when flowschemas and prioritylevelconfigurations are served). */
  flowControl?: { serverConcurrencyLimit?: number; queueWaitLimitMs?: number };
  /** At most this many events kept per resource for watch resumption and list continuation (default 10,000). */
  historySize?: number;
  /** Events older than this (ms) leave a resource's history once it holds more than 100 (default 75,000, the watch cache's window). */
  historyWindowMs?: number;
  /** Life of a core/v1 Event after its last write, in ms (default 3,600,000: --event-ttl=1h); 0: Events never expire. */
  eventTtlMs?: number;
  /** Interval of BOOKMARK events for watches that allow them, in ms (default 60,000 like a real server). */
  bookmarkIntervalMs?: number;
  /** Watch duration when the client sets no timeoutSeconds, in s (default 1,800). */
  defaultWatchTimeoutSeconds?: number;
  /** A watch whose unsent output exceeds this many bytes is closed, as a real server drops slow watchers (default 64 MiB). */
  watchBufferLimitBytes?: number;
  faults?: Partial<FaultOptions>;
  /** Delay before a deleted namespace's content is deleted, in ms (default 200; 0: synchronously). */
  namespaceCleanupDelayMs?: number;
  /** Random source of fault injection (tests make it deterministic). */
  random?: () => number;
  now?: () => Date;
}

/** A request made in process (no socket). */
export interface InProcessRequest {
  method: string;
  /** Path with query string, e.g. `/api/v1/namespaces?limit=2`. */
  path: string;
  headers?: Record<string, string>;
  /** A string, or an object sent as JSON. */
  body?: unknown;
  /** Sends the server's bearer token (default true). */
  auth?: boolean;
  /** Sends this bearer token instead of the admin one. */
  token?: string;
}

/** The answer to an in-process request. */
export interface InProcessResponse {
  status: number;
  headers: Record<string, string | string[]>;
  text: string;
  /** The body as sent (binary bodies: protobuf). */
  bytes: Buffer;
  /** `text` parsed as JSON when it is JSON, else undefined. */
  body: unknown;
}

/** Options of listen. */
export interface ListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * Serve HTTPS with this certificate, or with a fresh self-signed one when `true`. Needed for
   * kubectl, which sends bearer tokens only over TLS. Default: plain HTTP.
   */
  tls?: boolean | ServingCert;
}

/** A listening server. */
export interface ListeningApiServer {
  /** `http://127.0.0.1:<port>` or `https://…`. */
  url: string;
  port: number;
  /** The serving certificate (PEM) when listening with TLS: the CA clients must trust. */
  caCert: string | undefined;
  /** Ends every watch, closes every connection and stops listening. */
  close(): Promise<void>;
}

/** The sandbox API server. */
export interface ApiServer {
  /** The Node HTTP request handler. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Serves one request in process; a watch resolves when its stream ends (timeoutSeconds). */
  request(r: InProcessRequest): Promise<InProcessResponse>;
  /** Starts an HTTP listener. */
  listen(options: ListenOptions): Promise<ListeningApiServer>;
  /** Ends every open watch stream now (clients see the stream end and must resume); returns how many. */
  dropWatches(options?: { abrupt?: boolean }): number;
  /** Number of open watch streams. */
  activeWatches(): number;
  readonly store: Store;
  readonly registry: Registry;
  readonly token: string;
  /** Every accepted bearer token and its user (the admin token included). */
  readonly identities: ReadonlyMap<string, UserInfo>;
  /** API Priority and Fairness; undefined when the server does not serve its kinds. */
  readonly flowControl: FlowControl | undefined;
  readonly metrics: ApiServerMetrics;
  readonly faults: FaultOptions;
}

/** Where a reply goes: an HTTP response or an in-process collector. */
interface Sink {
  head(status: number, headers: Record<string, string | string[]>): void;
  /** Sends the head now (a watch with nothing to say yet must still answer 200 at once). */
  flush(): void;
  write(chunk: string): void;
  end(chunk?: string | Buffer): void;
  abort(): void;
  /** Bytes written but not yet flushed to the peer. */
  pending(): number;
  onClose(cb: () => void): void;
}

/** What the handler knows of a request before reading its body. */
interface Exchange {
  method: string;
  url: URL;
  header(name: string): string | undefined;
  body(): Promise<string>;
}

const maxBodyBytes = 3 * 1024 * 1024;
const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/metrics']);
const jsonType = 'application/json';

function fieldValidationOf(q: URLSearchParams): FieldValidation | undefined {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return undefined;
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}`);
}

/** `dryRun`: absent, or `All` (the one value a real server accepts); anything else is refused as a real server does. */
function dryRunOf(q: URLSearchParams, verb: string): boolean {
  const values = q.getAll('dryRun');
  if (values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  const kind = verb === 'create' ? 'CreateOptions' : verb === 'delete' || verb === 'deletecollection' ? 'DeleteOptions' : verb === 'patch' ? 'PatchOptions' : 'UpdateOptions';
  const message = `Unsupported value: []string{${values.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"`;
  throw new ApiStatusError(
    failure(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: dryRun: ${message}`, { group: 'meta.k8s.io', kind, causes: [{ reason: 'FieldValueNotSupported', message, field: 'dryRun' }] }),
  );
}

function listQuery(q: URLSearchParams): ListQuery {
  const limit = q.get('limit');
  if (limit !== null && !/^\d+$/.test(limit)) throw badRequest(`limit: invalid value "${limit}"`);
  return {
    labelSelector: q.get('labelSelector'),
    fieldSelector: q.get('fieldSelector'),
    ...(limit === null ? {} : { limit: Number(limit) }),
    continue: q.get('continue'),
    resourceVersion: q.get('resourceVersion'),
    resourceVersionMatch: q.get('resourceVersionMatch'),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
  }
}

/** Creates a sandbox API server (not yet listening). */
export function createApiServer(options: ApiServerOptions = {}): ApiServer {
  const now = options.now;
  const store = new Store({
    historySize: options.historySize ?? 10_000,
    ...(options.historyWindowMs === undefined ? {} : { historyWindowMs: options.historyWindowMs }),
    ...(now ? { now: () => now().getTime() } : {}),
  });
  const registry = new Registry({
    store,
    ...(options.eventTtlMs === undefined ? {} : { eventTtlMs: options.eventTtlMs }),
    resources: options.resources ?? [...apiextensionsResources(), ...coreResources(), ...flowcontrolResources(), ...bindyResources()],
    ...(options.now ? { now: options.now } : {}),
    ...(options.namespaceCleanupDelayMs === undefined ? {} : { namespaceCleanupDelayMs: options.namespaceCleanupDelayMs }),
  });
  const token = options.token ?? randomBytes(32).toString('hex');
  const identities = new Map<string, UserInfo>([[token, options.adminUser ?? sandboxAdmin], ...(options.identities ?? []).map((i): [string, UserInfo] => [i.token, i.user])]);
  const metrics = new ApiServerMetrics();
  const flowControl = startFlowControl(registry, metrics, options.flowControl ?? {});
  const faults: FaultOptions = { latencyMs: 0, tooManyRequestsRate: 0, retryAfterSeconds: 1, serverErrorRate: 0, ...options.faults };
  const random = options.random ?? Math.random;
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
  const defaultWatchTimeout = options.defaultWatchTimeoutSeconds ?? 1800;
  const bufferLimit = options.watchBufferLimitBytes ?? 64 * 1024 * 1024;
  const watches = new Set<(abrupt: boolean) => void>();
  let serverAddress = '127.0.0.1:0';
  // The JSON line of the event being fanned out, shared by every plain-JSON watcher of it. One slot
  // only: the fan-out is synchronous, and a line kept per event would hold a serialised copy of
  // the whole history (replays from it serialise again).
  let lastLine: { event: StoreEvent; line: string } | undefined;

  function sendJson(sink: Sink, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
    sink.head(status, { 'content-type': jsonType, ...headers });
    sink.end(JSON.stringify(body));
  }

  function sendStatus(sink: Sink, e: ApiStatusError): void {
    sendJson(sink, e.status.code, e.status, e.headers);
  }

  // The v2 document changes only when a CRD is established or deleted: built on first use after that.
  let v2Json: string | undefined;
  let v2Proto: Buffer | undefined;
  function sendOpenApiV2(ex: Exchange, sink: Sink): void {
    const doc = (): ReturnType<typeof openApiV2> => openApiV2(registry.resources());
    // kube-apiserver answers protobuf to clients that list it in Accept (every kubectl does; 1.20 takes nothing else).
    const accept = ex.header('accept') ?? '';
    if (openApiV2ProtoAccept.some((t) => accept.includes(t))) {
      v2Proto ??= encodeOpenApiV2(doc());
      sink.head(200, { 'content-type': openApiV2ProtoType });
      sink.end(v2Proto);
      return;
    }
    v2Json ??= JSON.stringify(doc());
    sink.head(200, { 'content-type': jsonType });
    sink.end(v2Json);
  }

  // v3 documents, by path, likewise built once (every kubectl invocation asks for them).
  const v3Docs = new Map<string, unknown>();
  serveCustomResources(registry, () => {
    v2Json = undefined;
    v2Proto = undefined;
    v3Docs.clear();
  });
  function openApiV3(path: string, build: () => unknown): unknown {
    let doc = v3Docs.get(path);
    if (doc === undefined) {
      doc = build();
      // Only served documents are kept: a path that names nothing stays a 404 and takes no memory.
      if (doc !== undefined) v3Docs.set(path, doc);
    }
    return doc;
  }

  function nonResource(ex: Exchange, sink: Sink): boolean {
    const p = ex.url.pathname.replace(/\/+$/, '') || '/';
    switch (p) {
      case '/openapi/v2':
        sendOpenApiV2(ex, sink);
        return true;
      case '/healthz':
      case '/livez':
      case '/readyz':
        sink.head(200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
        sink.end('ok');
        return true;
      case '/version':
        sendJson(sink, 200, serverVersion);
        return true;
      case '/api':
        sendJson(sink, 200, apiVersions(serverAddress));
        return true;
      case '/apis':
        sendJson(sink, 200, apiGroupList(registry.resources()));
        return true;
    }
    const segs = p.split('/').filter((s) => s !== '');
    let doc: unknown;
    if (p === '/openapi/v3') doc = openApiV3(p, () => openApiRoot(registry.resources()));
    else if (segs[0] === 'openapi' && segs[1] === 'v3' && segs[2] === 'api' && segs.length === 4) doc = openApiV3(p, () => openApiGroupVersion(registry.resources(), '', segs[3] ?? ''));
    else if (segs[0] === 'openapi' && segs[1] === 'v3' && segs[2] === 'apis' && segs.length === 5) doc = openApiV3(p, () => openApiGroupVersion(registry.resources(), segs[3] ?? '', segs[4] ?? ''));
    else if (segs[0] === 'api' && segs.length === 2) doc = apiResourceList(registry.resources(), '', segs[1] ?? '');
    else if (segs[0] === 'apis' && segs.length === 2) doc = apiGroupDoc(registry.resources(), segs[1] ?? '');
    else if (segs[0] === 'apis' && segs.length === 3) doc = apiResourceList(registry.resources(), segs[1] ?? '', segs[2] ?? '');
    else return false;
    if (doc === undefined) throw pathNotFound();
    sendJson(sink, 200, doc);
    return true;
  }

  /**
   * The JSON body of a create or update. A protobuf body (`kubectl create` of a built-in kind sends
   * one since 1.2x) is a 415 naming what is accepted, as a real server answers for custom resources,
   * rather than a JSON decoding error.
   */
  async function jsonBody(ex: Exchange): Promise<unknown> {
    const ct = (ex.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (ct === 'application/vnd.kubernetes.protobuf') throw unsupportedMediaType(ct, [jsonType]);
    return parseJson(await ex.body());
  }

  function objectOut(route: ResourceRoute, ex: Exchange, o: KubeObject): unknown {
    return wantsTable(ex.header('accept')) ? toTable([o], { resourceVersion: o.metadata.resourceVersion }, includeOf(ex.url.searchParams)) : o;
  }

  function includeOf(q: URLSearchParams): IncludeObject {
    const v = q.get('includeObject');
    return v === 'None' || v === 'Object' ? v : 'Metadata';
  }

  /** Serves a resource request; a watch calls `onInitialized` once its initial events are sent (APF frees its seat then). */
  async function resourceRequest(route: ResourceRoute, ex: Exchange, sink: Sink, labels: RequestLabels, onInitialized: () => void): Promise<number> {
    const q = ex.url.searchParams;
    const reads = route.verb === 'get' || route.verb === 'list' || route.verb === 'watch';
    // Validated and answered like a write, persisted never (no revision, no watch event).
    const dryRun = !reads && dryRunOf(q, route.verb);
    const { def, namespace, name, subresource } = route;
    const fieldManager = q.get('fieldManager') ?? '';
    const writeOpts = {
      fieldManager: fieldManager === '' && ex.header('content-type') !== patchTypes.apply ? managerFromUserAgent(ex.header('user-agent')) : fieldManager,
      ...(subresource ? { subresource } : {}),
      ...(fieldValidationOf(q) ? { fieldValidation: fieldValidationOf(q) } : {}),
      ...(dryRun ? { dryRun } : {}),
    };
    const warn = (ws: string[]): Record<string, string[]> => (ws.length === 0 ? {} : { warning: ws.map((w) => `299 - ${JSON.stringify(w)}`) });
    switch (route.verb) {
      case 'get': {
        sendJson(sink, 200, objectOut(route, ex, registry.get(def, namespace, name ?? '')));
        return 200;
      }
      case 'list': {
        const list = registry.list(def, namespace, listQuery(q));
        sendJson(sink, 200, wantsTable(ex.header('accept')) ? toTable(list.items, list.metadata, includeOf(q)) : list);
        return 200;
      }
      case 'watch':
        return watch(route, ex, sink, labels, onInitialized);
      case 'create': {
        const r = registry.create(def, namespace, await jsonBody(ex), writeOpts);
        sendJson(sink, 201, r.object, warn(r.warnings));
        return 201;
      }
      case 'update': {
        const r = registry.update(def, namespace, name ?? '', await jsonBody(ex), writeOpts);
        sendJson(sink, 200, r.object, warn(r.warnings));
        return 200;
      }
      case 'patch': {
        const ct = (ex.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
        const force = q.get('force') === 'true';
        const r = registry.patch(def, namespace, name ?? '', ct, await ex.body(), { ...writeOpts, force });
        const code = r.created ? 201 : 200;
        sendJson(sink, code, r.object, warn(r.warnings));
        return code;
      }
      case 'delete': {
        const text = await ex.body();
        const body = text.trim() === '' ? {} : parseJson(text);
        const opts: DeleteOptions = {
          ...(isObject(body) && isObject(body.preconditions) ? { preconditions: body.preconditions } : {}),
          ...(dryRun ? { dryRun } : {}),
        };
        const before = registry.get(def, namespace, name ?? '');
        const o = registry.delete(def, namespace, name ?? '', opts);
        const stillThere = dryRun
          ? def === registry.namespaces || (o.metadata.finalizers ?? []).length > 0
          : store.get(`${def.group}/${def.plural}`, o.metadata.namespace, o.metadata.name)?.metadata.uid === before.metadata.uid;
        // kube-apiserver answers 200 also while finalizers keep the object, 202 only when the client
        // asked for orphanDependents=false; a deleted built-in object answers a success Status.
        const code = stillThere && isObject(body) && body.orphanDependents === false ? 202 : 200;
        if (stillThere) sendJson(sink, code, o);
        else if (def.custom || def === registry.namespaces) sendJson(sink, 200, o);
        else {
          sendJson(sink, 200, {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name: o.metadata.name, ...(def.group === '' ? {} : { group: def.group }), kind: def.plural, uid: o.metadata.uid },
          });
        }
        return code;
      }
      case 'deletecollection': {
        sendJson(sink, 200, registry.deleteCollection(def, namespace, listQuery(q), { dryRun }));
        return 200;
      }
    }
  }

  /** Streams watch events as newline-delimited JSON until timeout, drop, error or client close. */
  function watch(route: ResourceRoute, ex: Exchange, sink: Sink, labels: RequestLabels, onInitialized: () => void): Promise<number> {
    const q = ex.url.searchParams;
    const lq: ListQuery & { sendInitialEvents?: boolean } = listQuery(q);
    if (route.name !== undefined) {
      const byName = `metadata.name=${route.name}`;
      lq.fieldSelector = lq.fieldSelector ? `${lq.fieldSelector},${byName}` : byName;
    }
    if (q.get('sendInitialEvents') === 'true') lq.sendInitialEvents = true;
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const table = wantsTable(ex.header('accept'));
    const include = includeOf(q);
    const tRaw = q.get('timeoutSeconds');
    const timeoutSeconds = tRaw !== null && /^\d+$/.test(tRaw) ? Number(tRaw) : defaultWatchTimeout;
    const apiVersion = apiVersionOf(route.def);

    return new Promise<number>((resolve) => {
      let done = false;
      let stop: () => void = () => undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = (abrupt: boolean): void => {
        if (done) return;
        done = true;
        stop();
        for (const t of timers) clearTimeout(t);
        watches.delete(finish);
        metrics.longRunningDelta(labels, -1);
        if (abrupt) sink.abort();
        else sink.end();
        resolve(200);
      };
      const line = (d: WatchDelivery): string => {
        if (table && (d.type === 'ADDED' || d.type === 'MODIFIED' || d.type === 'DELETED')) {
          const o = d.object as KubeObject;
          return JSON.stringify({ type: d.type, object: toTable([o], { resourceVersion: o.metadata.resourceVersion }, include) }) + '\n';
        }
        if (d.source !== undefined) {
          if (lastLine?.event !== d.source) lastLine = { event: d.source, line: JSON.stringify({ type: d.type, object: d.object }) + '\n' };
          return lastLine.line;
        }
        return JSON.stringify({ type: d.type, object: d.object }) + '\n';
      };
      let errored = false;
      const send = (d: WatchDelivery): void => {
        if (done) return;
        sink.write(line(d));
        if (d.type === 'ERROR') errored = true;
        else if (sink.pending() > bufferLimit) queueMicrotask(() => finish(false));
      };
      const bookmark = (extra?: Record<string, string>): void =>
        send({
          type: 'BOOKMARK',
          object: { kind: route.def.kind, apiVersion, metadata: { resourceVersion: String(store.rv), ...(extra ? { annotations: extra } : {}) } } as KubeObject,
          rv: store.rv,
        });

      sink.head(200, { 'content-type': jsonType, 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
      sink.flush();
      metrics.longRunningDelta(labels, 1);
      watches.add(finish);
      sink.onClose(() => finish(false));
      try {
        stop = registry.watch(route.def, route.namespace, lq, send);
      } catch (e) {
        const status: StatusBody = e instanceof ApiStatusError ? e.status : internalError(String(e)).status;
        send({ type: 'ERROR', object: status, rv: store.rv });
      }
      onInitialized();
      // A real server ends a watch after an ERROR event.
      if (errored) {
        finish(false);
        return;
      }
      if (lq.sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
      if (bookmarks) {
        const tick = (): void => {
          bookmark();
          timers[0] = setTimeout(tick, bookmarkIntervalMs);
        };
        timers[0] = setTimeout(tick, bookmarkIntervalMs);
      }
      timers.push(setTimeout(() => finish(false), timeoutSeconds * 1000));
    });
  }

  /** Who the request is: the user of its bearer token, anonymous on the public paths without one; else 401. */
  function authenticate(auth: string | undefined, pathname: string): UserInfo {
    if (auth === undefined) {
      if (publicPaths.has(pathname)) return anonymousUser;
      throw unauthorized();
    }
    const user = auth.startsWith('Bearer ') ? identities.get(auth.slice('Bearer '.length)) : undefined;
    if (user === undefined) throw unauthorized();
    return user;
  }

  async function serve(ex: Exchange, original: Sink, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    let labels: RequestLabels | undefined;
    let code = 500;
    let sink = original;
    let release: () => void = () => undefined;
    try {
      const pathname = ex.url.pathname;
      if (pathname === '/metrics') {
        const text = await metrics.text();
        sink.head(200, { 'content-type': metrics.contentType });
        sink.end(text);
        return;
      }
      const user = authenticate(ex.header('authorization'), pathname);
      const watchParam = ex.url.searchParams.get('watch');
      const route = resolveRoute(registry, ex.method, pathname, watchParam === 'true' || watchParam === '1');
      if (route) {
        labels = {
          verb: metricVerb(route.verb, ex.header('content-type')),
          group: route.group,
          version: route.version,
          resource: route.def.plural,
          subresource: route.subresource ?? '',
          scope: route.name !== undefined ? 'resource' : route.namespace !== undefined ? 'namespace' : 'cluster',
        };
      }
      if (flowControl !== undefined) {
        const admission = await flowControl.admit(digestOf(user, route, ex), signal);
        if (admission.flowSchema !== undefined && admission.priorityLevel !== undefined) {
          sink = withHeaders(sink, { 'X-Kubernetes-PF-FlowSchema-UID': admission.flowSchema.uid, 'X-Kubernetes-PF-PriorityLevel-UID': admission.priorityLevel.uid });
        }
        if (!admission.ok) {
          code = 429;
          sendApfRejection(sink, admission);
          return;
        }
        release = admission.release;
      }
      if (!route) {
        if (nonResource(ex, sink)) return;
        throw pathNotFound();
      }
      if (faults.latencyMs > 0) await delay(faults.latencyMs);
      if (faults.tooManyRequestsRate > 0 && random() < faults.tooManyRequestsRate) throw tooManyRequests(faults.retryAfterSeconds);
      if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) throw internalError('injected by the sandbox fault hooks');
      // Expired Events go before any request can read them (the listener's timer covers idle times).
      registry.expireEvents();
      code = await resourceRequest(route, ex, sink, labels ?? emptyLabels, release);
    } catch (e) {
      const err = e instanceof ApiStatusError ? e : internalError(e instanceof Error ? e.message : String(e));
      code = err.status.code;
      sendStatus(sink, err);
    } finally {
      release();
      if (labels) metrics.observe(labels, code, (performance.now() - started) / 1000);
    }
  }

  function httpSink(res: ServerResponse): Sink {
    return {
      head: (status, headers) => res.writeHead(status, headers),
      flush: () => res.flushHeaders(),
      write: (chunk) => void res.write(chunk),
      end: (chunk) => void (chunk === undefined ? res.end() : res.end(chunk)),
      abort: () => res.destroy(),
      pending: () => res.writableLength,
      onClose: (cb) => void res.once('close', cb),
    };
  }

  function readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBodyBytes) {
          reject(new ApiStatusError(failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${maxBodyBytes}`)));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    let bodyPromise: Promise<string> | undefined;
    const ex: Exchange = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      header: (n) => {
        const v = req.headers[n];
        return Array.isArray(v) ? v.join(', ') : v;
      },
      body: () => (bodyPromise ??= readBody(req)),
    };
    // A client that goes away while its request is queued by APF leaves the queue.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    void serve(ex, httpSink(res), gone.signal);
  };

  async function request(r: InProcessRequest): Promise<InProcessResponse> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
    if (r.auth !== false && headers.authorization === undefined) headers.authorization = `Bearer ${r.token ?? token}`;
    const bodyText = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    if (r.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = jsonType;
    let status = 0;
    let outHeaders: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    const closers: (() => void)[] = [];
    await new Promise<void>((resolve) => {
      const sink: Sink = {
        head: (s, h) => {
          status = s;
          outHeaders = h;
        },
        write: (c) => {
          chunks.push(Buffer.from(c));
        },
        end: (c) => {
          if (c !== undefined) chunks.push(Buffer.from(c));
          for (const cb of closers) cb();
          resolve();
        },
        abort: () => {
          for (const cb of closers) cb();
          resolve();
        },
        pending: () => 0,
        flush: () => undefined,
        onClose: (cb) => closers.push(cb),
      };
      void serve(
        { method: r.method.toUpperCase(), url: new URL(r.path, 'http://127.0.0.1'), header: (n) => headers[n], body: () => Promise.resolve(bodyText) },
        sink,
      );
    });
    const bytes = Buffer.concat(chunks);
    const text = bytes.toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status, headers: outHeaders, text, bytes, body };
  }

  function dropWatches(opts: { abrupt?: boolean } = {}): number {
    const all = [...watches];
    for (const finish of all) finish(opts.abrupt ?? false);
    return all.length;
  }

  async function listen(opts: ListenOptions): Promise<ListeningApiServer> {
    const tls = opts.tls === true ? await generateServingCert() : opts.tls === false || opts.tls === undefined ? undefined : opts.tls;
    const server = tls
      ? createTlsServer({ keepAliveTimeout: 65_000, noDelay: true, cert: tls.cert, key: tls.key }, handler)
      : createServer({ keepAliveTimeout: 65_000, noDelay: true }, handler);
    const sockets = new Set<Socket>();
    // WebSocket upgrades: a pod's portforward and exec (the kubelet's channel protocols); anything else is not served.
    const portForward = new PortForwardServer(registry, (auth) => void authenticate(auth, ''));
    const exec = new ExecServer(registry, (auth) => void authenticate(auth, ''));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (isPortForwardPath(pathname)) portForward.upgrade(req, socket, head);
      else if (isExecPath(pathname)) exec.upgrade(req, socket, head);
      else socket.destroy();
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 }, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    serverAddress = `${opts.host ?? '127.0.0.1'}:${port}`;
    // etcd deletes an expired Event on its own, so watchers see DELETED without any request.
    const expiry = setInterval(() => registry.expireEvents(), 1000);
    expiry.unref();
    return {
      url: `${tls ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`,
      port,
      caCert: tls?.cert,
      close: () =>
        new Promise<void>((resolve) => {
          clearInterval(expiry);
          dropWatches();
          portForward.close();
          exec.close();
          server.close(() => resolve());
          server.closeAllConnections();
          for (const s of sockets) s.destroy();
        }),
    };
  }

  return {
    handler,
    request,
    listen,
    dropWatches,
    activeWatches: () => watches.size,
    store,
    registry,
    token,
    identities,
    flowControl,
    metrics,
    faults,
  };
}

const emptyLabels: RequestLabels = { verb: '', group: '', version: '', resource: '', subresource: '', scope: '' };

/** What APF classifies: the user, and the resource request (RBAC verb, group, resource, namespace) or the non-resource path (lower-case method). */
function digestOf(user: UserInfo, route: ResourceRoute | undefined, ex: Exchange): RequestDigest {
  if (route === undefined) return { user, nonResource: { verb: ex.method.toLowerCase(), path: ex.url.pathname } };
  return { user, resource: { verb: route.verb, apiGroup: route.group, resource: route.def.plural, subresource: route.subresource ?? '', namespace: route.namespace ?? '' } };
}

/** The same sink, with more response headers. */
function withHeaders(sink: Sink, extra: Record<string, string>): Sink {
  return { ...sink, head: (status, headers) => sink.head(status, { ...headers, ...extra }) };
}

/** kube-apiserver's APF rejection: plain text (http.Error), not a Status, with Retry-After. */
function sendApfRejection(sink: Sink, r: Rejected): void {
  sink.head(429, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'retry-after': String(r.retryAfterSeconds) });
  sink.end('Too many requests, please try again later.\n');
}

/** Creates the bootstrap FlowSchemas and priority levels and the dispatcher reading them; undefined when the kinds are not served. */
function startFlowControl(registry: Registry, metrics: ApiServerMetrics, o: NonNullable<ApiServerOptions['flowControl']>): FlowControl | undefined {
  const fsDef = registry.resource(flowcontrolGroup, flowcontrolVersion, 'flowschemas');
  const plDef = registry.resource(flowcontrolGroup, flowcontrolVersion, 'prioritylevelconfigurations');
  if (fsDef === undefined || plDef === undefined) return undefined;
  // The manager kube-apiserver's bootstrap configuration ensurer writes them under.
  for (const b of bootstrapObjects()) registry.create(b.plural === 'flowschemas' ? fsDef : plDef, undefined, b.body, { fieldManager: 'api-priority-and-fairness-config-producer-v1' });
  const live = (def: ResourceDefinition): KubeObject[] => registry.store.list(resourceKey(def)).filter((x) => x.metadata.deletionTimestamp === undefined);
  const fc = new FlowControl({
    // Stored objects passed validation and defaulting: they have the shapes APF reads.
    source: () => ({ flowSchemas: live(fsDef) as unknown as FlowSchemaObject[], priorityLevels: live(plDef) as unknown as PriorityLevelObject[] }),
    observer: metrics.flowControl,
    ...(o.serverConcurrencyLimit === undefined ? {} : { serverConcurrencyLimit: o.serverConcurrencyLimit }),
    ...(o.queueWaitLimitMs === undefined ? {} : { queueWaitLimitMs: o.queueWaitLimitMs }),
  });
  for (const def of [fsDef, plDef]) registry.store.watch(resourceKey(def), registry.store.rv, () => fc.invalidate());
  return fc;
}

/**
 * Serves every CRD written to `registry` (created, or its spec changed) and stops serving a
 * deleted one, as kube-apiserver's apiextensions controllers do; the status (NamesAccepted,
 * Established) is written just after the write that made the CRD, so a client waiting for
 * Established sees it in a MODIFIED event. `changed` drops what was built from the old set.
 */
function serveCustomResources(registry: Registry, changed: () => void): void {
  const def = registry.resource(apiextensionsGroup, 'v1', 'customresourcedefinitions');
  if (def === undefined) return;
  registry.store.watch(resourceKey(def), registry.store.rv, (e) => {
    const crd = e.object;
    const spec = crd.spec as { group?: unknown; names?: { plural?: unknown } } | undefined;
    if (e.type === 'DELETED') {
      registry.removeResources(String(spec?.group), String(spec?.names?.plural));
      changed();
      return;
    }
    // A status write changes no spec: nothing to serve anew.
    if (e.prev !== undefined && JSON.stringify(e.prev.spec) === JSON.stringify(crd.spec)) return;
    registry.addResources(resourcesOfCrd(crd));
    changed();
    // After the fan-out of this write (a write from inside a listener would reorder events).
    queueMicrotask(() => {
      const now = registry.store.get(resourceKey(def), undefined, crd.metadata.name);
      if (now === undefined || now.metadata.uid !== crd.metadata.uid) return;
      registry.update(def, undefined, now.metadata.name, { ...now, status: establishedStatus(now, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')) }, { subresource: 'status', fieldManager: 'kube-apiserver' });
    });
  });
}
