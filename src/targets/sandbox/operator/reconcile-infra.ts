/**
 * @module Bind9Cluster and Bind9Instance reconciles of the twin: a cluster creates its
 * `C-primary-<i>`/`C-secondary-<i>` instances; an instance is Ready when the named it maps to
 * answers DNS (the sandbox maps every primary to the one local named, secondary i to its i-th
 * secondary named, and a secondary beyond those to nothing: never Ready).
 */
import { kindInfo } from '../../../model/kinds.js';
import { udpQuery } from '../bind9/udp-query.js';
import { clusterInstances } from './cluster-instances.js';
import { conditionsChanged, readConditions, setCondition } from './conditions.js';
import type { ReconcileContext, ReconcileResult } from './context.js';
import { num } from './objects.js';
import { secondaryServerOf } from './reconcile-zone.js';
import { instanceRole } from './selection.js';

/** One reconcile of a Bind9Cluster. */
export async function reconcileCluster(ctx: ReconcileContext, namespace: string, name: string): Promise<ReconcileResult & { deleted?: boolean }> {
  const cluster = ctx.caches.get('Bind9Cluster', namespace, name);
  if (cluster === undefined) return { ready: true };
  const finalizer = kindInfo.Bind9Cluster.finalizer;
  const finalizers = cluster.metadata?.finalizers ?? [];
  const wanted = clusterInstances(cluster);
  if (cluster.metadata?.deletionTimestamp !== undefined) {
    if (!finalizers.includes(finalizer)) return { ready: true };
    for (const i of wanted) await ctx.api.delete('Bind9Instance', namespace, i.metadata?.name ?? '');
    await ctx.api.removeFinalizer('Bind9Cluster', cluster, finalizer);
    return { ready: true, deleted: true };
  }
  if (!finalizers.includes(finalizer)) {
    await ctx.api.addFinalizer('Bind9Cluster', cluster, finalizer);
    return { ready: true };
  }
  for (const i of wanted) {
    if (ctx.caches.get('Bind9Instance', namespace, i.metadata?.name ?? '') === undefined) await ctx.api.create('Bind9Instance', i);
  }
  const ready = wanted.filter((i) => readConditions(ctx.caches.get('Bind9Instance', namespace, i.metadata?.name ?? '')?.status).some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const now = ctx.now();
  const current = readConditions(cluster.status);
  const all = ready === wanted.length;
  const conditions = setCondition(
    current,
    all
      ? { type: 'Ready', status: 'True', reason: 'AllReady', message: `All ${wanted.length} instances are ready` }
      : { type: 'Ready', status: 'False', reason: ready === 0 ? 'NotReady' : 'PartiallyReady', message: `${ready}/${wanted.length} instances are ready` },
    now,
  );
  if (conditionsChanged(current, conditions) || num(cluster.status?.['instanceCount']) !== wanted.length || num(cluster.status?.['readyInstances']) !== ready) {
    await ctx.api.patchStatus('Bind9Cluster', namespace, name, {
      conditions,
      observedGeneration: cluster.metadata?.generation,
      instanceCount: wanted.length,
      readyInstances: ready,
      instances: wanted.map((i) => i.metadata?.name ?? ''),
    });
  }
  return { ready: all };
}

/** One reconcile of a Bind9Instance: its Ready condition follows named's health. */
export async function reconcileInstance(ctx: ReconcileContext, namespace: string, name: string): Promise<ReconcileResult & { deleted?: boolean }> {
  const instance = ctx.caches.get('Bind9Instance', namespace, name);
  if (instance === undefined) return { ready: true };
  const finalizer = kindInfo.Bind9Instance.finalizer;
  const finalizers = instance.metadata?.finalizers ?? [];
  if (instance.metadata?.deletionTimestamp !== undefined) {
    if (finalizers.includes(finalizer)) await ctx.api.removeFinalizer('Bind9Instance', instance, finalizer);
    return { ready: true, deleted: finalizers.includes(finalizer) };
  }
  if (!finalizers.includes(finalizer)) {
    await ctx.api.addFinalizer('Bind9Instance', instance, finalizer);
    return { ready: true };
  }
  let healthy = false;
  let why = '';
  // A primary is the one local named; a secondary is the server of its index, if the sandbox runs one.
  // (A primary is asked where the operator sends its UPDATEs, as before: a fault on that path shows here too.)
  const server = instanceRole(instance) === 'secondary' ? secondaryServerOf(ctx, instance)?.dns : ctx.dns;
  try {
    if (server === undefined) throw new Error('no BIND9 server runs for this secondary instance (sandbox.secondaries)');
    // Any answer (REFUSED included: `version none`) proves named is up and serving.
    await udpQuery(server.port, 'version.bind', 'TXT', 1000);
    healthy = true;
  } catch (error) {
    why = error instanceof Error ? error.message : String(error);
  }
  const where = server === undefined ? 'nowhere' : `${server.host}:${server.port}`;
  const now = ctx.now();
  const current = readConditions(instance.status);
  const conditions = setCondition(
    current,
    healthy
      ? { type: 'Ready', status: 'True', reason: 'AllReady', message: `Instance ${name} is ready (named answers on ${where})` }
      : { type: 'Ready', status: 'False', reason: 'NotReady', message: `Instance ${name} is not ready: ${why}` },
    now,
  );
  if (conditionsChanged(current, conditions) || num(instance.status?.['observedGeneration']) !== instance.metadata?.generation) {
    await ctx.api.patchStatus('Bind9Instance', namespace, name, { conditions, observedGeneration: instance.metadata?.generation, serviceAddress: where });
    const c = conditions.find((x) => x.type === 'Ready');
    if (c !== undefined) await ctx.api.event(instance, healthy ? 'Normal' : 'Warning', c.reason, c.message, now);
  }
  return { ready: healthy };
}
