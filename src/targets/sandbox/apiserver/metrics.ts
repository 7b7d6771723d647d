/** @module The sandbox API server's Prometheus metrics, named and labelled like kube-apiserver's. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Labels of one request, with the real server's values (verb: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE). */
export interface RequestLabels {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** `resource` (one named object), `namespace` or `cluster` (a collection), or '' (not a resource request). */
  scope: string;
}

/** The metrics of one server instance (its own registry, so several servers can share a process). */
export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly total: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly longRunning: Gauge<string>;

  constructor() {
    const labels = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
    this.total = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...labels, 'code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: labels,
      // kube-apiserver's buckets, so bucket-based quantiles compare one to one.
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
      registers: [this.registry],
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
      labelNames: labels,
      registers: [this.registry],
    });
  }

  /** Records one finished request; `seconds` from the request's arrival to its end. */
  observe(l: RequestLabels, code: number, seconds: number): void {
    const labels = { ...l, component: 'apiserver' };
    this.total.inc({ ...labels, code: String(code) });
    this.duration.observe(labels, seconds);
  }

  /** Counts a watch in or out of `apiserver_longrunning_requests`. */
  longRunningDelta(l: RequestLabels, delta: 1 | -1): void {
    this.longRunning.inc({ ...l, component: 'apiserver' }, delta);
  }

  /** The Prometheus text exposition. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
