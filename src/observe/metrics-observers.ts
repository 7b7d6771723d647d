/**
 * @module The run's observers of bindy, bindcar and the API server: samplers started before the
 * load and stopped after it, turned into the result's `operator`, `apiAmplification` and time series.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiAmplification, OperatorMetric } from '../report/result/types.js';
import type { TimeSeriesData } from '../measure/index.js';
import { apiAmplification, apiServerProcessChange, bindyApiRequestCounter, operatorApiRequests } from '../measure/api-amplification.js';
import type { AmplificationRow } from '../measure/api-amplification.js';
import { operatorObservation, operatorTrackedValues, sidecarTrackedValues } from '../measure/operator-metrics.js';
import type { FetchOptions } from './metrics-fetch.js';
import { apiServerMetricsSource, podProxyMetricsSource } from './metrics-pod-proxy.js';
import type { PodProxyOptions } from './metrics-pod-proxy.js';
import { createMetricsSampler, httpMetricsSource } from './metrics-sampler.js';
import type { MetricsSampler, MetricsSource, SamplerSnapshot } from './metrics-sampler.js';
import { operatorFromPrometheus, prometheusClient } from './prometheus-query.js';
import { processStatsSource } from './process-stats.js';
import { twinInjectedNote } from '../measure/twin-injected.js';

/** Where to observe from. Sandbox: the URLs (and pid); cluster: the kubeconfig (pod proxy), or Prometheus. */
export interface RunObserverOptions {
  /** ms since the run started, monotonic (the run's clock). */
  now: () => number;
  /** Scrape interval, ms; also the window of the per-second rate series. */
  intervalMs: number;
  /** bindy's `/metrics` (sandbox: the operator twin's address). Cluster default: the pod proxy via `kubeConfig`. */
  operatorMetricsUrl?: string;
  /** The API server's `/metrics`. Cluster default: `<server>/metrics` via `kubeConfig`. */
  apiServerMetricsUrl?: string;
  /** bindcar's `/metrics` (rndc and zone figures). */
  sidecarMetricsUrl?: string;
  /** A Prometheus server: reconcile and process figures are then asked of it (PromQL over the run window). */
  prometheusUrl?: string;
  /** Cluster access for the pod proxy and the API server's `/metrics`. */
  kubeConfig?: KubeConfig;
  /** Namespace, label selector and port of bindy's pod (defaults: bindy-system, app=bindy, 8080). */
  podProxy?: PodProxyOptions;
  /** pid of a local operator process: its `/proc` memory and CPU when its `/metrics` has none. */
  operatorPid?: number;
  /** TLS/credentials/timeout for the URL sources (CA for https, bearer token). */
  fetch?: FetchOptions;
  /** Overrides `fetch` for `apiServerMetricsUrl` (e.g. the sandbox API server's CA and token). */
  apiServerFetch?: FetchOptions;
  /** Overrides `fetch` for `prometheusUrl`. */
  prometheusFetch?: FetchOptions;
  /** Unix time in seconds, for the Prometheus window (default: Date.now). */
  wallClockSec?: () => number;
  /** Runs a callback every ms (default setInterval); tests inject a manual ticker. */
  every?: (ms: number, fn: () => void) => () => void;
  /** Points kept per tracked series before thinning. */
  maxPoints?: number;
}

/** Scrape statistics of one source, for the report's notes. */
export interface ScrapeStats {
  role: 'operator' | 'apiserver' | 'sidecar' | 'process';
  source: string;
  attempts: number;
  successes: number;
  failures: number;
  skipped: number;
  lastFailure: string | null;
}

/** What the observers hand back at the end of the run. */
export interface RunObservations {
  /** The result's `operator` section. */
  operator: OperatorMetric[];
  /** The result's `apiAmplification` section; null when the API server's metrics were not scraped twice. */
  apiAmplification: ApiAmplification | null;
  /** API requests per response code over the run (every client); null when not measured. */
  apiResponseCodes: Record<string, number> | null;
  /** Rows of bindy's resources, events and leases with their count per created object. */
  amplificationHighlights: AmplificationRow[];
  /** Operator memory, CPU, reconciles/s, errors/s, bindcar zones. */
  timeSeries: TimeSeriesData[];
  scrapes: ScrapeStats[];
  /** Lines for the result's `notes` (scrape failures, sources not observed). */
  notes: string[];
}

/** Started observers. */
export interface RunObservers {
  /** Takes the first scrape of every source (awaited) and starts the interval. */
  start(): Promise<void>;
  /** Takes the last scrapes and computes the sections; `objectsCreated` = objects the run created. */
  stop(end: { objectsCreated: number }): Promise<RunObservations>;
}

interface Role {
  role: ScrapeStats['role'];
  sampler: MetricsSampler;
}

/** Creates the observers the options ask for (none started yet). */
export function createRunObservers(o: RunObserverOptions): RunObservers {
  const notes: string[] = [];
  const roles: Role[] = [];
  const add = (role: ScrapeStats['role'], source: MetricsSource, track?: Parameters<typeof createMetricsSampler>[0]['track']): void => {
    roles.push({
      role,
      sampler: createMetricsSampler({
        source,
        // The API server's metrics serve API amplification only, a difference of its first and last
        // scrape. A real kube-apiserver's /metrics runs to megabytes and costs it CPU to render:
        // scraping it every interval would load the cluster (and this tool) for nothing.
        intervalMs: role === 'apiserver' ? null : o.intervalMs,
        now: o.now,
        ...(track !== undefined ? { track } : {}),
        ...(o.every !== undefined ? { every: o.every } : {}),
        ...(o.maxPoints !== undefined ? { maxPoints: o.maxPoints } : {}),
      }),
    });
  };
  if (o.operatorMetricsUrl !== undefined) add('operator', httpMetricsSource(o.operatorMetricsUrl, o.fetch), operatorTrackedValues);
  else if (o.kubeConfig !== undefined) add('operator', podProxyMetricsSource(o.kubeConfig, { ...o.podProxy, ...(o.fetch?.timeoutMs !== undefined ? { timeoutMs: o.fetch.timeoutMs } : {}) }), operatorTrackedValues);
  if (o.apiServerMetricsUrl !== undefined) add('apiserver', httpMetricsSource(o.apiServerMetricsUrl, o.apiServerFetch ?? o.fetch));
  else if (o.kubeConfig !== undefined) add('apiserver', apiServerMetricsSource(o.kubeConfig, o.fetch?.timeoutMs));
  if (o.sidecarMetricsUrl !== undefined) add('sidecar', httpMetricsSource(o.sidecarMetricsUrl, o.fetch), sidecarTrackedValues);
  if (o.operatorPid !== undefined) add('process', processStatsSource(o.operatorPid, 'operator'), { rss: operatorTrackedValues.rss, cpu: operatorTrackedValues.cpu });
  const wall = o.wallClockSec ?? ((): number => Date.now() / 1000);
  let startSec = 0;

  return {
    async start() {
      startSec = wall();
      await Promise.all(roles.map((r) => r.sampler.start()));
    },
    async stop({ objectsCreated }) {
      const endSec = wall();
      const snaps = await Promise.all(roles.map(async (r) => ({ role: r.role, snap: await r.sampler.stop() })));
      const of = (role: ScrapeStats['role']): SamplerSnapshot | null => snaps.find((s) => s.role === role)?.snap ?? null;
      const obs = operatorObservation({ operator: of('operator'), sidecar: of('sidecar'), process: of('process'), rateWindowMs: o.intervalMs });
      let operator = obs.metrics;
      let timeSeries = obs.timeSeries;

      if (o.prometheusUrl !== undefined) {
        try {
          const prom = await operatorFromPrometheus(
            prometheusClient(o.prometheusUrl, o.prometheusFetch ?? o.fetch),
            { startSec, endSec, stepSec: Math.max(1, Math.round(o.intervalMs / 1000)) },
            `Prometheus at ${o.prometheusUrl}`,
          );
          // Prometheus was asked for explicitly: its rows and series replace the scraped ones of the same name.
          const names = new Set(prom.metrics.map((m) => m.name));
          const series = new Set(prom.timeSeries.map((s) => s.name));
          operator = [...operator.filter((m) => !names.has(m.name)), ...prom.metrics];
          timeSeries = [...timeSeries.filter((s) => !series.has(s.name)), ...prom.timeSeries];
        } catch (e) {
          notes.push(`Prometheus at ${o.prometheusUrl} could not be queried (${e instanceof Error ? e.message : String(e)}); operator figures come from scrapes only`);
        }
      }

      let amplification: ApiAmplification | null = null;
      let highlights: AmplificationRow[] = [];
      let codes: Record<string, number> | null = null;
      const api = of('apiserver');
      if (api === null) notes.push('API amplification not measured: no API server metrics address and no kubeconfig');
      else if (api.first === null || api.last === null || api.first === api.last) {
        notes.push(`API amplification not measured: fewer than two successful scrapes of ${api.source}`);
      } else {
        const changed = apiServerProcessChange(api.first.samples, api.last.samples);
        if (changed !== null) notes.push(`API amplification not measured: ${changed}`);
        else {
          const a = apiAmplification(api.first.samples, api.last.samples, objectsCreated, api.source);
          amplification = a.section;
          highlights = a.highlights;
          codes = a.codes;
        }
      }
      // bindy ≥ 0.8 counts its own requests: the operator's footprint without this tool's, always
      // reported beside the API server's total, and the amplification itself where that is missing.
      const op = of('operator');
      const own = op?.first != null && op.last != null && op.first !== op.last ? operatorApiRequests(op.first.samples, op.last.samples, objectsCreated, op.source) : null;
      if (own !== null) {
        operator = [
          ...operator,
          {
            name: 'operator_api_requests',
            bindyName: bindyApiRequestCounter,
            state: 'present',
            method: own.section.method,
            values: { count: own.total, per_object: own.section.requestsPerObject },
          },
        ];
        if (amplification === null) {
          amplification = own.section;
          highlights = own.highlights;
          codes = own.codes;
          notes.push(`API amplification from bindy's own ${bindyApiRequestCounter} (the API server's counter was not measurable): the operator's requests only`);
        }
      }

      const scrapes: ScrapeStats[] = snaps.map(({ role, snap }) => ({
        role,
        source: snap.source,
        attempts: snap.attempts,
        successes: snap.successes,
        failures: snap.failures,
        skipped: snap.skipped,
        lastFailure: snap.recentFailures.at(-1)?.message ?? null,
      }));
      for (const s of scrapes) {
        if (s.failures > 0) notes.push(`${s.role} metrics: ${s.failures} of ${s.attempts} scrapes of ${s.source} failed (last: ${s.lastFailure ?? '?'})`);
        if (s.skipped > 0) notes.push(`${s.role} metrics: ${s.skipped} scrapes of ${s.source} skipped because the previous one was still running`);
      }
      for (const { role, snap } of snaps) if (snap.thinned) notes.push(`${role} metrics: time series thinned to stay within the point limit`);
      // The sandbox twin's ground truth, so a report says what was injected into what it measured.
      const injected = twinInjectedNote(of('operator')?.last?.samples ?? []);
      if (injected !== null) notes.push(injected);
      return { operator, apiAmplification: amplification, apiResponseCodes: codes, amplificationHighlights: highlights, timeSeries, scrapes, notes: [...notes] };
    },
  };
}
