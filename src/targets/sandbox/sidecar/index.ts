/** @module Public API of the bindcar twin: handler-first server, its limiter, routes and metrics. */
export {
  createSidecar,
  clientKey,
  authFailure,
  type Sidecar,
  type SidecarOptions,
  type SidecarRequest,
  type SidecarResponse,
  type SidecarFaults,
  type ListeningSidecar,
} from './sidecar.js';
export { RateLimiter, bindcarQuota, bindcarRateLimitDefaults, type RateLimitConfig, type Quota, type LimitDecision } from './rate-limiter.js';
export { routes, matchRoute, type Route, type RouteId, type RouteMatch } from './routes.js';
export { createSidecarMetrics, type SidecarMetrics } from './metrics.js';
export type { Backend, RndcLike, NsupdateLike } from './handlers.js';
export { bindcarBodyLimitBytes, bodyLimitText } from './bodies.js';
export type { CreateZoneRequest, ZoneConfig, SoaRecord, DnsRecord, AddRecordRequest, RemoveRecordRequest, UpdateRecordRequest, ModifyZoneRequest } from './bodies.js';
export { runSidecar, type RunSidecarOptions } from './run.js';
export { bindcarLines, bindcarRules, isBindcarLine, type BindcarLine, type BindcarRules } from './release-line.js';
