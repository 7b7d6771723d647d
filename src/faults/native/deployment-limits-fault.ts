/**
 * @module cpu-throttle and memory-pressure of the operator on a cluster (`deployment-limits`): the
 * CPU or memory limit of bindy's container lowered (a resource patch: the native fallback, as
 * backpressure's operator-limits), which rolls its pods. A change to a thing the run did not create:
 * allowed only when asked (`scenarios.chaos.allowClusterChanges`), journalled before it is made
 * with the resources of before and as applied, made with a JSON patch that tests what it replaces,
 * and undone the same way from exactly what the run set; `cleanup --target cluster` undoes a killed
 * run's from the journal. named and bindcar run in pods bindy itself manages: a patch there would be
 * undone by bindy's next reconcile, so they are refused.
 */
import { isDeepStrictEqual } from 'node:util';
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { containerOf, limitedResources, resourcesPatch, restoreDeploymentLimits, rolloutDone, waitRollout } from '../limits/deployment-limits.js';
import type { AppliedFault, ApplyOptions, DeploymentLimitsRevertDescriptor, FaultMechanism, FaultSpec, RevertOutcome, RevertProof } from '../fault.js';

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** Options of {@link DeploymentLimitsFaultMechanism}. */
export interface DeploymentLimitsFaultOptions {
  kubeConfig: KubeConfig;
  /** bindy's Deployment; null when the preflight found none (then every such fault is refused). */
  deployment: { namespace: string; name: string } | null;
  /** The user allowed changes to what the run did not create. */
  allowed: boolean;
  /** Bound on each rollout, ms (default 5 min). */
  rolloutTimeoutMs?: number;
  /** Between two looks at the rollout, ms (default 1 s). */
  pollMs?: number;
}

/** Why a CPU or memory limit cannot be set here (pure), or undefined when it can. */
export function limitsUnsupportedReason(target: string, spec: FaultSpec, o: Pick<DeploymentLimitsFaultOptions, 'deployment' | 'allowed'>): string | undefined {
  if (spec.kind !== 'cpu-limit' && spec.kind !== 'memory-limit') return `${spec.kind} is not a CPU or memory limit`;
  if (target !== 'operator') return `a ${spec.kind === 'cpu-limit' ? 'CPU' : 'memory'} limit on ${target} on a cluster: its pods are bindy's own (from the Bind9Instance), and bindy would undo a patch at its next reconcile; the operator's Deployment can be limited`;
  if (o.deployment === null) return "bindy's Deployment was not found (the preflight names where it looked): the limit is set on its container";
  if (!o.allowed) {
    const what = spec.kind === 'cpu-limit' ? `the CPU limit ${spec.cores} cores` : `the memory limit ${spec.mib} MiB`;
    return `${spec.kind} on a cluster sets ${what} on bindy's Deployment ${o.deployment.namespace}/${o.deployment.name} (its pods roll), a thing the run did not create: allow it with --allow-cluster-changes (scenarios.chaos.allowClusterChanges); the change is journalled and undone`;
  }
  return undefined;
}

/** Puts the resources of before back (idempotent), waits for the rollout; refuses another API server, leaves an edit made meanwhile alone. */
export async function revertDeploymentLimits(d: DeploymentLimitsRevertDescriptor, kubeConfig: KubeConfig, o: { rolloutTimeoutMs?: number; pollMs?: number } = {}): Promise<RevertOutcome> {
  try {
    const { mechanism: _fault, ...change } = d;
    const r = await restoreDeploymentLimits({ ...change, change: 'deployment-resources' }, kubeConfig, o);
    return { reverted: r.restored, already: r.already, detail: r.evidence };
  } catch (e) {
    return { reverted: false, already: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Proves the container's resources are those of before and the rollout is done. */
export async function verifyDeploymentLimitsReverted(d: DeploymentLimitsRevertDescriptor, kubeConfig: KubeConfig): Promise<RevertProof> {
  const checkedAt = new Date().toISOString();
  try {
    const now = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: d.namespace, name: d.name });
    const c = containerOf(now, d.container);
    const asBefore = c !== undefined && isDeepStrictEqual(c.resources, d.original);
    const r = rolloutDone(now);
    return { reverted: asBefore && r.done, checkedAt, faultCleared: asBefore, evidence: `Deployment ${d.namespace}/${d.name} container ${d.container}: resources ${JSON.stringify(c?.resources ?? null)} (before: ${JSON.stringify(d.original)}); ${r.text}` };
  } catch (e) {
    return { reverted: false, checkedAt, faultCleared: false, evidence: e instanceof Error ? e.message : String(e) };
  }
}

/** cpu-throttle and memory-pressure of the operator on bindy's Deployment. */
export class DeploymentLimitsFaultMechanism implements FaultMechanism {
  readonly name = 'deployment-limits' as const;

  constructor(private readonly o: DeploymentLimitsFaultOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    return limitsUnsupportedReason(target, spec, this.o);
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || (spec.kind !== 'cpu-limit' && spec.kind !== 'memory-limit') || this.o.deployment === null) throw new UsageError(`fault on ${target}: ${reason ?? 'not a limit'}`);
    const kc = this.o.kubeConfig;
    const ref = this.o.deployment;
    const api = kc.makeApiClient(AppsV1Api);
    const d = await api.readNamespacedDeployment(ref);
    const c = containerOf(d);
    if (c === undefined) throw new Error(`Deployment ${ref.namespace}/${ref.name} has ${d.spec?.template.spec?.containers.length ?? 0} containers and none named ${ref.name}: which one is bindy's is unclear`);
    const applied = limitedResources(c.resources, spec.kind === 'cpu-limit' ? { cpuCores: spec.cores } : { memoryMiB: spec.mib });
    const descriptor: DeploymentLimitsRevertDescriptor = { mechanism: 'deployment-limits', version: 1, server: kc.getCurrentCluster()?.server ?? '', namespace: ref.namespace, name: ref.name, container: c.name, original: c.resources, applied };
    await options.beforeApply?.(descriptor);
    const appliedAt = new Date().toISOString();
    await api.patchNamespacedDeployment({ ...ref, body: resourcesPatch(c.index, c.name, c.resources, applied) }, jsonPatch);
    // Waited for so the limit is in force (the pods rolled) when the experiment's "during" starts.
    await waitRollout(api, ref, this.o);
    const revertOptions = { ...(this.o.rolloutTimeoutMs === undefined ? {} : { rolloutTimeoutMs: this.o.rolloutTimeoutMs }), ...(this.o.pollMs === undefined ? {} : { pollMs: this.o.pollMs }) };
    return {
      id: `deployment-limits-${ref.name}`,
      target,
      spec,
      appliedAt,
      descriptor,
      revert: () => revertDeploymentLimits(descriptor, kc, revertOptions),
      verifyReverted: () => verifyDeploymentLimitsReverted(descriptor, kc),
    };
  }
}
