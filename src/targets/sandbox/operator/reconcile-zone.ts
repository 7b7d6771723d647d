/**
 * @module DNSZone reconcile, as bindy's `src/reconcilers/dnszone*`: finalizer; select instances (none:
 * no status at all); ensure the zone on every primary through bindcar (notifying and allowing
 * transfers to the selected secondaries), then as a secondary zone on every secondary's bindcar
 * with the primary as `primaries`, and a retransfer each time; list every record kind of the line (8; 9 in 0.8),
 * tag every selected record's `status.zoneRef` (every time: the O(N²) cost bindy pays), untag the
 * ones no longer selected after deleting their RRset; write Ready/Degraded/Progressing and records[].
 */
import { bindyApiVersion, kindInfo, recordKinds } from '../../../model/kinds.js';
import { applyUpdate } from '../dns-update/update-client.js';
import { conditionsChanged, readConditions, zoneConditions, type ZoneOutcome } from './conditions.js';
import { queueKey, type ReconcileContext, type ReconcileResult, type SecondaryServer } from './context.js';
import { arr, isRecord, num, str, type BindyObject } from './objects.js';
import { ownerName } from './rrset.js';
import { instanceRole, selectInstances, selectRecords, type KindedRecord } from './selection.js';
import { bindy062ZoneFinalizer, type CreateZoneBody } from './sidecar-client.js';
import { profileRules } from './profile.js';

const finalizer = kindInfo.DNSZone.finalizer;

/** A named address as bindy's `with_transfer_port` writes it for bindcar: `ip:port`, `[ipv6]:port`. */
export function transferAddress(a: { readonly host: string; readonly port: number }): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The transfer clauses of a primary zone for these secondaries (absent: none), as bindy 0.6.2's add_primary_zone sets them. */
export function transferClauses(secondaries: readonly { readonly host: string; readonly port: number }[]): { alsoNotify: string[]; allowTransfer: string[] } | undefined {
  if (secondaries.length === 0) return undefined;
  // NOTIFY goes to each secondary's DNS port; allow-transfer is an ACL of bare addresses.
  return { alsoNotify: secondaries.map(transferAddress), allowTransfer: [...new Set(secondaries.map((s) => s.host))] };
}

/**
 * The body bindy 0.6.2's add_secondary_zone sends: a placeholder SOA (the data comes by transfer),
 * the primaries as `ip:port`, and the update key name as for a primary (bindcar then writes an
 * `allow-update` into the secondary zone too).
 */
export function secondaryZoneBody(zoneName: string, updateKeyName: string, primaries: readonly string[]): CreateZoneBody {
  return {
    zoneName,
    zoneType: 'secondary',
    zoneConfig: {
      ttl: 3600,
      soa: { primaryNs: 'placeholder.example.com.', adminEmail: 'admin.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 86400 },
      nameServers: [],
      nameServerIps: {},
      primaries: [...primaries],
    },
    updateKeyName,
  };
}

/** The secondary server behind a `…-secondary-<i>` instance (its index into `ctx.secondaries`), or undefined when it has none. */
export function secondaryServerOf(ctx: Pick<ReconcileContext, 'secondaries'>, instance: BindyObject): SecondaryServer | undefined {
  const m = /-secondary-(\d+)$/.exec(instance.metadata?.name ?? '');
  return m === null ? undefined : ctx.secondaries?.[Number(m[1])];
}

/** bindcar's create body from the zone spec (what bindy's add_dnszone sends for a primary), with the secondaries' transfer clauses. */
export function createZoneBody(zone: BindyObject, updateKeyName: string, transfer?: { alsoNotify: readonly string[]; allowTransfer: readonly string[] }): CreateZoneBody {
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
    zoneConfig: { ttl: num(spec['ttl']) ?? 3600, soa, nameServers, nameServerIps, ...(transfer === undefined ? {} : { alsoNotify: [...transfer.alsoNotify], allowTransfer: [...transfer.allowTransfer] }) },
    updateKeyName,
  };
}

/**
 * The zone's `status.bind9Instances`: every selected instance with the state of the zone on it, as
 * bindy's CRD requires (Configured on success; on failure the primaries Failed with the error and
 * the others Claimed: selected, not configured).
 */
export function instanceEntries(instances: readonly BindyObject[], outcome: ZoneOutcome, namespace: string, secondariesConfigured: ReadonlySet<string> = new Set()): Record<string, unknown>[] {
  return instances.map((i) => {
    const ref = { apiVersion: bindyApiVersion, kind: 'Bind9Instance', name: i.metadata?.name ?? '', namespace };
    // A secondary counts once its bindcar took the zone; until then it stays Claimed (selected).
    if (outcome.kind === 'configured') return { ...ref, status: instanceRole(i) === 'secondary' && !secondariesConfigured.has(ref.name) ? 'Claimed' : 'Configured' };
    return instanceRole(i) === 'primary' ? { ...ref, status: 'Failed', message: outcome.message } : { ...ref, status: 'Claimed' };
  });
}

async function listSelected(ctx: ReconcileContext, zone: BindyObject, namespace: string): Promise<KindedRecord[]> {
  const all: KindedRecord[] = [];
  // bindy lists every kind through the API (not a cache) on every zone reconcile.
  for (const kind of ctx.recordKinds ?? profileRules['0.6'].recordKinds) for (const object of await ctx.api.list(kind, namespace)) all.push({ kind, object });
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
  const secondaries = instances.filter((i) => instanceRole(i) === 'secondary');

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
    // bindy 0.6.2 then deletes the zone from every secondary without a freeze; a failure is logged, never blocks the finalizer.
    for (const i of secondaries) {
      const server = secondaryServerOf(ctx, i);
      if (server === undefined) continue;
      try {
        await server.sidecar.deleteZone(zoneName, ctx.signal, { freeze: false });
      } catch (error) {
        if (ctx.signal.aborted) throw error;
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
  if (instances.length === 0) return { ready: false, failed: true };

  const now = ctx.now();
  const current = readConditions(zone.status);
  let outcome: ZoneOutcome | undefined;
  let records: KindedRecord[] = [];
  let failure: Error | undefined;
  let created = false;
  const secondariesConfigured = new Set<string>();
  if (primaries.length === 0) {
    outcome = { kind: 'primaryFailed', message: 'No primary servers found - cannot configure secondary zones' };
    failure = new Error(outcome.message);
  } else {
    // bindy: the Running pods of the selected secondary instances; an instance without one adds nothing.
    const servers = secondaries.flatMap((i) => secondaryServerOf(ctx, i) ?? []);
    const body = createZoneBody(zone, ctx.dns.tsig.name, transferClauses(servers.map((s) => s.dns)));
    try {
      for (const _p of primaries) if ((await ctx.sidecar.ensureZone(body, ctx.signal)) === 'created') created = true;
    } catch (error) {
      const message = `Failed to configure zone on primary servers: ${error instanceof Error ? error.message : String(error)}`;
      outcome = { kind: 'primaryFailed', message };
      failure = error instanceof Error ? error : new Error(message);
    }
    if (outcome === undefined) {
      const errors = await configureSecondaries(ctx, zoneName, namespace, secondaries, secondariesConfigured);
      const n = secondariesConfigured.size;
      outcome = {
        kind: 'configured',
        primaries: primaries.length,
        secondaries: n,
        expectedPrimaries: primaries.length,
        expectedSecondaries: secondaries.length,
        endpoints: primaries.length + n,
        records: 0,
        // bindy fails the secondary step only when no endpoint took the zone (then Degraded/SecondaryFailed).
        ...(n === 0 && errors.length > 0 ? { secondaryFailure: `Zone configured on ${primaries.length} primary instance(s) but secondary configuration failed: ${errors.join('; ')}` } : {}),
      };
    }
  }

  let previous = arr(zone.status?.['records']).filter(isRecord);
  if (outcome.kind === 'configured') {
    records = await listSelected(ctx, zone, namespace);
    const zoneRef = { apiVersion: bindyApiVersion, kind: 'DNSZone', name, namespace, zoneName };
    for (const r of records) {
      // 0.8: a record already tagged with this zone is left alone (its patch would wake the zone again).
      if (ctx.tagUntaggedOnly === true && JSON.stringify(r.object.status?.['zoneRef']) === JSON.stringify(zoneRef) && r.object.status?.['zone'] === zoneName) continue;
      await ctx.api.patchStatus(r.kind, namespace, r.object.metadata?.name ?? '', { zone: zoneName, zoneRef });
    }
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
    bind9Instances: instanceEntries(instances, outcome, namespace, secondariesConfigured),
    bind9InstancesCount: instances.length,
  };
  if (outcome.kind === 'configured') {
    status['records'] = records.map((r) => {
      const key = `${r.kind}/${r.object.metadata?.name ?? ''}`;
      // 0.8: the record's own lastUpdated (it no longer writes the zone's status); 0.6.2: the zone's stamp.
      const at = ctx.recordStamps === 'zone' ? (str(r.object.status?.['lastUpdated']) ?? stamps.get(key)) : stamps.get(key);
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
  const ready = outcome.kind === 'configured' && outcome.primaries >= outcome.expectedPrimaries && outcome.secondaries >= outcome.expectedSecondaries && outcome.secondaryFailure === undefined;
  return { ready, ...(ready ? {} : { failed: true }) };
}

/**
 * bindy 0.6.2's add_dnszone_to_secondaries: on every selected secondary's bindcar, the zone as a
 * secondary zone with the primary as `primaries` (created when its status is 404), then a
 * `retransfer` every time, also when the zone was there (a full AXFR per zone reconcile; its
 * failure is only logged: the SOA refresh timer would catch up). Adds each instance that took the
 * zone to `configured`; returns one message per instance that did not.
 */
async function configureSecondaries(ctx: ReconcileContext, zoneName: string, namespace: string, secondaries: readonly BindyObject[], configured: Set<string>): Promise<string[]> {
  const errors: string[] = [];
  const primary = ctx.primaryTransfer ?? { host: ctx.dns.host, port: ctx.dns.port };
  const body = secondaryZoneBody(zoneName, ctx.dns.tsig.name, [transferAddress(primary)]);
  for (const i of secondaries) {
    const name = i.metadata?.name ?? '';
    const server = secondaryServerOf(ctx, i);
    if (server === undefined) {
      errors.push(`instance ${namespace}/${name}: failed to get endpoints: no ready pod`);
      continue;
    }
    try {
      await server.sidecar.ensureSecondaryZone(body, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      errors.push(`instance ${namespace}/${name}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    configured.add(name);
    try {
      await server.sidecar.retransfer(zoneName, ctx.signal);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
    }
  }
  return errors;
}
