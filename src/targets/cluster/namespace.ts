/** @module The test namespace: the label that marks it as the tool's own, and creating it (labelled) when absent. */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

/** Label the tool puts on a namespace it creates; the preflight refuses a namespace without it (DESIGN.md "Safety"). */
export const managedNamespaceLabel = 'loadtest.bindy.firestoned.io/managed-by';
/** Value of {@link managedNamespaceLabel}. */
export const managedNamespaceValue = 'bindy-loadtest';

/** True when `labels` mark the namespace as created by this tool. */
export function isManagedNamespace(labels: Readonly<Record<string, string>>): boolean {
  return labels[managedNamespaceLabel] === managedNamespaceValue;
}

/**
 * Creates `name` with the tool's label unless it exists; returns true when it created it. The
 * namespace outlives the run (deleting it would wait for every finalizer of every object in it),
 * so later runs find it labelled and reuse it.
 */
export async function ensureNamespace(kc: KubeConfig, name: string): Promise<boolean> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.readNamespace({ name });
    return false;
  } catch (e) {
    if (!(e instanceof ApiException) || e.code !== 404) throw e;
  }
  try {
    await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [managedNamespaceLabel]: managedNamespaceValue } } } });
    return true;
  } catch (e) {
    // Created meanwhile by someone else (another run): it exists, which is all we need here.
    if (e instanceof ApiException && e.code === 409) return false;
    throw e;
  }
}
