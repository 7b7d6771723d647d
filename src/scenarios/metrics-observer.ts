/**
 * @module The run observer that samples the operator's, the sidecar's and the API server's
 * Prometheus metrics around a scenario, from whatever endpoints the target offers (the sandbox's
 * addresses; a cluster's API server and bindy's pod through the API server's pod proxy; or a
 * Prometheus server), and turns them into the result's `operator`, `apiAmplification` and series.
 */
import { performance } from 'node:perf_hooks';
import { createRunObservers, type RunObservers } from '../observe/metrics-observers.js';
import type { RunObserver } from './scenario.js';

/** Options of {@link metricsObserver}. */
export interface MetricsObserverOptions {
  /** Scrape interval, ms. */
  intervalMs: number;
  /** Query this Prometheus server for the operator's metrics (`--prometheus`). */
  prometheusUrl?: string;
}

/** A RunObserver over the target's metric endpoints. */
export function metricsObserver(opts: MetricsObserverOptions): RunObserver {
  let observers: RunObservers | undefined;
  return {
    name: 'metrics',
    async start({ target }) {
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
    },
    async stop({ objectsCreated }) {
      if (observers === undefined) return {};
      const r = await observers.stop({ objectsCreated });
      return { operator: r.operator, apiAmplification: r.apiAmplification ?? undefined, timeSeries: r.timeSeries, notes: r.notes };
    },
  };
}
