/**
 * @module Chaos Mesh as a {@link FaultMechanism} on a cluster (`chaos-mesh`): the experiment for a
 * fault is built (build.ts), journalled, created in the run's namespace with the run-id label and
 * a `duration` dead-man, and waited for until Chaos Mesh reports it injected. The revert deletes
 * it; the proof is the object gone (Chaos Mesh's finalizer `chaos-mesh/records` holds it until
 * every target is recovered) with the recovered records last seen. Everything a revert needs is in
 * the descriptor, so `cleanup` after a SIGKILL deletes what a run left.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { KubeClient, type KubeObject } from '../../observe/kube-client.js';
import type { AppliedFault, ApplyOptions, ChaosMeshRevertDescriptor, FaultMechanism, FaultSpec, RevertOutcome, RevertProof } from '../fault.js';
import { buildChaos, chaosNotServedReason, chaosObjectName, chaosUnsupportedReason } from './build.js';
import { clusterSite, type ClusterSiteFacts } from './sites.js';
import { chaosState, chaosStateText } from './status.js';
import { waitForObject, type WaitVerdict } from './wait.js';

/** Dead-man of a fault that names no duration: Chaos Mesh ends it after 10 minutes whatever happens to the tool. */
export const defaultChaosDurationMs = 600_000;

/** Bound on waiting for Chaos Mesh to inject, ms. */
const defaultInjectTimeoutMs = 60_000;

/** Bound on waiting for a deleted experiment to be gone (its records recovered), ms. */
const defaultRecoverTimeoutMs = 120_000;

/** Options of {@link ChaosMeshMechanism}. */
export interface ChaosMeshMechanismOptions {
  readonly kubeConfig: KubeConfig;
  /** Where experiments are created (the run's namespace). */
  readonly namespace: string;
  readonly runId: string;
  /** Where bindy's parts are (sites.ts). */
  readonly facts: ClusterSiteFacts;
  readonly injectTimeoutMs?: number;
  readonly recoverTimeoutMs?: number;
  /** The plurals chaos-mesh.org/v1alpha1 serves (the preflight's read); absent: not checked. */
  readonly served?: readonly string[];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '';
}

/** Refuses to act on another cluster than the descriptor's. */
function otherCluster(d: ChaosMeshRevertDescriptor, kc: KubeConfig): string | undefined {
  const server = serverOf(kc);
  return server === d.server ? undefined : `${d.kind} ${d.namespace}/${d.name} was created on ${d.server}; this kubeconfig points at ${server || '(none)'}: run cleanup with the context of that cluster`;
}

/** Deletes the experiment a descriptor names and waits until it is gone (its targets recovered); safe to repeat. */
export async function revertChaosMesh(d: ChaosMeshRevertDescriptor, kubeConfig: KubeConfig, options: { timeoutMs?: number } = {}): Promise<RevertOutcome> {
  const other = otherCluster(d, kubeConfig);
  if (other !== undefined) return { reverted: false, already: false, detail: other };
  const client = new KubeClient({ kubeConfig });
  try {
    const del = await client.delete(d.kind, d.namespace, d.name);
    const already = !del.ok && del.error.status === 404;
    if (!del.ok && !already) return { reverted: false, already: false, detail: `delete ${d.kind} ${d.namespace}/${d.name}: ${del.error.message}` };
    let lastState = '';
    const gone = await waitForObject(client, d.kind, d.namespace, d.name, (o) => {
      if (o !== null) lastState = chaosStateText(chaosState(o));
      return { done: o === null };
    }, options.timeoutMs ?? defaultRecoverTimeoutMs);
    if (gone.outcome !== 'done') {
      return { reverted: false, already: false, detail: `${d.kind} ${d.namespace}/${d.name} deleted but still there (${gone.detail}; Chaos Mesh's finalizer chaos-mesh/records waits for every target to recover: ${lastState || 'no status'})` };
    }
    return { reverted: true, already, detail: already ? `${d.kind} ${d.namespace}/${d.name} was already gone` : `${d.kind} ${d.namespace}/${d.name} deleted and gone${lastState === '' ? '' : ` (last seen: ${lastState})`}` };
  } catch (e) {
    return { reverted: false, already: false, detail: `${d.kind} ${d.namespace}/${d.name}: ${message(e)}` };
  } finally {
    client.close();
  }
}

/** Checks that the experiment is gone from the API (so Chaos Mesh recovered every target it had). */
export async function verifyChaosMeshReverted(d: ChaosMeshRevertDescriptor, kubeConfig: KubeConfig): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  const other = otherCluster(d, kubeConfig);
  if (other !== undefined) return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: other };
  const client = new KubeClient({ kubeConfig });
  try {
    const r = await client.get(d.kind, d.namespace, d.name);
    if (!r.ok) return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: `get ${d.kind} ${d.namespace}/${d.name}: ${r.error.message}` };
    if (r.value === null) return { reverted: true, checkedAt: checkedAt(), faultCleared: true, evidence: `${d.kind} ${d.namespace}/${d.name} is gone from the API (Chaos Mesh releases it only once every target is recovered)` };
    const s = chaosState(r.value);
    const deleting = r.value.metadata.deletionTimestamp !== undefined;
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: `${d.kind} ${d.namespace}/${d.name} still exists${deleting ? ' (being deleted)' : ''}: ${chaosStateText(s)}` };
  } finally {
    client.close();
  }
}

/** Chaos Mesh experiments behind the one fault interface. */
export class ChaosMeshMechanism implements FaultMechanism {
  readonly name = 'chaos-mesh' as const;
  readonly deadMan = true;

  constructor(private readonly options: ChaosMeshMechanismOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    const site = clusterSite(target, this.options.facts);
    const why = typeof site === 'string' ? site : chaosUnsupportedReason(spec, site);
    return why ?? (this.options.served === undefined ? undefined : chaosNotServedReason(spec, this.options.served));
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const site = clusterSite(target, this.options.facts);
    if (typeof site === 'string') throw new UsageError(`fault on ${target}: ${site}`);
    const o = this.options;
    // The fault's key is unknown here: the object's name carries a fresh suffix, unique within the run.
    const key = `f${Date.now().toString(36)}`;
    const built = buildChaos(spec, site, { name: chaosObjectName(o.runId, `${target}-${key}`), namespace: o.namespace, runId: o.runId, key, durationMs: spec.durationMs ?? defaultChaosDurationMs });
    const kind = built.object.kind;
    const descriptor: ChaosMeshRevertDescriptor = { mechanism: 'chaos-mesh', version: 1, server: serverOf(o.kubeConfig), kind, namespace: o.namespace, name: built.object.metadata.name };
    await options.beforeApply?.(descriptor);
    const client = new KubeClient({ kubeConfig: o.kubeConfig });
    try {
      const created = await client.create(built.object);
      if (!created.ok) throw new Error(`create ${kind} ${o.namespace}/${descriptor.name}: ${created.error.message}`);
      // Injected means in force: Chaos Mesh says so per target (records) and for all (AllInjected).
      const decide = (obj: KubeObject | null): WaitVerdict => {
        if (obj === null) return { failed: `${kind} ${o.namespace}/${descriptor.name} disappeared before it was injected` };
        const s = chaosState(obj);
        if (s.injected) return { done: true };
        if (s.nothingSelected) return { failed: `Chaos Mesh selected no target (${built.text}): ${chaosStateText(s)}` };
        return { done: false };
      };
      const w = await waitForObject(client, kind, o.namespace, descriptor.name, decide, o.injectTimeoutMs ?? defaultInjectTimeoutMs);
      if (w.outcome !== 'done') {
        const s = w.last === null ? null : chaosState(w.last);
        const why = s === null ? w.detail : `${w.detail}; ${chaosStateText(s)}${s.failures.length > 0 ? `; ${s.failures.slice(-3).join('; ')}` : ''}`;
        throw new Error(`${built.text}: not injected: ${why}`);
      }
    } finally {
      client.close();
    }
    const appliedAt = new Date();
    const durationMs = spec.durationMs ?? defaultChaosDurationMs;
    const recoverTimeoutMs = o.recoverTimeoutMs;
    return {
      id: descriptor.name,
      target,
      spec,
      appliedAt: appliedAt.toISOString(),
      expiresAt: new Date(appliedAt.getTime() + durationMs).toISOString(),
      descriptor,
      revert: () => revertChaosMesh(descriptor, o.kubeConfig, recoverTimeoutMs === undefined ? {} : { timeoutMs: recoverTimeoutMs }),
      verifyReverted: () => verifyChaosMeshReverted(descriptor, o.kubeConfig),
    };
  }
}
