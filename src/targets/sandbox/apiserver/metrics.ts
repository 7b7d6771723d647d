/** @module The sandbox API server's Prometheus metrics, named and labelled like kube-apiserver's. */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FlowControlObserver, RejectReason } from './flowcontrol/dispatcher.js';

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
  private readonly apfRejected: Counter<string>;
  private readonly apfDispatched: Counter<string>;
  private readonly apfExecuting: Gauge<string>;
  private readonly apfInQueue: Gauge<string>;
  private readonly apfNominal: Gauge<string>;

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
    // API Priority and Fairness, with kube-apiserver's names and labels.
    const fsPl = ['flow_schema', 'priority_level'];
    this.apfRejected = new Counter({
      name: 'apiserver_flowcontrol_rejected_requests_total',
      help: 'Number of requests rejected by API Priority and Fairness subsystem',
      labelNames: [...fsPl, 'reason'],
      registers: [this.registry],
    });
    this.apfDispatched = new Counter({
      name: 'apiserver_flowcontrol_dispatched_requests_total',
      help: 'Number of requests executed by API Priority and Fairness subsystem',
      labelNames: fsPl,
      registers: [this.registry],
    });
    this.apfExecuting = new Gauge({
      name: 'apiserver_flowcontrol_current_executing_requests',
      help: 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem',
      labelNames: fsPl,
      registers: [this.registry],
    });
    this.apfInQueue = new Gauge({
      name: 'apiserver_flowcontrol_current_inqueue_requests',
      help: 'Number of requests currently pending in queues of the API Priority and Fairness subsystem',
      labelNames: fsPl,
      registers: [this.registry],
    });
    this.apfNominal = new Gauge({
      name: 'apiserver_flowcontrol_nominal_limit_seats',
      help: 'Nominal number of execution seats configured for each priority level',
      labelNames: ['priority_level'],
      registers: [this.registry],
    });
  }

  /** What API Priority and Fairness reports, recorded into this registry. */
  get flowControl(): FlowControlObserver {
    return {
      dispatched: (fs, pl) => this.apfDispatched.inc({ flow_schema: fs, priority_level: pl }),
      rejected: (fs, pl, reason: RejectReason) => this.apfRejected.inc({ flow_schema: fs, priority_level: pl, reason }),
      executingDelta: (fs, pl, d) => this.apfExecuting.inc({ flow_schema: fs, priority_level: pl }, d),
      inQueueDelta: (fs, pl, d) => this.apfInQueue.inc({ flow_schema: fs, priority_level: pl }, d),
      nominalLimits: (limits) => {
        this.apfNominal.reset();
        for (const [pl, n] of limits) this.apfNominal.set({ priority_level: pl }, n);
      },
    };
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
