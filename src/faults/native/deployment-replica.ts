/**
 * @module split-brain on a cluster (`deployment-replica`): bindy's Deployment scaled up by one
 * replica, as a second operator beside the running one. With leader election the new pod must stand
 * by while the first holds the `bindy-leader` Lease; without it (`BINDY_ENABLE_LEADER_ELECTION=false`
 * on bindy's container, which rolls every pod) both reconcile the same objects at once. A change to
 * a thing the run did not create: allowed only when asked (`scenarios.chaos.allowClusterChanges`),
 * journalled before it is made with the values of before and as applied, made with a JSON patch
 * that tests what it replaces (an edit made meanwhile is never overwritten), and undone the same
 * way from exactly what the run set; `cleanup --target cluster` undoes a killed run's from the
 * journal, on that cluster only.
 */
import { isDeepStrictEqual } from 'node:util';
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment, type V1EnvVar } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { containerOf, rolloutDone } from '../limits/deployment-limits.js';
import { bindyPodDefaults, kubeFetchOptions, kubePodLister, podProxyPath } from '../../observe/metrics-pod-proxy.js';
import { fetchExposition } from '../../observe/metrics-fetch.js';
import type { AppliedFault, ApplyOptions, DeploymentReplicaRevertDescriptor, FaultMechanism, FaultSpec, RevertOutcome, RevertProof } from '../fault.js';

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** bindy's switch for leader election (TARGET.md: on by default). */
export const leaderElectionEnv = 'BINDY_ENABLE_LEADER_ELECTION';

/** Bounds of the rollouts, ms. */
export interface DeploymentReplicaOptions {
  kubeConfig: KubeConfig;
  /** bindy's Deployment; null when the preflight found none (then every split-brain is refused). */
  deployment: { namespace: string; name: string } | null;
  /** The user allowed changes to what the run did not create. */
  allowed: boolean;
  /** Bound on each rollout, ms (default 5 min). */
  rolloutTimeoutMs?: number;
  /** Between two looks at the rollout, ms (default 1 s). */
  pollMs?: number;
}

/** Why split-brain cannot run here (pure), or undefined when it can. */
export function replicaUnsupportedReason(target: string, spec: FaultSpec, o: Pick<DeploymentReplicaOptions, 'deployment' | 'allowed'>): string | undefined {
  if (spec.kind !== 'replica') return `${spec.kind} is not a second replica`;
  if (target !== 'operator') return `a second replica is of the operator, not ${target}`;
  if (o.deployment === null) return "bindy's Deployment was not found (the preflight names where it looked): a second replica is one more of its pods";
  if (!o.allowed) {
    return `split-brain on a cluster scales bindy's Deployment ${o.deployment.namespace}/${o.deployment.name} by one replica${spec.leaderElection ? '' : ` and sets ${leaderElectionEnv}=false on it`}, a thing the run did not create: allow it with --allow-cluster-changes (scenarios.chaos.allowClusterChanges); the change is journalled and undone`;
  }
  return undefined;
}

/** The env entry the fault sets, where it is in the container's env now, and the JSON patch ops (pure). */
function envOps(path: string, env: readonly V1EnvVar[] | undefined, from: V1EnvVar | null, to: V1EnvVar | null): object[] {
  const list = env ?? [];
  const at = list.findIndex((e) => e.name === leaderElectionEnv);
  if (from === null && to !== null) {
    // Added: to the end of the list, or the list itself when there is none.
    return env === undefined ? [{ op: 'add', path: `${path}/env`, value: [to] }] : [{ op: 'add', path: `${path}/env/-`, value: to }];
  }
  if (from !== null && at < 0) throw new Error(`${leaderElectionEnv} is no longer in the container's env`);
  if (from !== null && to === null) {
    // Removed (the run had added it): the whole list when it is all that is left.
    const tests = { op: 'test', path: `${path}/env/${at}`, value: from };
    return list.length === 1 ? [tests, { op: 'remove', path: `${path}/env` }] : [tests, { op: 'remove', path: `${path}/env/${at}` }];
  }
  if (from !== null && to !== null) return [{ op: 'test', path: `${path}/env/${at}`, value: from }, { op: 'replace', path: `${path}/env/${at}`, value: to }];
  return [];
}

/** The JSON patch from one state to another (pure): tests the replicas (and the env entry) of now, then sets them. */
export function replicaPatch(d: V1Deployment, container: { index: number; name: string }, replicas: { from: number; to: number }, env: { from: V1EnvVar | null; to: V1EnvVar | null } | null): object[] {
  const path = `/spec/template/spec/containers/${container.index}`;
  const c = d.spec?.template.spec?.containers[container.index];
  return [
    { op: 'test', path: `${path}/name`, value: container.name },
    { op: 'test', path: '/spec/replicas', value: replicas.from },
    { op: 'replace', path: '/spec/replicas', value: replicas.to },
    ...(env === null ? [] : envOps(path, c?.env, env.from, env.to)),
  ];
}

/** bindy's leader-election env entry in its container now (null: absent). */
function envEntry(d: V1Deployment, index: number): V1EnvVar | null {
  const e = d.spec?.template.spec?.containers[index]?.env?.find((x) => x.name === leaderElectionEnv);
  return e === undefined ? null : (JSON.parse(JSON.stringify(e)) as V1EnvVar);
}

/** Whether the scale-up took: the controller saw the new spec and made that many pods of it (the new one may stand by unready under leader election) (pure). */
export function scaledUp(d: V1Deployment): { done: boolean; text: string } {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const seen = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  const updated = s.updatedReplicas ?? 0;
  return { done: seen && updated >= want, text: `generation ${d.metadata?.generation ?? '?'} ${seen ? 'observed' : 'not yet observed'}, ${updated}/${want} pods of it, ${s.availableReplicas ?? 0} available` };
}

async function waitFor(api: AppsV1Api, ref: { namespace: string; name: string }, check: (d: V1Deployment) => { done: boolean; text: string }, o: { rolloutTimeoutMs?: number; pollMs?: number }): Promise<string> {
  const timeoutMs = o.rolloutTimeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = check(await api.readNamespacedDeployment(ref));
    if (r.done) return r.text;
    if (Date.now() > deadline) throw new Error(`Deployment ${ref.namespace}/${ref.name}: not within ${Math.round(timeoutMs / 1000)} s: ${r.text}`);
    await new Promise((res) => setTimeout(res, o.pollMs ?? 1000));
  }
}

/** Puts bindy's Deployment back as it was before the run (idempotent), waits for the rollout and says how it stands; refuses another API server. */
export async function revertDeploymentReplica(d: DeploymentReplicaRevertDescriptor, kubeConfig: KubeConfig, o: { rolloutTimeoutMs?: number; pollMs?: number } = {}): Promise<RevertOutcome> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server !== d.server) return { reverted: false, already: false, detail: `the change was made on ${d.server}; this kubeconfig points at ${server || '(none)'}: run cleanup with the context of that cluster` };
  try {
    const api = kubeConfig.makeApiClient(AppsV1Api);
    const ref = { namespace: d.namespace, name: d.name };
    const now = await api.readNamespacedDeployment(ref);
    const c = containerOf(now, d.container);
    if (c === undefined) return { reverted: false, already: false, detail: `Deployment ${d.namespace}/${d.name} has no container ${d.container} any more` };
    const replicas = now.spec?.replicas ?? 1;
    const env = envEntry(now, c.index);
    const already = replicas === d.replicas.original && (d.leaderElection === null || isDeepStrictEqual(env, d.leaderElection.original));
    const ours = replicas === d.replicas.applied && (d.leaderElection === null || isDeepStrictEqual(env, d.leaderElection.applied));
    if (!already && !ours) {
      // Edited after the run changed it: theirs stands; saying so is all a revert may do.
      return { reverted: false, already: false, detail: `Deployment ${d.namespace}/${d.name} was edited after the run changed it (replicas ${replicas}, ${leaderElectionEnv} ${JSON.stringify(env)}; the run set ${d.replicas.applied}${d.leaderElection === null ? '' : `, ${JSON.stringify(d.leaderElection.applied)}`}): left as it is` };
    }
    if (!already) {
      const body = replicaPatch(now, c, { from: d.replicas.applied, to: d.replicas.original }, d.leaderElection === null ? null : { from: d.leaderElection.applied, to: d.leaderElection.original });
      await api.patchNamespacedDeployment({ ...ref, body }, jsonPatch);
    }
    const rollout = await waitFor(api, ref, rolloutDone, o);
    return { reverted: true, already, detail: `${already ? 'already as before' : `replicas ${d.replicas.applied} → ${d.replicas.original}${d.leaderElection === null ? '' : `, ${leaderElectionEnv} put back`}`}; ${rollout}` };
  } catch (e) {
    return { reverted: false, already: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Proves bindy's Deployment is as before: the replicas and the env entry of before, its rollout done. */
export async function verifyDeploymentReplicaReverted(d: DeploymentReplicaRevertDescriptor, kubeConfig: KubeConfig): Promise<RevertProof> {
  const checkedAt = new Date().toISOString();
  try {
    const now = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: d.namespace, name: d.name });
    const c = containerOf(now, d.container);
    const replicas = now.spec?.replicas ?? 1;
    const env = c === undefined ? null : envEntry(now, c.index);
    const asBefore = replicas === d.replicas.original && (d.leaderElection === null || isDeepStrictEqual(env, d.leaderElection.original));
    const r = rolloutDone(now);
    const ok = asBefore && r.done;
    return { reverted: ok, checkedAt, faultCleared: asBefore, evidence: `Deployment ${d.namespace}/${d.name}: replicas ${replicas} (before: ${d.replicas.original})${d.leaderElection === null ? '' : `, ${leaderElectionEnv} ${JSON.stringify(env)} (before: ${JSON.stringify(d.leaderElection.original)})`}; ${r.text}` };
  } catch (e) {
    return { reverted: false, checkedAt, faultCleared: false, evidence: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The reconciles the replicas made, each pod's own counter read through the API server's pod proxy
 * (bindy's `:8080/metrics`): with leader election the pods the fault added (the standby must show
 * none), without it the fewest of any pod (every pod was rolled: both must have reconciled).
 * Null when a pod's metrics did not answer.
 */
async function replicaReconciles(kc: KubeConfig, namespace: string, selector: string, before: ReadonlySet<string>, leaderElection: boolean): Promise<number | null> {
  try {
    const pods = (await kubePodLister(kc)(namespace, selector)).filter((p) => p.phase === 'Running' && !p.deleting && (!leaderElection || !before.has(p.name)));
    if (pods.length === 0) return null;
    const conn = await kubeFetchOptions(kc, 5000);
    const counts = await Promise.all(
      pods.map(async (p) => {
        const { samples } = await fetchExposition(`${conn.server}${podProxyPath(namespace, p.name, bindyPodDefaults.port)}`, conn.options);
        return samples.filter((x) => x.name.endsWith('_reconciliations_total')).reduce((n, x) => n + x.value, 0);
      }),
    );
    return leaderElection ? counts.reduce((a, b) => a + b, 0) : Math.min(...counts);
  } catch {
    return null;
  }
}

/** split-brain on bindy's Deployment. */
export class DeploymentReplicaMechanism implements FaultMechanism {
  readonly name = 'deployment-replica' as const;

  constructor(private readonly o: DeploymentReplicaOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    return replicaUnsupportedReason(target, spec, this.o);
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'replica' || this.o.deployment === null) throw new UsageError(`fault on ${target}: ${reason ?? 'not a replica'}`);
    const kc = this.o.kubeConfig;
    const ref = this.o.deployment;
    const api = kc.makeApiClient(AppsV1Api);
    const d = await api.readNamespacedDeployment(ref);
    const c = containerOf(d);
    if (c === undefined) throw new Error(`Deployment ${ref.namespace}/${ref.name} has ${d.spec?.template.spec?.containers.length ?? 0} containers and none named ${ref.name}: which one is bindy's is unclear`);
    const original = d.spec?.replicas ?? 1;
    const env = envEntry(d, c.index);
    const selector = Object.entries(d.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    // The pods before: with leader election, the standby is the pod that is not one of them.
    const podsBefore = new Set(selector === '' ? [] : (await kubePodLister(kc)(ref.namespace, selector)).map((p) => p.name));
    const descriptor: DeploymentReplicaRevertDescriptor = {
      mechanism: 'deployment-replica',
      version: 1,
      server: kc.getCurrentCluster()?.server ?? '',
      namespace: ref.namespace,
      name: ref.name,
      container: c.name,
      replicas: { original, applied: original + 1 },
      leaderElection: spec.leaderElection ? null : { original: env, applied: { name: leaderElectionEnv, value: 'false' } },
    };
    await options.beforeApply?.(descriptor);
    const appliedAt = new Date().toISOString();
    await api.patchNamespacedDeployment({ ...ref, body: replicaPatch(d, c, { from: original, to: original + 1 }, descriptor.leaderElection === null ? null : { from: env, to: descriptor.leaderElection.applied }) }, jsonPatch);
    // Waited for so the fault is in force when the experiment's "during" starts (the new pod may stand by unready).
    await waitFor(api, ref, scaledUp, this.o);
    const revertOptions = { ...(this.o.rolloutTimeoutMs === undefined ? {} : { rolloutTimeoutMs: this.o.rolloutTimeoutMs }), ...(this.o.pollMs === undefined ? {} : { pollMs: this.o.pollMs }) };
    let reconciles: number | null = null;
    return {
      id: `deployment-replica-${ref.name}`,
      target,
      spec,
      appliedAt,
      descriptor,
      revert: async () => {
        // Read before the replicas go: what each did while the fault was in force.
        if (selector !== '') reconciles = await replicaReconciles(kc, ref.namespace, selector, podsBefore, spec.leaderElection);
        return revertDeploymentReplica(descriptor, kc, revertOptions);
      },
      verifyReverted: () => verifyDeploymentReplicaReverted(descriptor, kc),
      observations: (): Record<string, number> => (reconciles === null ? {} : { replica_reconciles: reconciles }),
    };
  }
}
