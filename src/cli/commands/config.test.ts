import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/helpers/cli.js';

const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-config-show-'));
after(() => rm(dir, { recursive: true, force: true }));
await writeFile(
  join(dir, 'loadtest.yaml'),
  ['profile: quick', 'scenarios:', '  burst:', '    timeout: 90s', 'sandbox:', '  sidecar:', '    token: s3cr3t-token', ''].join('\n'),
);

test('config show prints key, value in the file syntax and source, aligned', async () => {
  const r = await runCli(['--config', 'loadtest.yaml', '--seed', '7', 'config', 'show'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const rows = r.stdout.trimEnd().split('\n');
  assert.match(rows[0] ?? '', /^KEY\s+VALUE\s+SOURCE$/);
  const row = (key: string): string[] => (rows.find((l) => l.startsWith(`${key} `)) ?? '').split(/\s{2,}/);
  assert.deepEqual(row('seed'), ['seed', '7', 'flag --seed']);
  assert.deepEqual(row('scenarios.burst.timeout'), ['scenarios.burst.timeout', '1m30s', 'file loadtest.yaml:4']);
  assert.deepEqual(row('scenarios.sustained.rate'), ['scenarios.sustained.rate', '10/s', 'profile quick']);
  assert.deepEqual(row('criteria.maxErrorRate'), ['criteria.maxErrorRate', '1%', 'profile quick']);
  assert.deepEqual(row('namespace'), ['namespace', 'bindy-loadtest', 'default']);
  assert.deepEqual(row('sandbox.sidecar.token'), ['sandbox.sidecar.token', '<redacted>', 'file loadtest.yaml:7']);
  // Columns line up: every SOURCE starts at the same offset.
  const sourceColumn = new Set(rows.map((l) => l.search(/(SOURCE|default|profile \w+|file \S+|flag \S+|env \S+)$/)));
  assert.equal(sourceColumn.size, 1, [...sourceColumn].join(','));
  assert.doesNotMatch(r.stdout, /s3cr3t/);
});

test('config show --json prints one JSON object {config, origins} and nothing else', async () => {
  const r = await runCli(['--config', 'loadtest.yaml', '--seed', '7', '--json', 'config', 'show'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const parsed = JSON.parse(r.stdout) as { config: Record<string, unknown> & { scenarios: { burst: { timeout: number; kind: string } } }; origins: Record<string, string> };
  assert.deepEqual(Object.keys(parsed), ['config', 'origins']);
  assert.equal(parsed.config.seed, 7);
  assert.equal(parsed.config.scenarios.burst.timeout, 90_000);
  assert.equal(parsed.config.scenarios.burst.kind, 'burst');
  assert.equal(parsed.origins.seed, 'flag --seed');
  assert.equal(parsed.origins['scenarios.burst.timeout'], 'file loadtest.yaml:4');
  assert.doesNotMatch(r.stdout, /s3cr3t/);
  assert.match(r.stdout, /"token": "<redacted>"/);
});

test('config show --help has an example', async () => {
  const r = await runCli(['config', 'show', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n\s+\$ bindy-loadtest .*config show/);
});
