/** @module The Bind9Instance objects a Bind9Cluster stands for (`C-primary-<i>`, `C-secondary-<i>`), pure. */
import { bindyApiVersion, clusterLabel, roleLabel } from '../../../model/kinds.js';
import { isRecord, num, type BindyObject } from './objects.js';

function replicas(cluster: BindyObject, role: 'primary' | 'secondary'): number {
  const section = cluster.spec?.[role];
  // bindy's code defaults a missing replicas to 0 (TARGET.md), so an unset role makes no instances.
  const n = isRecord(section) ? num(section['replicas']) : undefined;
  return n === undefined || n < 0 ? 0 : Math.floor(n);
}

/**
 * The instances bindy's Bind9Cluster reconcile creates: names, labels, `spec.role` and
 * `spec.clusterRef`, owned by the cluster so deleting it deletes them.
 */
export function clusterInstances(cluster: BindyObject): BindyObject[] {
  const name = cluster.metadata?.name ?? '';
  const namespace = cluster.metadata?.namespace ?? '';
  const out: BindyObject[] = [];
  for (const role of ['primary', 'secondary'] as const) {
    for (let i = 0; i < replicas(cluster, role); i++) {
      out.push({
        apiVersion: bindyApiVersion,
        kind: 'Bind9Instance',
        metadata: {
          name: `${name}-${role}-${i}`,
          namespace,
          labels: { [clusterLabel]: name, [roleLabel]: role },
          ...(cluster.metadata?.uid === undefined
            ? {}
            : { ownerReferences: [{ apiVersion: bindyApiVersion, kind: 'Bind9Cluster', name, uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true }] }),
        },
        spec: { clusterRef: name, role, replicas: 1 },
      });
    }
  }
  return out;
}
