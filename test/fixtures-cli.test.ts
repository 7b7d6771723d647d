/** The `fixtures` command end to end: determinism, files BIND9 loads, and query files dnsperf runs against a real named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from './helpers/cli.js';
import { startNamed } from '../src/targets/sandbox/bind9/named-process.js';

const yamlArgs = (seed: number): string[] => ['--seed', String(seed), 'fixtures', '--zones', '2', '--records-per-zone', '30', '--format', 'yaml'];

test('fixtures --format yaml: same seed gives byte-identical output, another seed different output', async () => {
  const a = await runCli(yamlArgs(3));
  const b = await runCli(yamlArgs(3));
  const c = await runCli(yamlArgs(4));
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
  const docs = parseAllDocuments(a.stdout).map((d) => d.toJS() as { kind: string; metadata: { labels: Record<string, string> } });
  assert.equal(docs.length, 1 + 2 + 2 * 30, 'one Bind9Cluster, 2 zones, 60 records');
  assert.equal(docs[0]?.kind, 'Bind9Cluster');
  for (const d of docs) assert.equal(d.metadata.labels['loadtest.bindy.firestoned.io/run-id'], 'fixtures-3');
});

test('fixtures writes objects, zone files and queries, and --check loads every zone in named-checkzone', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-fixtures-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await runCli(['--json', '--output', dir, 'fixtures', '--zones', '3', '--records-per-zone', '200', '--check']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { zoneFiles: { path: string }[]; checks: { ok: boolean; records: number }[]; objects: { documents: number } };
  assert.equal(out.objects.documents, 1 + 3 + 600);
  assert.equal(out.zoneFiles.length, 3);
  for (const z of out.zoneFiles) assert.ok(existsSync(join(dir, z.path)));
  assert.equal(out.checks.length, 3);
  for (const c of out.checks) {
    assert.ok(c.ok);
    assert.ok(c.records >= 200, `loaded ${c.records} records`);
  }
});

test('fixtures: bad flag values are one-line errors with exit 2', async () => {
  for (const [argv, pattern] of [
    [['fixtures', '--zones', '0'], /--zones/],
    [['fixtures', '--kinds', 'A=70,BOGUS=30'], /--kinds/],
    [['fixtures', '--ttl', '900..60'], /--ttl/],
    [['fixtures', '--format', 'pdf'], /--format/],
  ] as const) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

/** Runs dnsperf and returns its report. */
function dnsperf(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const noDnsperf = existsSync('/usr/bin/dnsperf') ? false : 'dnsperf is not installed';

test('dnsperf runs the generated query file against a real named serving the generated zone', { skip: noDnsperf, timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-fixtures-dnsperf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const gen = await runCli(['--json', '--output', dir, 'fixtures', '--zones', '1', '--records-per-zone', '300', '--nxdomain-share', '20%']);
  assert.equal(gen.code, 0, gen.stderr);
  const { zoneFiles, queries } = JSON.parse(gen.stdout) as { zoneFiles: { path: string; zoneName: string }[]; queries: { lines: number } };
  const zone = zoneFiles[0];
  assert.ok(zone);
  const named = await startNamed();
  t.after(() => named.stop());
  await copyFile(join(dir, zone.path), join(named.dir, 'fixture.zone'));
  await named.rndc.addzone(zone.zoneName, `{ type primary; file "fixture.zone"; };`);

  // One pass over the file (-n 1), rate-limited and bounded in time: loopback only, stops by itself.
  const r = await dnsperf(['-s', '127.0.0.1', '-p', String(named.ports.dns), '-d', join(dir, 'queries.txt'), '-n', '1', '-l', '20', '-Q', '2000']);
  assert.equal(r.code, 0, r.out);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(r.out)?.[1]);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(r.out)?.[1]);
  assert.equal(completed + lost, queries.lines, 'dnsperf read every line of the query file');
  assert.ok(lost <= queries.lines * 0.01, `lost ${lost}`);
  const noerror = Number(/NOERROR (\d+)/.exec(r.out)?.[1] ?? 0);
  const nxdomain = Number(/NXDOMAIN (\d+)/.exec(r.out)?.[1] ?? 0);
  assert.equal(noerror + nxdomain, completed, `only NOERROR and NXDOMAIN answers:\n${r.out}`);
  const share = nxdomain / completed;
  assert.ok(Math.abs(share - 0.2) < 0.03, `NXDOMAIN share ${share}`);
  const text = await readFile(join(dir, 'queries.txt'), 'utf8');
  assert.match(text, new RegExp(`\\.${zone.zoneName.replace(/\./g, '\\.')}\\.? (A|AAAA|CNAME|MX|TXT|NS|SRV|CAA)\\n`));
});
