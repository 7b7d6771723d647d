import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { syntheticResult } from './helpers/synthetic-result.js';
import type { SyntheticOptions } from './helpers/synthetic-result.js';
import { writeResultFile, parseResult } from '../src/report/result/index.js';
import { asBaseline } from '../src/judge/index.js';

let dir = '';
const lat = (medianUs: number): Omit<SyntheticOptions, 'seed'> => ({ latency: { n: 4000, medianUs, sigma: 0.3 }, counters: { creates_started: 1000, creates_rejected: 2, create_rate: 100 } });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'judge-cli-'));
  for (const seed of [1, 2, 3]) await writeResultFile(join(dir, `b${seed}.json`), syntheticResult({ seed, ...lat(200_000) }));
  await writeResultFile(join(dir, 'same.json'), syntheticResult({ seed: 9, ...lat(200_000) }));
  await writeResultFile(join(dir, 'slow.json'), syntheticResult({ seed: 10, ...lat(240_000) }));
  await writeResultFile(join(dir, 'sustained.json'), syntheticResult({ seed: 11, scenario: 'sustained', ...lat(200_000) }));
  await writeFile(join(dir, 'v7.json'), JSON.stringify({ schemaVersion: 7, metadata: {} }));
  await writeFile(join(dir, 'broken.json'), '{ "schemaVersion": 1,');
  const code = await runCli(['--output', 'baseline.json', 'baseline', '--input', 'b1.json', 'b2.json', 'b3.json'], { cwd: dir });
  assert.equal(code.code, 0, code.stderr);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('baseline writes a baseline document of the runs given', async () => {
  const doc = asBaseline(parseResult(await readFile(join(dir, 'baseline.json'), 'utf8'), 'baseline.json'), 'baseline.json');
  assert.equal(doc.baseline.count, 3);
  assert.equal(doc.latencies.create_to_ready?.summary.count, 12_000);
});

test('baseline accepts the example result', async () => {
  const example = join(process.cwd(), 'examples/result.example.json');
  const r = await runCli(['--output', 'ex-baseline.json', 'baseline', '--input', example], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
});

const runs: { name: string; argv: string[]; code: number; stdout?: RegExp; stderr?: RegExp }[] = [
  { name: 'same distribution: exit 0 with the table', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'same.json'], code: 0, stdout: /no regression[\s\S]*\| create_to_ready p50 \|/ },
  { name: '20 % slower: report printed, then exit 1', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'slow.json'], code: 1, stdout: /\*\*REGRESSION\*\*/, stderr: /1 regression|regressions against the baseline: create_to_ready/ },
  { name: '20 % slower under a 30 % threshold: exit 0', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'slow.json', '--threshold', '30%'], code: 0 },
  { name: 'json format', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'slow.json', '--format', 'json'], code: 1, stdout: /"regressions": [1-9]/ },
  { name: 'unreadable file names it', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'missing.json'], code: 2, stderr: /^bindy-loadtest: missing\.json: cannot read the result file \(ENOENT\)\n$/ },
  { name: 'unknown schema version names the file', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'v7.json'], code: 2, stderr: /v7\.json: schemaVersion 7 is not supported/ },
  { name: 'invalid JSON names the file', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'broken.json'], code: 2, stderr: /broken\.json(:\d+)?: not valid JSON/ },
  { name: 'a run result is not a baseline', argv: ['analyze', '--baseline', 'b1.json', '--current', 'same.json'], code: 2, stderr: /b1\.json: not a baseline/ },
  { name: 'another scenario cannot be compared', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'sustained.json'], code: 2, stderr: /sustained\.json: scenario 'sustained' cannot be compared/ },
  { name: 'bad threshold', argv: ['analyze', '--baseline', 'baseline.json', '--current', 'same.json', '--threshold', 'lots'], code: 2, stderr: /--threshold:/ },
  { name: 'baseline of mismatched scenarios', argv: ['--output', 'x.json', 'baseline', '--input', 'b1.json', 'sustained.json'], code: 2, stderr: /sustained\.json: scenario 'sustained' differs from 'burst'/ },
  { name: 'baseline without --output', argv: ['baseline', '--input', 'b1.json'], code: 2, stderr: /--output FILE is required/ },
];
for (const c of runs) {
  test(`cli: ${c.name}`, async () => {
    const r = await runCli(c.argv, { cwd: dir });
    assert.equal(r.code, c.code, r.stderr);
    if (c.stdout !== undefined) assert.match(r.stdout, c.stdout);
    if (c.stderr !== undefined) assert.match(r.stderr, c.stderr);
  });
}

test('analyze --output writes the report to a file', async () => {
  const r = await runCli(['--output', 'report.md', 'analyze', '--baseline', 'baseline.json', '--current', 'same.json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(await readFile(join(dir, 'report.md'), 'utf8'), /\| metric \| baseline \|/);
});
