/**
 * @module The `bind query` plan (pure): the zones and records the run creates through the operator
 * (as a burst creates them), the dnsperf queries asked of exactly those records plus the NXDOMAIN
 * share, and dnsperf's rate options. With a query file of the user's, nothing is created.
 */
import type { Config, DnsAddress } from '../config/index.js';
import { generateCluster } from '../model/fixtures/generate.js';
import { generateZoneQueries, type QuerySpec } from '../model/fixtures/queries.js';
import type { FixtureOptions } from '../model/fixtures/options.js';
import { recordKinds, type BindyKind, type RecordKind } from '../model/kinds.js';
import { burstStream, recordsInZone } from './burst-plan.js';
import { fixtureOptionsFromConfig } from './fixture-options.js';
import { describeDnsProbe, dnsProbePlan } from './dns-probe-plan.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';
import type { DnsperfLoad, ResperfLoad } from '../drive/dnsperf/index.js';

/** What only the bind query drive reads. */
export interface BindQueryPlanData {
  /** The engine: dnsperf at a steady rate (`bind query`), or resperf's ramp to the maximum throughput (`bind resperf`). */
  engine: 'dnsperf' | 'resperf';
  dnsperf: DnsperfLoad;
  resperf: ResperfLoad;
  /** The server asked; absent = the target's first DNS server. */
  server?: DnsAddress;
  /** The user's query file; absent = the queries of the records the run creates. */
  queryFile?: string;
  /** The generated queries (regenerated on each call), in the file's order; null with a user's file. */
  queries: (() => Iterable<QuerySpec>) | null;
  /** Lines of the generated file (records + NXDOMAIN names); 0 with a user's file. */
  queryCount: number;
  /**
   * On a cluster without `server`: the engine runs in a pod of a Job, next to BIND9, from the
   * tool's `image` (undefined: not set, refused before anything starts), asking `server`
   * (undefined: the primary Bind9Instance's Service). Null: the engine runs on this machine.
   */
  inCluster: { image: string | undefined; server: DnsAddress | undefined } | null;
  /** The run's configuration (the in-cluster pod's spec carries it). */
  config: Readonly<Config>;
}

/** The fixture options of the records `bind query` creates. */
export function bindFixtureOptions(config: Readonly<Config>, runId: string): FixtureOptions {
  const b = config.scenarios.bind;
  return fixtureOptionsFromConfig(config, { runId, zones: b.zones, recordsPerZone: Math.ceil(b.records / b.zones), kinds: { ...b.kinds } });
}

/**
 * The queries of exactly the records a burst of `records` over `o.zones` creates (zone z holds the
 * first {@link recordsInZone} of its records), each followed by its share of NXDOMAIN names.
 */
export function* bindQueries(o: FixtureOptions, records: number): Generator<QuerySpec> {
  for (let z = 0; z < o.zones; z++) {
    const n = recordsInZone(records, o.zones, z);
    let data = 0;
    for (const q of generateZoneQueries(o, z)) {
      if (q.expect === 'data' && data++ >= n) break;
      yield q;
    }
  }
}

function address(a: DnsAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** The bind query plan (dnsperf at --qps for --duration). */
export function planBindQuery(input: PlanInput): ScenarioPlan<BindQueryPlanData> {
  return planQueries(input, 'dnsperf');
}

/** The bind resperf plan (resperf's ramp from 0 to --max-qps over --ramp: the maximum throughput within --max-loss). */
export function planBindResperf(input: PlanInput): ScenarioPlan<BindQueryPlanData> {
  return planQueries(input, 'resperf');
}

function planQueries(input: PlanInput, engine: BindQueryPlanData['engine']): ScenarioPlan<BindQueryPlanData> {
  const { config, runId } = input;
  const b = config.scenarios.bind;
  const o = bindFixtureOptions(config, runId);
  const cluster = generateCluster(o);
  const own = b.queryFile === undefined;
  const kinds: BindyKind[] = own ? ['DNSZone', ...recordKinds.filter((k: RecordKind) => (o.kinds[k] ?? 0) > 0)] : [];
  const queries = own ? (): Iterable<QuerySpec> => bindQueries(o, b.records) : null;
  let queryCount = 0;
  if (queries !== null) for (const _ of queries()) queryCount++;
  const server = b.server?.[0];
  const inCluster = config.target === 'cluster' && server === undefined ? { image: config.shardImage, server: b.inClusterServer?.[0] } : null;
  const where =
    inCluster !== null
      ? `${inCluster.server === undefined ? "the primary Bind9Instance's Service (port 53)" : address(inCluster.server)} from a pod of a Job in the cluster (image ${inCluster.image ?? 'not set: --shard-image'}), next to BIND9,`
      : server === undefined
        ? "the target's first BIND9 server (the primary)"
        : address(server);
  const dnsperf: DnsperfLoad = { qps: b.qps, durationMs: b.duration, clients: b.clients, maxOutstanding: b.maxOutstanding, timeoutMs: b.queryTimeout };
  const resperf: ResperfLoad = { maxQps: b.maxQps, rampMs: b.ramp, maxLoss: b.maxLoss, clients: b.clients, maxOutstanding: b.maxOutstanding, timeoutMs: b.queryTimeout };
  const asked = own ? `the ${queryCount} queries of those records (${Math.round(o.nxdomainShare * 100)} % for names that do not exist), looped` : "the file's queries, looped";
  const dnsProbe = own ? dnsProbePlan(config, 'on') : null;
  const burst = config.scenarios.burst;
  const describe = [
    `1. namespace ${config.namespace} and Bind9Cluster ${cluster.metadata.name}: as for burst (not measured)`,
    own
      ? `2. ${b.zones} DNSZones and ${b.records} records (kinds ${Object.entries(o.kinds).filter(([, w]) => (w ?? 0) > 0).map(([k, w]) => `${k}=${w}`).join(',')}) created through the operator, ` +
        `${burst.concurrency} in flight; wait up to ${Math.round(b.timeout / 1000)} s for every one to be Ready and answered (${describeDnsProbe(dnsProbe)})`
      : `2. nothing created: the queries come from ${b.queryFile}`,
    engine === 'dnsperf'
      ? `3. dnsperf asks ${where} ${asked} at ${b.qps}/s for ${Math.round(b.duration / 1000)} s with ${b.clients} clients, at most ${b.maxOutstanding} outstanding, a query lost after ${b.queryTimeout / 1000} s; ` +
        "every query's latency (dnsperf -v) into an HDR histogram, qps each second (-S 1)"
      : `3. resperf asks ${where} ${asked}, its rate ramping from 0 to ${b.maxQps}/s over ${Math.round(b.ramp / 1000)} s with ${b.clients} clients, at most ${b.maxOutstanding} outstanding, a query lost after ${b.queryTimeout / 1000} s; ` +
        `the maximum throughput is the most answers per second of an interval losing at most ${Math.round(b.maxLoss * 1000) / 10} %`,
    own ? `4. cleanup: delete everything labelled loadtest.bindy.firestoned.io/run-id=${runId} (unless --keep)` : '4. nothing to clean up',
  ];
  return {
    scenario: engine === 'dnsperf' ? 'bind-query' : 'bind-resperf',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster },
    kinds,
    total: own ? b.zones + b.records : 0,
    describe,
    objects: () => (own ? burstStream(o, b.records, false) : []),
    engine: { concurrency: burst.concurrency, ...(burst.qps === undefined ? {} : { qps: burst.qps }), timeoutMs: b.timeout },
    data: { engine, dnsperf, resperf, ...(server === undefined ? {} : { server }), ...(b.queryFile === undefined ? {} : { queryFile: b.queryFile }), queries, queryCount, inCluster, config },
    dnsProbe,
  };
}
