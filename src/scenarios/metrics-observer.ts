/**
 * @module The run observer that samples the operator's, the sidecar's and the API server's
 * Prometheus metrics around a scenario, from whatever endpoints the target offers (the sandbox's
 * addresses; a cluster's API server and bindy's pod through the API server's pod proxy; or a
 * Prometheus server), and turns them into the result's `operator`, `apiAmplification` and series;
 * with them BIND9's memory and CPU where its processes run on this machine (the sandbox's named),
 * or, on a cluster with a Prometheus server, its containers' cAdvisor series.
 */
import { performance } from 'node:perf_hooks';
import { createRunObservers, type RunObservers } from '../observe/metrics-observers.js';
import { sampleBind9Resources, type Bind9ResourceSampling, type Bind9Resources } from '../observe/bind9-resources.js';
import { bind9FromPrometheus } from '../observe/bind9-prometheus.js';
import { prometheusClient } from '../observe/prometheus-query.js';
import type { CounterData } from '../measure/index.js';
import type { RunObserver } from './scenario.js';

/** The API answers a person looks for under load, from the API server's request counter over the run (every client). */
export function apiResponseCounters(codes: Readonly<Record<string, number>>): Record<string, CounterData> {
  const n = (c: string): number => codes[c] ?? 0;
  return {
    api_responses_409: { value: n('409'), unit: 'requests', description: 'API requests answered 409 Conflict during the run (every client; apiserver_request_total): conflicting writes' },
    api_responses_429: { value: n('429'), unit: 'requests', description: 'API requests answered 429 TooManyRequests during the run (every client; apiserver_request_total): throttled requests' },
    api_responses_5xx: { value: Object.entries(codes).filter(([c]) => c.startsWith('5')).reduce((a, [, v]) => a + v, 0), unit: 'requests', description: 'API requests answered 5xx during the run (every client; apiserver_request_total)' },
  };
}

/** Options of {@link metricsObserver}. */
export interface MetricsObserverOptions {
  /** Scrape interval, ms. */
  intervalMs: number;
  /** Query this Prometheus server for the operator's metrics (`--prometheus`). */
  prometheusUrl?: string;
  /** Also BIND9's memory and CPU (default true; a quiet window counts the operator only). */
  bind9?: boolean;
}

/** A RunObserver over the target's metric endpoints. */
export function metricsObserver(opts: MetricsObserverOptions): RunObserver {
  let observers: RunObservers | undefined;
  let bind9: Bind9ResourceSampling | undefined;
  // A cluster's BIND9 runs in containers: their memory and CPU come from Prometheus, when given.
  let cluster: { namespace: string; startSec: number } | null = null;
  return {
    name: 'metrics',
    async start({ target, namespace }) {
      cluster = target.info.kind === 'cluster' && opts.bind9 !== false ? { namespace, startSec: Date.now() / 1000 } : null;
      const url = (name: string): string | undefined => target.metricsEndpoints.find((e) => e.name === name)?.url;
      const t0 = performance.now();
      const operatorUrl = url('operator');
      const sidecarUrl = url('sidecar');
      observers = createRunObservers({
        now: () => performance.now() - t0,
        intervalMs: opts.intervalMs,
        // The API server's /metrics through the kubeconfig (its CA and credentials), as on a cluster.
        kubeConfig: target.kubeConfig,
        ...(operatorUrl === undefined ? {} : { operatorMetricsUrl: operatorUrl }),
        ...(sidecarUrl === undefined ? {} : { sidecarMetricsUrl: sidecarUrl }),
        ...(opts.prometheusUrl === undefined ? {} : { prometheusUrl: opts.prometheusUrl }),
      });
      await observers.start();
      // BIND9's memory and CPU where its processes are on this machine (the sandbox), on the same clock.
      bind9 = opts.bind9 === false ? undefined : await sampleBind9Resources(target.dnsServers, { intervalMs: opts.intervalMs, now: () => performance.now() - t0 });
    },
    async stop({ objectsCreated }) {
      if (observers === undefined) return {};
      const r = await observers.stop({ objectsCreated });
      const named: Bind9Resources = (await bind9?.stop()) ?? { counters: {}, timeSeries: [], notes: [] };
      if (cluster !== null) {
        const c = cluster;
        if (opts.prometheusUrl === undefined) named.notes.push(`BIND9 memory and CPU not measured: on a cluster they are its containers' metrics; give --prometheus URL (a Prometheus that scrapes the kubelets' cAdvisor, as deploy/loadtest's does)`);
        else {
          const source = `Prometheus at ${opts.prometheusUrl}`;
          const win = { startSec: c.startSec, endSec: Date.now() / 1000, stepSec: Math.max(1, Math.round(opts.intervalMs / 1000)) };
          try {
            const fromProm = await bind9FromPrometheus(prometheusClient(opts.prometheusUrl), win, source, c.namespace);
            Object.assign(named.counters, fromProm.counters);
            named.timeSeries.push(...fromProm.timeSeries);
            named.notes.push(...fromProm.notes);
          } catch (e) {
            named.notes.push(`BIND9 memory and CPU: ${source} could not be queried (${e instanceof Error ? e.message : String(e)})`);
          }
        }
      }
      const counters = { ...(r.apiResponseCodes === null ? {} : apiResponseCounters(r.apiResponseCodes)), ...named.counters };
      return {
        operator: r.operator,
        apiAmplification: r.apiAmplification ?? undefined,
        timeSeries: [...r.timeSeries, ...named.timeSeries],
        notes: [...r.notes, ...named.notes],
        ...(Object.keys(counters).length === 0 ? {} : { counters }),
      };
    },
  };
}
