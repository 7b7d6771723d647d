/** @module The operator twin's Prometheus metrics, with bindy's names, labels and buckets (bindy `src/metrics.rs`), in their own registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProfileRules } from './profile.js';

const ns = 'bindy_firestoned_io';

/** Every metric bindy declares; only the ones bindy updates are updated here. */
export interface OperatorMetrics {
  readonly registry: Registry;
  /** `status`: success, error, requeue. */
  readonly reconciliations: Counter<'resource_type' | 'status'>;
  readonly duration: Histogram<'resource_type'>;
  readonly errors: Counter<'resource_type' | 'error_type'>;
  readonly deleted: Counter<'resource_type'>;
  /** bindy only ever decrements it (on deletion), so it goes negative: kept as is. */
  readonly active: Gauge<'resource_type'>;
  /**
   * The twin's own (not bindy's): what was injected, one row per tunable that is on, so a scrape and
   * a report can say what the ground truth was (`leak_mib_per_minute`, `crash_after_reconciles`,
   * `capacity_reconciles_per_second`, `capacity_burst`, `error_rate`, `reconcile_delay_ms`,
   * `bindcar_retry_budget_ms` when it is not bindy's 120 s).
   */
  readonly injected: Gauge<'tunable'>;
  /** The twin's own: bytes the injected leak holds now. */
  readonly leakedBytes: Gauge;
  /** bindy 0.8's: API requests that had to wait for the client's rate limit (absent under 0.6, which has no limit). */
  readonly rateLimitHits?: Counter;
  /** bindy 0.8's: every Kubernetes API request, by resource, verb and HTTP status (absent under 0.6). */
  readonly apiRequests?: Counter<'resource' | 'verb' | 'status'>;
  /** bindy 0.8's: their durations (absent under 0.6). */
  readonly apiRequestDuration?: Histogram<'resource' | 'verb'>;
}

/** Name of the twin's gauge of injected tunables (not a bindy metric: bindy has no such thing). */
export const twinInjectedMetric = 'bindy_loadtest_twin_injected';

/** A fresh registry with bindy's metrics and prom-client's process metrics (CPU, RSS). */
export function createOperatorMetrics(rules: Pick<ProfileRules, 'apiClientLimit'> = { apiClientLimit: null }): OperatorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const reconciliations = new Counter({ name: `${ns}_reconciliations_total`, help: 'Total number of reconciliations by resource type and status', labelNames: ['resource_type', 'status'] as const, registers });
  const duration = new Histogram({
    name: `${ns}_reconciliation_duration_seconds`,
    help: 'Duration of reconciliations in seconds by resource type',
    labelNames: ['resource_type'] as const,
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
    registers,
  });
  const errors = new Counter({ name: `${ns}_errors_total`, help: 'Total number of errors by resource type and error category', labelNames: ['resource_type', 'error_type'] as const, registers });
  const deleted = new Counter({ name: `${ns}_resources_deleted_total`, help: 'Total number of resources deleted by type', labelNames: ['resource_type'] as const, registers });
  const active = new Gauge({ name: `${ns}_resources_active`, help: 'Number of currently active resources by type', labelNames: ['resource_type'] as const, registers });
  // Declared by bindy but never updated by its controllers: exposed empty, like bindy's.
  new Counter({ name: `${ns}_requeues_total`, help: 'Total number of requeue operations by resource type and reason', labelNames: ['resource_type', 'reason'], registers });
  new Counter({ name: `${ns}_resources_created_total`, help: 'Total number of resources created by type', labelNames: ['resource_type'], registers });
  new Counter({ name: `${ns}_resources_updated_total`, help: 'Total number of resources updated by type', labelNames: ['resource_type'], registers });
  new Counter({ name: `${ns}_leader_elections_total`, help: 'Total number of leader election events by status', labelNames: ['status'], registers });
  new Gauge({ name: `${ns}_leader_status`, help: 'Current leader election status (1 = leader, 0 = follower)', labelNames: ['pod_name'], registers });
  new Histogram({
    name: `${ns}_generation_observation_lag_seconds`,
    help: 'Lag between spec generation change and controller observation',
    labelNames: ['resource_type'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers,
  });
  const injected = new Gauge({ name: twinInjectedMetric, help: 'Operator twin only: a tunable injected on purpose (the ground truth of an accuracy test), by tunable', labelNames: ['tunable'] as const, registers });
  const leakedBytes = new Gauge({ name: 'bindy_loadtest_twin_leaked_bytes', help: 'Operator twin only: bytes held by the injected memory leak', registers });
  // The 0.8 line's client metrics (TARGET.md): where its API client is limited, it also counts its requests.
  const v08 = rules.apiClientLimit !== null;
  const rateLimitHits = v08 ? new Counter({ name: `${ns}_kube_api_rate_limit_hits_total`, help: 'Kubernetes API requests delayed by the client-side rate limiter', registers }) : undefined;
  const apiRequests = v08 ? new Counter({ name: `${ns}_kube_api_requests_total`, help: 'Kubernetes API requests by resource, verb and status', labelNames: ['resource', 'verb', 'status'] as const, registers }) : undefined;
  const apiRequestDuration = v08
    ? new Histogram({ name: `${ns}_kube_api_request_duration_seconds`, help: 'Kubernetes API request duration in seconds by resource and verb', labelNames: ['resource', 'verb'] as const, buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers })
    : undefined;
  return {
    registry,
    reconciliations,
    duration,
    errors,
    deleted,
    active,
    injected,
    leakedBytes,
    ...(rateLimitHits === undefined ? {} : { rateLimitHits }),
    ...(apiRequests === undefined ? {} : { apiRequests }),
    ...(apiRequestDuration === undefined ? {} : { apiRequestDuration }),
  };
}
