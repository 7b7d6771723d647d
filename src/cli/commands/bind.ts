/** @module `bindy-loadtest bind query|resperf|transfer|rndc|zones`: BIND9 under dnsperf load, its maximum throughput under resperf's ramp, zone transfers to the secondaries, bindcar under a storm, and BIND9 loading the zones bindy writes. */
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
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
  { flag: '--in-cluster-server', key: 'scenarios.bind.inClusterServer' },
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
  On a cluster (--target cluster) without --server, dnsperf runs inside the cluster, next to
  BIND9: a one-pod Job of this tool's image (--shard-image; it carries dnsperf and resperf) asks
  the primary Bind9Instance's Service (or --in-cluster-server), times every query there with the
  same parser, returns the histograms and is deleted; figures that are not a port-forward's.
  Writes <output>/<run-id>/result.json, summary.md and report.html (--format).
  Ctrl-C: stops dnsperf (its statistics so far are kept), cleans up, exits 130.

Examples:
  $ bindy-loadtest bind query --qps 2000/s --duration 30s
  $ bindy-loadtest bind query --records 5000 --zones 10 --qps 10000/s --clients 8 --max-outstanding 500
  $ bindy-loadtest bind query --query-file my-queries.txt --server 10.0.0.53:53
  $ bindy-loadtest --target cluster --shard-image registry.example/bindy-loadtest:0.1.0 bind query --qps 20000/s
  $ bindy-loadtest --profile standard bind query        # 5000/s for 2 min; dnsQueryP99 50ms, maxDnsQueryLoss 0.5%

Exit codes: 0 every answer as expected and the criteria hold (dnsQueryP99, maxDnsQueryLoss); 1 an
            answer was wrong, a record never became Ready or answered, or a criterion failed;
            2 bad flags or query file; 3 target not ready or dnsperf missing; 130 interrupted.
`;

const resperfFlags: readonly ConfigFlag[] = [
  { flag: '--max-qps', key: 'scenarios.bind.maxQps' },
  { flag: '--ramp', key: 'scenarios.bind.ramp' },
  { flag: '--max-loss', key: 'scenarios.bind.maxLoss' },
  ...queryFlags.filter((f) => f.flag !== '--qps' && f.flag !== '--duration'),
];

const resperfHelp = `
What it does:
  1. creates --zones DNSZones and --records records through the operator and waits until every
     record is Ready and answered by BIND9 (as bind query does)
  2. writes the same query file: one query per created record plus fixtures.nxdomainShare of names
     that do not exist
  3. runs resperf (the real binary) against the server: its rate ramps from 0 to --max-qps over
     --ramp, the file looped; every half second resperf records the rate asked, sent, answered,
     failed and the mean latency (its plot file, kept as series). The answer: the maximum
     throughput, the most answers per second of an interval that lost at most --max-loss, and the
     loss there, judged against minDnsThroughputQps (1000/s by default). A server that kept up to
     the ramp's top is said to be faster than --max-qps; then, and when resperf's own limit ended
     the ramp, the maximum is a lower bound: it can pass the criterion, never fail it
  4. deletes everything labelled with the run id (unless --keep)
  resperf times no single query: there are no latency percentiles here (bind query has them).
  Writes <output>/<run-id>/result.json, summary.md and report.html (--format).
  Ctrl-C: stops resperf (its statistics so far are kept), cleans up, exits 130.

Examples:
  $ bindy-loadtest bind resperf --max-qps 50000/s --ramp 30s
  $ bindy-loadtest bind resperf --max-loss 0.1% --clients 8 --max-outstanding 2000
  $ bindy-loadtest bind resperf --query-file my-queries.txt --server 10.0.0.53:53

Exit codes: 0 resperf measured a maximum throughput, every answer was NOERROR or NXDOMAIN and
            minDnsThroughputQps holds; 1 a record never became Ready or answered, resperf printed
            no statistics, an answer was another rcode, or the criterion failed; 2 bad flags or query file; 3 target not ready or resperf
            missing; 130 interrupted.
`;

/** dnsperf/resperf run in a pod of the cluster (not on this machine): a cluster target and no --server. */
function engineInCluster(config: Readonly<Config>): boolean {
  return config.target === 'cluster' && config.scenarios.bind.server === undefined;
}

/** A --query-file that cannot be read is a usage error before anything starts. */
function checkQueryFile(cwd: string, file: string | undefined): void {
  if (file === undefined) return;
  const path = resolve(cwd, file);
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new UsageError(`--query-file ${file}: no readable file there`);
  }
}

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

const rndcFlags: readonly ConfigFlag[] = [
  { flag: '--mode', key: 'scenarios.rndc.mode' },
  { flag: '--rate', key: 'scenarios.rndc.rate' },
  { flag: '--duration', key: 'scenarios.rndc.duration' },
  { flag: '--clients', key: 'scenarios.rndc.clients' },
  { flag: '--zones', key: 'scenarios.rndc.zones' },
  { flag: '--mix', key: 'scenarios.rndc.mix' },
  { flag: '--writes', key: 'scenarios.rndc.writes' },
  { flag: '--records', key: 'scenarios.rndc.records' },
  { flag: '--max-in-flight', key: 'scenarios.rndc.maxInFlight' },
  { flag: '--request-timeout', key: 'scenarios.rndc.requestTimeout' },
  { flag: '--bindcar-url', key: 'scenarios.rndc.bindcarUrl' },
  { flag: '--token-file', key: 'scenarios.rndc.tokenFile' },
  { flag: '--update-key', key: 'scenarios.rndc.updateKey' },
  ...runConfigFlags,
];

const rndcHelp = `
What it does (bindcar only: nothing is written to Kubernetes, no operator is involved):
  1. checks bindcar answers (GET /api/v1/health) and takes the token (GET /api/v1/zones): unreachable
     is exit 3, a token refused (401/403) exit 2, both before anything is created
  2. creates the run's own zones through bindcar (POST /api/v1/zones), named after the run id
     (s0.<run-id>.test …), each written to the run journal before its create
  3. the storm, open loop at --rate for --duration (each request has an intended start; one due
     while --max-in-flight are in flight is dropped and counted, never queued), one --mode:
       reload        POST /api/v1/zones/<z>/reload of one zone (--zones N: round-robin over N)
       mixed         weighted commands (--mix), one route each: status, zone, zones, server,
                     reload, notify, record-add, record-remove
       write-reload  --writes big zones of --records A records each through the create route,
                     spread over the storm, every other request a reload of the latest written
     from --clients clients: against a loopback bindcar each client sends from its own address
     (127.0.0.2, 127.0.0.3, …), since bindcar's rate limiter keeps one budget per client IP
  4. per route: latency from the intended start (bindcar_<route>) and service time from the send
     (bindcar_<route>_service), HDR histograms; status codes; 429s from the limiter counted apart
     from errors; connection errors and timeouts apart
  5. deletes every zone it created (also on Ctrl-C or an error; --keep does not keep them);
     \`cleanup --run-id ID\` deletes what a killed run left (the journal names each zone and where
     its token is read, never the token)
  The token: --token-file PATH, else $BINDCAR_TOKEN; on the sandbox (no --bindcar-url) its own.
  It is never printed, never in the result or the journal. Zones bindy writes have dynamic
  updates on, and BIND 9 refuses to reload those ("dynamic zone"): the storm's reload zones are
  created without an update key; the mixed storm's record writes go to zones with one (--update-key).

Examples:
  $ bindy-loadtest bind rndc                                       # 20 reloads/s of one zone for 20 s on the sandbox's twin
  $ bindy-loadtest bind rndc --mode mixed --clients 20 --rate 100/s --duration 30s
  $ bindy-loadtest bind rndc --mode write-reload --writes 5 --records 5000 --rate 10/s
  $ BINDCAR_TOKEN=$(cat token) bindy-loadtest bind rndc --bindcar-url http://127.0.0.1:8080 --mode mixed --mix status=50,reload=30,notify=20
  $ bindy-loadtest --dry-run bind rndc --mode mixed               # the plan, nothing sent

Exit codes: 0 every request answered 2xx or 429, every zone deleted; 1 a request answered with
            another status, unanswered (connection error, timeout), or a zone left; 2 bad flags, a
            token missing or refused; 3 bindcar not reachable; 130 interrupted (zones deleted, the
            result marked aborted).
`;

const zonesFlags: readonly ConfigFlag[] = [
  { flag: '--zones', key: 'scenarios.zones.zones' },
  { flag: '--records-per-zone', key: 'scenarios.zones.recordsPerZone' },
  { flag: '--kinds', key: 'scenarios.zones.kinds' },
  { flag: '--concurrency', key: 'scenarios.zones.concurrency' },
  { flag: '--timeout', key: 'scenarios.zones.timeout' },
  { flag: '--bindcar-url', key: 'scenarios.zones.bindcarUrl' },
  { flag: '--token-file', key: 'scenarios.zones.tokenFile' },
  { flag: '--dnssec-policy', key: 'scenarios.zones.dnssecPolicy' },
  { flag: '--zone-dir', key: 'scenarios.zones.zoneDir' },
  { flag: '--qps', key: 'scenarios.bind.qps' },
  { flag: '--duration', key: 'scenarios.bind.duration' },
  { flag: '--clients', key: 'scenarios.bind.clients' },
  { flag: '--max-outstanding', key: 'scenarios.bind.maxOutstanding' },
  { flag: '--query-timeout', key: 'scenarios.bind.queryTimeout' },
  { flag: '--server', key: 'scenarios.bind.server' },
  ...runConfigFlags,
];

const zonesHelp = `
What it does (BIND9 with the zones bindy writes; no operator, nothing written to Kubernetes):
  1. checks bindcar answers and takes the token (as bind rndc does); on --target cluster without
     --bindcar-url it reaches bindcar through its own port-forward to the primary BIND9 pod. Builds
     every zone's create request: one over bindcar's 2 MiB request limit (bindcar answers 413) is
     loaded as bindcar would load it (its zone file, then rndc addzone directly): on the sandbox,
     and on a cluster in that pod's bind9 container through pods/exec (--zone-dir); against a
     --bindcar-url it is refused before anything is sent (the pod behind a URL is not known)
  2. creates --zones zones through bindcar (POST /api/v1/zones), each with --records-per-zone
     records (fixtures: the --kinds mix, TXT payloads up to 2 KB, MX, SRV, CAA) in zoneConfig.records:
     bindcar writes them into the zone file and runs rndc addzone, as it does for bindy.
     --concurrency creates at a time; against a loopback bindcar each slot sends from its own
     127.0.0.x (bindcar limits per client IP); a 429 is waited out and counted
  3. per zone: zone_create (send → bindcar's 201) and zone_served (send → BIND9 answering the zone's
     last record with its data; named serves a zone whole or not at all); zones_all_served_ms,
     records_served_per_second; named's memory (RSS start, peak, end) and CPU each second where its
     process runs on this machine (the sandbox), as series too. With --dnssec-policy every zone is
     signed by named (that policy, inline signing, as bindy's DNSZone dnssecPolicy asks) and a zone
     is served once its last record is answered with an RRSIG over it (asked with the DO bit)
  4. dnsperf asks the server every loaded record plus names that do not exist, at --qps for
     --duration (per-query latencies into HDR, rcodes checked), as bind query does
  5. deletes every zone it created (also on Ctrl-C or an error); \`cleanup --run-id ID\` deletes what
     a killed run left
  This measures BIND9's loading and serving; the operator's scale is burst's and sustained's.
  Shapes worth running: 1 zone × 1,000 or 10,000 records; 100, 500 or 1,000 zones × 100 records;
  TXT-heavy zones (--kinds TXT=100); 1 zone × 100,000 records (loaded directly: on the sandbox,
  or on a cluster through pods/exec).

Examples:
  $ bindy-loadtest bind zones                                      # 10 zones × 100 records, then dnsperf 1000/s for 60 s
  $ bindy-loadtest bind zones --zones 1 --records-per-zone 10000 --duration 30s
  $ bindy-loadtest bind zones --zones 1000 --records-per-zone 100 --concurrency 8
  $ bindy-loadtest bind zones --kinds TXT=60,MX=20,SRV=20 --zones 100
  $ bindy-loadtest bind zones --zones 100 --dnssec-policy default       # signed: key generation and signing timed
  $ BINDCAR_TOKEN=$(cat token) bindy-loadtest bind zones --bindcar-url http://127.0.0.1:8080 --server 127.0.0.1:5353
  $ BINDCAR_TOKEN=$(cat token) bindy-loadtest --target cluster bind zones --zones 1 --records-per-zone 100000 --server 10.0.0.5:53

Exit codes: 0 every zone created and served, every answer as expected, the criteria hold
            (dnsQueryP99, maxDnsQueryLoss); 1 a zone refused or never served, a wrong answer, a
            zone left, or a criterion failed; 2 bad flags, a zone over bindcar's request limit
            against a --bindcar-url, a token missing or refused; 3 bindcar not reachable, or dnsperf missing; 130 interrupted
            (zones deleted, the result marked aborted).
`;

/** The `bind` command family: `bind query`, `bind resperf`, `bind transfer`, `bind rndc`, `bind zones`. */
export const bindCommand: CommandModule = {
  register(program, ctx) {
    const bind = program.command('bind').description('the DNS side: BIND9 under load from dnsperf, zone transfers to the secondaries, with the zones bindy writes; bindcar under a storm');
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
      .option('--server <host:port>', "the DNS server to query from this machine (default: the target's first BIND9 server, the primary; on a cluster: none, dnsperf runs in a pod) (scenarios.bind.server)")
      .option('--in-cluster-server <host:port>', "on a cluster without --server: the address the in-cluster dnsperf asks (default: the primary Bind9Instance's Service, port 53) (scenarios.bind.inClusterServer)");
    addRunOptions(query, 'bind-query')
      .addHelpText('after', queryHelp)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, queryFlags));
        checkQueryFile(ctx.io.cwd, resolved.config.scenarios.bind.queryFile);
        // Before any target is opened: a machine without dnsperf starts nothing (exit 3, with the install line); on a cluster without --server it runs in a pod.
        if (ctx.globals().dryRun !== true && !engineInCluster(resolved.config)) locateDnsperf('dnsperf', searchDirs(ctx.io.env['PATH']));
        await runWithOptions(ctx, scenarios['bind-query'], resolved, o, c);
      });
    const resperf = bind
      .command('resperf')
      .description("create records through the operator, then ramp resperf against BIND9 to find its maximum throughput within a loss limit")
      .option('--max-qps <rate>', "the rate resperf's ramp reaches at its end, e.g. 50000/s (scenarios.bind.maxQps)")
      .option('--ramp <duration>', 'how long the ramp from 0 to --max-qps takes, e.g. 30s (scenarios.bind.ramp)')
      .option('--max-loss <percent>', 'an interval losing more than this does not count for the maximum throughput, e.g. 1% (scenarios.bind.maxLoss)')
      .option('--clients <n>', 'resperf clients, i.e. sockets (scenarios.bind.clients)')
      .option('--zones <n>', 'DNSZones created before querying (scenarios.bind.zones)')
      .option('--records <n>', 'records created and queried, spread over the zones (scenarios.bind.records)')
      .option('--kinds <mix>', 'record-kind mix of the created records, e.g. A=70,TXT=30 (scenarios.bind.kinds)')
      .option('--max-outstanding <n>', 'resperf -q: queries in flight at most (scenarios.bind.maxOutstanding)')
      .option('--query-timeout <duration>', 'resperf -t: a query unanswered this long is lost (scenarios.bind.queryTimeout)')
      .option('--timeout <duration>', 'wait for the created records to be Ready and answered (scenarios.bind.timeout)')
      .option('--query-file <file>', "ask this query file's queries instead of creating records (scenarios.bind.queryFile)")
      .option('--server <host:port>', "the DNS server to query from this machine (default: the target's first BIND9 server, the primary; on a cluster: none, resperf runs in a pod) (scenarios.bind.server)")
      .option('--in-cluster-server <host:port>', "on a cluster without --server: the address the in-cluster resperf asks (default: the primary Bind9Instance's Service, port 53) (scenarios.bind.inClusterServer)");
    addRunOptions(resperf, 'bind-resperf')
      .addHelpText('after', resperfHelp)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, resperfFlags));
        checkQueryFile(ctx.io.cwd, resolved.config.scenarios.bind.queryFile);
        if (ctx.globals().dryRun !== true && !engineInCluster(resolved.config)) locateDnsperf('resperf', searchDirs(ctx.io.env['PATH']));
        await runWithOptions(ctx, scenarios['bind-resperf'], resolved, o, c);
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
    const zones = bind
      .command('zones')
      .description("load zones into BIND9 the way bindy does (through bindcar, records in the zone file): time until served, named's memory and CPU, then dnsperf on them")
      .option('--zones <n>', 'zones created through bindcar (scenarios.zones.zones)')
      .option('--records-per-zone <n>', 'records in each zone (scenarios.zones.recordsPerZone)')
      .option('--kinds <mix>', 'record-kind mix, e.g. A=50,TXT=30,MX=10,SRV=10 (scenarios.zones.kinds)')
      .option('--concurrency <n>', 'zone creates in flight at once (scenarios.zones.concurrency)')
      .option('--timeout <duration>', 'wait until every zone is served (scenarios.zones.timeout)')
      .option('--qps <rate>', 'dnsperf afterwards: queries per second, e.g. 2000/s (scenarios.bind.qps)')
      .option('--duration <duration>', 'dnsperf afterwards: how long, e.g. 30s (scenarios.bind.duration)')
      .option('--clients <n>', 'dnsperf clients, i.e. sockets (scenarios.bind.clients)')
      .option('--max-outstanding <n>', 'dnsperf -q: queries in flight at most (scenarios.bind.maxOutstanding)')
      .option('--query-timeout <duration>', 'dnsperf -t: a query unanswered this long is lost (scenarios.bind.queryTimeout)')
      .option('--server <host:port>', "the DNS server checked and queried (default: the target's first BIND9 server, the primary) (scenarios.bind.server)")
      .option('--bindcar-url <url>', "bindcar's base URL (default: the sandbox's bindcar twin) (scenarios.zones.bindcarUrl)")
      .option('--token-file <path>', "file holding bindcar's Bearer token (default: $BINDCAR_TOKEN) (scenarios.zones.tokenFile)")
      .option('--dnssec-policy <name>', "sign every zone with this dnssec-policy and inline signing, e.g. default (BIND's built-in); served = answered with an RRSIG (scenarios.zones.dnssecPolicy)")
      .option('--zone-dir <path>', "on a cluster: named's directory in the primary pod's bind9 container, where a zone over bindcar's request limit is written (default /var/cache/bind) (scenarios.zones.zoneDir)");
    addRunOptions(zones, 'bind-zones')
      .addHelpText('after', zonesHelp)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, zonesFlags));
        if (ctx.globals().dryRun !== true) locateDnsperf('dnsperf', searchDirs(ctx.io.env['PATH']));
        await runWithOptions(ctx, scenarios['bind-zones'], resolved, o, c);
      });
    const rndc = bind
      .command('rndc')
      .description('bindcar under a storm: reloads of one zone at a rate, mixed commands from many client addresses, big zone writes then reloads; latency per route, status codes, 429s apart')
      .option('--mode <mode>', 'reload | mixed | write-reload (scenarios.rndc.mode)')
      .option('--rate <rate>', 'requests per second, all clients together, e.g. 50/s (scenarios.rndc.rate)')
      .option('--duration <duration>', 'how long requests are started, e.g. 30s (scenarios.rndc.duration)')
      .option('--clients <n>', 'distinct clients, each from its own 127.0.0.x on loopback (scenarios.rndc.clients)')
      .option('--zones <n>', 'small zones created for the storm (scenarios.rndc.zones)')
      .option('--mix <mix>', 'mixed: weighted commands, e.g. status=30,reload=20,notify=10,zone=10,zones=10,server=5,record-add=10,record-remove=5 (scenarios.rndc.mix)')
      .option('--writes <n>', 'write-reload: big zones written (scenarios.rndc.writes)')
      .option('--records <n>', 'write-reload: A records in each big zone (scenarios.rndc.records)')
      .option('--max-in-flight <n>', 'requests in flight at most; one due with none free is dropped (scenarios.rndc.maxInFlight)')
      .option('--request-timeout <duration>', 'a request unanswered this long is a timeout (scenarios.rndc.requestTimeout)')
      .option('--bindcar-url <url>', "bindcar's base URL (default: the sandbox's bindcar twin) (scenarios.rndc.bindcarUrl)")
      .option('--token-file <path>', 'file holding bindcar\'s Bearer token (default: $BINDCAR_TOKEN) (scenarios.rndc.tokenFile)')
      .option('--update-key <name>', "bindcar's TSIG update key name, for mixed's record writes (default on the sandbox: its own) (scenarios.rndc.updateKey)");
    addRunOptions(rndc, 'bind-rndc')
      .addHelpText('after', rndcHelp)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, rndcFlags));
        await runWithOptions(ctx, scenarios['bind-rndc'], resolved, o, c);
      });
  },
};
