/** @module Facts about a cluster the preflight judges: what is served, what runs, what exists (read-only I/O). */
import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, V1Deployment } from '@kubernetes/client-node';
import { bindyGroup, bindyVersion } from '../../model/kinds.js';
import { conditionOf } from '../../observe/watch-tracker.js';
import { isKubeObject } from '../../observe/kube-client.js';

/** Where bindy's operator normally runs (TARGET.md "Deployment in a cluster"). */
export const operatorLocation = { namespace: 'bindy-system', name: 'bindy', labelSelector: 'app=bindy' } as const;

/** The bindy operator's Deployment as found. */
export interface OperatorFact {
  namespace: string;
  name: string;
  /** `status.availableReplicas` (0 when absent). */
  available: number;
  /** `spec.replicas` (1 when absent, as Kubernetes defaults it). */
  desired: number;
  /** Image of each container of the pod template, as written (a tag or a digest): the version asked for. */
  images: string[];
  /** `imageID` of each running container of the operator's pods (a digest): the version that ran; empty when unreadable. */
  imageIds: string[];
  /** The pod template's `serviceAccountName` (`default` when unset, as Kubernetes runs the pod): whom the operator's requests authenticate as. */
  serviceAccountName: string;
  /** The labels of its pods (the Deployment's `spec.selector.matchLabels`): how a fault selects them. */
  podLabels?: Record<string, string>;
}

/** The Bind9Cluster the zones select, as found. */
export interface ClusterFact {
  name: string;
  readyInstances: number | null;
  /** Status of its `Ready` condition, or null when it has none. */
  ready: string | null;
  /** Carries the tool's run-id label (made by a run of this tool). */
  labels: Record<string, string>;
}

/** Everything the preflight needs to know, gathered in one go. */
export interface ClusterFacts {
  /** The API server URL and context, for messages. */
  server: string;
  context: string;
  /** Null when the API server answered; otherwise why it could not be reached. */
  unreachable: string | null;
  /** Plurals served under bindy.firestoned.io/v1beta1; null when the group version is not served at all. */
  bindyResources: string[] | null;
  /** Null when no Deployment was found at bindy-system/bindy nor by label app=bindy. */
  operator: OperatorFact | null;
  /** Null when the namespace does not exist. */
  namespace: { name: string; labels: Record<string, string> } | null;
  /** Null when the named Bind9Cluster does not exist in the namespace. */
  cluster: ClusterFact | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function notFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

function message(e: unknown): string {
  if (e instanceof ApiException) return `HTTP ${e.code}: ${typeof e.body === 'string' ? e.body.slice(0, 200) : 'error'}`;
  return e instanceof Error ? e.message : String(e);
}

/** The facts of a found Deployment (pure). */
export function operatorFact(d: V1Deployment): OperatorFact {
  return {
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    available: d.status?.availableReplicas ?? 0,
    desired: d.spec?.replicas ?? 1,
    images: (d.spec?.template.spec?.containers ?? []).map((c) => c.image ?? '').filter((i) => i !== ''),
    imageIds: [],
    serviceAccountName: d.spec?.template.spec?.serviceAccountName ?? d.spec?.template.spec?.serviceAccount ?? 'default',
    podLabels: { ...(d.spec?.selector.matchLabels ?? {}) },
  };
}

/**
 * The bindy version a run measured, for the result's target description: the Deployment's image(s)
 * and the digest(s) its pods run, e.g. `bindy ghcr.io/firestoned/bindy:v0.6.2 (running
 * ghcr.io/firestoned/bindy@sha256:…)`. A tag like `latest` names no version; the digest does.
 */
export function operatorVersionText(op: OperatorFact | null): string {
  if (op === null) return 'bindy not found';
  const asked = op.images.length > 0 ? op.images.join(', ') : 'image unknown';
  const ran = [...new Set(op.imageIds)].sort();
  return `bindy ${asked}${ran.length > 0 ? ` (running ${ran.join(', ')})` : ''}`;
}

/** imageID of every container status of the pods matching the Deployment's selector (read-only; [] when pods cannot be listed). */
async function runningImageIds(core: CoreV1Api, d: V1Deployment): Promise<string[]> {
  const match = d.spec?.selector.matchLabels ?? {};
  const selector = Object.entries(match).map(([k, v]) => `${k}=${v}`).join(',');
  if (selector === '' || d.metadata?.namespace === undefined) return [];
  try {
    const pods = await core.listNamespacedPod({ namespace: d.metadata.namespace, labelSelector: selector });
    return pods.items.flatMap((p) => (p.status?.containerStatuses ?? []).map((c) => c.imageID)).filter((i) => i !== '');
  } catch (e) {
    // No pods API (the sandbox twin) or no right to list pods: the Deployment's image still names the version.
    if (e instanceof ApiException && (e.code === 404 || e.code === 403)) return [];
    throw e;
  }
}

/**
 * Reads what the preflight judges. Every read is a GET or LIST; nothing is written. The first
 * call (discovery) doubles as the reachability check: when it fails without an HTTP answer the
 * other facts are left empty.
 */
export async function gatherClusterFacts(kc: KubeConfig, input: { namespace: string; clusterName: string }): Promise<ClusterFacts> {
  const facts: ClusterFacts = {
    server: kc.getCurrentCluster()?.server ?? '(none)',
    context: kc.getCurrentContext(),
    unreachable: null,
    bindyResources: null,
    operator: null,
    namespace: null,
    cluster: null,
  };
  const custom = kc.makeApiClient(CustomObjectsApi);
  try {
    const list = await custom.getAPIResources({ group: bindyGroup, version: bindyVersion });
    facts.bindyResources = list.resources.filter((r) => !r.name.includes('/')).map((r) => r.name).sort();
  } catch (e) {
    if (!(e instanceof ApiException)) {
      facts.unreachable = message(e);
      return facts;
    }
    if (e.code === 401 || e.code === 403) {
      facts.unreachable = `the API server refused our credentials (${message(e)})`;
      return facts;
    }
    if (!notFound(e)) throw e;
  }
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  let deployment: V1Deployment | undefined;
  try {
    deployment = await apps.readNamespacedDeployment({ name: operatorLocation.name, namespace: operatorLocation.namespace });
  } catch (e) {
    if (!notFound(e)) throw e;
    try {
      const found = await apps.listDeploymentForAllNamespaces({ labelSelector: operatorLocation.labelSelector });
      deployment = found.items[0];
    } catch (e2) {
      // A cluster (or twin) that serves no apps/v1 at all has no bindy Deployment either.
      if (!notFound(e2)) throw e2;
    }
  }
  if (deployment !== undefined) facts.operator = { ...operatorFact(deployment), imageIds: await runningImageIds(core, deployment) };
  try {
    const ns = await core.readNamespace({ name: input.namespace });
    facts.namespace = { name: input.namespace, labels: ns.metadata?.labels ?? {} };
  } catch (e) {
    if (!notFound(e)) throw e;
  }
  if (facts.namespace !== null && facts.bindyResources !== null) {
    try {
      const c: unknown = await custom.getNamespacedCustomObject({
        group: bindyGroup,
        version: bindyVersion,
        namespace: input.namespace,
        plural: 'bind9clusters',
        name: input.clusterName,
      });
      if (isKubeObject(c)) {
        const status = isRecord(c.status) ? c.status : {};
        facts.cluster = {
          name: input.clusterName,
          readyInstances: typeof status.readyInstances === 'number' ? status.readyInstances : null,
          ready: conditionOf(c, 'Ready')?.status ?? null,
          labels: c.metadata.labels ?? {},
        };
      }
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }
  return facts;
}
