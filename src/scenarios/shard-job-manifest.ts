/**
 * @module What a sharded run on a cluster creates to run its shards as a Kubernetes Indexed Job
 * (pure: names, labels and manifests, no I/O): the shard pods' ServiceAccount, Role and RoleBinding
 * (only the verbs a shard uses), the ConfigMap holding the common spec (and, later, the `go` and
 * `stop` keys the coordinator patches in), one report ConfigMap per shard (the only objects a
 * shard writes besides its slice), and the Job: completionMode Indexed, completions = parallelism
 * = N, backoffLimit 0 (a retried shard would create its slice twice), restartPolicy Never, bounded
 * by activeDeadlineSeconds and removed by ttlSecondsAfterFinished if the coordinator cannot.
 */
import { createHash } from 'node:crypto';
import { bindyGroup, kindInfo, runIdLabel, type BindyKind } from '../model/kinds.js';
import type { KubeObject } from '../observe/kube-client.js';
import { shardLabel } from './shard-slice.js';

/** Label telling the Job machinery's objects apart: `shard-job`, `shard-spec` or `shard-report`. */
export const componentLabel = 'loadtest.bindy.firestoned.io/component';
/** The environment variable Kubernetes sets to a pod's index in an Indexed Job. */
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';
/** The hidden command the pods run, with the spec ConfigMap as `namespace/name`. */
export const shardCommand = 'burst-shard';
/** Its option naming the spec ConfigMap. */
export const specConfigMapOption = '--spec-configmap';
/** Seconds a Job may run past the run's own bound (image pull, start-up, the wait for every shard and the result's upload). */
export const deadlineMarginSeconds = 600;
/** Seconds a finished Job is kept if the coordinator did not delete it (it died): Kubernetes' TTL controller removes it then. */
export const ttlAfterFinishedSeconds = 600;
/** The container's name in the pod template. */
export const shardContainer = 'shard';

/** What the Job's pods run: a sharded burst's slices, or a DNS engine (dnsperf, resperf) next to BIND9. */
export type ShardJobPurpose = 'shards' | 'dnsperf';

/** What the pods of the Job for `spec` run: a DNS engine when the spec carries its work, else burst slices. */
export function jobPurposeOf(spec: { work?: unknown }): ShardJobPurpose {
  return spec.work === undefined ? 'shards' : 'dnsperf';
}

/** The names of one run's Job machinery. */
export interface ShardJobNames {
  /** The Job, ServiceAccount, Role and RoleBinding. */
  base: string;
  /** The ConfigMap with the common spec and the coordinator's `go` and `stop`. */
  spec: string;
  /** Shard i's report ConfigMap. */
  report(index: number): string;
}

/**
 * The names for `runId`: `<runId>-shards` while that fits 52 characters (a Job's name goes into
 * its pods' labels, at most 63, and the pods' host names add `-<index>`), else a prefix of the run
 * id and a hash of it, so two long run ids never share a Job.
 */
export function shardJobNames(runId: string, purpose: ShardJobPurpose = 'shards'): ShardJobNames {
  const plain = `${runId}-${purpose}`;
  const base = plain.length <= 52 ? plain : `${runId.slice(0, 30).replace(/-+$/, '')}-${purpose}-${createHash('sha256').update(runId).digest('hex').slice(0, 12)}`;
  return { base, spec: `${base}-spec`, report: (i) => `${base}-${i}` };
}

/** What the manifests are built from. */
export interface ShardJobInput {
  runId: string;
  namespace: string;
  count: number;
  image: string;
  /** The common spec the pods read (JSON text; every shard's index comes from its pod). */
  specText: string;
  /** The bindy kinds the shards create and watch (their Role names exactly these). */
  kinds: readonly BindyKind[];
  /** The run's own bound in seconds (waits, schedule, probe): the Job's deadline adds {@link deadlineMarginSeconds}. */
  runBoundSeconds: number;
  toolVersion: string;
  /** Default `shards`; names the objects (`<runId>-<purpose>`). */
  purpose?: ShardJobPurpose;
}

function labels(runId: string, component: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [runIdLabel]: runId, [componentLabel]: component, 'app.kubernetes.io/name': 'bindy-loadtest', 'app.kubernetes.io/managed-by': 'bindy-loadtest', ...extra };
}

/** Every object of the Job machinery, in the order they are created (RBAC, ConfigMaps, then the Job, which starts the pods). */
export function shardJobObjects(i: ShardJobInput): KubeObject[] {
  const n = shardJobNames(i.runId, i.purpose);
  const ns = i.namespace;
  const plurals = [...new Set(i.kinds.map((k) => kindInfo[k].plural))].sort();
  const reports = Array.from({ length: i.count }, (_, k) => n.report(k));
  const meta = (name: string, component: string, extra: Record<string, string> = {}): KubeObject['metadata'] => ({ name, namespace: ns, labels: labels(i.runId, component, extra) });
  const serviceAccount: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(n.base, 'shard-job') };
  const role: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta(n.base, 'shard-job'),
    rules: [
      // The shard's slice: created, and watched until Ready (list + watch); nothing else of bindy's (a DNS engine pod: nothing at all).
      ...(plurals.length === 0 ? [] : [{ apiGroups: [bindyGroup], resources: plurals, verbs: ['create', 'get', 'list', 'watch'] }]),
      // The common spec and the coordinator's go/stop keys: read and watched (by field selector on its name).
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [n.spec], verbs: ['get', 'list', 'watch'] },
      // Each shard's report: ready, progress, exit, result. Patched only: the coordinator made them.
      { apiGroups: [''], resources: ['configmaps'], resourceNames: reports, verbs: ['get', 'patch'] },
    ],
  };
  const roleBinding: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(n.base, 'shard-job'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.base },
    subjects: [{ kind: 'ServiceAccount', name: n.base, namespace: ns }],
  };
  const spec: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(n.spec, 'shard-spec'), data: { [specKey]: i.specText } };
  const reportMaps: KubeObject[] = reports.map((name, k) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name, 'shard-report', { [shardLabel]: String(k) }), data: {} }));
  const podLabels = labels(i.runId, 'shard-pod');
  const job: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(n.base, 'shard-job'),
    spec: {
      completionMode: 'Indexed',
      completions: i.count,
      parallelism: i.count,
      // A retried shard would create its slice a second time: a failed pod fails the run instead.
      backoffLimit: 0,
      activeDeadlineSeconds: Math.ceil(i.runBoundSeconds) + deadlineMarginSeconds,
      ttlSecondsAfterFinished: ttlAfterFinishedSeconds,
      template: {
        metadata: { labels: podLabels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: n.base,
          automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          // The root filesystem is read-only: a DNS engine writes its query file under /tmp.
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
          containers: [
            {
              name: shardContainer,
              image: i.image,
              imagePullPolicy: 'IfNotPresent',
              args: [shardCommand, specConfigMapOption, `${ns}/${n.spec}`],
              env: [{ name: 'BINDY_LOADTEST_VERSION', value: i.toolVersion }],
              // A CPU request, never a CPU limit: throttling would add its own delays to every latency measured.
              resources: { requests: { cpu: '1', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
        },
      },
    },
  };
  return [serviceAccount, role, roleBinding, spec, ...reportMaps, job];
}

/** The spec ConfigMap's key holding the common spec (JSON). */
export const specKey = 'spec.json';
/** The spec ConfigMap's key the coordinator sets to `true` to release every shard at once. */
export const goKey = 'go';
/** The spec ConfigMap's key the coordinator sets to `1` (stop creating) or `2` (stop waiting too), as a first and second Ctrl-C would. */
export const stopKey = 'stop';
