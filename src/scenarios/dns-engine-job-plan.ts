/**
 * @module What an in-cluster DNS engine run decides before anything is created (pure): the server
 * its pod asks (the primary Bind9Instance's Service, as bindy names it), whether its spec fits the
 * spec ConfigMap, and how the pod's time series move onto the run's clock.
 */
import { UsageError } from '../errors.js';
import type { DnsperfSections } from '../drive/dnsperf/index.js';
import type { KubeObject } from '../observe/kube-client.js';

/** The Service port bindy gives a Bind9Instance's DNS (53 → the container's 5353). */
export const bindServiceDnsPort = 53;

/** At most this many bytes of spec JSON: a ConfigMap holds 1 MiB in all, and the keys the coordinator patches in come on top. */
export const maxEngineSpecBytes = 1_000_000;

/**
 * The address the pod asks: the Service bindy creates for the cluster's first primary
 * Bind9Instance (named after the instance, port 53), as a cluster DNS name; undefined when the
 * namespace has no primary instance of that cluster.
 */
export function inClusterDnsServer(instances: readonly KubeObject[], clusterName: string, namespace: string): { host: string; port: number; instance: string } | undefined {
  const spec = (o: KubeObject): Record<string, unknown> => (o['spec'] ?? {}) as Record<string, unknown>;
  const primaries = instances
    .filter((i) => {
      const role = spec(i)['role'];
      return spec(i)['clusterRef'] === clusterName && typeof role === 'string' && role.toLowerCase() === 'primary';
    })
    .map((i) => i.metadata.name ?? '')
    .filter((n) => n !== '')
    .sort();
  const first = primaries[0];
  return first === undefined ? undefined : { host: `${first}.${namespace}.svc.cluster.local`, port: bindServiceDnsPort, instance: first };
}

/** Refuses (exit 2) a spec too large for its ConfigMap, naming what to change; `what` says where the queries come from. */
export function checkEngineSpecSize(specText: string, what: string): void {
  const bytes = Buffer.byteLength(specText);
  if (bytes <= maxEngineSpecBytes) return;
  throw new UsageError(
    `the in-cluster DNS engine's spec is ${bytes} bytes with ${what}; its ConfigMap holds at most ${maxEngineSpecBytes}: ask fewer records (--records), or run dnsperf from here against a reachable server (--server host:port)`,
  );
}

/** The pod's sections with their time series moved by `offsetMs` (the pod counts from its go; the run from its own start). */
export function onRunClock(s: DnsperfSections, offsetMs: number): DnsperfSections {
  return { ...s, timeSeries: s.timeSeries.map((ts) => ({ ...ts, points: ts.points.map((p) => ({ t: p.t + offsetMs, value: p.value })) })) };
}

/** The pod's result text as sections, or an error naming what is missing. */
export function parseEngineResult(text: string): DnsperfSections {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('the in-cluster DNS engine returned a result that is not JSON');
  }
  const s = (v as { sections?: unknown } | null)?.sections as Partial<DnsperfSections> | undefined;
  if (s === undefined || typeof s.latencies !== 'object' || typeof s.counters !== 'object' || !Array.isArray(s.timeSeries) || !Array.isArray(s.notes)) {
    throw new Error('the in-cluster DNS engine returned a result without its sections (latencies, counters, timeSeries, notes)');
  }
  return s as DnsperfSections;
}
