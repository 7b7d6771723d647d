/**
 * @module Reverting a fault from its journalled descriptor alone (what `cleanup` does after the
 * tool was killed): dispatch on the mechanism, revert, then prove it. A cluster mechanism's
 * descriptor needs that cluster's kubeconfig.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { RevertDescriptor, RevertOutcome, RevertProof } from './fault.js';
import { revertProxyFault, verifyProxyFaultReverted } from './proxy/mechanism.js';
import { revertProcessFault, verifyProcessFaultReverted } from './process/mechanism.js';
import { revertChaosMesh, verifyChaosMeshReverted } from './chaos-mesh/mechanism.js';
import { revertPodDelete, verifyPodDeleteReverted } from './native/pod-delete.js';
import { revertDeploymentReplica, verifyDeploymentReplicaReverted } from './native/deployment-replica.js';
import { revertDeploymentLimits, verifyDeploymentLimitsReverted } from './native/deployment-limits-fault.js';
import { revertPodZoneCorruption, verifyPodZoneCorruptionReverted } from './native/pod-zone-corruption.js';
import { revertSidecarFault, verifySidecarFaultReverted } from './sidecar/mechanism.js';
import { revertFlowControl, verifyFlowControlReverted } from './flowcontrol/throttle.js';
import { revertCgroupLimit, verifyCgroupLimitReverted } from './limits/part-limits.js';
import { revertFdLimit, verifyFdLimitReverted } from './limits/fd-limit.js';
import { revertDiskFull, verifyDiskFullReverted } from './storage/disk-full.js';
import { revertZoneCorruption, verifyZoneCorruptionReverted } from './storage/zone-corruption.js';
import { revertQuota, verifyQuotaReverted } from './quota/object-quota.js';
import { revertReplica, verifyReplicaReverted } from './process/replica.js';

/** What reverting one descriptor did, and the proof that followed. */
export interface DescriptorRevert {
  readonly descriptor: RevertDescriptor;
  readonly outcome: RevertOutcome;
  readonly proof: RevertProof;
}

/** Where a revert may act: the cluster's kubeconfig, for the cluster mechanisms. */
export interface RevertContext {
  readonly kubeConfig?: KubeConfig;
}

/** Reverts the fault `descriptor` names (idempotent) and checks it is gone. */
export async function revertFromDescriptor(descriptor: RevertDescriptor, context: RevertContext = {}): Promise<DescriptorRevert> {
  switch (descriptor.mechanism) {
    case 'sandbox-proxy': {
      const outcome = await revertProxyFault(descriptor);
      return { descriptor, outcome, proof: await verifyProxyFaultReverted(descriptor) };
    }
    case 'sandbox-process': {
      const outcome = await revertProcessFault(descriptor);
      return { descriptor, outcome, proof: await verifyProcessFaultReverted(descriptor) };
    }
    case 'sandbox-sidecar': {
      const outcome = await revertSidecarFault(descriptor);
      return { descriptor, outcome, proof: await verifySidecarFaultReverted(descriptor) };
    }
    case 'api-flowcontrol': {
      const outcome = await revertFlowControl(descriptor);
      return { descriptor, outcome, proof: await verifyFlowControlReverted(descriptor) };
    }
    case 'sandbox-cgroup': {
      const outcome = await revertCgroupLimit(descriptor);
      return { descriptor, outcome, proof: await verifyCgroupLimitReverted(descriptor) };
    }
    case 'sandbox-rlimit': {
      const outcome = await revertFdLimit(descriptor);
      return { descriptor, outcome, proof: await verifyFdLimitReverted(descriptor) };
    }
    case 'sandbox-disk': {
      const outcome = await revertDiskFull(descriptor);
      return { descriptor, outcome, proof: await verifyDiskFullReverted(descriptor) };
    }
    case 'sandbox-zonefile': {
      const outcome = await revertZoneCorruption(descriptor);
      return { descriptor, outcome, proof: await verifyZoneCorruptionReverted(descriptor) };
    }
    case 'sandbox-replica': {
      const outcome = await revertReplica(descriptor);
      return { descriptor, outcome, proof: await verifyReplicaReverted(descriptor) };
    }
    case 'api-quota': {
      // A sandbox's quota is found from its home; a cluster's needs that cluster's kubeconfig (said when absent).
      const outcome = await revertQuota(descriptor, context.kubeConfig);
      return { descriptor, outcome, proof: await verifyQuotaReverted(descriptor, context.kubeConfig) };
    }
    case 'chaos-mesh':
    case 'cluster-native':
    case 'deployment-replica':
    case 'deployment-limits':
    case 'pod-zonefile': {
      const kc = context.kubeConfig;
      if (kc === undefined) {
        const why = `reverting it needs the cluster it was made on (${descriptor.server}): run cleanup with --target cluster and its context`;
        return { descriptor, outcome: { reverted: false, already: false, detail: why }, proof: { reverted: false, checkedAt: new Date().toISOString(), faultCleared: false, evidence: why } };
      }
      if (descriptor.mechanism === 'chaos-mesh') {
        const outcome = await revertChaosMesh(descriptor, kc);
        return { descriptor, outcome, proof: await verifyChaosMeshReverted(descriptor, kc) };
      }
      if (descriptor.mechanism === 'deployment-replica') {
        const outcome = await revertDeploymentReplica(descriptor, kc);
        return { descriptor, outcome, proof: await verifyDeploymentReplicaReverted(descriptor, kc) };
      }
      if (descriptor.mechanism === 'pod-zonefile') {
        const outcome = await revertPodZoneCorruption(descriptor, kc);
        return { descriptor, outcome, proof: await verifyPodZoneCorruptionReverted(descriptor, kc) };
      }
      if (descriptor.mechanism === 'deployment-limits') {
        const outcome = await revertDeploymentLimits(descriptor, kc);
        return { descriptor, outcome, proof: await verifyDeploymentLimitsReverted(descriptor, kc) };
      }
      const outcome = await revertPodDelete(descriptor, kc);
      return { descriptor, outcome, proof: await verifyPodDeleteReverted(descriptor, kc) };
    }
  }
}
