/**
 * @module `bindy-loadtest fixtures`: deterministic bindy objects, BIND zone files and dnsperf query
 * files from the seed, streamed so any size fits in memory; `--check` loads every zone file in BIND9.
 */
import { Option } from 'commander';
import { join } from 'node:path';
import { CriteriaFailedError } from '../../errors.js';
import { fixtureOptionsFromConfig } from '../../scenarios/fixture-options.js';
import { generateAll } from '../../model/fixtures/generate.js';
import { writeYamlStream } from '../../model/output/yaml-writer.js';
import { fixtureFormats, writeFixtureFiles, type FixtureFormat } from '../../model/output/write-fixtures.js';
import { checkZoneFile } from '../../targets/sandbox/bind9/check-zone.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { assertWritableDir } from '../output-path.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--zones', key: 'fixtures.zones' },
  { flag: '--records-per-zone', key: 'fixtures.recordsPerZone' },
  { flag: '--kinds', key: 'fixtures.kinds' },
  { flag: '--ttl', key: 'fixtures.ttl' },
  { flag: '--zone-name-pattern', key: 'fixtures.zoneNamePattern' },
  { flag: '--record-name-pattern', key: 'fixtures.recordNamePattern' },
  { flag: '--nxdomain-share', key: 'fixtures.nxdomainShare' },
  { flag: '--cluster-name', key: 'fixtures.clusterName' },
];

const help = `
Output:
  With --format yaml and no --output, the objects go to stdout (pipe them to kubectl apply -f -).
  Otherwise files are written under --output DIR: objects.yaml (Bind9Cluster, DNSZones, records, in
  apply order), zones/<zone>.zone (BIND zone files) and queries.txt (dnsperf: "name TYPE" lines,
  with --nxdomain-share of names that do not exist).
  Same --seed, same bytes. Every object carries loadtest.bindy.firestoned.io/run-id (the config's
  runId, default fixtures-<seed>); records carry bindy.firestoned.io/zone, which their zone selects.

Examples:
  $ bindy-loadtest fixtures --zones 2 --records-per-zone 50 --format yaml | kubectl apply -f -
  $ bindy-loadtest fixtures --zones 10 --records-per-zone 10000 --output out/fixtures
  $ bindy-loadtest fixtures --zones 1 --records-per-zone 1000 --kinds A=70,AAAA=10,TXT=20 \\
        --ttl 300..3600 --format zonefile --check --output out/fixtures
`;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The `fixtures` command. */
export const fixturesCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('fixtures')
      .description('generate bindy objects, BIND zone files and dnsperf query files (seeded, deterministic, streamed)')
      .option('--zones <n>', 'number of DNSZones (config fixtures.zones)')
      .option('--records-per-zone <n>', 'records in each zone (fixtures.recordsPerZone)')
      .option('--kinds <mix>', 'record-kind mix, e.g. A=70,AAAA=10,CNAME=10,TXT=10 (any of the 9 kinds; PTR needs bindy 0.8)')
      .option('--ttl <range>', 'record TTL range in seconds, e.g. 60..3600')
      .option('--zone-name-pattern <p>', 'zone names, {} = zone index, {run} = six hex digits of the run id (default zone-{}.{run}.example.com)')
      .option('--record-name-pattern <p>', 'record names, {} = record index (default host-{})')
      .option('--nxdomain-share <share>', 'share of query lines for names that do not exist, e.g. 10%')
      .option('--cluster-name <name>', 'the Bind9Cluster the zones select')
      .addOption(new Option('--format <what>', 'what to write').choices(['all', ...fixtureFormats]).default('all'))
      .option('--check', 'load every zone file with named-checkzone (real BIND9) and report the records it loaded')
      .addHelpText('after', help)
      .action(async (o: Record<string, unknown> & { format: 'all' | FixtureFormat; check?: boolean }) => {
        const { config, origins } = await resolveCliConfig(ctx, configFlags(o, flags));
        const options = fixtureOptionsFromConfig(config, { runId: config.runId ?? `fixtures-${config.seed}` });
        const outputGiven = origins.get('output')?.kind !== 'default';
        if (o.format === 'yaml' && !outputGiven) {
          await writeYamlStream(generateAll(options), ctx.io.stdoutStream);
          return;
        }
        const dir = config.output;
        await assertWritableDir(ctx.io.cwd, dir, '--output');
        const formats = o.format === 'all' ? fixtureFormats : [o.format];
        const t0 = performance.now();
        const report = await writeFixtureFiles(options, dir, formats);
        const secs = ((performance.now() - t0) / 1000).toFixed(2);
        const lines = [`fixtures: seed ${options.seed}, run id ${options.runId}, ${options.zones} zones × ${options.recordsPerZone} records, in ${secs} s`];
        if (report.objects) lines.push(`  ${join(dir, report.objects.path)}: ${report.objects.documents} objects, ${mb(report.objects.bytes)}`);
        if (report.zoneFiles.length > 0) lines.push(`  ${join(dir, 'zones')}/: ${report.zoneFiles.length} zone files, ${mb(report.zoneFiles.reduce((s, z) => s + z.bytes, 0))}`);
        if (report.queries) lines.push(`  ${join(dir, report.queries.path)}: ${report.queries.lines} queries (${Math.round(options.nxdomainShare * 100)}% NXDOMAIN), ${mb(report.queries.bytes)}`);
        ctx.io.stderr(`${lines.join('\n')}\n`);
        const checks: { zone: string; ok: boolean; records: number; message: string }[] = [];
        if (o.check === true) {
          for (const z of report.zoneFiles) {
            const r = await checkZoneFile(z.zoneName, join(dir, z.path));
            checks.push({ zone: z.zoneName, ok: r.ok, records: r.records, message: r.messages.split('\n').slice(-2).join(' ') });
            ctx.io.stderr(`  named-checkzone ${z.zoneName}: ${r.ok ? `OK, BIND9 loaded ${r.records} resource records (SOA, NS, glue and every RR of ${options.recordsPerZone} records)` : `FAILED: ${r.messages}`}\n`);
          }
        }
        if (ctx.globals().json === true) ctx.io.stdout(`${JSON.stringify({ dir, seed: options.seed, runId: options.runId, ...report, checks }, null, 2)}\n`);
        const failed = checks.filter((c) => !c.ok);
        if (failed.length > 0) throw new CriteriaFailedError(`named-checkzone rejected ${failed.length} of ${checks.length} zone files: ${failed.map((c) => c.zone).join(', ')}`);
      });
  },
};
