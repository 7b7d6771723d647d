/** @module `bindy-loadtest sustained`: an open-loop rate of creates, updates and deletes for a duration, then a quiet window and cleanup. */
import type { Command } from 'commander';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';
import { addProbeOptions, dnsProbeOverride, probeConfigFlags, type DnsProbeFlag } from '../probe-options.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--rate', key: 'scenarios.sustained.rate' },
  { flag: '--duration', key: 'scenarios.sustained.duration' },
  { flag: '--ramp-up', key: 'scenarios.sustained.rampUp' },
  { flag: '--mix', key: 'scenarios.sustained.operations' },
  { flag: '--zones', key: 'scenarios.sustained.zones' },
  { flag: '--kinds', key: 'scenarios.sustained.kinds' },
  { flag: '--working-set', key: 'scenarios.sustained.workingSet' },
  { flag: '--churn', key: 'scenarios.sustained.churn' },
  { flag: '--concurrency', key: 'scenarios.sustained.concurrency' },
  { flag: '--timeout', key: 'scenarios.sustained.timeout' },
  { flag: '--quiet-window', key: 'scenarios.sustained.quietWindow' },
  ...probeConfigFlags,
  ...runConfigFlags,
];

const help = `
What it does:
  1. makes sure the namespace and the Bind9Cluster exist; creates --zones DNSZones and --working-set
     records and waits until they are Ready (setup, not measured)
  2. offers --rate operations per second for --duration (a linear ramp over --ramp-up first) on an
     open-loop schedule: operation n is due at a time computed from the start, never delayed by a
     slow one; with every --concurrency slot busy it is dropped and counted, not queued
     - create: a new record; update: a new spec.ttl by server-side apply (bumps the generation);
       delete: one of this run's settled records (--mix create,update,delete weights)
     - --churn: create+delete pairs that keep the working set at --working-set (service turnover)
  3. times each operation from its intended start to its effect seen by the watch (Ready at the new
     generation; gone) and from its send (service time); samples offered/achieved rates and the
     client-side backlog every second; fits the backlog's slope over the steady phase
     - with --dns-probe (on a cluster through port-forwards the run opens, or --probe-servers):
       each change from its intended start until every BIND9 server answers the new state
       (create→resolvable, update→resolvable, delete→gone from DNS); on by default on the
       sandbox (--no-dns-probe to leave it out)
  4. waits up to --timeout for the outstanding operations (and --probe-timeout more for DNS),
     counts reconciles and API writes over a --quiet-window at rest, deletes everything labelled with the run id (unless --keep)
  Writes <output>/<run-id>/result.json, summary.md and report.html (--format).
  Ctrl-C: stops starting, cleans up, writes a partial result marked aborted, exits 130.

Examples:
  $ bindy-loadtest sustained --rate 20/s --duration 2m --mix 60,30,10
  $ bindy-loadtest sustained --rate 50/s --duration 30m --ramp-up 2m --zones 20 --kinds A=80,TXT=20
  $ bindy-loadtest sustained --churn --working-set 500 --rate 10/s --duration 10m
  $ bindy-loadtest --profile standard sustained          # 50/s for 20 min, criteria of the profile
  $ bindy-loadtest --dry-run sustained --rate 100/s --duration 1h

Exit codes: 0 every operation took effect and the criteria hold; 1 some failed, were dropped, DNS
            did not serve a change that took effect (or served other data), or a criterion failed; 2 bad flags; 3 target not ready; 130 interrupted.
`;

/** The `sustained` command. */
export const sustainedCommand: CommandModule = {
  register(program, ctx) {
    const cmd = program
      .command('sustained')
      .description('offer a steady rate of creates, updates and deletes for a duration and measure each operation, the backlog and the quiet window')
      .option('--rate <rate>', 'operations per second after the ramp-up, e.g. 20/s (scenarios.sustained.rate)')
      .option('--duration <duration>', 'how long the load lasts, ramp-up included, e.g. 2m (scenarios.sustained.duration)')
      .option('--ramp-up <duration>', 'linear ramp from 0 to the rate, e.g. 30s (scenarios.sustained.rampUp)')
      .option('--mix <weights>', 'create,update,delete weights, e.g. 60,30,10 or create=60,update=30,delete=10 (scenarios.sustained.operations)')
      .option('--zones <n>', 'DNSZones the records are spread over (scenarios.sustained.zones)')
      .option('--kinds <mix>', 'record-kind mix of the creates, e.g. A=70,TXT=30 (scenarios.sustained.kinds)')
      .option('--working-set <n>', 'records created and Ready before the load starts (not measured); with --churn the size kept (scenarios.sustained.workingSet)')
      .option('--churn', 'create+delete pairs that keep the working set at its size, instead of --mix (scenarios.sustained.churn)')
      .option('--concurrency <n>', 'writes in flight at once; an operation due when all are busy is dropped (scenarios.sustained.concurrency)')
      .option('--timeout <duration>', 'bound on the setup waits and on the wait for outstanding operations after the load (scenarios.sustained.timeout)')
      .option('--quiet-window <duration>', 'count reconciles and API writes at rest for this long after the load; 0s = skip (scenarios.sustained.quietWindow)');
    addProbeOptions(cmd, { key: 'scenarios.sustained.dnsProbe', defaultText: 'default auto: on for the sandbox or with --probe-servers' });
    addRunOptions(cmd, 'sustained')
      .addHelpText('after', help)
      .action(async (o: RunFlags & DnsProbeFlag, c: Command) => {
        const resolved = await resolveCliConfig(ctx, [...configFlags(o, flags), ...dnsProbeOverride(o, 'scenarios.sustained.dnsProbe')]);
        await runWithOptions(ctx, scenarios.sustained, resolved, o, c);
      });
  },
};
