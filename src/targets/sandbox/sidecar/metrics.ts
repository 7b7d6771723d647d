/** @module bindcar's Prometheus metrics, same names, labels and buckets, in a registry of their own per sidecar. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The metric set of one sidecar twin. */
export interface SidecarMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'path' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'path'>;
  readonly zoneOperations: Counter<'operation' | 'result'>;
  readonly rndcCommands: Counter<'command' | 'result'>;
  readonly rndcDuration: Histogram<'command'>;
  readonly zonesManaged: Gauge;
}

/** The twin's default version label of `bindcar_app_info` (it stands in for bindcar 0.7.3 unless told another release). */
export const twinVersion = '0.7.3';

/**
 * Creates the metrics in a fresh registry (never prom-client's global one, so several twins can run in
 * one process). Names follow bindcar 0.7.3 src/metrics.rs, including the gauge's rename from
 * `bindcar_zones_managed_total` to `bindcar_zones_managed`.
 */
export function createSidecarMetrics(version: string = twinVersion): SidecarMetrics {
  const registry = new Registry();
  const registers = [registry];
  const metrics: SidecarMetrics = {
    registry,
    httpRequests: new Counter({
      name: 'bindcar_http_requests_total',
      help: 'Total number of HTTP requests processed',
      labelNames: ['method', 'path', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'bindcar_http_request_duration_seconds',
      help: 'HTTP request duration in seconds',
      labelNames: ['method', 'path'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
      registers,
    }),
    zoneOperations: new Counter({
      name: 'bindcar_zone_operations_total',
      help: 'Total number of zone operations',
      labelNames: ['operation', 'result'],
      registers,
    }),
    rndcCommands: new Counter({
      name: 'bindcar_rndc_commands_total',
      help: 'Total number of RNDC commands executed',
      labelNames: ['command', 'result'],
      registers,
    }),
    rndcDuration: new Histogram({
      name: 'bindcar_rndc_command_duration_seconds',
      help: 'RNDC command execution duration in seconds',
      labelNames: ['command'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
      registers,
    }),
    zonesManaged: new Gauge({
      name: 'bindcar_zones_managed',
      help: 'Total number of zones currently managed',
      registers,
    }),
  };
  new Counter({ name: 'bindcar_app_info', help: 'Application information', labelNames: ['version'], registers })
    .labels(version)
    .inc();
  return metrics;
}

/** Success or error label value, as bindcar writes it. */
export function resultLabel(ok: boolean): 'success' | 'error' {
  return ok ? 'success' : 'error';
}
