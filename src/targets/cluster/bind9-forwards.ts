/**
 * @module A cluster's BIND9 reached from this machine through port-forwards the tool opens (TCP
 * only, as every port-forward): for each Bind9Instance of the run's Bind9Cluster (primaries first,
 * then secondaries, each by name), the Service bindy creates for it (named after the instance, port
 * 53 → the container's 5353; TARGET.md), a Running and Ready pod its selector matches, and the port
 * the Service sends DNS to. The servers are named as on the sandbox (`primary-0`, `secondary-0`), so
 * results compare across targets.
 */
import { CoreV1Api, type KubeConfig, type V1Pod, type V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../../observe/kube-client.js';
import { openPortForward, type ForwardTarget, type OpenPortForward } from '../../observe/port-forward.js';
import type { DnsServer } from '../target.js';

/** The Service port bindy gives a Bind9Instance's DNS. */
const serviceDnsPort = 53;

/** One server reached through a port-forward. */
export interface Bind9Forward {
  server: DnsServer & { name: string };
  /** The pod the forward found first (later connections follow its replacements: `forward.pods`). */
  pod: string;
  podPort: number;
  forward: OpenPortForward;
}

/** BIND9's servers reached through port-forwards, and how to close them. */
export interface Bind9Forwards {
  forwards: Bind9Forward[];
  /** One line: which server goes to which pod and port. */
  describe: string;
  close(): Promise<void>;
}

/** The cluster's instances in the order servers are named (pure): primaries then secondaries, each by name, with their stable labels. */
export function forwardOrder(instances: readonly KubeObject[], clusterName: string): { instance: string; role: 'primary' | 'secondary'; label: string }[] {
  const spec = (o: KubeObject): Record<string, unknown> => (o['spec'] ?? {}) as Record<string, unknown>;
  const of = (role: 'primary' | 'secondary'): { instance: string; role: 'primary' | 'secondary'; label: string }[] =>
    instances
      .filter((i) => {
        const r = spec(i)['role'];
        return spec(i)['clusterRef'] === clusterName && typeof r === 'string' && r.toLowerCase() === role;
      })
      .map((i) => i.metadata.name ?? '')
      .filter((n) => n !== '')
      .sort()
      .map((instance, k) => ({ instance, role, label: `${role}-${k}` }));
  return [...of('primary'), ...of('secondary')];
}

/** The pod port a Service sends its port `port` to (pure): its targetPort, a name resolved in the pod's container ports (TCP preferred); undefined when it has none. */
export function servicePodPort(service: V1Service, pod: V1Pod, port: number): number | undefined {
  const ports = service.spec?.ports ?? [];
  const p = ports.find((x) => x.port === port && (x.protocol ?? 'TCP') === 'TCP') ?? ports.find((x) => x.port === port);
  if (p === undefined) return undefined;
  const target = p.targetPort ?? p.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    const named = (c.ports ?? []).find((cp) => cp.name === target);
    if (named !== undefined) return named.containerPort;
  }
  return undefined;
}

/** The pod port a Service sends DNS (port 53) to (pure); undefined when it has none. */
export function dnsPodPort(service: V1Service, pod: V1Pod): number | undefined {
  return servicePodPort(service, pod, serviceDnsPort);
}

/**
 * The secondary instances of `clusterName` in server order (`secondary-0` first), each with the
 * labels its Service selects its pods by (null: no such Service, or one without a selector): how a
 * fault on a secondary finds its pods.
 */
export async function secondaryPodSelectors(kubeConfig: KubeConfig, namespace: string, clusterName: string, instances: readonly KubeObject[]): Promise<{ instance: string; labels: Record<string, string> | null }[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const out: { instance: string; labels: Record<string, string> | null }[] = [];
  for (const o of forwardOrder(instances, clusterName).filter((x) => x.role === 'secondary')) {
    const selector = (await core.readNamespacedService({ name: o.instance, namespace }).catch(() => null))?.spec?.selector ?? {};
    out.push({ instance: o.instance, labels: Object.keys(selector).length > 0 ? { ...selector } : null });
  }
  return out;
}

/** A pod a port-forward can reach (pure): Running, Ready, not being deleted. */
export function forwardablePodOf(pods: readonly V1Pod[]): V1Pod | undefined {
  const ready = (p: V1Pod): boolean => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp == null && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return [...pods].filter(ready).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

/**
 * The Service bindy made for Bind9Instance `instance` and a way to find a Running and Ready pod it
 * selects (now, each time it is called); throws naming what is missing (no Service, no selector,
 * no Ready pod).
 */
export async function instanceService(core: CoreV1Api, namespace: string, instance: string): Promise<{ service: V1Service; readyPod: () => Promise<V1Pod> }> {
  const service = await core.readNamespacedService({ name: instance, namespace }).catch((e: unknown) => {
    throw new Error(`the Service ${namespace}/${instance} of Bind9Instance ${instance}: ${e instanceof Error ? e.message : String(e)}`);
  });
  const selector = Object.entries(service.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (selector === '') throw new Error(`the Service ${namespace}/${instance} has no selector: no pod to forward to`);
  const readyPod = async (): Promise<V1Pod> => {
    const pod = forwardablePodOf((await core.listNamespacedPod({ namespace, labelSelector: selector })).items);
    if (pod === undefined) throw new Error(`no Running and Ready pod of Bind9Instance ${instance} (${selector} in ${namespace})`);
    return pod;
  };
  return { service, readyPod };
}

/**
 * Opens one port-forward per instance of `clusterName` in `namespace` (`instances`: the namespace's
 * Bind9Instances). Each connection goes to the instance's Service's Running and Ready pod at that
 * time, looked up again per connection, so a pod replaced during the run (a fault, a rollout) is
 * followed once its successor is Ready. Throws naming what is missing at the start (no instance, no
 * Service, no Ready pod, no DNS port); what was opened before the failure is closed.
 */
export async function openBind9Forwards(kubeConfig: KubeConfig, namespace: string, clusterName: string, instances: readonly KubeObject[]): Promise<Bind9Forwards> {
  const order = forwardOrder(instances, clusterName);
  if (order.length === 0) throw new Error(`no Bind9Instance of Bind9Cluster ${clusterName} in ${namespace}`);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const forwards: Bind9Forward[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(forwards.map((f) => f.forward.close()));
  };
  try {
    for (const o of order) {
      const { service, readyPod } = await instanceService(core, namespace, o.instance);
      const resolve = async (): Promise<ForwardTarget> => {
        const pod = await readyPod();
        const podPort = dnsPodPort(service, pod);
        if (podPort === undefined) throw new Error(`the Service ${namespace}/${o.instance} has no port ${serviceDnsPort}`);
        return { pod: pod.metadata?.name ?? '', port: podPort };
      };
      const first = await resolve();
      const forward = await openPortForward(kubeConfig, namespace, resolve);
      forwards.push({ server: { host: forward.host, port: forward.port, name: o.label, role: o.role }, pod: first.pod, podPort: first.port, forward });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    forwards,
    describe: forwards.map((f) => `${f.server.name} → pod ${namespace}/${f.pod}:${f.podPort} (127.0.0.1:${f.server.port})`).join(', '),
    close,
  };
}

/**
 * One set of port-forwards for every part of a run that asks for them (e2e's prober and its chaos
 * audit and gap prober): the first call opens them, later calls share them, and they close when the
 * last holder closes (a call after that opens them again). A failed open is not kept.
 */
export function sharedForwards(open: () => Promise<Bind9Forwards>): () => Promise<Bind9Forwards> {
  let opening: Promise<Bind9Forwards> | null = null;
  let holders = 0;
  return async () => {
    opening ??= open();
    const current = opening;
    let forwards: Bind9Forwards;
    try {
      forwards = await current;
    } catch (e) {
      if (opening === current) opening = null;
      throw e;
    }
    holders++;
    let released = false;
    return {
      forwards: forwards.forwards,
      describe: forwards.describe,
      close: async () => {
        if (released) return;
        released = true;
        if (--holders > 0) return;
        if (opening === current) opening = null;
        await forwards.close();
      },
    };
  };
}
