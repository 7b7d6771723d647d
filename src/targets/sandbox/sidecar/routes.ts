/** @module bindcar's route table and the matching of a method and path against it (pure). */

/** Every route bindcar 0.7 serves, by a stable id used for dispatch. */
export type RouteId =
  | 'health'
  | 'ready'
  | 'metrics'
  | 'createZone'
  | 'listZones'
  | 'getZone'
  | 'deleteZone'
  | 'modifyZone'
  | 'reloadZone'
  | 'zoneStatus'
  | 'freezeZone'
  | 'thawZone'
  | 'notifyZone'
  | 'retransferZone'
  | 'addRecord'
  | 'removeRecord'
  | 'updateRecord'
  | 'serverStatus';

/** One entry of the table: open routes skip auth and the rate limiter, as in bindcar's router. */
export interface Route {
  readonly id: RouteId;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with `{name}` for the zone segment. */
  readonly path: string;
  readonly open: boolean;
  /** The handler extracts axum's `Json<…>`, so the default body limit applies (413 past it). */
  readonly jsonBody?: true;
}

/** The table, in bindcar's main.rs order. */
export const routes: readonly Route[] = [
  { id: 'health', method: 'GET', path: '/api/v1/health', open: true },
  { id: 'ready', method: 'GET', path: '/api/v1/ready', open: true },
  { id: 'metrics', method: 'GET', path: '/metrics', open: true },
  { id: 'createZone', method: 'POST', path: '/api/v1/zones', open: false, jsonBody: true },
  { id: 'listZones', method: 'GET', path: '/api/v1/zones', open: false },
  { id: 'getZone', method: 'GET', path: '/api/v1/zones/{name}', open: false },
  { id: 'deleteZone', method: 'DELETE', path: '/api/v1/zones/{name}', open: false },
  { id: 'modifyZone', method: 'PATCH', path: '/api/v1/zones/{name}', open: false, jsonBody: true },
  { id: 'reloadZone', method: 'POST', path: '/api/v1/zones/{name}/reload', open: false },
  { id: 'zoneStatus', method: 'GET', path: '/api/v1/zones/{name}/status', open: false },
  { id: 'freezeZone', method: 'POST', path: '/api/v1/zones/{name}/freeze', open: false },
  { id: 'thawZone', method: 'POST', path: '/api/v1/zones/{name}/thaw', open: false },
  { id: 'notifyZone', method: 'POST', path: '/api/v1/zones/{name}/notify', open: false },
  { id: 'retransferZone', method: 'POST', path: '/api/v1/zones/{name}/retransfer', open: false },
  { id: 'addRecord', method: 'POST', path: '/api/v1/zones/{name}/records', open: false, jsonBody: true },
  { id: 'removeRecord', method: 'DELETE', path: '/api/v1/zones/{name}/records', open: false, jsonBody: true },
  { id: 'updateRecord', method: 'PUT', path: '/api/v1/zones/{name}/records', open: false, jsonBody: true },
  { id: 'serverStatus', method: 'GET', path: '/api/v1/server/status', open: false },
];

/** Result of matching: a route with its zone name, or axum's 404 / 405. */
export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly zone: string | undefined }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'methodNotAllowed'; /** For the Allow header. */ readonly allow: readonly string[] };

function matchPath(pattern: string, path: string): { zone: string | undefined } | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  let zone: string | undefined;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w === '{name}') {
      if (g === '') return undefined;
      try {
        zone = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return { zone };
}

/**
 * Matches like axum's router: exact segments, `{name}` matches one non-empty segment, no trailing
 * slash tolerance, query string ignored. A path served under another method gives 405 with Allow.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch {
  const path = rawPath.split('?')[0] ?? '';
  const allow: string[] = [];
  for (const route of routes) {
    const hit = matchPath(route.path, path);
    if (hit === undefined) continue;
    if (route.method === method.toUpperCase()) return { kind: 'route', route, zone: hit.zone };
    allow.push(route.method);
  }
  return allow.length === 0 ? { kind: 'notFound' } : { kind: 'methodNotAllowed', allow };
}
