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
 * reconciles run under record load. Either way zone z holds the same records.
 */
export function* burstStream(o: FixtureOptions, records: number, interleave: boolean): Generator<KubeObject> {
  const zones = o.zones;
  if (interleave) {
    for (let z = 0; z < zones; z++) {
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
  for (let z = 0; z < zones; z++) yield generateZone(o, z);
  const gens: Generator<RecordObject>[] = [];
  for (let z = 0; z < zones; z++) gens.push(generateZoneRecords(o, z));
  for (let k = 0; k < records; k++) {
    const next = gens[k % zones]?.next();
    if (next === undefined || next.done === true) throw new RangeError(`zone ${k % zones} ran out of records at record ${k}`);
    yield next.value;
  }
}

/** Objects per kind in a stream (counted by regenerating it; for `--dry-run`). */
export function countByKind(objects: Iterable<KubeObject>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return counts;
}

/** The burst's plan. */
export function planBurst(input: PlanInput): ScenarioPlan {
  const { config, runId, interleave } = input;
  const b = config.scenarios.burst;
  const o = burstFixtureOptions(config, runId);
  const cluster = generateCluster(o);
  const kinds: BindyKind[] = ['DNSZone', ...recordKinds.filter((k) => (o.kinds[k] ?? 0) > 0)];
  const objects = (): Iterable<KubeObject> => burstStream(o, b.records, interleave);
  const pace = b.qps === undefined ? 'unpaced' : `at most ${b.qps}/s`;
  const dnsProbe = dnsProbePlan(config, b.dnsProbe);
  const describe = [
    `1. namespace ${config.namespace}: created with the label loadtest.bindy.firestoned.io/managed-by=bindy-loadtest when absent (kept after the run)`,
    `2. Bind9Cluster ${config.namespace}/${cluster.metadata.name}: used when present and Ready; created when absent where allowed (sandbox, or --create-cluster), labelled with the run id; not measured`,
    `3. measured: ${b.zones} DNSZones and ${b.records} records (kinds ${Object.entries(o.kinds).filter(([, w]) => (w ?? 0) > 0).map(([k, w]) => `${k}=${w}`).join(',')}), ` +
      (interleave ? 'interleaved: each zone followed by its records' : 'every zone first, then the records round-robin over the zones'),
    `   ${b.concurrency} creates in flight, ${pace}; wait up to ${Math.round(b.timeout / 1000)} s for every object to be Ready (watch, run-id label ${runId})`,
    `   ${describeDnsProbe(dnsProbe)}`,
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
