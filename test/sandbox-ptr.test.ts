/**
 * PTRRecord, the kind bindy's v0.8 line added: on a sandbox of that line (its API server installs
 * the 13 CRDs, its operator watches the kind) PTR records in reverse zones become Ready and named
 * answers each with its target; a sandbox of the 0.6 line has no such CRD, and a run asking for
 * the kind is refused before anything starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';

const configText = (version: '0.6' | '0.8'): string =>
  [
    'fixtures:',
    "  zoneNamePattern: '{}.2.0.192.in-addr.arpa'",
    "  recordNamePattern: '{}'",
    'sandbox:',
    '  sidecar:',
    '    rateLimit: off',
    '  operator:',
    `    version: '${version}'`,
    'report:',
    '  formats: [json]',
    '',
  ].join('\n');

test('bindy 0.8 sandbox: PTRRecords in reverse zones are Ready and answered by named with their targets', { timeout: 180_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-ptr-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const config = join(home, 'ptr.yaml');
  await writeFile(config, configText('0.8'));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(home, 'sandbox') };
  const r = await runCli(['--config', config, '--output', join(home, 'results'), '--json', 'burst', '--records', '30', '--zones', '2', '--kinds', 'PTR=100'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(result.metadata.target.bindyVersion, 'bindy 0.8, bindcar 0.9.0 (sandbox twins)');
  assert.equal(result.latencies['create_to_ready']?.byKind?.['PTRRecord']?.summary.count, 30, 'every PTRRecord Ready');
  assert.equal(result.latencies['create_to_ready']?.summary.count, 32, 'and both reverse zones');
  // The prober counts a record only once named answered its PTR name with exactly its target.
  assert.equal(result.latencies['create_to_resolvable.primary-0']?.summary.count, 30, 'every PTR answered with its target');
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  const cleaned = /cleanup: (\d+) objects labelled with the run id deleted and seen gone/.exec(result.notes.join('\n'));
  assert.ok(cleaned !== null && Number(cleaned[1]) >= 32, `30 PTRRecords and 2 zones removed: ${result.notes.join(' | ')}`);
  const ms = (us: number | null | undefined): string => ((us ?? NaN) / 1000).toFixed(0);
  t.diagnostic(`PTRRecord create_to_ready p50 ${ms(result.latencies['create_to_ready']?.byKind?.['PTRRecord']?.summary.p50)} ms; create_to_resolvable p50 ${ms(result.latencies['create_to_resolvable.primary-0']?.summary.p50)} ms`);
});

test('bindy 0.6 sandbox: a run asking for PTRRecords is refused in one line (exit 2) before any sandbox starts', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-ptr06-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const config = join(home, 'ptr.yaml');
  await writeFile(config, configText('0.6'));
  const sandboxHome = join(home, 'sandbox');
  const r = await runCli(['--config', config, '--output', join(home, 'results'), 'burst', '--records', '4', '--zones', '1', '--kinds', 'A=50,PTR=50'], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: sandboxHome } });
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? '', /bindy 0\.6 line defines no PTRRecord \(bindy 0\.8 added it\): set sandbox\.operator\.version: '0\.8'/);
  assert.equal(existsSync(join(sandboxHome, 'state.json')), false, 'no sandbox was started');
});
