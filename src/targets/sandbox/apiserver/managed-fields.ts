/**
 * @module Field ownership (`metadata.managedFields`) and a subset of server-side apply: which
 * manager set which leaf field, conflicts between appliers, and removal of fields an applier
 * stopped applying. Lists are atomic (replaced whole), like CRD lists without `x-kubernetes-list-type`.
 */
import { isObject, type JsonObject } from './patch.js';
import { ApiStatusError, failure, type ResourceRef } from './status.js';

/** One `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** Which part of an object a write may own: the main resource or its `/status` subresource. */
export type FieldScope = 'main' | 'status';

const sep = '\u0000';

/** Leaf fields of the part of `obj` that `scope` covers, keyed by the joined path, with their values. */
function leaves(obj: unknown, scope: FieldScope, statusSubresource: boolean): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!isObject(obj)) return out;
  // Maps are merged, never owned whole: only their leaves are fields (an empty map owns nothing).
  const walk = (v: unknown, path: string[]): void => {
    if (isObject(v)) {
      for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
    } else {
      out.set(path.join(sep), v);
    }
  };
  if (scope === 'status') {
    if (obj.status !== undefined) walk(obj.status, ['status']);
    return out;
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && statusSubresource) continue;
    if (k === 'metadata') {
      if (!isObject(v)) continue;
      for (const m of ['labels', 'annotations']) {
        const map = v[m];
        if (isObject(map)) for (const [lk, lv] of Object.entries(map)) out.set(['metadata', m, lk].join(sep), lv);
      }
      // Finalizers and owner references are owned as a whole (the real server treats them as sets).
      for (const m of ['finalizers', 'ownerReferences']) if (v[m] !== undefined) out.set(['metadata', m].join(sep), v[m]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

/** Encodes a set of joined paths as FieldsV1 (`{"f:spec":{"f:ttl":{}}}`). */
function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of p.split(sep)) {
      const k = `f:${seg}`;
      const next = cur[k];
      if (isObject(next)) cur = next;
      else {
        const n: JsonObject = {};
        cur[k] = n;
        cur = n;
      }
    }
  }
  return root;
}

/** Decodes FieldsV1 into joined leaf paths (a key whose value is `{}` is a leaf). */
function fromFieldsV1(f: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string[]): void => {
    if (!isObject(v)) return;
    const keys = Object.keys(v).filter((k) => k.startsWith('f:'));
    if (keys.length === 0 && path.length > 0) out.add(path.join(sep));
    for (const k of keys) walk(v[k], [...path, k.slice(2)]);
  };
  walk(f, []);
  return out;
}

/** True when paths `a` and `b` are equal or one contains the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + sep) || b.startsWith(a + sep);
}

function display(p: string): string {
  return '.' + p.split(sep).join('.');
}

function isEntry(v: unknown): v is ManagedFieldsEntry {
  return isObject(v) && typeof v.manager === 'string' && (v.operation === 'Apply' || v.operation === 'Update');
}

interface Owned {
  entry: ManagedFieldsEntry;
  paths: Set<string>;
}

function decode(managed: unknown): Owned[] {
  return Array.isArray(managed) ? managed.filter(isEntry).map((entry) => ({ entry, paths: fromFieldsV1(entry.fieldsV1) })) : [];
}

function encode(owned: Owned[]): ManagedFieldsEntry[] {
  return owned.filter((o) => o.paths.size > 0).map((o) => ({ ...o.entry, fieldsV1: toFieldsV1([...o.paths].sort()) }));
}

function sameEntry(e: ManagedFieldsEntry, manager: string, op: ManagedFieldsEntry['operation'], subresource: string | undefined): boolean {
  return e.manager === manager && e.operation === op && e.subresource === subresource;
}

/** Context of one write for ownership bookkeeping. */
export interface OwnershipContext {
  manager: string;
  apiVersion: string;
  scope: FieldScope;
  statusSubresource: boolean;
  now: string;
}

function entryFor(owned: Owned[], ctx: OwnershipContext, op: ManagedFieldsEntry['operation']): Owned {
  const sub = ctx.scope === 'status' ? 'status' : undefined;
  let o = owned.find((x) => sameEntry(x.entry, ctx.manager, op, sub));
  if (!o) {
    o = {
      entry: { manager: ctx.manager, operation: op, apiVersion: ctx.apiVersion, time: ctx.now, fieldsType: 'FieldsV1', fieldsV1: {}, ...(sub ? { subresource: sub } : {}) },
      paths: new Set(),
    };
    owned.push(o);
  }
  o.entry = { ...o.entry, time: ctx.now, apiVersion: ctx.apiVersion };
  return o;
}

/**
 * managedFields after a non-apply write (create, update, patch) by `ctx.manager`: it takes
 * ownership of every leaf it changed (an update never conflicts), and removed leaves leave every set.
 */
export function recordUpdate(prev: unknown, next: unknown, managed: unknown, ctx: OwnershipContext): ManagedFieldsEntry[] {
  const before = leaves(prev, ctx.scope, ctx.statusSubresource);
  const after = leaves(next, ctx.scope, ctx.statusSubresource);
  const owned = decode(managed);
  const changed: string[] = [];
  for (const [p, v] of after) if (!before.has(p) || !sameJson(before.get(p), v)) changed.push(p);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  if (changed.length === 0 && removed.length === 0) return encode(owned);
  for (const o of owned) {
    for (const p of [...o.paths]) {
      if (removed.some((r) => overlaps(p, r)) || changed.some((c) => overlaps(p, c))) o.paths.delete(p);
    }
  }
  if (changed.length > 0) {
    const mine = entryFor(owned, ctx, 'Update');
    for (const p of changed) mine.paths.add(p);
  }
  return encode(owned);
}

/** Result of a server-side apply. */
export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

function getPath(obj: unknown, p: string): unknown {
  let cur = obj;
  for (const seg of p.split(sep)) {
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function deletePath(obj: JsonObject, p: string): void {
  const segs = p.split(sep);
  const parents: JsonObject[] = [obj];
  let cur: JsonObject = obj;
  for (const seg of segs.slice(0, -1)) {
    const n = cur[seg];
    if (!isObject(n)) return;
    cur = n;
    parents.push(cur);
  }
  delete cur[segs[segs.length - 1] ?? ''];
  // Drop maps the removal left empty, except the top-level parts of the object.
  for (let i = parents.length - 1; i > 1; i--) {
    const child = parents[i];
    const parent = parents[i - 1];
    if (child && parent && Object.keys(child).length === 0) delete parent[segs[i - 1] ?? ''];
  }
}

/** Deep merge for apply: maps merge, scalars and lists (atomic) replace. */
function applyMerge(target: unknown, applied: unknown): unknown {
  if (!isObject(applied) || !isObject(target)) return structuredClone(applied);
  const out: JsonObject = { ...target };
  for (const [k, v] of Object.entries(applied)) out[k] = applyMerge(out[k], v);
  return out;
}

/**
 * Server-side apply of `applied` by `ctx.manager` onto `current` (absent: create). Fields another
 * manager owns with a different value are conflicts (409) unless `force`, which takes them over;
 * fields applied with the value they have become co-owned (the other manager keeps them);
 * fields this manager applied before but no longer applies are removed unless someone else owns them.
 */
export function serverSideApply(
  current: JsonObject | undefined,
  applied: JsonObject,
  force: boolean,
  ctx: OwnershipContext,
  ref: ResourceRef,
  name: string,
): ApplyResult {
  const base: JsonObject = current === undefined ? {} : structuredClone(current);
  const owned = decode(isObject(base.metadata) ? base.metadata.managedFields : undefined);
  const want = leaves(applied, ctx.scope, ctx.statusSubresource);
  const mine = entryFor(owned, ctx, 'Apply');
  const others = owned.filter((o) => o !== mine);

  const conflicts: { manager: string; apiVersion: string; path: string }[] = [];
  // Fields another manager owns that this apply sets to a different value: conflicts, or taken over under force.
  const contested: { owner: Owned; path: string }[] = [];
  for (const [p, v] of want) {
    for (const o of others) {
      for (const q of o.paths) {
        if (!overlaps(p, q) || sameJson(getPath(base, p), v)) continue;
        contested.push({ owner: o, path: q });
        if (!conflicts.some((c) => c.manager === o.entry.manager && c.path === p)) conflicts.push({ manager: o.entry.manager, apiVersion: o.entry.apiVersion, path: p });
      }
    }
  }
  if (conflicts.length > 0 && !force) throw applyConflict(conflicts, ref, name);
  // Fields applied with the value they already have stay shared with their previous owner, forced or not.
  for (const c of contested) c.owner.paths.delete(c.path);

  // Fields this manager applied last time and dropped now go away, unless another manager owns them.
  for (const p of mine.paths) {
    if (!want.has(p) && !others.some((o) => [...o.paths].some((q) => overlaps(p, q)))) deletePath(base, p);
  }
  // Only the part the endpoint may write is merged: the main resource of a kind with a status
  // subresource ignores status, `/status` takes only status.
  const { status, ...rest } = applied;
  const part: JsonObject = ctx.scope === 'status' ? { status } : ctx.statusSubresource ? rest : applied;
  const merged = applyMerge(base, part);
  mine.paths = new Set(want.keys());
  return { object: isObject(merged) ? merged : {}, managedFields: encode(owned) };
}

function applyConflict(conflicts: { manager: string; apiVersion: string; path: string }[], ref: ResourceRef, name: string): ApiStatusError {
  const n = conflicts.length;
  const first = conflicts[0];
  const head = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: `;
  const message =
    n === 1 && first
      ? `${head}conflict with "${first.manager}" using ${first.apiVersion}: ${display(first.path)}`
      : `${head}${conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${display(c.path)}`).join('\n')}`;
  return new ApiStatusError(
    failure(409, 'Conflict', message, {
      name,
      ...(ref.group === '' ? {} : { group: ref.group }),
      kind: ref.plural,
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: display(c.path) })),
    }),
  );
}

/** Structural equality of two JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && sameJson(ao[k], bo[k]));
}

/** The manager name a real server records when the request names none: the User-Agent up to the first '/'. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return ua === '' ? 'unknown' : ua.slice(0, 128);
}
