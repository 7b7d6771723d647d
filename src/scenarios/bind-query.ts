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
import { UsageError } from '../errors.js';
import { bindQueryMetrics, bindResperfMetrics } from '../judge/criteria.js';
import { dnsperfProblems, dnsperfProgressText, locateDnsperf, resperfProblems, runDnsperfPhase, runResperfPhase, type DnsperfSections } from '../drive/dnsperf/index.js';
import type { RunResult } from '../report/result/index.js';
import type { DnsServer, Target } from '../targets/target.js';
import { runMeasuredBurst, verifyBurst } from './burst.js';
import { planBindQuery, planBindResperf, type BindQueryPlanData } from './bind-query-plan.js';
import { addFigures, mergeObservers, type DriveContext, type DriveOutcome, type Scenario, type ScenarioPlan, type Verification } from './scenario.js';
import { StartedObservers } from './started-observers.js';

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

async function driveBindQuery(ctx: DriveContext, plan: ScenarioPlan<BindQueryPlanData>): Promise<DriveOutcome> {
  const d = dataOf(plan);
  const server = serverOf(d, ctx.target);
  if (server === undefined) throw new UsageError('bind query: no DNS server to query; give one with --server host:port');
  // Located before anything is created: a machine without dnsperf/resperf says so (exit 3) and loses nothing.
  const program = locateDnsperf(d.engine);
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
        outcome.notes.push('interrupted before dnsperf started: no DNS query was sent');
        return outcome;
      }
    } else outcome = emptyOutcome();
    const queries = d.queries === null ? { file: d.queryFile ?? '' } : { generated: d.queries(), what: `the ${d.queryCount} queries of the records this run created (NXDOMAIN names included), looped` };
    let s: DnsperfSections;
    if (d.engine === 'resperf') {
      ctx.onEvent({ type: 'notice', text: `resperf: ramp from 0 to ${d.resperf.maxQps}/s over ${Math.round(d.resperf.rampMs / 1000)} s against ${hostPort(server)}` });
      s = await runResperfPhase({ program, server, load: d.resperf, queries, startedMs, signal: ctx.stopStarting });
    } else {
      ctx.onEvent({ type: 'notice', text: `dnsperf: ${d.dnsperf.qps}/s for ${Math.round(d.dnsperf.durationMs / 1000)} s against ${hostPort(server)}` });
      s = await runDnsperfPhase({
        program,
        server,
        load: d.dnsperf,
        queries,
        startedMs,
        signal: ctx.stopStarting,
        outstandingSetting: 'scenarios.bind.maxOutstanding (--max-outstanding)',
        onInterval: (i) => ctx.onEvent({ type: 'status', text: dnsperfProgressText(i) }),
      });
    }
    addFigures(outcome, s);
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
    if (serverOf(dataOf(plan), target) !== undefined) return undefined;
    // TODO(issue 13): run dnsperf in the cluster as a Job next to BIND9.
    return 'the target names no DNS server reachable from here: give one with --server host:port (a NodePort or LoadBalancer Service of the Bind9Instance); running dnsperf inside the cluster as a Job is not built yet';
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
