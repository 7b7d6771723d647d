/**
 * @module Every kind the tool writes or watches: bindy's kinds, plus the Kubernetes objects a
 * service-discovery run creates as sources for scout (LoadBalancer Services, Ingresses). One place
 * says where each is served (group, version, plural, scope), so the client builds every path here.
 */
import { UsageError } from '../errors.js';
import { bindyGroup, bindyKinds, bindyVersion, kindInfo, type BindyKind } from './kinds.js';

/** The discovery sources scout reads (Gateway routes are not served by the sandbox's API server). */
export const sourceKinds = ['Service', 'Ingress'] as const;
/** One source kind. */
export type SourceKind = (typeof sourceKinds)[number];
/** API Priority and Fairness objects: backpressure's api-throttle squeezes bindy's requests with them. */
export const apfKinds = ['FlowSchema', 'PriorityLevelConfiguration'] as const;
/** One APF kind. */
export type ApfKind = (typeof apfKinds)[number];
/**
 * What a sharded run on a cluster creates to run its shards as an Indexed Job, in the order they
 * are removed: the Job first (its pods stop creating), then the ConfigMaps it talks through, then
 * the shard pods' RBAC.
 */
export const shardJobKinds = ['Job', 'ConfigMap', 'RoleBinding', 'Role', 'ServiceAccount'] as const;
/** One kind of a sharded run's Job machinery. */
export type ShardJobKind = (typeof shardJobKinds)[number];
/** Chaos Mesh experiments a chaos run on a cluster creates (one per fault), and the pods a native kill deletes. */
export const clusterFaultKinds = ['NetworkChaos', 'PodChaos', 'StressChaos', 'IOChaos', 'Pod'] as const;
/** One kind a cluster fault writes. */
export type ClusterFaultKind = (typeof clusterFaultKinds)[number];
/**
 * core/v1 Events: the tool never writes one, but cleanup removes those about the run's objects
 * (the operator reports on every reconcile; a real API server keeps them for its --event-ttl, 1 h).
 */
export const eventKind = 'Event';
/** The Event kind. */
export type EventKind = typeof eventKind;
/** The object-count quota the too-many-objects experiment puts on the run's namespace (a fault: its journal entry reverts it). */
export const quotaKind = 'ResourceQuota';
/** The ResourceQuota kind. */
export type QuotaKind = typeof quotaKind;
/** Any kind the tool writes or watches. */
export type ObjectKind = BindyKind | SourceKind | ApfKind | ShardJobKind | ClusterFaultKind | EventKind | QuotaKind;
/**
 * Every kind a run of any scenario may have created, in the order cleanup deletes them (sources
 * first: scout then unpublishes their records). APF kinds are not in it: a run that made them says
 * so in its plan and journal, and they then come first (the operator must not be throttled while
 * it removes finalizers); listing them needs RBAC a cluster user may not have.
 */
export const objectKinds: readonly ObjectKind[] = [...sourceKinds, ...bindyKinds];

/** Where a kind is served. */
export interface ResourceInfo {
  kind: ObjectKind;
  /** `v1`, `networking.k8s.io/v1`, `bindy.firestoned.io/v1beta1`. */
  apiVersion: string;
  /** `/api/v1` for the core group, else `/apis/<group>/<version>`. */
  prefix: string;
  plural: string;
  namespaced: boolean;
  /** Whether the API server deletes a labelled collection at once (a real kube-apiserver has no deletecollection for Services). */
  deleteCollection: boolean;
  /**
   * `propagationPolicy` every delete sends: batch/v1 Jobs default to orphaning their pods (kept
   * for compatibility), so a Job is deleted `Background` and the garbage collector removes its pods.
   */
  propagationPolicy?: 'Background';
}

const sources: Readonly<Record<SourceKind, ResourceInfo>> = {
  Service: { kind: 'Service', apiVersion: 'v1', prefix: '/api/v1', plural: 'services', namespaced: true, deleteCollection: false },
  Ingress: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses', namespaced: true, deleteCollection: true },
};

const apf: Readonly<Record<ApfKind, ResourceInfo>> = {
  FlowSchema: { kind: 'FlowSchema', apiVersion: 'flowcontrol.apiserver.k8s.io/v1', prefix: '/apis/flowcontrol.apiserver.k8s.io/v1', plural: 'flowschemas', namespaced: false, deleteCollection: true },
  PriorityLevelConfiguration: {
    kind: 'PriorityLevelConfiguration',
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    prefix: '/apis/flowcontrol.apiserver.k8s.io/v1',
    plural: 'prioritylevelconfigurations',
    namespaced: false,
    deleteCollection: true,
  },
};

const rbac = 'rbac.authorization.k8s.io/v1';
const shardJob: Readonly<Record<ShardJobKind, ResourceInfo>> = {
  Job: { kind: 'Job', apiVersion: 'batch/v1', prefix: '/apis/batch/v1', plural: 'jobs', namespaced: true, deleteCollection: true, propagationPolicy: 'Background' },
  ConfigMap: { kind: 'ConfigMap', apiVersion: 'v1', prefix: '/api/v1', plural: 'configmaps', namespaced: true, deleteCollection: true },
  RoleBinding: { kind: 'RoleBinding', apiVersion: rbac, prefix: `/apis/${rbac}`, plural: 'rolebindings', namespaced: true, deleteCollection: true },
  Role: { kind: 'Role', apiVersion: rbac, prefix: `/apis/${rbac}`, plural: 'roles', namespaced: true, deleteCollection: true },
  ServiceAccount: { kind: 'ServiceAccount', apiVersion: 'v1', prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true, deleteCollection: true },
};

const chaosMesh = (kind: ClusterFaultKind, plural: string): ResourceInfo => ({ kind, apiVersion: 'chaos-mesh.org/v1alpha1', prefix: '/apis/chaos-mesh.org/v1alpha1', plural, namespaced: true, deleteCollection: true });
const clusterFault: Readonly<Record<ClusterFaultKind, ResourceInfo>> = {
  NetworkChaos: chaosMesh('NetworkChaos', 'networkchaos'),
  PodChaos: chaosMesh('PodChaos', 'podchaos'),
  StressChaos: chaosMesh('StressChaos', 'stresschaos'),
  IOChaos: chaosMesh('IOChaos', 'iochaos'),
  Pod: { kind: 'Pod', apiVersion: 'v1', prefix: '/api/v1', plural: 'pods', namespaced: true, deleteCollection: true },
};

/** True for the kinds a cluster fault writes. */
export function isClusterFaultKind(k: string): k is ClusterFaultKind {
  return (clusterFaultKinds as readonly string[]).includes(k);
}

/** True for the kinds of a sharded run's Job machinery. */
export function isShardJobKind(k: string): k is ShardJobKind {
  return (shardJobKinds as readonly string[]).includes(k);
}

/** True for the APF kinds. */
export function isApfKind(k: string): k is ApfKind {
  return (apfKinds as readonly string[]).includes(k);
}

function isSourceKind(k: string): k is SourceKind {
  return (sourceKinds as readonly string[]).includes(k);
}

const quotas: ResourceInfo = { kind: 'ResourceQuota', apiVersion: 'v1', prefix: '/api/v1', plural: 'resourcequotas', namespaced: true, deleteCollection: true };
const events: ResourceInfo = { kind: 'Event', apiVersion: 'v1', prefix: '/api/v1', plural: 'events', namespaced: true, deleteCollection: true };

/** Where `kind` is served. */
export function resourceOf(kind: ObjectKind): ResourceInfo {
  if (kind === eventKind) return events;
  if (kind === quotaKind) return quotas;
  if (isSourceKind(kind)) return sources[kind];
  if (isApfKind(kind)) return apf[kind];
  if (isShardJobKind(kind)) return shardJob[kind];
  if (isClusterFaultKind(kind)) return clusterFault[kind];
  const i = kindInfo[kind];
  return { kind, apiVersion: `${bindyGroup}/${bindyVersion}`, prefix: `/apis/${bindyGroup}/${bindyVersion}`, plural: i.plural, namespaced: i.namespaced, deleteCollection: true };
}

/** The kind `kind` names, or a UsageError: the client serves only the kinds the tool writes. */
export function objectKindOf(kind: string): ObjectKind {
  const k = (objectKinds as readonly string[]).includes(kind) || isApfKind(kind) || isShardJobKind(kind) || isClusterFaultKind(kind) || kind === quotaKind ? (kind as ObjectKind) : undefined;
  if (k === undefined) throw new UsageError(`${kind} is not a kind this tool writes (known: ${[...objectKinds, ...apfKinds, ...shardJobKinds, ...clusterFaultKinds, quotaKind].join(', ')})`);
  return k;
}
