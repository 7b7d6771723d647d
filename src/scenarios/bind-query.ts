/**
 * @module `bind query`: how BIND9 answers under query load, with the zones bindy wrote. The run
 * creates zones and records through the operator (a burst, waited until every record is Ready and
 * answered), then dnsperf (the real binary; the tool never loops queries itself) asks one server
 * for exactly those records plus a share of names that do not exist, and every query's latency
 * goes into an HDR histogram. With a query file of the user's, nothing is created. `bind resperf`
 * is the same run with resperf's ramp (0 to --max-qps over --ramp) as the engine: the maximum
 * throughput within a loss limit, interval by interval.
 */
import { performance } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import type { DnsAddress } from '../config/index.js';
import { TargetNotReadyError, UsageError } from '../errors.js';
import { bindQueryMetrics, bindResperfMetrics } from '../judge/criteria.js';
import { dnsperfProblems, dnsperfProgressText, locateDnsperf, resperfProblems, runDnsperfPhase, runResperfPhase, type DnsperfSections } from '../drive/dnsperf/index.js';
import type { RunResult } from '../report/result/index.js';
import type { DnsServer, Target } from '../targets/target.js';
import { runMeasuredBurst, verifyBurst } from './burst.js';
import { planBindQuery, planBindResperf, type BindQueryPlanData } from './bind-query-plan.js';
import { addFigures, mergeObservers, type DriveContext, type DriveOutcome, type Scenario, type ScenarioPlan, type Verification } from './scenario.js';
import { StartedObservers } from './started-observers.js';
import { checkEngineSpec, runDnsEngineJob } from './dns-engine-job.js';
import { inClusterDnsServer } from './dns-engine-job-plan.js';
import type { DnsEngineWork } from './shard-protocol.js';

function hostPort(s: { host: string; port: number }): string {
  return s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

/** The server dnsperf asks: the one configured, else the target's first (the primary); undefined when there is none. */
function serverOf(d: BindQueryPlanData, target: Target): DnsServer | undefined {
  return d.server ?? target.dnsServers[0];
}

function emptyOutcome(): DriveOutcome {
  return { latencies: {}, counters: {}, timeSeries: [], failures: [], notes: [], operator: [], apiAmplification: null };
}

function dataOf(plan: ScenarioPlan<BindQueryPlanData>): BindQueryPlanData {
  if (plan.data === undefined) throw new TypeError('bind-query plan without its data');
  return plan.data;
}

/** How the run's own queries are named in the figures' method. */
function ownQueriesText(d: BindQueryPlanData): string {
  return `the ${d.queryCount} queries of the records this run created (NXDOMAIN names included), looped`;
}

/**
 * What the in-cluster pod runs: its server (given, else the primary Bind9Instance's Service) and
 * its queries (the run's own, or the user's file's text), checked to fit its spec ConfigMap before
 * anything is created.
 */
async function inClusterWork(ctx: DriveContext, plan: ScenarioPlan<BindQueryPlanData>, d: BindQueryPlanData, given: DnsAddress | undefined): Promise<DnsEngineWork> {
  let server = given;
  if (server === undefined) {
    const cluster = plan.setup.cluster.metadata.name ?? '';
    const list = await ctx.client.list('Bind9Instance', plan.namespace, '');
    if (!list.ok) throw new TargetNotReadyError(`bind query: cannot list the Bind9Instances of ${plan.namespace}: ${list.error.message}`);
    const found = inClusterDnsServer(list.value.items, cluster, plan.namespace);
    if (found === undefined) throw new TargetNotReadyError(`bind query: no primary Bind9Instance of Bind9Cluster ${cluster} in ${plan.namespace} for the in-cluster dnsperf to ask`, { hint: 'wait until bindy has created the cluster\'s instances, or name the server: --in-cluster-server host:port (scenarios.bind.inClusterServer)' });
    server = found;
  }
  const queries: DnsEngineWork['queries'] =
    d.queries === null
      ? { fileText: await readFile(d.queryFile ?? '', 'utf8'), file: d.queryFile ?? '' }
      : { generated: [...d.queries()], what: ownQueriesText(d) };
  const work: DnsEngineWork = { type: 'dns-engine', engine: d.engine, server: { host: server.host, port: server.port }, dnsperf: d.dnsperf, resperf: d.resperf, queries };
  checkEngineSpec({ runId: plan.runId, config: d.config, work });
  return work;
}

/** Runs the engine once the population is there; null when stopped before it sent anything. */
type Engine = (startedMs: number) => Promise<DnsperfSections | null>;

/** dnsperf or resperf on this machine, against a server reachable from here. */
function localEngine(ctx: DriveContext, d: BindQueryPlanData, server: DnsServer | DnsAddress, program: string): Engine {
  return async (startedMs) => {
    const queries = d.queries === null ? { file: d.queryFile ?? '' } : { generated: d.queries(), what: ownQueriesText(d) };
    if (d.engine === 'resperf') {
      ctx.onEvent({ type: 'notice', text: `resperf: ramp from 0 to ${d.resperf.maxQps}/s over ${Math.round(d.resperf.rampMs / 1000)} s against ${hostPort(server)}` });
      return runResperfPhase({ program, server, load: d.resperf, queries, startedMs, signal: ctx.stopStarting });
    }
    ctx.onEvent({ type: 'notice', text: `dnsperf: ${d.dnsperf.qps}/s for ${Math.round(d.dnsperf.durationMs / 1000)} s against ${hostPort(server)}` });
    return runDnsperfPhase({
      program,
      server,
      load: d.dnsperf,
      queries,
      startedMs,
      signal: ctx.stopStarting,
      outstandingSetting: 'scenarios.bind.maxOutstanding (--max-outstanding)',
      onInterval: (i) => ctx.onEvent({ type: 'status', text: dnsperfProgressText(i) }),
    });
  };
}

/**
 * The engine of this run, decided before anything is created (a missing program, image or server,
 * or queries that do not fit the in-cluster spec, lose nothing): on this machine, or on a cluster
 * without --server in a pod next to BIND9.
 */
async function engineOf(ctx: DriveContext, plan: ScenarioPlan<BindQueryPlanData>, d: BindQueryPlanData): Promise<Engine> {
  if (d.inCluster !== null) {
    const image = d.inCluster.image;
    if (image === undefined) throw new UsageError('bind query: no image for the in-cluster dnsperf (--shard-image)');
    const work = await inClusterWork(ctx, plan, d, d.inCluster.server);
    return (startedMs) => runDnsEngineJob(ctx, { runId: plan.runId, namespace: plan.namespace, image, config: d.config, work, startedMs });
  }
  const server = serverOf(d, ctx.target);
  if (server === undefined) throw new UsageError('bind query: no DNS server to query; give one with --server host:port');
  // A machine without dnsperf/resperf says so (exit 3).
  return localEngine(ctx, d, server, locateDnsperf(d.engine));
}

async function driveBindQuery(ctx: DriveContext, plan: ScenarioPlan<BindQueryPlanData>): Promise<DriveOutcome> {
  const d = dataOf(plan);
  const engine = await engineOf(ctx, plan, d);
  const observers = new StartedObservers();
  let outcome: DriveOutcome | null = null;
  let created = 0;
  try {
    await observers.start(ctx, plan);
    let startedMs = performance.now();
    if (d.queries !== null) {
      const burst = await runMeasuredBurst(ctx, plan);
      outcome = burst.outcome;
      created = burst.objectsCreated;
      startedMs = burst.startedMs;
      if (burst.interrupted || ctx.stopStarting.aborted) {
        outcome.notes.push(`interrupted before ${d.engine} started: no DNS query was sent`);
        return outcome;
      }
    } else outcome = emptyOutcome();
    const s = await engine(startedMs);
    if (s === null) outcome.notes.push(`interrupted before the in-cluster ${d.engine} started: no DNS query was sent`);
    else addFigures(outcome, s);
    return outcome;
  } finally {
    await observers.stop(created);
    if (outcome !== null) mergeObservers(outcome, observers.sections);
  }
}

/** The population's checks (when the run created records), then the engine's. */
function verifyBindResperf(result: RunResult): Verification {
  const population = result.counters['creates_started'] === undefined ? [] : verifyBurst(result).problems;
  const problems = [...population, ...resperfProblems(result.counters)];
  if (result.counters['resperf_max_throughput'] === undefined && result.counters['resperf_statistics_missing'] === undefined) problems.push('resperf never ran: no throughput was measured');
  return { passed: problems.length === 0, problems };
}

function verifyBindQuery(result: RunResult): Verification {
  // The records it created must be there to be asked for; then what dnsperf saw.
  const population = result.counters['creates_started'] === undefined ? [] : verifyBurst(result).problems;
  const problems = [...population, ...dnsperfProblems(result.counters)];
  if (result.latencies['dns_query'] === undefined) problems.push('dnsperf never ran: no DNS query was measured');
  return { passed: problems.length === 0, problems };
}

/** The bind query scenario. */
export const bindQueryScenario = {
  name: 'bind-query',
  describe: 'create zones and records through the operator, then measure BIND9 answering them under dnsperf load',
  options: 'bind',
  metrics: bindQueryMetrics,
  plan: planBindQuery,
  checkTarget(target: Target, plan: ScenarioPlan<BindQueryPlanData>): string | undefined {
    const d = dataOf(plan);
    if (d.inCluster !== null) {
      if (d.inCluster.image !== undefined && d.inCluster.image.trim() !== '') return undefined;
      return "on a cluster the DNS engine runs inside it, as a Job of this tool's image: --shard-image (shardImage) is not set; build and push the image from the repo's Dockerfile (docs/cluster.md#in-cluster-dns-load), or query from here with --server host:port (a NodePort or LoadBalancer Service of the Bind9Instance)";
    }
    if (serverOf(d, target) !== undefined) return undefined;
    return 'the target names no DNS server reachable from here: give one with --server host:port';
  },
  drive: driveBindQuery,
  verify: verifyBindQuery,
} satisfies Scenario<BindQueryPlanData>;

/** The bind resperf scenario: the same population and queries, resperf's ramp instead of a steady rate. */
export const bindResperfScenario = {
  ...bindQueryScenario,
  name: 'bind-resperf',
  describe: 'create zones and records through the operator, then ramp resperf against BIND9 to its maximum throughput within a loss limit',
  metrics: bindResperfMetrics,
  plan: planBindResperf,
  verify: verifyBindResperf,
} satisfies Scenario<BindQueryPlanData>;
