/**
 * @module A cluster's bindcar reached from this machine through a port-forward the tool opens: the
 * first primary Bind9Instance of the run's Bind9Cluster, its Service's port 80 (→ bindcar's 8080 in
 * the pod's `api` container; TARGET.md), one Running and Ready pod. Pinned to that pod (not
 * followed to a replacement, as the DNS forwards are): zones over bindcar's request limit are
 * loaded into that same pod's named through pods/exec, and journalled with it.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { BindcarCreateZone } from '../../drive/bindcar-client.js';
import type { KubeObject } from '../../observe/kube-client.js';
import type { PodZoneSite } from '../../observe/journal.js';
import { openPortForward } from '../../observe/port-forward.js';
import { forwardOrder, instanceService, servicePodPort } from './bind9-forwards.js';
import { loadZoneInPod } from './pod-zones.js';

/** The Service port bindy gives bindcar. */
const serviceBindcarPort = 80;
/** The container of bindy's BIND9 pod that has named, rndc and a shell (bindcar's `api` has none). */
export const bind9Container = 'bind9';
/** named's directory in bindy's BIND9 pods, where bindcar writes `<zone>.zone` (its BIND_ZONE_DIR). */
export const bindyZoneDir = '/var/cache/bind';

/** bindcar of a cluster's primary, through the run's own port-forward. */
export interface PodBindcar {
  /** `http://127.0.0.1:<port>`: the forward. */
  url: string;
  /** The pod behind it, and named's directory there. */
  site: PodZoneSite;
  /** One line: which instance, pod and port, and the local address. */
  describe: string;
  /** Loads a zone into that pod's named as bindcar would (its zone file, then rndc addzone), through pods/exec. */
  loadZone: (request: BindcarCreateZone) => Promise<void>;
  /** Closes the forward (idempotent). */
  close: () => Promise<void>;
}

/**
 * Opens a port-forward to bindcar in the first Running and Ready pod of the first primary
 * Bind9Instance of `clusterName` (`instances`: the namespace's Bind9Instances). Throws naming what
 * is missing (no primary instance, no Service, no Ready pod, no port 80).
 */
export async function openPrimaryBindcar(kubeConfig: KubeConfig, namespace: string, clusterName: string, instances: readonly KubeObject[], zoneDir = bindyZoneDir): Promise<PodBindcar> {
  const primary = forwardOrder(instances, clusterName).find((o) => o.role === 'primary');
  if (primary === undefined) throw new Error(`no primary Bind9Instance of Bind9Cluster ${clusterName} in ${namespace}`);
  const { service, readyPod } = await instanceService(kubeConfig.makeApiClient(CoreV1Api), namespace, primary.instance);
  const pod = await readyPod();
  const name = pod.metadata?.name ?? '';
  const port = servicePodPort(service, pod, serviceBindcarPort);
  if (port === undefined) throw new Error(`the Service ${namespace}/${primary.instance} has no port ${serviceBindcarPort} (bindcar's)`);
  const site: PodZoneSite = { server: kubeConfig.getCurrentCluster()?.server ?? '', namespace, pod: name, podUid: pod.metadata?.uid ?? '', container: bind9Container, zoneDir };
  const hasBind9 = (pod.spec?.containers ?? []).some((c) => c.name === bind9Container);
  const forward = await openPortForward(kubeConfig, namespace, { pod: name, port });
  let closed: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${forward.port}`,
    site,
    describe: `bindcar of ${primary.instance} → pod ${namespace}/${name}:${port} (127.0.0.1:${forward.port})`,
    loadZone: (request) => (hasBind9 ? loadZoneInPod(kubeConfig, site, request) : Promise.reject(new Error(`pod ${namespace}/${name} has no container ${bind9Container} to load the zone file in`))),
    close: () => (closed ??= forward.close()),
  };
}
