/** @module `bindy-loadtest burst`: create DNSZones and records at once and time each to Ready, then clean up. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { FlagOverride } from '../../config/index.js';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';
import { addProbeOptions, dnsProbeOverride, probeConfigFlags, type DnsProbeFlag } from '../probe-options.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--records', key: 'scenarios.burst.records' },
  { flag: '--zones', key: 'scenarios.burst.zones' },
  { flag: '--kinds', key: 'scenarios.burst.kinds' },
  { flag: '--concurrency', key: 'scenarios.burst.concurrency' },
  { flag: '--qps', key: 'scenarios.burst.qps' },
  { flag: '--timeout', key: 'scenarios.burst.timeout' },
  { flag: '--mixed', key: 'scenarios.burst.mixed' },
  ...probeConfigFlags,
  ...runConfigFlags,
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
  # DNS on a cluster: port-forwards to BIND9's pods the run opens itself (TCP), or one of your own
  $ bindy-loadtest --target cluster burst --dns-probe
  $ bindy-loadtest --target cluster burst --probe-servers 127.0.0.1:5353 --probe-transport tcp

Sharding (--shards N, global): N load generators, each with whole zones and its part of the rate, merged
into one result (histograms added). On the sandbox they are local processes; on --target cluster, the pods
of a Kubernetes Indexed Job running this tool's image (docker build from the repo's Dockerfile, then
--shard-image; docs/cluster.md#sharded-runs-an-indexed-job); --shard-runner local keeps them here.
  $ bindy-loadtest --shards 3 burst --zones 30 --records 30000 --qps 600
  $ bindy-loadtest --target cluster --shards 4 --shard-image REGISTRY/bindy-loadtest:TAG burst --zones 40 --records 40000

The summary's first line is the verdict: PASS, FAIL (the failed criteria first, e.g. create→Ready p99
above its limit, then objects not Ready or rejected) or ABORTED (a partial run is not judged).

Exit codes: 0 PASS; 1 FAIL (also: DNS did not serve a Ready record, or served other data, when probed); 2 bad flags, or an --output that cannot be written (checked first);
            3 target not ready (preflight names what is missing) or --pushgateway unreachable;
            130 interrupted.
`;

type BurstFlags = RunFlags & DnsProbeFlag & { recordsPerZone?: string; mixed?: boolean };

/** `--records-per-zone R` as `scenarios.burst.records = zones × R` (zones from the resolved configuration). */
function recordsPerZoneOverride(raw: string, zones: number, recordsGiven: boolean): FlagOverride {
  if (recordsGiven) throw new UsageError('--records-per-zone: give either --records N (spread over the zones) or --records-per-zone R, not both');
  if (!/^[1-9]\d*$/.test(raw.trim())) throw new UsageError(`--records-per-zone: expected a positive integer, got ${JSON.stringify(raw)}`);
  return { flag: '--records-per-zone', key: 'scenarios.burst.records', raw: String(zones * Number(raw)) };
}

/** The `burst` command. */
export const burstCommand: CommandModule = {
  register(program, ctx) {
    const cmd = program
      .command('burst')
      .description('create DNSZones and records at once and measure create→Ready, then clean up')
      .option('--records <n>', 'records to create, round-robin over the zones (scenarios.burst.records)')
      .option('--zones <n>', 'DNSZones the records are spread over (scenarios.burst.zones)')
      .option('--records-per-zone <n>', 'records in each zone: records = zones × n (instead of --records)')
      .option('--mixed', 'interleave zones and records in one stream (each zone followed by its records) instead of every zone first')
      .option('--kinds <mix>', 'record-kind mix, e.g. A=70,AAAA=10,CNAME=10,TXT=10 (scenarios.burst.kinds)')
      .option('--concurrency <n>', 'creates in flight at once (scenarios.burst.concurrency)')
      .option('--qps <rate>', 'at most this many creates per second, e.g. 50 or 50/s (scenarios.burst.qps)')
      .option('--timeout <duration>', 'how long to wait for every object to be Ready, e.g. 5m (scenarios.burst.timeout)');
    addProbeOptions(cmd, { key: 'scenarios.burst.dnsProbe', defaultText: 'default on the sandbox' });
    addRunOptions(cmd, 'burst')
      .addHelpText('after', help)
      .action(async (o: BurstFlags, c: Command) => {
        const own = [...configFlags(o, flags), ...dnsProbeOverride(o, 'scenarios.burst.dnsProbe')];
        let resolved = await resolveCliConfig(ctx, own);
        if (o.recordsPerZone !== undefined) {
          const extra = recordsPerZoneOverride(o.recordsPerZone, resolved.config.scenarios.burst.zones, o.records !== undefined);
          resolved = await resolveCliConfig(ctx, [...own, extra]);
        }
        await runWithOptions(ctx, scenarios.burst, resolved, o, c, resolved.config.scenarios.burst.mixed);
      });
  },
};
