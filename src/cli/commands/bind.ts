/** @module `bindy-loadtest bind query|transfer`: BIND9 under dnsperf load, and zone transfers to the secondaries, with the zones bindy wrote. */
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { locateDnsperf } from '../../drive/dnsperf/index.js';
import { searchDirs } from '../../targets/sandbox/bind9/tools.js';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';

const queryFlags: readonly ConfigFlag[] = [
  { flag: '--qps', key: 'scenarios.bind.qps' },
  { flag: '--duration', key: 'scenarios.bind.duration' },
  { flag: '--clients', key: 'scenarios.bind.clients' },
  { flag: '--zones', key: 'scenarios.bind.zones' },
  { flag: '--records', key: 'scenarios.bind.records' },
  { flag: '--kinds', key: 'scenarios.bind.kinds' },
  { flag: '--max-outstanding', key: 'scenarios.bind.maxOutstanding' },
  { flag: '--query-timeout', key: 'scenarios.bind.queryTimeout' },
  { flag: '--timeout', key: 'scenarios.bind.timeout' },
  { flag: '--query-file', key: 'scenarios.bind.queryFile' },
  { flag: '--server', key: 'scenarios.bind.server' },
  ...runConfigFlags,
];

const queryHelp = `
What it does:
  1. creates --zones DNSZones and --records records through the operator (as burst does; measured
     as a burst) and waits until every record is Ready and answered by BIND9
  2. writes a dnsperf query file: one query per created record (its name and type) plus
     fixtures.nxdomainShare of names that do not exist
  3. runs dnsperf (the real binary) against the server for --duration at --qps, with -v (each
     query's latency, into an HDR histogram: exact p50/p95/p99/p99.9, not dnsperf's average) and
     -S 1 (queries per second each second); checks every answer's rcode against the query
     (NOERROR for a created record, NXDOMAIN for a missing name); cross-checks its counts against
     dnsperf's own statistics
  4. deletes everything labelled with the run id (unless --keep)
  With --query-file, steps 1, 2 and 4 are skipped: dnsperf asks that file's queries.
  Writes <output>/<run-id>/result.json, summary.md and report.html (--format).
  Ctrl-C: stops dnsperf (its statistics so far are kept), cleans up, exits 130.

Examples:
  $ bindy-loadtest bind query --qps 2000/s --duration 30s
  $ bindy-loadtest bind query --records 5000 --zones 10 --qps 10000/s --clients 8 --max-outstanding 500
  $ bindy-loadtest bind query --query-file my-queries.txt --server 10.0.0.53:53
  $ bindy-loadtest --profile standard bind query        # 5000/s for 2 min; dnsQueryP99 50ms, maxDnsQueryLoss 0.5%

Exit codes: 0 every answer as expected and the criteria hold (dnsQueryP99, maxDnsQueryLoss); 1 an
            answer was wrong, a record never became Ready or answered, or a criterion failed;
            2 bad flags or query file; 3 target not ready or dnsperf missing; 130 interrupted.
`;

const transferFlags: readonly ConfigFlag[] = [
  { flag: '--zones', key: 'scenarios.transfer.zones' },
  { flag: '--records', key: 'scenarios.transfer.records' },
  { flag: '--rate', key: 'scenarios.transfer.rate' },
  { flag: '--duration', key: 'scenarios.transfer.duration' },
  { flag: '--change-timeout', key: 'scenarios.transfer.changeTimeout' },
  { flag: '--timeout', key: 'scenarios.transfer.timeout' },
  ...runConfigFlags,
];

const transferHelp = `
What it does:
  1. creates --zones DNSZones and --records ARecords through the operator (as burst does) and waits
     until every record is Ready and answered by the primary and every secondary; the
     create_to_resolvable figures are per server (create_to_resolvable.primary-0, .secondary-0)
  2. changes the records through the operator (merge patch of spec.ipv4Addresses), --rate per
     second for --duration, open loop, round-robin over the records; the operator writes the
     primary only (RFC 2136 UPDATE), the secondaries learn each change by NOTIFY + IXFR
  3. times each change from its intended start to the first answer with the new address:
     change_to_primary, change_to_secondary and primary_to_secondary (HDR histograms); a change a
     server has not answered --change-timeout after its intended start is never seen there
  4. meanwhile samples every zone's SOA serial on every server twice a second (serial_lag), and
     reads BIND9's statistics channel before and after (AXFR/IXFR served, transfers failed)
  5. deletes everything labelled with the run id (unless --keep): the operator deletes each zone
     from the primary and from every secondary
  The sandbox runs at least one secondary for it (sandbox.secondaries; a running sandbox started
  with 0 is refused, exit 2). Writes <output>/<run-id>/result.json, summary.md and report.html.

Examples:
  $ bindy-loadtest bind transfer                                   # 2 zones, 20 records, 5 changes/s for 20 s
  $ bindy-loadtest bind transfer --records 200 --zones 10 --rate 50/s --duration 1m
  $ bindy-loadtest --dry-run bind transfer                         # the plan, nothing sent

Exit codes: 0 every change reached every secondary and the population is whole; 1 a change was
            never answered by the primary or a secondary, a change was refused, or a record was
            never Ready or answered; 2 bad flags, or a target without a secondary; 3 target not
            ready; 130 interrupted (cleaned up, the result marked aborted).
`;

/** The `bind` command family: `bind query`, `bind transfer`. */
export const bindCommand: CommandModule = {
  register(program, ctx) {
    const bind = program.command('bind').description('the DNS side: BIND9 under load from dnsperf, and zone transfers to the secondaries, with the zones bindy writes');
    const query = bind
      .command('query')
      .description('create records through the operator, then measure BIND9 answering them under dnsperf load (latency percentiles, qps, loss, rcodes)')
      .option('--qps <rate>', 'queries per second dnsperf sends, e.g. 2000/s (scenarios.bind.qps)')
      .option('--duration <duration>', 'how long dnsperf runs, e.g. 30s (scenarios.bind.duration)')
      .option('--clients <n>', 'dnsperf clients, i.e. sockets (scenarios.bind.clients)')
      .option('--zones <n>', 'DNSZones created before querying (scenarios.bind.zones)')
      .option('--records <n>', 'records created and queried, spread over the zones (scenarios.bind.records)')
      .option('--kinds <mix>', 'record-kind mix of the created records, e.g. A=70,TXT=30 (scenarios.bind.kinds)')
      .option('--max-outstanding <n>', 'dnsperf -q: queries in flight at most (scenarios.bind.maxOutstanding)')
      .option('--query-timeout <duration>', 'dnsperf -t: a query unanswered this long is lost (scenarios.bind.queryTimeout)')
      .option('--timeout <duration>', 'wait for the created records to be Ready and answered (scenarios.bind.timeout)')
      .option('--query-file <file>', 'ask this dnsperf query file\'s queries instead of creating records (scenarios.bind.queryFile)')
      .option('--server <host:port>', "the DNS server to query (default: the target's first BIND9 server, the primary) (scenarios.bind.server)");
    addRunOptions(query, 'bind-query')
      .addHelpText('after', queryHelp)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, queryFlags));
        const file = resolved.config.scenarios.bind.queryFile;
        if (file !== undefined) {
          const path = resolve(ctx.io.cwd, file);
          try {
            accessSync(path, constants.R_OK);
            if (!statSync(path).isFile()) throw new Error('not a file');
          } catch {
            throw new UsageError(`--query-file ${file}: no readable file there`);
          }
        }
        // Before any target is opened: a machine without dnsperf starts nothing (exit 3, with the install line).
        if (ctx.globals().dryRun !== true) locateDnsperf('dnsperf', searchDirs(ctx.io.env['PATH']));
        await runWithOptions(ctx, scenarios['bind-query'], resolved, o, c);
      });
    const transfer = bind
      .command('transfer')
      .description('change records on the primary through the operator and time each change until every secondary answers it (NOTIFY + IXFR), with serial lag and BIND9\'s transfer counters')
      .option('--zones <n>', 'DNSZones created (scenarios.transfer.zones)')
      .option('--records <n>', 'ARecords created, spread over the zones, then changed round-robin (scenarios.transfer.records)')
      .option('--rate <rate>', 'record changes per second through the operator, e.g. 5/s (scenarios.transfer.rate)')
      .option('--duration <duration>', 'how long changes are started, e.g. 20s (scenarios.transfer.duration)')
      .option('--change-timeout <duration>', 'a change a server has not answered this long after its intended start is never seen there (scenarios.transfer.changeTimeout)')
      .option('--timeout <duration>', 'wait for the created records to be Ready and answered by every server (scenarios.transfer.timeout)');
    addRunOptions(transfer, 'bind-transfer')
      .addHelpText('after', transferHelp)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, transferFlags));
        await runWithOptions(ctx, scenarios['bind-transfer'], resolved, o, c);
      });
  },
};
