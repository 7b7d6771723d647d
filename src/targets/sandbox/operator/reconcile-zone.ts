/**
 * @module DNSZone reconcile, as bindy's `src/reconcilers/dnszone*`: finalizer; select instances (none:
 * no status at all); ensure the zone on every primary through bindcar; list all 8 record kinds,
 * tag every selected record's `status.zoneRef` (every time: the O(N²) cost bindy pays), untag the
 * ones no longer selected after deleting their RRset; write Ready/Degraded/Progressing and records[].
 */
import { bindyApiVersion, kindInfo, recordKinds } from '../../../model/kinds.js';
import { applyUpdate } from '../dns-update/update-client.js';
import { conditionsChanged, readConditions, zoneConditions, type ZoneOutcome } from './conditions.js';
import { queueKey, type ReconcileContext, type ReconcileResult } from './context.js';
import { arr, isRecord, num, str, type BindyObject } from './objects.js';
import { ownerName } from './rrset.js';
import { instanceRole, selectInstances, selectRecords, type KindedRecord } from './selection.js';
import { bindy062ZoneFinalizer, type CreateZoneBody } from './sidecar-client.js';

const finalizer = kindInfo.DNSZone.finalizer;

/** bindcar's create body from the zone spec (what bindy's add_dnszone sends for a primary). */
export function createZoneBody(zone: BindyObject, updateKeyName: string): CreateZoneBody {
  const spec = zone.spec ?? {};
  const soa = isRecord(spec['soaRecord']) ? spec['soaRecord'] : {};
  const nameServers: string[] = [];
  const nameServerIps: Record<string, string> = {};
  for (const ns of arr(spec['nameServers'])) {
    if (!isRecord(ns)) continue;
    const host = str(ns['hostname']);
    if (host === undefined) continue;
    nameServers.push(host);
    const ip = str(ns['ipv4Address']);
    if (ip !== undefined) nameServerIps[host] = ip;
  }
  const primaryNs = str(soa['primaryNs']);
  if (nameServers.length === 0 && primaryNs !== undefined) nameServers.push(primaryNs);
  return {
    zoneName: str(spec['zoneName']) ?? '',
    zoneType: 'primary',
    zoneConfig: { ttl: num(spec['ttl']) ?? 3600, soa, nameServers, nameServerIps },
    updateKeyName,
  };
}

/**
 * The zone's `status.bind9Instances`: every selected instance with the state of the zone on it, as
 * bindy's CRD requires (Configured on success; on failure the primaries Failed with the error and
 * the others Claimed: selected, not configured).
 */
export function instanceEntries(instances: readonly BindyObject[], outcome: ZoneOutcome, namespace: string): Record<string, unknown>[] {
  return instances.map((i) => {
    const ref = { apiVersion: bindyApiVersion, kind: 'Bind9Instance', name: i.metadata?.name ?? '', namespace };
    if (outcome.kind === 'configured') return { ...ref, status: 'Configured' };
    return instanceRole(i) === 'primary' ? { ...ref, status: 'Failed', message: outcome.message } : { ...ref, status: 'Claimed' };
  });
}

async function listSelected(ctx: ReconcileContext, zone: BindyObject, namespace: string): Promise<KindedRecord[]> {
  const all: KindedRecord[] = [];
  // bindy lists every kind through the API (not a cache) on every zone reconcile.
  for (const kind of recordKinds) for (const object of await ctx.api.list(kind, namespace)) all.push({ kind, object });
  return selectRecords(zone, all);
}

/** One reconcile of a DNSZone. */
export async function reconcileZone(ctx: ReconcileContext, namespace: string, name: string): Promise<ReconcileResult & { deleted?: boolean }> {
  const zone = ctx.caches.get('DNSZone', namespace, name);
  if (zone === undefined) return { ready: true };
  const zoneName = str(zone.spec?.['zoneName']) ?? '';
  const finalizers = zone.metadata?.finalizers ?? [];
  const instances = selectInstances(zone, ctx.caches.list('Bind9Instance', namespace));
  const primaries = instances.filter((i) => instanceRole(i) === 'primary');

  if (zone.metadata?.deletionTimestamp !== undefined) {
    if (!finalizers.includes(finalizer)) return { ready: true };
    if (primaries.length > 0) {
      try {
        await ctx.sidecar.deleteZone(zoneName, ctx.signal);
      } catch (error) {
        // bindy's retry budget is spent inside deleteZone; what then is the modelled version's choice.
        if ((ctx.zoneFinalizer ?? bindy062ZoneFinalizer)(error) === 'keep' || ctx.signal.aborted) throw error;
      }
    }
    await ctx.api.removeFinalizer('DNSZone', zone, finalizer);
    return { ready: true, deleted: true };
  }
  if (!finalizers.includes(finalizer)) {
    await ctx.api.addFinalizer('DNSZone', zone, finalizer);
    return { ready: true };
  }
  // Selectors that match no instance: bindy returns before writing any status.
  if (instances.length === 0) return { ready: false };

  const now = ctx.now();
  const current = readConditions(zone.status);
  let outcome: ZoneOutcome;
  let records: KindedRecord[] = [];
  let failure: Error | undefined;
  let created = false;
  if (primaries.length === 0) {
    outcome = { kind: 'primaryFailed', message: 'No primary servers found - cannot configure secondary zones' };
    failure = new Error(outcome.message);
  } else {
    try {
      for (const _p of primaries) if ((await ctx.sidecar.ensureZone(createZoneBody(zone, ctx.dns.tsig.name), ctx.signal)) === 'created') created = true;
    } catch (error) {
      const message = `Failed to configure zone on primary servers: ${error instanceof Error ? error.message : String(error)}`;
      outcome = { kind: 'primaryFailed', message };
      failure = error instanceof Error ? error : new Error(message);
    }
    outcome ??= { kind: 'configured', primaries: primaries.length, secondaries: 0, expectedPrimaries: primaries.length, expectedSecondaries: 0, endpoints: primaries.length, records: 0 };
  }

  let previous = arr(zone.status?.['records']).filter(isRecord);
  if (outcome.kind === 'configured') {
    records = await listSelected(ctx, zone, namespace);
    const zoneRef = { apiVersion: bindyApiVersion, kind: 'DNSZone', name, namespace, zoneName };
    for (const r of records) await ctx.api.patchStatus(r.kind, namespace, r.object.metadata?.name ?? '', { zone: zoneName, zoneRef });
    // A zone created again on a primary that had it before (its records were published): they are gone with it.
    const hadRecords = arr(zone.status?.['records']).length > 0;
    if (created && hadRecords && ctx.republishOnZoneRecreate === true) for (const r of records) ctx.enqueue(queueKey(r.kind, namespace, r.object.metadata?.name ?? ''));
    const selected = new Set(records.map((r) => `${r.kind}/${r.object.metadata?.name ?? ''}`));
    for (const prev of previous) {
      const key = `${str(prev['kind']) ?? ''}/${str(prev['name']) ?? ''}`;
      if (selected.has(key)) continue;
      const kind = recordKinds.find((k) => k === prev['kind']);
      const recName = str(prev['name']);
      if (kind === undefined || recName === undefined) continue;
      const obj = await ctx.api.get(kind, namespace, recName);
      const ref = obj?.status?.['zoneRef'];
      if (obj !== undefined && isRecord(ref) && ref['name'] === name) {
        const type = kindInfo[kind].rrType;
        const published = str(obj.status?.['publishedName']) ?? str(obj.spec?.['name']);
        if (type !== undefined && published !== undefined) await applyUpdate(ctx.dns, zoneName, [{ op: 'delete', name: ownerName(published, zoneName), type }]);
        await ctx.api.patchStatus(kind, namespace, recName, { zone: null, zoneRef: null });
      }
    }
    outcome = { ...outcome, records: records.length };
    previous = previous.filter((p) => selected.has(`${str(p['kind']) ?? ''}/${str(p['name']) ?? ''}`));
  }

  const stamps = new Map(previous.map((p) => [`${str(p['kind']) ?? ''}/${str(p['name']) ?? ''}`, p['lastReconciledAt']]));
  const conditions = zoneConditions(current, zoneName, outcome, now);
  const status: Record<string, unknown> = {
    conditions,
    observedGeneration: zone.metadata?.generation,
    bind9Instances: instanceEntries(instances, outcome, namespace),
    bind9InstancesCount: instances.length,
  };
  if (outcome.kind === 'configured') {
    status['records'] = records.map((r) => {
      const key = `${r.kind}/${r.object.metadata?.name ?? ''}`;
      const at = stamps.get(key);
      return { apiVersion: bindyApiVersion, kind: r.kind, name: r.object.metadata?.name ?? '', namespace, recordName: str(r.object.spec?.['name']) ?? '', ...(at === undefined ? {} : { lastReconciledAt: at }) };
    });
    status['recordsCount'] = records.length;
  }
  const changed =
    conditionsChanged(current, conditions) ||
    num(zone.status?.['observedGeneration']) !== zone.metadata?.generation ||
    JSON.stringify(zone.status?.['records'] ?? []) !== JSON.stringify(status['records'] ?? zone.status?.['records'] ?? []) ||
    JSON.stringify(zone.status?.['bind9Instances'] ?? []) !== JSON.stringify(status['bind9Instances']);
  if (changed) {
    await ctx.api.patchStatus('DNSZone', namespace, name, status);
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready !== undefined) await ctx.api.event(zone, ready.status === 'True' ? 'Normal' : 'Warning', ready.reason, ready.message, now);
  }
  if (failure !== undefined) throw failure;
  return { ready: outcome.kind === 'configured' && outcome.primaries >= outcome.expectedPrimaries };
}
