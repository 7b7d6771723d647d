/**
 * @module Fixture benchmark: in a child process, runs the CLI command
 * `fixtures --zones 10 --records-per-zone 10000 --output DIR` (objects YAML, zone files and a dnsperf
 * query file); reports wall time and peak RSS of the child (process.resourceUsage().maxRSS) to
 * bench/results/fixtures.json. Goals: < 5 s and < 200 MB.
 * Run: npm run bench -- fixtures   (or node --import tsx bench/fixtures.bench.ts)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../test/helpers/cli.js';

const zones = 10;
const recordsPerZone = 10_000;
const goals = { wallSeconds: 5, peakRssMb: 200 };

async function child(dir: string): Promise<void> {
  const t0 = performance.now();
  const r = await runCli(['--json', '--seed', '1', '--output', dir, 'fixtures', '--zones', String(zones), '--records-per-zone', String(recordsPerZone)]);
  const wallSeconds = (performance.now() - t0) / 1000;
  const peakRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  if (r.code !== 0) throw new Error(`fixtures exited ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { objects: { documents: number; bytes: number }; queries: { lines: number; bytes: number }; zoneFiles: { bytes: number }[] };
  const bytes = report.objects.bytes + report.queries.bytes + report.zoneFiles.reduce((s, z) => s + z.bytes, 0);
  process.stdout.write(
    JSON.stringify({ wallSeconds, peakRssMb, documents: report.objects.documents, queryLines: report.queries.lines, bytesWritten: bytes }),
  );
}

function parent(): void {
  const dir = mkdtempSync(join(tmpdir(), 'bindy-lt-bench-'));
  try {
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`benchmark child failed (${String(r.status)}): ${r.stderr}`);
    const measured = JSON.parse(r.stdout) as { wallSeconds: number; peakRssMb: number };
    const result = {
      benchmark: 'fixtures',
      what: `bindy-loadtest fixtures --zones ${zones} --records-per-zone ${recordsPerZone} → objects.yaml, ${zones} zone files, queries.txt`,
      node: process.version,
      measuredAt: new Date().toISOString(),
      ...measured,
      goals,
      pass: measured.wallSeconds < goals.wallSeconds && measured.peakRssMb < goals.peakRssMb,
      notes: 'wallSeconds: the command (config resolution, generation, writing) inside the child, excluding Node/tsx start-up; peakRssMb: child maxRSS incl. start-up',
    };
    const out = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'fixtures.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const i = process.argv.indexOf('--child');
const dir = i >= 0 ? process.argv[i + 1] : undefined;
if (dir !== undefined) await child(dir);
else parent();
