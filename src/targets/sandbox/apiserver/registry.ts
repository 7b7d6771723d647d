/**
 * @module Object semantics of the sandbox API server, independent of HTTP: create, get, list,
 * update, patch, apply, delete and watch with the rules a real kube-apiserver applies (uid,
 * resourceVersion, generation, status subresource, finalizers, namespaces, validation, pagination).
 */
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { mergePatch, jsonPatch, isObject, patchTypes, type JsonObject } from './patch.js';
import { recordUpdate, serverSideApply, sameJson, type FieldScope, type OwnershipContext } from './managed-fields.js';
import { generateName, nameViolations } from './names.js';
import { apiVersionOf, type ResourceDefinition } from './resources.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  ApiStatusError,
  alreadyExists,
  badRequest,
  conflict,
  expired,
  failure,
  forbidden,
  invalid,
  notFound,
  timeout,
  unsupportedMediaType,
  type StatusBody,
} from './status.js';
import { objectKey, type KubeObject, type ObjectMeta, type Store, type StoreEvent } from './store.js';
import { countNames, quotaRefusal, quotaStatus } from './quota.js';

/** `fieldValidation` query parameter: what to do with fields the schema does not know. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of one write. */
export interface WriteOptions {
  fieldValidation?: FieldValidation;
  /** `fieldManager` query parameter, or the name derived from the User-Agent. */
  fieldManager: string;
  /** `/status` instead of the main resource. */
  subresource?: 'status';
  /** `dryRun=All`: validate and answer as if written, persist nothing. */
  dryRun?: boolean;
}

/** A write's result: the object and the warnings to send in `Warning` headers. */
export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** True when the write created the object (201 instead of 200). */
  created: boolean;
}

/** Query of a list, deletecollection or watch. */
export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

/** A list body (`<Kind>List`). */
export interface ListBody {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

/** Options of a delete (metav1.DeleteOptions, the parts honoured). */
export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  /** `dryRun=All`: answer as if deleted, change nothing. */
  dryRun?: boolean;
}

/** Event delivered to one watcher (after selector filtering). */
export interface WatchDelivery {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject | StatusBody;
  /** The revision the event carries (for BOOKMARK: the current revision). */
  rv: number;
  /** The store event, when the delivery is one (shared by watchers: its JSON may be cached). */
  source?: StoreEvent;
}

/** Options of a Registry. */
export interface RegistryOptions {
  store: Store;
  resources: readonly ResourceDefinition[];
  /** Wall clock for creationTimestamp and deletionTimestamp. */
  now?: () => Date;
  /** Namespaces that exist from the start (a real cluster has at least these). */
  initialNamespaces?: readonly string[];
  /**
   * Delay before the content of a deleted namespace is deleted, in ms (default 200; 0: at once).
   * A real namespace controller works asynchronously, so `kubectl delete -f` of a namespace and
   * an object in it finds the object still there.
   */
  namespaceCleanupDelayMs?: number;
  /**
   * Life of a core/v1 Event after its last write, in ms (default 3,600,000: kube-apiserver's
   * --event-ttl=1h, an etcd lease renewed by every write); then it is deleted, and watchers see
   * DELETED. 0: Events never expire.
   */
  eventTtlMs?: number;
}

/** Default of {@link RegistryOptions.eventTtlMs}: kube-apiserver's --event-ttl. */
export const defaultEventTtlMs = 3_600_000;

/** Namespaces a real cluster refuses to delete. */
const protectedNamespaces = new Set(['default', 'kube-system', 'kube-public']);
const continueVersion = 'meta.k8s.io/v1';

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The key of a resource inside the store. */
export function resourceKey(r: ResourceDefinition): string {
  return `${r.group}/${r.plural}`;
}

/**
 * The object without `resourceVersion` and managedFields timestamps: a write that changes nothing
 * else is a no-op (no new revision, no event), as on a real server. A new manager entry is a change.
 */
function comparable(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields, ...meta } = o.metadata;
  const mf = (managedFields ?? []).map((e) => (isObject(e) ? { ...e, time: undefined } : e));
  return { ...o, metadata: { ...meta, managedFields: mf } as ObjectMeta };
}

/** The object without metadata and status: what a change of bumps `generation`. */
function specPart(o: JsonObject): JsonObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/** Implements the object semantics over a Store. */
export class Registry {
  readonly store: Store;
  private readonly byPath = new Map<string, ResourceDefinition>();
  private namespacedKeys: string[];
  private readonly now: () => Date;
  private readonly cleanupDelayMs: number;
  readonly namespaces: ResourceDefinition;
  private readonly events: ResourceDefinition | undefined;
  private readonly eventTtlMs: number;
  /** When each Event expires (ms), by key, oldest write first: a Map keeps insertion order and a write re-inserts. */
  private readonly eventExpiry = new Map<string, number>();

  constructor(options: RegistryOptions) {
    this.store = options.store;
    this.now = options.now ?? (() => new Date());
    this.cleanupDelayMs = options.namespaceCleanupDelayMs ?? 200;
    for (const r of options.resources) this.byPath.set(`${r.group}/${r.version}/${r.plural}`, r);
    this.namespacedKeys = options.resources.filter((r) => r.namespaced).map(resourceKey);
    const ns = options.resources.find((r) => r.group === '' && r.plural === 'namespaces');
    if (!ns) throw new TypeError('the resources must include core/v1 namespaces');
    this.namespaces = ns;
    this.eventTtlMs = options.eventTtlMs ?? defaultEventTtlMs;
    this.events = options.resources.find((r) => r.group === '' && r.plural === 'events');
    if (this.events !== undefined && this.eventTtlMs > 0) {
      // Every write path (create, update, patch, apply, delete, namespace cleanup) goes through the
      // store, so its event stream is where each Event's lease is taken, renewed and released.
      this.store.watch(resourceKey(this.events), this.store.rv, (e) => {
        const k = objectKey(e.object.metadata.namespace, e.object.metadata.name);
        this.eventExpiry.delete(k);
        if (e.type !== 'DELETED') this.eventExpiry.set(k, this.now().getTime() + this.eventTtlMs);
      });
    }
    for (const name of options.initialNamespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
    }
  }

  /**
   * Deletes every Event whose TTL has passed (as etcd does when an Event's lease expires: a delete
   * at a new revision that watchers see). Cheap when none has: it stops at the first live one.
   * Returns how many were deleted.
   */
  expireEvents(): number {
    const def = this.events;
    if (def === undefined || this.eventExpiry.size === 0) return 0;
    const now = this.now().getTime();
    const due: string[] = [];
    for (const [k, at] of this.eventExpiry) {
      if (at > now) break;
      due.push(k);
    }
    const key = resourceKey(def);
    for (const k of due) {
      this.eventExpiry.delete(k);
      const slash = k.indexOf('/');
      const o = slash < 0 ? this.store.get(key, undefined, k) : this.store.get(key, k.slice(0, slash), k.slice(slash + 1));
      if (o !== undefined) this.afterRemoval(def, this.store.remove(key, o));
    }
    return due.length;
  }

  /** The resource served at `group/version/plural`, or undefined. */
  resource(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /**
   * Serves `defs` from now on (a CRD established at runtime); a version already served by a
   * built-in resource is left alone (returned), as kube-apiserver never lets a CRD shadow one.
   */
  addResources(defs: readonly ResourceDefinition[]): ResourceDefinition[] {
    const clashes: ResourceDefinition[] = [];
    for (const d of defs) {
      const path = `${d.group}/${d.version}/${d.plural}`;
      const old = this.byPath.get(path);
      if (old !== undefined && !old.custom) {
        clashes.push(d);
        continue;
      }
      this.byPath.set(path, d);
    }
    this.namespacedKeys = [...new Set([...this.byPath.values()].filter((r) => r.namespaced).map(resourceKey))];
    return clashes;
  }

  /** Stops serving every version of `group/plural` and deletes its objects (watchers see them DELETED), as when its CRD is deleted. */
  removeResources(group: string, plural: string): void {
    const gone = [...this.byPath.entries()].filter(([, d]) => d.custom && d.group === group && d.plural === plural);
    const first = gone[0]?.[1];
    if (first !== undefined) for (const o of this.store.list(resourceKey(first))) this.store.remove(resourceKey(first), o);
    for (const [path] of gone) this.byPath.delete(path);
    this.namespacedKeys = [...new Set([...this.byPath.values()].filter((r) => r.namespaced).map(resourceKey))];
  }

  /** Every served resource. */
  resources(): ResourceDefinition[] {
    return [...this.byPath.values()];
  }

  /** Returns the object or throws 404. */
  get(def: ResourceDefinition, namespace: string | undefined, name: string): KubeObject {
    const o = this.store.get(resourceKey(def), namespace, name);
    if (!o) throw notFound(def, name);
    return o;
  }

  private requireNamespace(def: ResourceDefinition, namespace: string | undefined, name: string, forCreate: boolean): void {
    if (!def.namespaced || namespace === undefined) return;
    const ns = this.store.get(resourceKey(this.namespaces), undefined, namespace);
    if (!ns) throw notFound(this.namespaces, namespace);
    if (forCreate && ns.metadata.deletionTimestamp !== undefined) {
      throw new ApiStatusError(
        failure(403, 'Forbidden', `${def.group === '' ? def.plural : `${def.plural}.${def.group}`} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
          name,
          ...(def.group === '' ? {} : { group: def.group }),
          kind: def.plural,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
        }),
      );
    }
  }

  /**
   * Runs the injected schema validator: violations are a 422; unknown fields are a 400 under
   * Strict, a warning under Warn (the default) and silently pruned under Ignore.
   */
  private validate(def: ResourceDefinition, obj: KubeObject, fv: FieldValidation): { object: KubeObject; warnings: string[] } {
    if (!def.validate) return { object: obj, warnings: [] };
    const out = def.validate(obj);
    if (out.unknownFields.length > 0 && fv === 'Strict') {
      throw badRequest(`strict decoding error: ${out.unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (out.violations.length > 0) {
      throw invalid(def, obj.metadata.name, out.violations.map((v) => ({ reason: v.reason, message: v.message, field: v.field })));
    }
    const warnings = fv === 'Warn' ? out.unknownFields.map((f) => `unknown field "${f}"`) : [];
    const pruned = isObject(out.pruned) && isObject(out.pruned.metadata) ? (out.pruned as KubeObject) : obj;
    // The validator sees metadata but must not rewrite what the server owns.
    return { object: { ...pruned, metadata: obj.metadata }, warnings };
  }

  private checkShape(def: ResourceDefinition, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request must be a JSON or YAML object');
    const apiVersion = apiVersionOf(def);
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw badRequest(`the kind in the data (${JSON.stringify(body.kind)}) does not match the expected kind (${def.kind})`);
    }
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${JSON.stringify(body.apiVersion)}) does not match the expected API version (${apiVersion})`);
    }
    const { apiVersion: _a, kind: _k, metadata, ...rest } = body;
    // apiVersion, kind and metadata first, as a real server serialises them.
    return { apiVersion, kind: def.kind, metadata: (isObject(metadata) ? metadata : {}) as ObjectMeta, ...rest };
  }

  private ownership(def: ResourceDefinition, opts: WriteOptions, scope: FieldScope): OwnershipContext {
    return { manager: opts.fieldManager, apiVersion: apiVersionOf(def), scope, statusSubresource: def.statusSubresource, now: timestamp(this.now()) };
  }

  /** POST: creates an object (201). `managedFields` replaces the computed ownership (server-side apply). */
  create(def: ResourceDefinition, namespace: string | undefined, body: unknown, opts: WriteOptions, managedFields?: unknown[]): WriteResult {
    const obj = this.checkShape(def, body);
    const m = obj.metadata;
    if (def.namespaced && m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    let name = typeof m.name === 'string' ? m.name : '';
    if (name === '' && typeof m.generateName === 'string' && m.generateName !== '') name = generateName(m.generateName);
    if (name === '') {
      throw invalid(def, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
    }
    const bad = nameViolations(name, def.group === '' && def.plural === 'namespaces' ? 'label' : 'subdomain');
    if (bad.length > 0) throw invalid(def, name, bad);
    this.requireNamespace(def, namespace, name, true);
    const key = resourceKey(def);
    if (this.store.get(key, def.namespaced ? namespace : undefined, name)) throw alreadyExists(def, name);

    const now = this.now();
    const {
      resourceVersion: _rv,
      uid: _uid,
      creationTimestamp: _ct,
      deletionTimestamp: _dt,
      deletionGracePeriodSeconds: _dg,
      generation: _g,
      managedFields: _mf,
      selfLink: _sl,
      ...keep
    } = m;
    const meta: ObjectMeta = {
      ...keep,
      name,
      ...(def.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      resourceVersion: '',
      ...(def.tracksGeneration ? { generation: 1 } : {}),
      creationTimestamp: timestamp(now),
    };
    if (meta.namespace === undefined) delete meta.namespace;
    let candidate: KubeObject = { ...obj, metadata: meta };
    // A CR with a status subresource starts without status: only /status writes it.
    if (def.statusSubresource) delete candidate.status;
    if (def === this.namespaces) candidate = this.namespaceDefaults(candidate);
    const { object, warnings } = this.validate(def, candidate, opts.fieldValidation ?? 'Warn');
    // ResourceQuota admission runs after validation (a validating admission plugin), dry runs included.
    if (namespace !== undefined && def.namespaced) this.admitQuota(def, namespace, name);
    object.metadata.managedFields = managedFields ?? recordUpdate(undefined, object, undefined, this.ownership(def, opts, 'main'));
    if (object.metadata.managedFields.length === 0) delete object.metadata.managedFields;
    if (opts.dryRun) {
      delete (object.metadata as Partial<ObjectMeta>).resourceVersion;
      return { object, warnings, created: true };
    }
    const created = this.store.create(key, object);
    if (namespace !== undefined && def.namespaced) this.refreshQuotas(namespace);
    return { object: created, warnings, created: true };
  }

  /** The ResourceQuotas of `namespace` (none when the kind is not served). */
  private quotasIn(namespace: string): KubeObject[] {
    const def = this.quotasDef();
    return def === undefined ? [] : this.store.list(resourceKey(def), namespace);
  }

  /** Refuses (403, as the ResourceQuota admission plugin) one more `def` object in `namespace` beyond a quota's `status.hard`. */
  private admitQuota(def: ResourceDefinition, namespace: string, name: string): void {
    const quotas = this.quotasIn(namespace);
    if (quotas.length === 0) return;
    const why = quotaRefusal(quotas, def, () => this.store.list(resourceKey(def), namespace).length);
    if (why === null) return;
    const resource = def.group === '' ? def.plural : `${def.plural}.${def.group}`;
    throw forbidden(`${resource} "${name}" is forbidden: ${why}`, def, name);
  }

  /**
   * The quota controller's job, done at once: each quota of `namespace` gets `status.hard` from its
   * spec and `status.used` counted now (written only when it changed, so watchers see real changes).
   */
  private refreshQuotas(namespace: string): void {
    const quotas = this.quotasIn(namespace);
    if (quotas.length === 0) return;
    const defs = this.resources().filter((d) => d.namespaced);
    const used = (name: string): number => {
      const d = defs.find((x) => countNames(x).includes(name));
      return d === undefined ? 0 : this.store.list(resourceKey(d), namespace).length;
    };
    const def = this.quotasDef();
    if (def === undefined) return;
    const key = resourceKey(def);
    for (const q of quotas) {
      const status = quotaStatus(q, used);
      if (sameJson(q.status ?? null, status)) continue;
      this.store.update(key, { ...q, status });
    }
  }

  private quotasDef(): ResourceDefinition | undefined {
    return this.byPath.get('/v1/resourcequotas');
  }

  private namespaceDefaults(o: KubeObject): KubeObject {
    const labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
    return { ...o, metadata: { ...o.metadata, labels }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  }

  /**
   * The write path shared by update, patch and apply: keeps immutable metadata, applies the
   * status-subresource split, bumps generation on spec changes, validates, skips no-op writes
   * (no new resourceVersion, no event, as a real server) and deletes an object whose last
   * finalizer was removed while it was being deleted.
   */
  private write(def: ResourceDefinition, old: KubeObject, next: KubeObject, opts: WriteOptions, managedFields?: unknown[]): WriteResult {
    const name = old.metadata.name;
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(def, name);
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (next.metadata.uid !== undefined && next.metadata.uid !== '' && next.metadata.uid !== old.metadata.uid) {
      throw conflict(def, name, `Precondition failed: UID in precondition: ${String(next.metadata.uid)}, UID in object meta: ${old.metadata.uid}`);
    }
    const scope: FieldScope = opts.subresource === 'status' ? 'status' : 'main';
    let candidate: KubeObject;
    if (scope === 'status') {
      // /status writes only status; everything else stays as stored.
      candidate = { ...old, metadata: { ...old.metadata } };
      if (next.status === undefined) delete candidate.status;
      else candidate.status = next.status;
    } else {
      const { uid: _u, creationTimestamp: _c, deletionTimestamp: _d, deletionGracePeriodSeconds: _dg, generation: _g, namespace: _n, resourceVersion: _r, managedFields: _mf, ...rest } = next.metadata;
      candidate = { ...next, apiVersion: old.apiVersion, kind: old.kind, metadata: { ...old.metadata, ...rest, name } };
      for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'generateName'] as const) {
        if (rest[k] === undefined) delete candidate.metadata[k];
      }
      if (def.statusSubresource) {
        if (old.status === undefined) delete candidate.status;
        else candidate.status = old.status;
      }
      if (def === this.namespaces) candidate = { ...candidate, spec: old.spec, status: old.status };
    }
    if (old.metadata.deletionTimestamp !== undefined) {
      const before = new Set(old.metadata.finalizers ?? []);
      const added = (candidate.metadata.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(def, name, [{ reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`, field: 'metadata.finalizers' }]);
      }
    }
    if (def.tracksGeneration && scope === 'main' && !sameJson(specPart(old), specPart(candidate))) {
      candidate.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    const { object, warnings } = this.validate(def, candidate, opts.fieldValidation ?? 'Warn');
    const key = resourceKey(def);
    const mf = managedFields ?? recordUpdate(old, object, old.metadata.managedFields, this.ownership(def, opts, scope));
    if (mf.length > 0) object.metadata.managedFields = mf;
    else delete object.metadata.managedFields;
    if (sameJson(comparable(old), comparable(object))) return { object: old, warnings, created: false };
    // A dry run answers with what would be stored, at the stored revision.
    if (opts.dryRun) return { object: { ...object, metadata: { ...object.metadata, resourceVersion: old.metadata.resourceVersion } }, warnings, created: false };
    if (object.metadata.deletionTimestamp !== undefined && (object.metadata.finalizers ?? []).length === 0) {
      const gone = this.store.remove(key, object);
      this.afterRemoval(def, gone);
      return { object: gone, warnings, created: false };
    }
    const updated = this.store.update(key, object);
    // A quota whose spec changed is counted again, as its controller would.
    if (def.group === '' && def.plural === 'resourcequotas' && updated.metadata.namespace !== undefined) this.refreshQuotas(updated.metadata.namespace);
    return { object: updated, warnings, created: false };
  }

  /** PUT: replaces the object (or only its status with `subresource: 'status'`); 404 if absent, 409 on a stale resourceVersion. */
  update(def: ResourceDefinition, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions): WriteResult {
    const next = this.checkShape(def, body);
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
    }
    const old = this.get(def, def.namespaced ? namespace : undefined, name);
    return this.write(def, old, next, opts);
  }

  /** PATCH with any of the four patch content types. */
  patch(
    def: ResourceDefinition,
    namespace: string | undefined,
    name: string,
    contentType: string,
    raw: string,
    opts: WriteOptions & { force?: boolean },
  ): WriteResult {
    const ns = def.namespaced ? namespace : undefined;
    if (contentType === patchTypes.apply) return this.apply(def, ns, name, raw, opts);
    if (opts.force) throw badRequest('force is only allowed for apply patches');
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const old = this.get(def, ns, name);
    let next: unknown;
    if (contentType === patchTypes.json) next = jsonPatch(old, patch);
    else if (contentType === patchTypes.merge) next = mergePatch(old, patch);
    else if (contentType === patchTypes.strategic) {
      if (def.custom) throw unsupportedMediaType(contentType, [patchTypes.json, patchTypes.merge, patchTypes.apply]);
      // Built-in kinds: strategic merge treated as a JSON merge (lists replace instead of merging by key).
      next = mergePatch(old, patch);
    } else {
      throw unsupportedMediaType(contentType, def.custom ? [patchTypes.json, patchTypes.merge, patchTypes.apply] : Object.values(patchTypes));
    }
    // The patched object carries the stored resourceVersion unless the patch set one, so a patch
    // is unconditional unless it asks for a precondition, as on a real server.
    return this.write(def, old, this.checkShape(def, next), opts);
  }

  private apply(def: ResourceDefinition, ns: string | undefined, name: string, raw: string, opts: WriteOptions & { force?: boolean }): WriteResult {
    if (opts.fieldManager === '') {
      throw new ApiStatusError(
        failure(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
        }),
      );
    }
    let applied: unknown;
    try {
      applied = parseYaml(raw);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    const obj = this.checkShape(def, applied);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
    }
    const scope: FieldScope = opts.subresource === 'status' ? 'status' : 'main';
    const ctx = this.ownership(def, opts, scope);
    const old = this.store.get(resourceKey(def), ns, name);
    if (!old) {
      if (scope === 'status') throw notFound(def, name);
      const res = serverSideApply(undefined, obj, opts.force ?? false, ctx, def, name);
      return this.create(def, ns, { ...res.object, metadata: { ...obj.metadata, name } }, opts, res.managedFields);
    }
    const res = serverSideApply(old, obj, opts.force ?? false, ctx, def, name);
    const next = res.object as KubeObject;
    // An applied resourceVersion is a precondition; otherwise apply is unconditional.
    next.metadata = { ...next.metadata, resourceVersion: typeof obj.metadata.resourceVersion === 'string' ? obj.metadata.resourceVersion : old.metadata.resourceVersion };
    return this.write(def, old, next, opts, res.managedFields);
  }

  /**
   * DELETE: an object with finalizers gets `deletionTimestamp` (and a generation bump) and stays
   * until an update empties its finalizers; others are removed at once. A namespace is marked
   * Terminating, its content deleted, and it goes when empty.
   */
  delete(def: ResourceDefinition, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const ns = def.namespaced ? namespace : undefined;
    const old = this.get(def, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid !== undefined && pre.uid !== old.metadata.uid) {
      throw conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    const key = resourceKey(def);
    if (opts.dryRun) return this.wouldDelete(def, old);
    if (def === this.namespaces) return this.deleteNamespace(old);
    if ((old.metadata.finalizers ?? []).length === 0) {
      const gone = this.store.remove(key, old);
      this.afterRemoval(def, gone);
      return gone;
    }
    if (old.metadata.deletionTimestamp !== undefined) return old;
    const metadata: ObjectMeta = { ...old.metadata, deletionTimestamp: timestamp(this.now()), deletionGracePeriodSeconds: 0 };
    if (def.tracksGeneration) metadata.generation = (old.metadata.generation ?? 0) + 1;
    return this.store.update(key, { ...old, metadata });
  }

  /** What a delete would answer, changing nothing: the object itself, or it marked for deletion when finalizers (or a namespace's content) keep it. */
  private wouldDelete(def: ResourceDefinition, old: KubeObject): KubeObject {
    if (def === this.namespaces) {
      if (protectedNamespaces.has(old.metadata.name)) throw forbidden(`namespaces "${old.metadata.name}" is forbidden: this namespace may not be deleted`, this.namespaces, old.metadata.name);
      if (old.metadata.deletionTimestamp !== undefined) return old;
      return { ...old, metadata: { ...old.metadata, deletionTimestamp: timestamp(this.now()) }, status: { phase: 'Terminating' } };
    }
    if ((old.metadata.finalizers ?? []).length === 0 || old.metadata.deletionTimestamp !== undefined) return old;
    const metadata: ObjectMeta = { ...old.metadata, deletionTimestamp: timestamp(this.now()), deletionGracePeriodSeconds: 0 };
    if (def.tracksGeneration) metadata.generation = (old.metadata.generation ?? 0) + 1;
    return { ...old, metadata };
  }

  private deleteNamespace(old: KubeObject): KubeObject {
    const name = old.metadata.name;
    if (protectedNamespaces.has(name)) throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, this.namespaces, name);
    const nsKey = resourceKey(this.namespaces);
    let current = old;
    if (old.metadata.deletionTimestamp === undefined) {
      current = this.store.update(nsKey, {
        ...old,
        metadata: { ...old.metadata, deletionTimestamp: timestamp(this.now()) },
        status: { phase: 'Terminating' },
      });
    }
    if (this.cleanupDelayMs === 0) this.cleanupNamespace(name);
    else setTimeout(() => this.cleanupNamespace(name), this.cleanupDelayMs).unref();
    return this.store.get(nsKey, undefined, name) ?? current;
  }

  /** The namespace controller's job: delete everything inside, remove the namespace once empty. */
  private cleanupNamespace(name: string): void {
    const nsKey = resourceKey(this.namespaces);
    const ns = this.store.get(nsKey, undefined, name);
    if (ns?.metadata.deletionTimestamp === undefined) return;
    for (const def of this.resources()) {
      if (!def.namespaced) continue;
      for (const o of this.store.list(resourceKey(def), name)) {
        if (o.metadata.deletionTimestamp === undefined) this.delete(def, name, o.metadata.name);
      }
    }
    const still = this.store.get(nsKey, undefined, name);
    if (still && !this.store.hasObjectsIn(this.namespacedKeys, name)) this.store.remove(nsKey, still);
  }

  /** Recounts the namespace's quotas, and removes a terminating namespace once its last object is gone. */
  private afterRemoval(def: ResourceDefinition, gone: KubeObject): void {
    const ns = gone.metadata.namespace;
    if (!def.namespaced || ns === undefined) return;
    this.refreshQuotas(ns);
    const nsObj = this.store.get(resourceKey(this.namespaces), undefined, ns);
    if (nsObj?.metadata.deletionTimestamp === undefined) return;
    if (!this.store.hasObjectsIn(this.namespacedKeys, ns)) this.store.remove(resourceKey(this.namespaces), nsObj);
  }

  /** DELETE on a collection: deletes every object the selectors match; returns them as a list. */
  deleteCollection(def: ResourceDefinition, namespace: string | undefined, q: ListQuery, opts: { dryRun?: boolean } = {}): ListBody {
    const list = this.list(def, namespace, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector });
    const items = list.items.map((o) => this.delete(def, o.metadata.namespace, o.metadata.name, opts.dryRun ? { dryRun: true } : {}));
    return { ...list, metadata: { resourceVersion: String(this.store.rv) }, items };
  }

  /** The filter of a list or watch. */
  private filter(def: ResourceDefinition, q: ListQuery): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector, def.selectableFields);
    if (labels.length === 0 && fields.length === 0) return () => true;
    return (o) => matchLabels(labels, o.metadata.labels) && matchFields(fields, o);
  }

  /**
   * GET on a collection, with selectors and pagination. Continue tokens carry the list's
   * revision, so every page comes from the same snapshot; a token older than the event history
   * is a 410 Expired that carries a fresh token, as a real server answers.
   */
  list(def: ResourceDefinition, namespace: string | undefined, q: ListQuery): ListBody {
    const key = resourceKey(def);
    const ns = def.namespaced ? namespace : undefined;
    const match = this.filter(def, q);
    let listRv = this.store.rv;
    let start = '';
    if (q.continue) {
      const token = decodeContinue(q.continue);
      listRv = token.rv;
      start = token.start;
    } else if (q.resourceVersion && q.resourceVersion !== '0' && q.resourceVersionMatch === 'Exact') {
      listRv = parseRv(q.resourceVersion);
    }
    if (q.resourceVersion && q.resourceVersion !== '0' && !q.continue && parseRv(q.resourceVersion) > this.store.rv) {
      throw timeout(`Too large resource version: ${q.resourceVersion}, current: ${this.store.rv}`, [
        { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
      ]);
    }
    let all: KubeObject[];
    try {
      all = listRv === this.store.rv ? this.store.list(key, ns) : this.store.snapshotAt(key, listRv, ns);
    } catch (e) {
      if (e instanceof ApiStatusError && e.status.code === 410 && q.continue) {
        const fresh = encodeContinue(this.store.rv, start);
        const err = expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
        err.status.metadata = { continue: fresh };
        throw err;
      }
      throw e;
    }
    const items: KubeObject[] = [];
    const limit = q.limit !== undefined && q.limit > 0 ? q.limit : Infinity;
    let more = false;
    let remaining = 0;
    for (const o of all) {
      if (start !== '' && objectKey(o.metadata.namespace, o.metadata.name) < start) continue;
      if (!match(o)) continue;
      if (items.length < limit) items.push(o);
      else {
        more = true;
        remaining++;
      }
    }
    const metadata: ListBody['metadata'] = { resourceVersion: String(listRv) };
    const last = items[items.length - 1];
    if (more && last) {
      metadata.continue = encodeContinue(listRv, objectKey(last.metadata.namespace, last.metadata.name) + '\u0000');
      // A real server counts the rest only when it need not filter (no selectors).
      if (!q.labelSelector && !q.fieldSelector) metadata.remainingItemCount = remaining;
    }
    return { apiVersion: apiVersionOf(def), kind: def.listKind, metadata, items };
  }

  /**
   * Starts a watch. `resourceVersion` unset or "0" first sends the current matching objects as
   * synthetic ADDED events; a given revision sends every later event from the history (410 Expired
   * as an ERROR event when the history no longer reaches back). With selectors an object leaving
   * the selected set arrives as DELETED (its previous state at the event's revision) and one
   * entering it as ADDED, as the real watch cache does. Returns the function that stops it.
   */
  watch(def: ResourceDefinition, namespace: string | undefined, q: ListQuery & { sendInitialEvents?: boolean }, send: (d: WatchDelivery) => void): () => void {
    const key = resourceKey(def);
    const ns = def.namespaced ? namespace : undefined;
    const match = this.filter(def, q);
    const inScope = (o: KubeObject): boolean => (ns === undefined || o.metadata.namespace === ns) && match(o);
    const rvParam = q.resourceVersion ?? '';
    const initial = rvParam === '' || rvParam === '0' || q.sendInitialEvents === true;
    let from: number;
    if (initial) {
      from = this.store.rv;
      for (const o of this.store.list(key, ns)) if (match(o)) send({ type: 'ADDED', object: o, rv: from });
    } else {
      from = parseRv(rvParam);
      if (from > this.store.rv) {
        send({ type: 'ERROR', object: timeout(`Too large resource version: ${from}, current: ${this.store.rv}`).status, rv: this.store.rv });
        return () => undefined;
      }
    }
    const listener = (e: StoreEvent): void => {
      const cur = inScope(e.object);
      const prev = e.prev !== undefined && e.type !== 'DELETED' ? inScope(e.prev) : cur;
      if (e.type === 'DELETED') {
        if (cur) send({ type: 'DELETED', object: e.object, rv: e.rv, source: e });
      } else if (e.type === 'ADDED') {
        if (cur) send({ type: 'ADDED', object: e.object, rv: e.rv, source: e });
      } else if (cur && prev) send({ type: 'MODIFIED', object: e.object, rv: e.rv, source: e });
      else if (cur) send({ type: 'ADDED', object: e.object, rv: e.rv });
      else if (prev && e.prev) {
        send({ type: 'DELETED', object: { ...e.prev, metadata: { ...e.prev.metadata, resourceVersion: String(e.rv) } }, rv: e.rv });
      }
    };
    try {
      return this.store.watch(key, from, listener);
    } catch (e) {
      if (e instanceof ApiStatusError) {
        send({ type: 'ERROR', object: e.status, rv: this.store.rv });
        return () => undefined;
      }
      throw e;
    }
  }
}

function parseRv(s: string): number {
  if (!/^\d+$/.test(s)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing "${s}": invalid syntax`);
  return Number(s);
}

/** Continue tokens look like a real server's: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"key\0"}`. */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: continueVersion, rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isObject(t) && t.v === continueVersion && typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
