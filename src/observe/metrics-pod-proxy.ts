/**
 * @module bindy's `/metrics` in a cluster, through the API server's pod proxy (bindy has a metrics
 * port but no Service), and the API server's own `/metrics`, both with the kubeconfig's credentials.
 */
import type https from 'node:https';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { MetricSample } from '../measure/index.js';
import { fetchExposition } from './metrics-fetch.js';
import type { FetchOptions } from './metrics-fetch.js';
import type { MetricsSource } from './metrics-sampler.js';

/** Where bindy runs (TARGET.md, "Deployment in a cluster"). */
export const bindyPodDefaults = { namespace: 'bindy-system', labelSelector: 'app=bindy', port: 8080 } as const;

/** The pod-proxy path of `path` on port `port` of pod `pod`: `/api/v1/namespaces/<ns>/pods/<pod>:<port>/proxy/<path>`. */
export function podProxyPath(namespace: string, pod: string, port: number, path = 'metrics'): string {
  const seg = (s: string): string => encodeURIComponent(s);
  return `/api/v1/namespaces/${seg(namespace)}/pods/${seg(pod)}:${port}/proxy/${path.replace(/^\/+/, '')}`;
}

/** The API server's base URL (no trailing slash) and the fetch options carrying the kubeconfig's CA and credentials. */
export async function kubeFetchOptions(kc: KubeConfig, timeoutMs?: number): Promise<{ server: string; options: FetchOptions }> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  const options: FetchOptions = { headers, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  const pem = (v: unknown): string | Buffer | undefined => (typeof v === 'string' || Buffer.isBuffer(v) ? v : undefined);
  const ca = pem(opts.ca);
  const cert = pem(opts.cert);
  const key = pem(opts.key);
  if (ca !== undefined) options.ca = ca;
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  if (opts.rejectUnauthorized === false || cluster.skipTLSVerify) options.insecureSkipTlsVerify = true;
  return { server: cluster.server.replace(/\/+$/, ''), options };
}

/** A pod as far as choosing one goes. */
export interface PodSummary {
  name: string;
  phase: string;
  /** RFC 3339. */
  startTime?: string;
  deleting: boolean;
}

/** Lists pods of `namespace` matching `labelSelector`. */
export type PodLister = (namespace: string, labelSelector: string) => Promise<PodSummary[]>;

/** A PodLister over the kubeconfig's cluster. */
export function kubePodLister(kc: KubeConfig): PodLister {
  const api = kc.makeApiClient(CoreV1Api);
  return async (namespace, labelSelector) => {
    const list = await api.listNamespacedPod({ namespace, labelSelector });
    return list.items.map((p) => ({
      name: p.metadata?.name ?? '',
      phase: p.status?.phase ?? 'Unknown',
      ...(p.status?.startTime !== undefined ? { startTime: new Date(p.status.startTime).toISOString() } : {}),
      deleting: p.metadata?.deletionTimestamp !== undefined,
    }));
  };
}

/** The pod to scrape: a Running pod not being deleted, the most recently started first (after a restart the new one). */
export function choosePod(pods: readonly PodSummary[]): string | null {
  const running = pods.filter((p) => p.phase === 'Running' && !p.deleting && p.name !== '');
  running.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? '') || a.name.localeCompare(b.name));
  return running[0]?.name ?? null;
}

/** Options of {@link podProxyMetricsSource}. */
export interface PodProxyOptions {
  namespace?: string;
  labelSelector?: string;
  port?: number;
  timeoutMs?: number;
  /** Default: the kubeconfig's CoreV1 API. */
  listPods?: PodLister;
}

/**
 * bindy's `/metrics` through the pod proxy. The pod is looked up by label before the first scrape
 * and again after any failed scrape (the operator pod may have been restarted or rescheduled, which
 * a chaos run does on purpose); a new pod's counters start from 0, which the measurement treats as
 * a counter reset.
 */
export function podProxyMetricsSource(kc: KubeConfig, o: PodProxyOptions = {}): MetricsSource {
  const namespace = o.namespace ?? bindyPodDefaults.namespace;
  const labelSelector = o.labelSelector ?? bindyPodDefaults.labelSelector;
  const port = o.port ?? bindyPodDefaults.port;
  const listPods = o.listPods ?? kubePodLister(kc);
  let pod: string | null = null;
  let conn: { server: string; options: FetchOptions } | null = null;
  return {
    description: `pod proxy of ${namespace}/${labelSelector}:${port}/metrics`,
    async read(signal): Promise<MetricSample[]> {
      conn ??= await kubeFetchOptions(kc, o.timeoutMs);
      if (pod === null) {
        pod = choosePod(await listPods(namespace, labelSelector));
        if (pod === null) throw new Error(`no Running pod with label ${labelSelector} in ${namespace}`);
      }
      try {
        return (await fetchExposition(`${conn.server}${podProxyPath(namespace, pod, port)}`, conn.options, signal)).samples;
      } catch (e) {
        pod = null;
        throw e;
      }
    },
  };
}

/** The API server's own `/metrics` with the kubeconfig's credentials (needs RBAC `get` on the non-resource URL /metrics). */
export function apiServerMetricsSource(kc: KubeConfig, timeoutMs?: number): MetricsSource {
  let conn: { server: string; options: FetchOptions } | null = null;
  return {
    description: `${kc.getCurrentCluster()?.server ?? 'API server'}/metrics`,
    async read(signal): Promise<MetricSample[]> {
      conn ??= await kubeFetchOptions(kc, timeoutMs);
      return (await fetchExposition(`${conn.server}/metrics`, conn.options, signal)).samples;
    },
  };
}
