/**
 * @module Native cluster faults (`cluster-native`), for a cluster without Chaos Mesh: a kill is a
 * pod delete (grace 0 for SIGKILL), which the pods' Deployment answers with new pods. Nothing is
 * left to undo; the revert waits for the proof: the deleted pods gone and as many pods Ready as
 * before. Every other fault is "not available on this cluster without Chaos Mesh".
 */
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { KubeClient, type KubeObject } from '../../observe/kube-client.js';
import { ObjectFollower } from '../../observe/object-follower.js';
import type { AppliedFault, ApplyOptions, FaultMechanism, FaultSpec, PodDeleteRevertDescriptor, RevertOutcome, RevertProof } from '../fault.js';
import { clusterSite, labelSelectorText, type ClusterSiteFacts } from '../chaos-mesh/sites.js';

/** Bound on waiting for the replacement pods, ms. */
const defaultReadyTimeoutMs = 180_000;

/** Why a native cluster fault cannot do `spec` on `target` (pure), or undefined when it can. */
export function nativeUnsupportedReason(target: string, spec: FaultSpec, facts: ClusterSiteFacts): string | undefined {
  const site = clusterSite(target, facts);
  if (typeof site === 'string') return site;
  const without = 'not available on this cluster without Chaos Mesh (install it: deploy/loadtest/chaos-mesh-values.yaml; natively only a kill, by pod delete)';
  if (spec.kind !== 'kill' || site.site === 'link') return `${spec.kind} on ${target} is ${without}`;
  if (site.container !== undefined && spec.loseData !== true) {
    return `kill of ${target} alone (container ${site.container}) is ${without}: a pod delete takes every container and its data (named: zoneData=lose does that)`;
  }
  return undefined;
}

/** True when a pod is Ready (condition Ready=True) and not being deleted (pure). */
export function podReady(p: { metadata?: { deletionTimestamp?: unknown }; status?: unknown }): boolean {
  if (p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null) return false;
  const st = p.status;
  if (typeof st !== 'object' || st === null) return false;
  const conds = (st as { conditions?: unknown }).conditions;
  return Array.isArray(conds) && conds.some((c: unknown) => typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'Ready' && (c as { status?: unknown }).status === 'True');
}

/** Whether the pods a descriptor deleted are replaced (pure): none of their uids left, at least as many Ready as before. */
export function replaced(d: PodDeleteRevertDescriptor, pods: readonly KubeObject[]): { done: boolean; text: string } {
  const deleted = new Set(d.pods.map((p) => p.uid));
  const left = pods.filter((p) => deleted.has(p.metadata.uid ?? ''));
  const ready = pods.filter((p) => podReady(p)).length;
  return { done: left.length === 0 && ready >= d.readyBefore, text: `${left.length} of ${d.pods.length} deleted pod(s) still there; ${ready} of ${d.readyBefore} Ready (${d.labelSelector} in ${d.namespace})` };
}

/** Waits for the deleted pods to be replaced (nothing to undo: their controller makes new ones); safe to repeat. */
export async function revertPodDelete(d: PodDeleteRevertDescriptor, kubeConfig: KubeConfig, options: { timeoutMs?: number } = {}): Promise<RevertOutcome> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server !== d.server) return { reverted: false, already: false, detail: `the pods were deleted on ${d.server}; this kubeconfig points at ${server || '(none)'}` };
  const client = new KubeClient({ kubeConfig });
  const pods = new Map<string, KubeObject>();
  let settle: (r: RevertOutcome) => void = () => undefined;
  const done = new Promise<RevertOutcome>((resolve) => {
    settle = resolve;
  });
  const check = (): void => {
    const r = replaced(d, [...pods.values()]);
    if (r.done) settle({ reverted: true, already: false, detail: `replaced: ${r.text}` });
  };
  const follower = new ObjectFollower({
    client,
    kind: 'Pod',
    namespace: d.namespace,
    select: { labelSelector: d.labelSelector },
    onObject: (p) => {
      pods.set(p.metadata.name ?? '', p);
      check();
    },
    onDeleted: (p) => {
      pods.delete(p.metadata.name ?? '');
      check();
    },
  });
  const timer = setTimeout(() => settle({ reverted: false, already: false, detail: `not replaced within ${Math.round((options.timeoutMs ?? defaultReadyTimeoutMs) / 1000)} s: ${replaced(d, [...pods.values()]).text}` }), options.timeoutMs ?? defaultReadyTimeoutMs);
  try {
    await follower.start();
    check();
    return await done;
  } catch (e) {
    return { reverted: false, already: false, detail: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
    follower.stop();
    client.close();
  }
}

/** Checks the pods are replaced now (one read). */
export async function verifyPodDeleteReverted(d: PodDeleteRevertDescriptor, kubeConfig: KubeConfig): Promise<RevertProof> {
  const client = new KubeClient({ kubeConfig });
  try {
    const r = await client.list('Pod', d.namespace, d.labelSelector);
    const checkedAt = new Date().toISOString();
    if (!r.ok) return { reverted: false, checkedAt, faultCleared: false, evidence: `list pods ${d.labelSelector}: ${r.error.message}` };
    const x = replaced(d, r.value.items);
    return { reverted: x.done, checkedAt, faultCleared: x.done, evidence: x.text };
  } finally {
    client.close();
  }
}

/** Options of {@link NativeClusterFaults}. */
export interface NativeClusterFaultsOptions {
  readonly kubeConfig: KubeConfig;
  readonly facts: ClusterSiteFacts;
  readonly readyTimeoutMs?: number;
}

/** Kills by pod delete behind the one fault interface (the fallback without Chaos Mesh). */
export class NativeClusterFaults implements FaultMechanism {
  readonly name = 'cluster-native' as const;

  constructor(private readonly options: NativeClusterFaultsOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    return nativeUnsupportedReason(target, spec, this.options.facts);
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined) throw new UsageError(`fault on ${target}: ${reason}`);
    const site = clusterSite(target, this.options.facts);
    if (typeof site === 'string' || site.site !== 'part') throw new UsageError(`fault on ${target}: not a part`);
    const kc = this.options.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const labelSelector = labelSelectorText(site.pods.labels);
    const list = await core.listNamespacedPod({ namespace: site.pods.namespace, labelSelector });
    const live = list.items.filter((p: V1Pod) => p.metadata?.deletionTimestamp === undefined || p.metadata.deletionTimestamp === null).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const chosen = site.pods.mode === 'all' ? live : live.slice(0, 1);
    if (chosen.length === 0) throw new Error(`no pod of ${target} to kill (${labelSelector} in ${site.pods.namespace})`);
    const descriptor: PodDeleteRevertDescriptor = {
      mechanism: 'cluster-native',
      version: 1,
      server: kc.getCurrentCluster()?.server ?? '',
      namespace: site.pods.namespace,
      labelSelector,
      pods: chosen.map((p) => ({ name: p.metadata?.name ?? '', uid: p.metadata?.uid ?? '' })),
      readyBefore: live.filter((p) => podReady(p)).length,
    };
    await options.beforeApply?.(descriptor);
    const appliedAt = new Date().toISOString();
    // SIGKILL: no grace period, as the process mechanism kills; SIGTERM: the pod's own grace period.
    const grace = spec.kind === 'kill' && spec.signal === 'SIGTERM' ? {} : { gracePeriodSeconds: 0 };
    for (const p of descriptor.pods) await core.deleteNamespacedPod({ name: p.name, namespace: descriptor.namespace, ...grace });
    const timeoutMs = this.options.readyTimeoutMs;
    return {
      id: `pod-delete-${descriptor.pods[0]?.uid ?? 'none'}`,
      target,
      spec,
      appliedAt,
      descriptor,
      revert: () => revertPodDelete(descriptor, kc, timeoutMs === undefined ? {} : { timeoutMs }),
      verifyReverted: () => verifyPodDeleteReverted(descriptor, kc),
    };
  }
}
