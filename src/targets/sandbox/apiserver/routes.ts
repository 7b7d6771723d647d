/** @module Request routing of the Kubernetes REST API: which resource, namespace, name, subresource and verb a path and method name. */
import type { Registry } from './registry.js';
import type { ResourceDefinition } from './resources.js';
import { methodNotAllowed, pathNotFound } from './status.js';

/** The Kubernetes request-info verbs. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** A resource request, resolved. */
export interface ResourceRoute {
  def: ResourceDefinition;
  group: string;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: 'status' | undefined;
  verb: Verb;
}

/**
 * Resolves `/api/v1/...` and `/apis/<group>/<version>/...` (with the legacy `/watch/` prefix) to a
 * resource route. Returns undefined for paths that are not resource requests; throws 404 for an
 * unknown resource or scope and 405 for a method the path does not allow.
 */
export function resolveRoute(registry: Registry, method: string, path: string, watchParam: boolean): ResourceRoute | undefined {
  const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let plural: string | undefined;
  let name: string | undefined;
  let sub: string | undefined;
  const nsSub = group === '' && rest[0] === 'namespaces' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !nsSub) {
    [, namespace, plural, name, sub] = rest;
    if (rest.length > 5) throw pathNotFound();
  } else {
    [plural, name, sub] = rest;
    if (rest.length > 3) throw pathNotFound();
  }
  const def = plural === undefined ? undefined : registry.resource(group, version, plural);
  if (!def) throw pathNotFound();
  if (namespace !== undefined && !def.namespaced) throw pathNotFound();
  if (sub !== undefined && (sub !== 'status' || !def.statusSubresource)) throw pathNotFound();
  const verb = verbOf(method, name !== undefined, legacyWatch || watchParam);
  // A namespaced object is addressed within its namespace; only collections span all namespaces.
  if (def.namespaced && namespace === undefined && name !== undefined) throw pathNotFound();
  if (def.namespaced && namespace === undefined && (verb === 'create' || verb === 'deletecollection')) throw pathNotFound();
  if (sub !== undefined && verb !== 'get' && verb !== 'update' && verb !== 'patch') throw methodNotAllowed();
  if (verb === 'deletecollection' && !hasDeleteCollection(def)) throw methodNotAllowed();
  return { def, group, version, namespace, name, subresource: sub === 'status' ? 'status' : undefined, verb };
}

/** Namespaces and Services cannot be deleted as a collection on a real kube-apiserver (their storage has no DeleteCollection): 405. */
export function hasDeleteCollection(def: { group: string; plural: string }): boolean {
  return !(def.group === '' && (def.plural === 'namespaces' || def.plural === 'services'));
}

function verbOf(method: string, named: boolean, watch: boolean): Verb {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      if (named) throw methodNotAllowed();
      return 'create';
    case 'PUT':
      if (!named) throw methodNotAllowed();
      return 'update';
    case 'PATCH':
      if (!named) throw methodNotAllowed();
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      throw methodNotAllowed();
  }
}

/** The verb label of kube-apiserver's request metrics (upper case; APPLY for server-side apply). */
export function metricVerb(verb: Verb, contentType: string | undefined): string {
  switch (verb) {
    case 'get':
      return 'GET';
    case 'list':
      return 'LIST';
    case 'watch':
      return 'WATCH';
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return contentType?.startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    case 'delete':
    case 'deletecollection':
      return 'DELETE';
  }
}
