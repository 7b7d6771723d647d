/**
 * scripts/run-profile.sh, what the load-tests workflow runs: a profile's suite one scenario after
 * another on a real sandbox, each compared with its baseline when one is given. Ground truth: a
 * baseline far slower than any run (no regression possible) and one far faster (a regression
 * certain), so the exit code and each comparison are known in advance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { buildBaseline } from '../src/judge/baseline.js';
import { syntheticResult } from './helpers/synthetic-result.js';
import { packageRoot } from '../src/package-root.js';

const root = packageRoot();
const script = join(root, 'scripts', 'run-profile.sh');

function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [script, ...args], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

test('run-profile: the suite in order, each result kept, each scenario against its own baseline; a regression in one fails the profile', { timeout: 240_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-profile-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, operatorArgs: ['--no-leader-election'] });
  t.after(() => sb.stop());
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  // The quick profile, made small: its suite (burst, sustained) as the profile says.
  const config = join(home, 'small.yaml');
  await writeFile(
    config,
    [
      'scenarios:',
      '  burst: {records: 20, zones: 2}',
      "  sustained: {rate: '5/s', duration: 8s, rampUp: 0s, zones: 2, workingSet: 10, quietWindow: 0s}",
      '',
    ].join('\n'),
  );
  const baselines = join(home, 'baselines');
  await mkdir(baselines);
  // burst: a baseline of 10-minute create→Ready (a run here takes ms): no regression can be found.
  await writeFile(join(baselines, 'burst.json'), JSON.stringify(buildBaseline([{ source: 'slow', result: syntheticResult({ seed: 1, scenario: 'burst', latency: { n: 2000, medianUs: 600e6, sigma: 0.1 } }) }])));
  // sustained: a baseline of 20 µs create→Ready: every real create is slower, a regression for certain.
  await writeFile(join(baselines, 'sustained.json'), JSON.stringify(buildBaseline([{ source: 'fast', result: syntheticResult({ seed: 2, scenario: 'sustained', latency: { n: 2000, medianUs: 20, sigma: 0.1 } }) }])));
  const out = join(home, 'results');
  // --criteria report: a criterion the twin misses does not fail the profile, so exit 1 is the regression alone.
  const r = await runScript(['--profile', 'quick', '--out', out, '--baselines', baselines, '--criteria', 'report', '--global', `--config ${config}`, '--scenario-flags', '--format markdown'], env);
  assert.equal(r.code, 1, `a regression fails the profile\n${r.stderr.slice(-3000)}`);
  assert.match(r.stderr, /run-profile: quick: burst[\s\S]*run-profile: quick: sustained/, 'the suite in its order');
  for (const scenario of ['burst', 'sustained']) {
    const runs = (await readdir(join(out, scenario), { withFileTypes: true })).filter((d) => d.isDirectory() && d.name.startsWith(`${scenario}-`));
    assert.equal(runs.length, 1, `${scenario}: one run`);
    const result = JSON.parse(await readFile(join(out, scenario, runs[0]?.name ?? '', 'result.json'), 'utf8')) as { metadata: { scenario: string; profile: string; status: string } };
    assert.deepEqual([result.metadata.scenario, result.metadata.profile], [scenario, 'quick']);
    assert.ok(['completed', 'failed'].includes(result.metadata.status), `${scenario} ran to its end: ${result.metadata.status}`);
  }
  const burst = await readFile(join(out, 'burst', 'analysis.md'), 'utf8');
  const sustained = await readFile(join(out, 'sustained', 'analysis.md'), 'utf8');
  assert.match(burst, /^no regression — /m, burst.slice(0, 600));
  assert.match(sustained, /^\*\*\d+ regressions?\*\* — /m, sustained.slice(0, 600));
  assert.match(sustained, /^\| create_to_ready [^\n]*\*\*REGRESSION\*\*/m, sustained.slice(0, 1500));
  const summary = await readFile(join(out, 'summary.md'), 'utf8');
  assert.match(summary, /^## burst$[\s\S]*### burst against [\s\S]*^## sustained$[\s\S]*### sustained against /m);

  // Only part of the suite, and no baseline for it: judged by its criteria alone, and said so.
  const only = join(home, 'only');
  const o = await runScript(['--profile', 'quick', '--out', only, '--baselines', join(home, 'empty-is-missing'), '--global', `--config ${config}`], env);
  assert.equal(o.code, 2, 'a --baselines folder that does not exist is bad input');
  assert.match(o.stderr, /^run-profile: --baselines .*empty-is-missing: no such folder$/m);
  await mkdir(join(home, 'none'));
  const p = await runScript(['--profile', 'quick', '--out', only, '--scenarios', 'burst', '--baselines', join(home, 'none'), '--criteria', 'report', '--global', `--config ${config}`], env);
  assert.equal(p.code, 0, p.stderr.slice(-2000));
  assert.match(await readFile(join(only, 'summary.md'), 'utf8'), /No baseline for burst in the quick profile: judged by its criteria only\./);
  assert.deepEqual(await readdir(only), ['burst', 'summary.md'], 'sustained was not run');
});

test('run-profile: bad input is one line and exit 2 before any run', async () => {
  const env = { ...process.env };
  const cases: [string[], RegExp][] = [
    [['--out', 'x'], /^run-profile: --profile is required/],
    [['--profile', 'quick', '--out', 'x', '--scenarios', 'chaos'], /^run-profile: --scenarios: 'chaos' is not in the quick profile's suite \(burst sustained\)$/],
    [['--profile', 'quick', '--out', 'x', '--frobnicate'], /^run-profile: unknown argument '--frobnicate'/],
    [['--profile', 'quick', '--out', 'x', '--criteria', 'lenient'], /^run-profile: --criteria must be gate or report, got 'lenient'/],
    [['--profile', 'nope', '--out', 'x'], /profile/],
  ];
  for (const [args, message] of cases) {
    const r = await runScript(args, env);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.trim() !== '').length <= 2, true, r.stderr);
    assert.match(r.stderr.trim(), message);
  }
});
