/**
 * @module The gate on real sandbox runs made the README's way (each `burst` starts and stops its
 * own sandbox, so every run has new random ports): three runs merge into a baseline (exit 0) that
 * `analyze` accepts (exit 0), and a burst whose create→Ready p99 is above its limit exits 1 with
 * that criterion named first on the console, in summary.md and at the top of report.html.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';
import type { RunResult } from '../src/report/result/index.js';

/** The README's first command, smaller (the gate is under test, not the size): 30 records over 3 zones. */
const readmeBurst = ['burst', '--records', '30', '--zones', '3'];

test('README-way runs: three make a baseline that analyze accepts; a create→Ready p99 above its limit fails the run, named first', { timeout: 420_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-gate-sandbox-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'results');

  /** One burst that starts its own sandbox in a fresh home (none is running there). */
  const burst = async (name: string, extra: string[] = []): Promise<{ code: number; stderr: string; result: RunResult }> => {
    const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(dir, `sandbox-${name}`) };
    const r = await runCli([...extra, '--output', out, '--json', ...readmeBurst], { env, cwd: dir });
    assert.notEqual(r.stdout, '', `${name}: a result on stdout\n${r.stderr.split('\n').slice(-15).join('\n')}`);
    return { code: r.code, stderr: r.stderr, result: parseResult(r.stdout, name) };
  };

  const runs: RunResult[] = [];
  for (const name of ['a', 'b', 'c']) {
    const { code, stderr, result } = await burst(name);
    assert.equal(code, 0, stderr.split('\n').slice(-15).join('\n'));
    assert.equal(result.verdict?.outcome, 'pass');
    assert.match(result.metadata.target.description, /started for this run/);
    assert.equal(result.metadata.target.bindyVersion, 'bindy 0.6.2, bindcar 0.7.3 (sandbox twins)');
    const c2r = result.criteria.find((c) => c.metric === 'create_to_ready.p99');
    assert.equal(c2r?.verdict, 'pass', 'create→Ready p99 is judged on a burst');
    runs.push(result);
  }
  assert.equal(new Set(runs.map((r) => r.metadata.target.description)).size, 3, 'each run had its own sandbox, on its own ports');
  const files = runs.map((r) => join(out, r.metadata.runId, 'result.json'));

  const baseline = join(dir, 'baseline.json');
  const bl = await runCli(['--output', baseline, 'baseline', '--input', ...files], { cwd: dir });
  assert.equal(bl.code, 0, bl.stderr);
  assert.match(bl.stderr, /^baseline: 3 runs of burst written to /);
  // A run compared with a baseline that holds it must never be a regression; what is tested here is
  // that analyze takes README-way runs (new ports each time) as comparable.
  const an = await runCli(['analyze', '--baseline', baseline, '--current', files[2] ?? ''], { cwd: dir });
  assert.equal(an.code, 0, `${an.stderr}\n${an.stdout}`);
  assert.match(an.stdout, /create_to_ready p99/);
  // The baseline never overwrites one of its inputs.
  const over = await runCli(['--output', files[0] ?? '', 'baseline', '--input', ...files], { cwd: dir });
  assert.equal(over.code, 2);
  assert.match(over.stderr, /is one of the inputs/);

  // A fourth run with a create→Ready limit no real run meets: exit 1, that criterion named first.
  await writeFile(join(dir, 'tight.yaml'), 'criteria:\n  createToReadyP99: 1ms\n');
  const tight = await burst('tight', ['--config', 'tight.yaml']);
  assert.equal(tight.code, 1, tight.stderr.split('\n').slice(-15).join('\n'));
  assert.equal(tight.result.metadata.status, 'failed');
  assert.equal(tight.result.verdict?.outcome, 'fail');
  assert.match(tight.result.verdict?.reasons[0] ?? '', /^create_to_ready\.p99 \d+(\.\d+)? ms \(limit <= 1 ms, file \S*tight\.yaml:2\)$/);
  const stderr = tight.stderr.split('\n');
  const summaryStart = stderr.findIndex((l) => l.startsWith(`${'burst'} ${tight.result.metadata.runId}: failed`));
  assert.ok(summaryStart > 0, tight.stderr);
  assert.match(stderr[summaryStart - 1] ?? '', /^FAIL: create_to_ready\.p99 /, 'the console summary starts with the verdict line');
  assert.match(stderr.at(-2) ?? '', /^bindy-loadtest: burst \S+: FAIL: create_to_ready\.p99 /, 'the last line names it first too');
  const runDir = join(out, tight.result.metadata.runId);
  assert.match((await readFile(join(runDir, 'summary.md'), 'utf8')).split('\n')[0] ?? '', /^\*\*FAIL\*\*: create_to_ready\.p99 /);
  const html = await readFile(join(runDir, 'report.html'), 'utf8');
  assert.match(html.slice(html.indexOf('<body>')), /^<body>\n<p id="verdict" class="run-verdict verdict-fail">FAIL: create_to_ready\.p99 /);
});
