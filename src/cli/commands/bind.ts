/** @module `bindy-loadtest bind query`: BIND9 under dnsperf load, with the zones bindy wrote. */
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

/** The `bind` command family: `bind query` (more engines to come). */
export const bindCommand: CommandModule = {
  register(program, ctx) {
    const bind = program.command('bind').description('the DNS side: BIND9 under load from dnsperf, with the zones bindy writes');
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
  },
};
