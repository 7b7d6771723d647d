/** @module The burst plan (pure): from the configuration to the setup and the ordered stream of DNSZones and records. */
import type { Config } from '../config/index.js';
import { generateCluster, generateZone, generateZoneRecords } from '../model/fixtures/generate.js';
import type { FixtureOptions } from '../model/fixtures/options.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { recordKinds } from '../model/kinds.js';
import type { BindyKind, RecordKind } from '../model/kinds.js';
import type { KubeObject } from '../observe/kube-client.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';
import { fixtureOptionsFromConfig } from './fixture-options.js';
import { describeDnsProbe, dnsProbePlan } from './dns-probe-plan.js';
import type { DnsProbePlan } from './dns-probe-plan.js';
import { evenShare, rateShare, shardLabel, zoneInShard } from './shard-slice.js';
import type { ShardSlot } from './shard-slice.js';

/** The fixture options of a burst: records spread over `zones`, in the configured kind mix. */
export function burstFixtureOptions(config: Readonly<Config>, runId: string): FixtureOptions {
  const b = config.scenarios.burst;
  const kinds: Partial<Record<RecordKind, number>> = { ...b.kinds };
  return fixtureOptionsFromConfig(config, { runId, zones: b.zones, recordsPerZone: Math.ceil(b.records / b.zones), kinds });
}

/** Records zone `z` holds when `records` are spread round-robin over `zones`. */
export function recordsInZone(records: number, zones: number, z: number): number {
  return Math.floor(records / zones) + (z < records % zones ? 1 : 0);
}

/**
 * The measured stream. Default: every DNSZone first, then the records round-robin over the zones
 * (record k goes to zone k mod Z), so zones exist before records arrive and records load every
 * zone evenly. Interleaved (`--mixed`): zone 0, its records, zone 1, its records…, so zone
 * reconciles run under record load. Either way zone z holds the same records. `keepZone` leaves
 * out the zones it refuses and their records (a shard's slice), keeping the order of the rest.
 */
export function* burstStream(o: FixtureOptions, records: number, interleave: boolean, keepZone: (z: number) => boolean = () => true): Generator<KubeObject> {
  const zones = o.zones;
  if (interleave) {
    for (let z = 0; z < zones; z++) {
      if (!keepZone(z)) continue;
      yield generateZone(o, z);
      const n = recordsInZone(records, zones, z);
      let i = 0;
      for (const r of generateZoneRecords(o, z)) {
        if (i++ >= n) break;
        yield r;
      }
    }
    return;
  }
  for (let z = 0; z < zones; z++) if (keepZone(z)) yield generateZone(o, z);
  const gens: (Generator<RecordObject> | null)[] = [];
  for (let z = 0; z < zones; z++) gens.push(keepZone(z) ? generateZoneRecords(o, z) : null);
  for (let k = 0; k < records; k++) {
    const gen = gens[k % zones];
    if (gen === null) continue;
    const next = gen?.next();
    if (next === undefined || next.done === true) throw new RangeError(`zone ${k % zones} ran out of records at record ${k}`);
    yield next.value;
  }
}

/** The zones and records one shard creates when `records` are spread round-robin over `zones`. */
export function shardObjectCounts(records: number, zones: number, slot: ShardSlot): { zones: number; records: number } {
  let z = 0;
  let r = 0;
  for (let i = slot.index; i < zones; i += slot.count) {
    z++;
    r += recordsInZone(records, zones, i);
  }
  return { zones: z, records: r };
}

/** `objects` with the shard label added to each (a copy; the fixtures stay as generated). */
function* labelledForShard(objects: Iterable<KubeObject>, slot: ShardSlot): Generator<KubeObject> {
  for (const obj of objects) yield { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [shardLabel]: String(slot.index) } } };
}

/** The prober's budget split evenly: each shard asks for its own records only. */
function shardProbe(p: DnsProbePlan | null, slot: ShardSlot): DnsProbePlan | null {
  return p === null ? null : { ...p, ratePerSecond: p.ratePerSecond / slot.count, maxInFlight: Math.max(1, evenShare(p.maxInFlight, slot)) };
}

/** What the plan description says about a sharded run: the slices, how they are merged. */
function describeShards(records: number, zones: number, concurrency: number, qps: number | undefined, count: number): string[] {
  const lines = [`   sharded over ${count} processes (--shards), each with its own slice, started together and merged into one result:`];
  for (let index = 0; index < count; index++) {
    const slot = { index, count };
    const c = shardObjectCounts(records, zones, slot);
    const rate = qps === undefined ? 'unpaced' : `at most ${rateShare(qps, c.zones + c.records, zones + records).toFixed(2)}/s`;
    lines.push(`     shard ${index}: zones z with z mod ${count} = ${index} (${c.zones}) and their ${c.records} records, ${evenShare(concurrency, slot)} in flight, ${rate}`);
  }
  return lines;
}

/** Objects per kind in a stream (counted by regenerating it; for `--dry-run`). */
export function countByKind(objects: Iterable<KubeObject>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return counts;
}

/**
 * The burst's plan; with `input.shard`, only that shard's slice: its zones and their records
 * (labelled with the shard), its part of the concurrency, the QPS and the prober's budget.
 */
export function planBurst(input: PlanInput): ScenarioPlan {
  const { config, runId, interleave, shard } = input;
  const b = config.scenarios.burst;
  const o = burstFixtureOptions(config, runId);
  const cluster = generateCluster(o);
  const kinds: BindyKind[] = ['DNSZone', ...recordKinds.filter((k) => (o.kinds[k] ?? 0) > 0)];
  const whole = dnsProbePlan(config, b.dnsProbe);
  if (shard !== undefined) return planBurstShard(input, shard, cluster, kinds, whole);
  const objects = (): Iterable<KubeObject> => burstStream(o, b.records, interleave);
  const pace = b.qps === undefined ? 'unpaced' : `at most ${b.qps}/s`;
  const dnsProbe = whole;
  const describe = [
    `1. namespace ${config.namespace}: created with the label loadtest.bindy.firestoned.io/managed-by=bindy-loadtest when absent (kept after the run)`,
    `2. Bind9Cluster ${config.namespace}/${cluster.metadata.name}: used when present and Ready; created when absent where allowed (sandbox, or --create-cluster), labelled with the run id; not measured`,
    `3. measured: ${b.zones} DNSZones and ${b.records} records (kinds ${Object.entries(o.kinds).filter(([, w]) => (w ?? 0) > 0).map(([k, w]) => `${k}=${w}`).join(',')}), ` +
      (interleave ? 'interleaved: each zone followed by its records' : 'every zone first, then the records round-robin over the zones'),
    `   ${b.concurrency} creates in flight, ${pace}; wait up to ${Math.round(b.timeout / 1000)} s for every object to be Ready (watch, run-id label ${runId})`,
    `   ${describeDnsProbe(dnsProbe)}`,
    ...(config.shards > 1 ? describeShards(b.records, b.zones, b.concurrency, b.qps, config.shards) : []),
    `4. cleanup: delete everything labelled loadtest.bindy.firestoned.io/run-id=${runId} and wait until it is gone (unless --keep)`,
  ];
  return {
    scenario: 'burst',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster },
    kinds,
    total: b.zones + b.records,
    describe,
    objects,
    engine: { concurrency: b.concurrency, ...(b.qps === undefined ? {} : { qps: b.qps }), timeoutMs: b.timeout },
    dnsProbe,
  };
}

/** One shard's plan: the same setup, its slice of the stream and of the engine's and prober's bounds. */
function planBurstShard(input: PlanInput, slot: ShardSlot, cluster: ScenarioPlan['setup']['cluster'], kinds: BindyKind[], probe: DnsProbePlan | null): ScenarioPlan {
  const { config, runId, interleave } = input;
  const b = config.scenarios.burst;
  const o = burstFixtureOptions(config, runId);
  const counts = shardObjectCounts(b.records, b.zones, slot);
  const total = counts.zones + counts.records;
  const qps = b.qps === undefined ? undefined : rateShare(b.qps, total, b.zones + b.records);
  const dnsProbe = shardProbe(probe, slot);
  return {
    scenario: 'burst',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster },
    kinds,
    total,
    describe: [`shard ${slot.index} of ${slot.count} of ${runId}: ${counts.zones} DNSZones and ${counts.records} records`, `   ${describeDnsProbe(dnsProbe)}`],
    objects: () => labelledForShard(burstStream(o, b.records, interleave, (z) => zoneInShard(z, slot)), slot),
    engine: { concurrency: evenShare(b.concurrency, slot), ...(qps === undefined ? {} : { qps }), timeoutMs: b.timeout },
    dnsProbe,
    shard: slot,
  };
}
