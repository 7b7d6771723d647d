/** @module `bindy-loadtest e2e`: a run that looks like production — population, churn with spikes, DNS queries and faults at once — told as a story. */
import type { Command } from 'commander';
import { experimentSpecs } from '../../config/schema.js';
import type { ChaosExperiment } from '../../config/index.js';
import { UsageError } from '../../errors.js';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';
import { collectParam, scenarioOverride } from './chaos.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--duration', key: 'scenarios.e2e.duration' },
  { flag: '--zones', key: 'scenarios.e2e.zones' },
  { flag: '--records-per-zone', key: 'scenarios.e2e.recordsPerZone' },
  { flag: '--kinds', key: 'scenarios.e2e.kinds' },
  { flag: '--churn', key: 'scenarios.e2e.churn' },
  { flag: '--mix', key: 'scenarios.e2e.operations' },
  { flag: '--query-rate', key: 'scenarios.e2e.queryRate' },
  { flag: '--dns-load', key: 'scenarios.e2e.dnsLoad' },
  { flag: '--in-cluster-server', key: 'scenarios.e2e.inClusterServer' },
  { flag: '--spike-every', key: 'scenarios.e2e.spikeEvery' },
  { flag: '--spike-probability', key: 'scenarios.e2e.spikeProbability' },
  { flag: '--spike-multiplier', key: 'scenarios.e2e.spikeMultiplier' },
  { flag: '--spike-duration', key: 'scenarios.e2e.spikeDuration' },
  { flag: '--interval', key: 'scenarios.e2e.interval' },
  { flag: '--converge-timeout', key: 'scenarios.e2e.convergeTimeout' },
  { flag: '--concurrency', key: 'scenarios.e2e.concurrency' },
  { flag: '--timeout', key: 'scenarios.e2e.timeout' },
  { flag: '--quiet-window', key: 'scenarios.e2e.quietWindow' },
  ...runConfigFlags,
];

const experimentNames = Object.keys(experimentSpecs) as ChaosExperiment['kind'][];

const help = `
What it does:
  1. makes sure the namespace and the Bind9Cluster exist; creates --zones DNSZones and the
     population: each zone gets a number of records drawn from --records-per-zone (10..30), every
     one waited Ready (setup, not measured; shaded as "setup" before t = 0)
  2. for --duration, all at once:
     - churn: --churn record operations (120/m), --mix create,update,delete (30,40,30) on an
       open-loop schedule (an update changes spec.ttl; a delete removes one of the run's records)
     - spikes: once per --spike-every (1m), with --spike-probability (25%), the churn runs at
       --spike-multiplier times its rate (5) for --spike-duration (15s); drawn from --seed, so
       --dry-run lists them and a rerun repeats them
     - DNS queries: dnsperf at --query-rate (200/s): every zone's SOA and NS and a missing name
       (on a cluster from a pod of a Job next to BIND9: --shard-image, --in-cluster-server)
     - faults: --scenario NAME (one experiment, a quarter into the run) or scenarios.e2e.experiments
       in a config file; each applied, held, reverted, proven reverted, then waited for convergence
       (as the chaos command does)
     - every change followed: API accepted → Ready → answered right by each DNS server (the DNS
       prober; an update is answered when its new TTL is served)
  3. waits (up to --timeout) for every change to take effect and be answered; checks the end state
     (every record Ready and served as desired); a --quiet-window (60s) at rest counts reconciles
  4. reports the story: the headline first (did it hold, the worst interval, what broke), then the
     timeline per --interval (1m) with the phases (setup, spike, fault, recovery, quiet) shaded on
     every chart, then the details (per-stage histograms per server, criteria)

One hour that looks like production: --profile production (docs/e2e.md).

Examples:
  $ bindy-loadtest e2e --duration 5m --churn 120/m --scenario operator-kill
  $ bindy-loadtest --profile production e2e                 # the one-hour run
  $ bindy-loadtest e2e --zones 20 --records-per-zone 50..200 --spike-probability 0% --dns-load off
  $ bindy-loadtest --dry-run e2e --scenario bind9-crash     # the population, spikes and faults, planned

Exit codes: 0 it held and every criterion passed; 1 something broke or a criterion failed; 2 bad
            flags (a spike multiplier of 0, a churn a zone cannot hold, an experiment this target
            cannot run: said before anything is created); 3 target not ready; 130 interrupted
            (faults reverted first).
`;

/** The `e2e` command. */
export const e2eCommand: CommandModule = {
  register(program, ctx) {
    const cmd = program
      .command('e2e')
      .description('a run that looks like production: a population, churn with spikes, DNS queries and faults at once; every change followed to each DNS server')
      .option('--duration <duration>', 'how long the churn, queries, spikes and faults last, e.g. 5m (scenarios.e2e.duration)')
      .option('--zones <n>', 'DNSZones of the population (scenarios.e2e.zones)')
      .option('--records-per-zone <range>', 'records each zone starts with, drawn per zone, e.g. 10..30 (scenarios.e2e.recordsPerZone)')
      .option('--kinds <mix>', 'record-kind mix of the population and the creates (scenarios.e2e.kinds)')
      .option('--churn <rate>', 'record operations per second or minute, e.g. 120/m (scenarios.e2e.churn)')
      .option('--mix <weights>', 'create,update,delete weights of the churn, e.g. 30,40,30 (scenarios.e2e.operations)')
      .option('--query-rate <rate>', 'background DNS queries per second, e.g. 200/s (scenarios.e2e.queryRate)')
      .option('--dns-load <on|off|auto>', 'the background DNS queries: auto = when the target names a DNS server; on a cluster dnsperf runs in a pod next to BIND9: auto = when --shard-image is set (scenarios.e2e.dnsLoad)')
      .option('--in-cluster-server <host:port>', "on a cluster: the address the in-cluster dnsperf of the DNS queries asks (default: the primary Bind9Instance's Service, port 53) (scenarios.e2e.inClusterServer)")
      .option('--spike-every <duration>', 'a spike is drawn once per interval of this length (scenarios.e2e.spikeEvery)')
      .option('--spike-probability <percent>', 'chance an interval has a spike, e.g. 25% (scenarios.e2e.spikeProbability; 0% = none)')
      .option('--spike-multiplier <x>', 'a spike runs the churn at this many times its rate (scenarios.e2e.spikeMultiplier)')
      .option('--spike-duration <duration>', 'length of one spike (scenarios.e2e.spikeDuration)')
      .option('--interval <duration>', 'every figure summarised per interval of this length (scenarios.e2e.interval)')
      .option('--scenario <name>', `one fault, a quarter into the run for a quarter of it: ${experimentNames.join(', ')}`)
      .option('--param <key=value>', 'a param of the --scenario experiment, e.g. link=operator-bind (repeatable)', collectParam)
      .option('--fault-duration <duration>', 'how long the --scenario fault lasts (default: a quarter of --duration)')
      .option('--converge-timeout <duration>', 'how long after each revert the steady state may take to come back (scenarios.e2e.convergeTimeout)')
      .option('--concurrency <n>', 'writes in flight at once; an operation due when all are busy is dropped (scenarios.e2e.concurrency)')
      .option('--timeout <duration>', 'bound on the setup waits and on the wait for changes to take effect and be answered (scenarios.e2e.timeout)')
      .option('--quiet-window <duration>', 'count reconciles and API writes at rest for this long at the end; 0s = skip (scenarios.e2e.quietWindow)');
    addRunOptions(cmd, 'e2e')
      .addHelpText('after', help)
      .action(async (o: RunFlags & { scenario?: string; param?: string[]; faultDuration?: string }, c: Command) => {
        if (o.scenario === undefined && (o.param !== undefined || o.faultDuration !== undefined)) throw new UsageError('--param and --fault-duration go with --scenario NAME');
        const own = configFlags(o, flags);
        let resolved = await resolveCliConfig(ctx, own);
        if (o.scenario !== undefined) {
          resolved = await resolveCliConfig(ctx, [...own, scenarioOverride(o.scenario, resolved.config.scenarios.e2e.duration, o.faultDuration, o.param ?? [], 'scenarios.e2e.experiments')]);
        }
        await runWithOptions(ctx, scenarios.e2e, resolved, o, c);
      });
  },
};
