/** @module `bindy-loadtest chaos`: faults on a schedule under background load, each proven reverted, with a verdict per invariant. */
import type { Command } from 'commander';
import { experimentSpecs } from '../../config/schema.js';
import type { ChaosExperiment } from '../../config/index.js';
import { formatDuration, parseDuration } from '../../config/values.js';
import { UsageError } from '../../errors.js';
import { scenarios } from '../../scenarios/index.js';
import { sandboxExperiments } from '../../scenarios/chaos-plan.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import type { FlagOverride } from '../../config/index.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--duration', key: 'scenarios.chaos.duration' },
  { flag: '--rate', key: 'scenarios.chaos.rate' },
  { flag: '--zones', key: 'scenarios.sustained.zones' },
  { flag: '--kinds', key: 'scenarios.sustained.kinds' },
  { flag: '--working-set', key: 'scenarios.sustained.workingSet' },
  { flag: '--mix', key: 'scenarios.sustained.operations' },
  { flag: '--timeout', key: 'scenarios.sustained.timeout' },
  { flag: '--converge-timeout', key: 'scenarios.chaos.convergeTimeout' },
  { flag: '--dns-load', key: 'scenarios.chaos.dnsLoad' },
  { flag: '--query-rate', key: 'scenarios.chaos.queryRate' },
  { flag: '--in-cluster-server', key: 'scenarios.chaos.inClusterServer' },
  { flag: '--quiet-window', key: 'scenarios.chaos.quietWindow' },
  { flag: '--quiet-window-each', key: 'scenarios.chaos.quietWindowEach' },
  { flag: '--allow-cluster-changes', key: 'scenarios.chaos.allowClusterChanges' },
  ...runConfigFlags,
];

const experimentNames = Object.keys(experimentSpecs) as ChaosExperiment['kind'][];

const help = `
What it does:
  1. makes sure the namespace and the Bind9Cluster exist; creates --zones DNSZones and a
     --working-set of records, each waited Ready (setup, not measured); with no sandbox running it
     starts one with the fault proxy (a process of its own on every link: operator-apiserver,
     operator-sidecar, operator-bind for the operator's DNS UPDATEs, client-bind for queries)
  2. runs background load (the sustained engine: --rate for --duration, its --mix, --kinds)
  3. for each experiment, at its time: checks the steady state, journals the fault with how to
     revert it, applies it, samples Ready counts while it holds, reverts it and proves it reverted
     (the link answers again; the process is back and healthy; the twin answers cleanly), then waits up to 120 s for
     convergence (--converge-timeout): no object written before the revert still not Ready, and
     every Ready one of them served as desired by every DNS server (the desired-vs-served audit)
  4. judges each experiment: fault reverted; converged ≤ 120 s; DNS gap (longest stretch without
     an answer to an SOA query asked every 250 ms) ≤ 2 s on a server the fault did not touch,
     ≤ 120 s on one it did; no Ready status that DNS contradicts. At the end: every record Ready
     and served as desired, nothing deleted still served
     Beside the load, dnsperf (--dns-load, on when the target names a DNS server) asks every
     zone's SOA and NS and a missing name at --query-rate (100/s) through the client link: DNS
     latency, answers and loss each second, drawn under the fault windows (a query unanswered
     within 1 s is lost). On a cluster dnsperf runs in a pod of a Job next to BIND9 (this tool's
     image, --shard-image; it asks the primary's Service or --in-cluster-server)
     Then a --quiet-window (60s) at rest: the operator's reconciles counted, at most 3 per 60 s on
     bindy's 0.8 line (its suite's bound), about a fifth of the objects per minute plus 3 on 0.6.2
     (its 300 s requeues); not judged when the bindy line is not known
  5. reverts any fault still in force (also on error and Ctrl-C), then deletes the run's objects
  A run killed mid-fault leaves its fault in the journal: \`cleanup --run-id ID\` reverts it.

Experiments (--scenario NAME, or scenarios.chaos.experiments in a config file; --param sets one):
  operator-kill   kill the operator (signal=SIGKILL|SIGTERM) until the fault ends, then start it again
  bind9-crash     kill named (signal), then start it again on its ports, with its zone directory kept
                  (zoneData=keep) or lost (zoneData=lose: a pod without a volume; bindy 0.6.2 then
                  serves the zones without their records, #486)
  sidecar-down    kill bindcar (signal), then start it again on its port
  sidecar-delay   delay every bindcar answer to the operator (delay=2s)
  network-delay   latency on a link (link=operator-apiserver, latency=500ms, jitter=0s)
  packet-loss     drop a share of packets on a link (link=operator-bind, loss=20%)
  partition       cut a link (link=operator-sidecar)
  sidecar-errors  bindcar answers a share of its API requests with an error (errorRate=50%, status=503)
  cpu-throttle    cap a running part's CPU in a control group (part=operator|sidecar|named, cpu=50m)
  memory-pressure cap what a running part allocates (part=operator, limit=32Mi); beyond it the
                  kernel OOM-kills it and the revert starts it again; on a cluster both set the
                  limit on bindy's Deployment (part=operator only): needs --allow-cluster-changes
  fd-exhaustion   a running part may open no more files or sockets than it has open (part=named,
                  spare=0): its soft RLIMIT_NOFILE lowered with prlimit, restored after
  apiserver-throttle  the API server answers the operator's own requests 429 beyond a priority
                  level of a few seats (shares=1), as backpressure --mode api-throttle
  disk-full       fill named's data filesystem until free bytes are left (free=0): ENOSPC
  zone-corruption tear zone files as a crash mid-write would, found at named's restart (zones=1)
  split-brain     a second operator replica for the fault's duration (leaderElection=off: it does
                  not take the Lease, both reconcile; on: it must stand by while the first leads);
                  on a cluster bindy's Deployment + 1 replica: needs --allow-cluster-changes
  too-many-objects  an object-count ResourceQuota puts the namespace at its limit for the kinds the
                  load creates (headroom=0): creates are refused 403 "exceeded quota" (counted
                  apart, not as failures); bindy must keep what exists Ready and served
  The sandbox runs: ${sandboxExperiments.join(', ')}.

Examples:
  $ bindy-loadtest chaos --scenario operator-kill --duration 2m --rate 5/s
  $ bindy-loadtest chaos --scenario packet-loss --param link=operator-bind --param loss=20% --duration 3m
  $ bindy-loadtest chaos --scenario network-delay --param latency=2s --fault-duration 45s
  $ bindy-loadtest --config chaos.yaml chaos             # a schedule of experiments from the file
  $ bindy-loadtest --dry-run chaos --scenario bind9-crash

Exit codes: 0 every invariant held; 1 an invariant or criterion failed; 2 bad flags, or an
            experiment this target cannot run (said before any load); 3 target not ready;
            130 interrupted (faults reverted first).
`;

/** `--param k=v` values, repeated. */
export function collectParam(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/** The experiment `--scenario` asks for, as a raw config value (the config layer applies its params' defaults and checks them). */
export function scenarioOverride(kind: string, durationMs: number, faultDuration: string | undefined, params: readonly string[], key = 'scenarios.chaos.experiments'): FlagOverride {
  if (!(experimentNames as string[]).includes(kind)) throw new UsageError(`--scenario: unknown experiment ${JSON.stringify(kind)} (known: ${experimentNames.join(', ')})`);
  let faultMs = Math.round(durationMs / 4);
  if (faultDuration !== undefined) {
    const p = parseDuration(faultDuration);
    if (!p.ok) throw new UsageError(`--fault-duration: ${p.message}`);
    if (p.value <= 0) throw new UsageError('--fault-duration: must be above 0');
    faultMs = p.value;
  }
  const at = Math.round(durationMs / 4);
  if (at + faultMs > durationMs) throw new UsageError(`--fault-duration: ${formatDuration(faultMs)} from ${formatDuration(at)} ends after --duration ${formatDuration(durationMs)}`);
  const raw: Record<string, string> = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected key=value, got ${JSON.stringify(p)}`);
    raw[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return { flag: '--scenario', key, raw: [{ kind, at: formatDuration(at), duration: formatDuration(faultMs), params: raw }] };
}

/** The `chaos` command. */
export const chaosCommand: CommandModule = {
  register(program, ctx) {
    const cmd = program
      .command('chaos')
      .description('inject faults on a schedule under background load; check the steady state before, during and after; prove every fault reverted')
      .option('--scenario <name>', `one experiment, a quarter into the run for a quarter of it: ${experimentNames.join(', ')}`)
      .option('--param <key=value>', 'a param of the --scenario experiment, e.g. link=operator-bind, loss=20%, latency=2s (repeatable)', collectParam)
      .option('--fault-duration <duration>', 'how long the --scenario fault lasts (default: a quarter of --duration)')
      .option('--duration <duration>', 'how long the background load lasts, e.g. 2m (scenarios.chaos.duration)')
      .option('--rate <rate>', 'background operations per second, e.g. 5/s (scenarios.chaos.rate)')
      .option('--zones <n>', 'DNSZones the records are spread over (scenarios.sustained.zones)')
      .option('--kinds <mix>', 'record-kind mix of the creates (scenarios.sustained.kinds)')
      .option('--working-set <n>', 'records created and Ready before the load starts (scenarios.sustained.workingSet)')
      .option('--mix <weights>', 'create,update,delete weights of the background load (scenarios.sustained.operations)')
      .option('--timeout <duration>', 'bound on the setup waits and the wait for outstanding operations (scenarios.sustained.timeout)')
      .option('--converge-timeout <duration>', 'how long after each revert the steady state may take to come back (scenarios.chaos.convergeTimeout; default 2m, bindy\'s suite)')
      .option('--dns-load <on|off|auto>', "dnsperf queries every zone's SOA and NS and a missing name for the whole load: latency, answers and loss each second beside the fault windows (scenarios.chaos.dnsLoad; auto = when the target names a DNS server; on a cluster dnsperf runs in a pod next to BIND9: auto = when --shard-image is set)")
      .option('--query-rate <rate>', 'queries per second of that DNS load, e.g. 100/s (scenarios.chaos.queryRate)')
      .option('--in-cluster-server <host:port>', "on a cluster: the address the in-cluster dnsperf of that DNS load asks (default: the primary Bind9Instance's Service, port 53) (scenarios.chaos.inClusterServer)")
      .option('--quiet-window <duration>', "count reconciles at rest for this long at the end, judged per bindy line (0.8: ≤ 3 per 60 s); 0s = skip (scenarios.chaos.quietWindow)")
      .option('--quiet-window-each <duration>', "after each experiment converged, hold the background load and count reconciles at rest for this long, judged as --quiet-window; the load resumes where it stopped (scenarios.chaos.quietWindowEach; default 0s = none)")
      .option('--allow-cluster-changes', "on a cluster, allow split-brain to scale bindy's Deployment (and, leaderElection=off, set BINDY_ENABLE_LEADER_ELECTION=false) and cpu-throttle or memory-pressure of the operator to set its container's limit, journalled and undone (scenarios.chaos.allowClusterChanges)");
    addRunOptions(cmd, 'chaos')
      .addHelpText('after', help)
      .action(async (o: RunFlags & { scenario?: string; param?: string[]; faultDuration?: string }, c: Command) => {
        if (o.scenario === undefined && (o.param !== undefined || o.faultDuration !== undefined)) throw new UsageError('--param and --fault-duration go with --scenario NAME');
        const own = configFlags(o, flags);
        let resolved = await resolveCliConfig(ctx, own);
        if (o.scenario !== undefined) {
          resolved = await resolveCliConfig(ctx, [...own, scenarioOverride(o.scenario, resolved.config.scenarios.chaos.duration, o.faultDuration, o.param ?? [])]);
        }
        await runWithOptions(ctx, scenarios.chaos, resolved, o, c);
      });
  },
};
