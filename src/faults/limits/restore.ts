/** @module Restoring a change from its journalled descriptor alone (what `cleanup` does after the tool was killed). */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ChangeDescriptor, RestoreOutcome } from './change.js';
import { restoreDeploymentLimits } from './deployment-limits.js';
import { restoreSandboxLimits } from './sandbox-limits.js';

/** Restores the change `d` names (idempotent) and proves it; a cluster change needs the cluster's kubeconfig. */
export async function restoreFromDescriptor(d: ChangeDescriptor, kubeConfig: KubeConfig | undefined): Promise<RestoreOutcome> {
  switch (d.change) {
    case 'sandbox-operator-limits':
      return restoreSandboxLimits(d);
    case 'deployment-resources':
      if (kubeConfig === undefined) return { restored: false, already: false, evidence: `restoring Deployment ${d.namespace}/${d.name} needs the cluster (${d.server}): run cleanup with --target cluster` };
      return restoreDeploymentLimits(d, kubeConfig);
  }
}
