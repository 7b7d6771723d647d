/**
 * @module Record reconcile, as bindy's `src/reconcilers/records/mod.rs`: finalizer first; a record
 * without `status.zoneRef` is NotSelected; otherwise find the zone, its primaries, publish the
 * RRset by TSIG-signed UPDATE straight to named, stamp the zone's `status.records[]` (0.6.2; the 0.8
 * line leaves that to the zone: ProfileRules.recordStamps), write status.
 */
import { kindInfo, type RecordKind } from '../../../model/kinds.js';
import { applyUpdate } from '../dns-update/update-client.js';
import { DnsUpdateError } from '../dns-update/update-error.js';
import { recordMessages, recordStatus, rfc3339, type RecordOutcome } from './conditions.js';
import type { ReconcileContext, ReconcileResult } from './context.js';
import { arr, isRecord, num, str, type BindyObject } from './objects.js';
import { displayAddresses, ownerName, recordHash, recordRrset } from './rrset.js';
import { instanceRole, recordZoneRef, selectInstances } from './selection.js';

async function writeStatus(ctx: ReconcileContext, kind: RecordKind, record: BindyObject, o: RecordOutcome): Promise<void> {
  const now = ctx.now();
  const ns = record.metadata?.namespace ?? '';
  const name = record.metadata?.name ?? '';
  // bindy re-reads the object before deciding whether the status changed.
  const current = (await ctx.api.get(kind, ns, name)) ?? record;
  const next = recordStatus(current.status, o, now);
  if (next === undefined) return;
  await ctx.api.patchStatus(kind, ns, name, next);
  await ctx.api.event(record, o.ready ? 'Normal' : 'Warning', o.reason, o.message, now);
}

function fail(generation: number | undefined, reason: RecordOutcome['reason'], message: string): RecordOutcome {
  return { ready: false, reason, message, generation };
}

/** NOTAUTH and NOTZONE: the server no longer serves the zone, so the RRset is gone with it. */
const zoneNotServed = new Set([9, 10]);

/**
 * Removes the record's RRset from the zone it was published in (bindy's delete_record). Nothing to
 * remove when the zone is gone, is itself being deleted (its deletion removes the whole zone from
 * the servers), or is no longer served; holding the finalizer for a 30 s error requeue in those
 * cases would only delay the record's deletion.
 */
async function unpublish(ctx: ReconcileContext, kind: RecordKind, record: BindyObject): Promise<void> {
  const ref = recordZoneRef(record);
  const type = kindInfo[kind].rrType;
  if (ref === undefined || type === undefined) return;
  const zone = await ctx.api.get('DNSZone', ref.namespace, ref.name);
  if (zone === undefined || zone.metadata?.deletionTimestamp !== undefined) return;
  const primaries = selectInstances(zone, ctx.caches.list('Bind9Instance', ref.namespace)).filter((i) => instanceRole(i) === 'primary');
  const published = str(record.status?.['publishedName']) ?? str(record.spec?.['name']) ?? record.metadata?.name ?? '';
  for (let i = 0; i < primaries.length; i++) {
    try {
      await applyUpdate(ctx.dns, ref.zoneName, [{ op: 'delete', name: ownerName(published, ref.zoneName), type }]);
    } catch (error) {
      if (error instanceof DnsUpdateError && error.rcode !== undefined && zoneNotServed.has(error.rcode)) return;
      throw error;
    }
  }
}

/** Sets `lastReconciledAt` of this record in the zone's `status.records[]` (bindy's update_record_reconciled_timestamp). */
async function stampZone(ctx: ReconcileContext, zoneNs: string, zoneName: string, kind: RecordKind, name: string): Promise<void> {
  const zone = await ctx.api.get('DNSZone', zoneNs, zoneName);
  if (zone === undefined) return;
  const at = rfc3339(ctx.now());
  let found = false;
  const records = arr(zone.status?.['records']).map((r) => {
    if (isRecord(r) && r['kind'] === kind && r['name'] === name) {
      found = true;
      return { ...r, lastReconciledAt: at };
    }
    return r;
  });
  if (found) await ctx.api.patchStatus('DNSZone', zoneNs, zoneName, { records });
}

/** One reconcile of a record of `kind`. */
export async function reconcileRecord(ctx: ReconcileContext, kind: RecordKind, namespace: string, name: string): Promise<ReconcileResult & { deleted?: boolean }> {
  const record = ctx.caches.get(kind, namespace, name);
  if (record === undefined) return { ready: true };
  const finalizer = kindInfo[kind].finalizer;
  const finalizers = record.metadata?.finalizers ?? [];
  if (record.metadata?.deletionTimestamp !== undefined) {
    if (!finalizers.includes(finalizer)) return { ready: true };
    await unpublish(ctx, kind, record);
    await ctx.api.removeFinalizer(kind, record, finalizer);
    return { ready: true, deleted: true };
  }
  if (!finalizers.includes(finalizer)) {
    // kube-runtime's finalizer helper: add it, then wait for the change to come back as an event.
    await ctx.api.addFinalizer(kind, record, finalizer);
    return { ready: true };
  }

  const generation = record.metadata?.generation;
  const observed = num(record.status?.['observedGeneration']);
  const ref = recordZoneRef(record);
  if (ref === undefined) {
    // bindy skips when the spec is unchanged and it already said NotSelected.
    if (observed !== undefined && observed === generation) return { ready: false };
    await writeStatus(ctx, kind, record, fail(generation, 'NotSelected', recordMessages.notSelected));
    return { ready: false };
  }

  const zone = await ctx.api.get('DNSZone', ref.namespace, ref.name);
  if (zone === undefined) {
    await writeStatus(ctx, kind, record, fail(generation, 'ZoneNotFound', recordMessages.zoneNotFound(ref.namespace, ref.name, 'NotFound')));
    return { ready: false, failed: true };
  }
  const instances = selectInstances(zone, ctx.caches.list('Bind9Instance', ref.namespace));
  if (instances.length === 0) {
    await writeStatus(ctx, kind, record, fail(generation, 'ZoneNotConfigured', recordMessages.zoneNotConfigured('no Bind9Instance matches spec.bind9InstancesFrom')));
    return { ready: false, failed: true };
  }
  const primaries = instances.filter((i) => instanceRole(i) === 'primary');
  if (primaries.length === 0) {
    await writeStatus(ctx, kind, record, fail(generation, 'NoPrimaryInstances', recordMessages.noPrimaryInstances));
    return { ready: false, failed: true };
  }

  const spec = record.spec ?? {};
  const built = recordRrset(kind, spec, ref.zoneName);
  const type = kindInfo[kind].rrType ?? '';
  try {
    if (!built.ok) throw new Error(built.error);
    // A renamed record: the old owner name goes first (bindy's detect_renamed_record).
    const published = str(record.status?.['publishedName']);
    const specName = str(spec['name']) ?? '';
    for (const _primary of primaries) {
      const ops = [
        ...(published !== undefined && published !== specName ? [{ op: 'delete' as const, name: ownerName(published, ref.zoneName), type: built.rrset.type }] : []),
        { op: 'replace' as const, rrset: built.rrset },
      ];
      // The sandbox maps every primary to the one named: one UPDATE per primary, as bindy sends.
      await applyUpdate(ctx.dns, ref.zoneName, ops);
    }
  } catch (error) {
    await writeStatus(ctx, kind, record, fail(generation, 'ReconcileFailed', recordMessages.failed(error instanceof Error ? error.message : String(error))));
    return { ready: false, failed: true };
  }
  // 0.8: the zone copies the record's lastUpdated itself when the record's status change wakes it.
  if (ctx.recordStamps !== 'zone') await stampZone(ctx, ref.namespace, ref.name, kind, name);
  const addresses = displayAddresses(kind, spec);
  await writeStatus(ctx, kind, record, {
    ready: true,
    reason: 'ReconcileSucceeded',
    message: recordMessages.succeeded(type, ref.zoneName),
    generation,
    recordHash: recordHash(spec),
    ...(addresses === undefined ? {} : { addresses }),
    publishedName: str(spec['name']) ?? '',
  });
  return { ready: true };
}
