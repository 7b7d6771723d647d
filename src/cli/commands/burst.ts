/** @module `bindy-loadtest burst`: create DNSZones and records at once and time each to Ready, then clean up. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { FlagOverride } from '../../config/index.js';
import { metricsObserver } from '../../scenarios/metrics-observer.js';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { commandLineOf, runScenario } from '../run-scenario.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--records', key: 'scenarios.burst.records' },
  { flag: '--zones', key: 'scenarios.burst.zones' },
  { flag: '--kinds', key: 'scenarios.burst.kinds' },
  { flag: '--concurrency', key: 'scenarios.burst.concurrency' },
  { flag: '--qps', key: 'scenarios.burst.qps' },
  { flag: '--timeout', key: 'scenarios.burst.timeout' },
  { flag: '--mixed', key: 'scenarios.burst.mixed' },
  { flag: '--probe-servers', key: 'probe.servers' },
  { flag: '--probe-rate', key: 'probe.rate' },
  { flag: '--probe-timeout', key: 'probe.timeout' },
  { flag: '--run-id', key: 'runId' },
  { flag: '--format', key: 'report.formats' },
  { flag: '--pushgateway', key: 'report.pushgateway' },
  { flag: '--progress-interval', key: 'report.progressInterval' },
];

const help = `
What it does:
  1. makes sure the namespace (labelled as the tool's) and the Bind9Cluster exist (not measured)
  2. creates the DNSZones and records with --concurrency creates in flight (at most --qps per second),
     each timed from its intended start to the first watch event showing Ready=True at its generation
  3. waits up to --timeout for every object to be Ready; with the DNS prober (default on the sandbox)
     every record is asked of every BIND9 server from its intended start until the answer matches,
     up to --probe-timeout more after the Ready wait (create_to_resolvable per server)
  4. deletes everything labelled with the run id and waits until it is gone (unless --keep)
  Writes <output>/<run-id>/result.json, summary.md and report.html (--format); journal in <output>/journal/.
  Ctrl-C: stops creating, cleans up, writes a partial result marked aborted, exits 130.

Examples:
  $ bindy-loadtest burst --records 1000 --zones 10
  $ bindy-loadtest burst --zones 5 --records-per-zone 200 --kinds A=70,AAAA=10,CNAME=10,TXT=10 --qps 50
  $ bindy-loadtest --target cluster --context kind-bindy burst --records 500 --create-cluster
  $ bindy-loadtest --dry-run burst --records 100000 --zones 100 --mixed
  $ bindy-loadtest --json burst --records 300 > result.json

Exit codes: 0 every object became Ready (and DNS answered it, when probed); 1 some did not, were rejected,
            or DNS did not serve them or served other data; 2 bad flags;
            3 target not ready (preflight names what is missing); 130 interrupted.
`;

type BurstFlags = Record<string, unknown> & {
  recordsPerZone?: string;
  mixed?: boolean;
  keep?: boolean;
  createCluster?: boolean;
  allowExistingNamespace?: boolean;
  dnsProbe?: boolean;
};

/** `--dns-probe` / `--no-dns-probe` as `scenarios.burst.dnsProbe`, named by the flag actually given. */
function dnsProbeOverride(o: BurstFlags): FlagOverride[] {
  if (o.dnsProbe === undefined) return [];
  return [{ flag: o.dnsProbe ? '--dns-probe' : '--no-dns-probe', key: 'scenarios.burst.dnsProbe', raw: o.dnsProbe }];
}

/** `--records-per-zone R` as `scenarios.burst.records = zones × R` (zones from the resolved configuration). */
function recordsPerZoneOverride(raw: string, zones: number, recordsGiven: boolean): FlagOverride {
  if (recordsGiven) throw new UsageError('--records-per-zone: give either --records N (spread over the zones) or --records-per-zone R, not both');
  if (!/^[1-9]\d*$/.test(raw.trim())) throw new UsageError(`--records-per-zone: expected a positive integer, got ${JSON.stringify(raw)}`);
  return { flag: '--records-per-zone', key: 'scenarios.burst.records', raw: String(zones * Number(raw)) };
}

/** The `burst` command. */
export const burstCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('burst')
      .description('create DNSZones and records at once and measure create→Ready, then clean up')
      .option('--records <n>', 'records to create, round-robin over the zones (scenarios.burst.records)')
      .option('--zones <n>', 'DNSZones the records are spread over (scenarios.burst.zones)')
      .option('--records-per-zone <n>', 'records in each zone: records = zones × n (instead of --records)')
      .option('--mixed', 'interleave zones and records in one stream (each zone followed by its records) instead of every zone first')
      .option('--kinds <mix>', 'record-kind mix, e.g. A=70,AAAA=10,CNAME=10,TXT=10 (scenarios.burst.kinds)')
      .option('--concurrency <n>', 'creates in flight at once (scenarios.burst.concurrency)')
      .option('--qps <rate>', 'at most this many creates per second, e.g. 50 or 50/s (scenarios.burst.qps)')
      .option('--timeout <duration>', 'how long to wait for every object to be Ready, e.g. 5m (scenarios.burst.timeout)')
      .option('--dns-probe', 'ask DNS for every record until it answers the desired data (default on the sandbox; scenarios.burst.dnsProbe)')
      .option('--no-dns-probe', 'do not probe DNS')
      .option('--probe-servers <list>', 'DNS servers to probe, host:port comma-separated (default: the target\'s BIND9; needed on a cluster; probe.servers)')
      .option('--probe-rate <rate>', 'probe queries per second, all servers together (default 500/s; probe.rate)')
      .option('--probe-timeout <duration>', 'after the wait for Ready, how long to wait for DNS to answer every Ready record (default 1m; probe.timeout)')
      .option('--run-id <id>', 'run id put on every object (default burst-YYYYMMDD-HHMMSS-xxxx)')
      .option('--format <formats>', 'reports to write besides result.json: markdown, html, prometheus (comma-separated or repeated; report.formats)', (v: string, prev?: string) => (prev === undefined ? v : `${prev},${v}`))
      .option('--pushgateway <url>', 'push the run\'s summary metrics to this Prometheus Pushgateway (report.pushgateway)')
      .option('--progress-interval <duration>', 'print a progress line this often when stderr is not a terminal, e.g. 1s (report.progressInterval; default 5s)')
      .option('--keep', 'leave the objects in place after the run (remove them later with cleanup --run-id)')
      .option('--create-cluster', 'cluster target: create the Bind9Cluster from the fixtures when it is absent (removed with the run)')
      .option('--allow-existing-namespace', 'cluster target: use a namespace the tool did not create (only run-labelled objects are ever deleted)')
      .addHelpText('after', help)
      .action(async (o: BurstFlags, cmd: Command) => {
        const own = [...configFlags(o, flags), ...dnsProbeOverride(o)];
        let resolved = await resolveCliConfig(ctx, own);
        if (o.recordsPerZone !== undefined) {
          const extra = recordsPerZoneOverride(o.recordsPerZone, resolved.config.scenarios.burst.zones, o.records !== undefined);
          resolved = await resolveCliConfig(ctx, [...own, extra]);
        }
        await runScenario(ctx, {
          scenario: scenarios.burst,
          resolved,
          interleave: resolved.config.scenarios.burst.mixed,
          keep: o.keep === true,
          createCluster: o.createCluster === true,
          allowExistingNamespace: o.allowExistingNamespace === true,
          commandLine: commandLineOf(cmd),
          // Operator metrics and API amplification, sampled from just before the first measured write
          // until the wait for Ready ends.
          observers: [
            metricsObserver({
              intervalMs: 1000,
              ...(resolved.config.prometheus === undefined ? {} : { prometheusUrl: resolved.config.prometheus }),
            }),
          ],
        });
      });
  },
};
