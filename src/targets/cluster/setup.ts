/** @module Target setup shared by both targets: the labelled namespace and the Bind9Cluster, waited for by watch. */
import { performance } from 'node:perf_hooks';
import { TargetNotReadyError } from '../../errors.js';
import type { KubeClient } from '../../observe/kube-client.js';
import { WatchTracker } from '../../observe/watch-tracker.js';
import type { SetupReport, TargetSetup } from '../target.js';
import { ensureNamespace } from './namespace.js';

/** Options of {@link setupTarget}. */
export interface SetupOptions {
  client: KubeClient;
  /** Create the Bind9Cluster when it is absent (sandbox always; a cluster only with --create-cluster). */
  createCluster: boolean;
}

/**
 * Creates the namespace (labelled) when absent, creates the Bind9Cluster when absent and allowed,
 * then waits until it shows `Ready=True`, watching (never polling) and bounded by `timeoutMs`.
 */
export async function setupTarget(s: TargetSetup, o: SetupOptions): Promise<SetupReport> {
  const namespaceCreated = await ensureNamespace(o.client.kubeConfig, s.namespace);
  const name = s.cluster.metadata.name;
  // A plain watch of the namespace's Bind9Clusters (there are few); the run-id label is not used
  // because a cluster made by someone else is just as good.
  const tracker = new WatchTracker({ client: o.client, kinds: ['Bind9Cluster'], namespace: s.namespace, labelSelector: '' });
  const t0 = performance.now();
  try {
    await tracker.start();
    const live = (): boolean => tracker.records().some((r) => r.name === name && r.deletedMs === null);
    const ready = (): boolean => tracker.records().some((r) => r.name === name && r.deletedMs === null && r.lastCondition?.status === 'True');
    let clusterCreated = false;
    if (!live()) {
      if (!o.createCluster) throw new TargetNotReadyError(`no Bind9Cluster ${s.namespace}/${name}`, { hint: 'pass --create-cluster' });
      s.beforeCreate?.(s.cluster);
      const r = await o.client.create(s.cluster);
      if (!r.ok && r.error.status !== 409) {
        throw new TargetNotReadyError(`cannot create Bind9Cluster ${s.namespace}/${name}: HTTP ${r.error.status} ${r.error.reason}: ${r.error.message}`);
      }
      clusterCreated = r.ok;
    }
    if (ready()) return { namespaceCreated, clusterCreated, clusterReadyMs: 0 };
    const outcome = await tracker.waitUntil(ready, s.timeoutMs, s.signal);
    if (outcome === 'timeout') {
      throw new TargetNotReadyError(`Bind9Cluster ${s.namespace}/${name} did not become Ready within ${Math.round(s.timeoutMs / 1000)} s`, {
        hint: 'is the bindy operator running? (for the sandbox: bindy-loadtest sandbox status)',
      });
    }
    return { namespaceCreated, clusterCreated, clusterReadyMs: performance.now() - t0 };
  } finally {
    tracker.stop();
  }
}
