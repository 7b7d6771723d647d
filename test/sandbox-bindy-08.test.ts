/**
 * The operator twin as bindy's v0.8 line (`sandbox.operator.version: '0.8'`) against 0.6.2's
 * behaviour, on the same small sustained load: 0.8 reconciles an object only when something it
 * reacts to changed (never for its own status writes), tags only untagged records and has no timed
 * requeues, so it makes far fewer API requests per object; the result names the release measured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult, type RunResult } from '../src/report/result/index.js';

const run = async (home: string, version: '0.6' | '0.8'): Promise<RunResult> => {
  const config = join(home, `${version}.yaml`);
  // A load this small cannot meet the default sustained-rate criterion (10/s): judged at what it offers.
  await writeFile(config, ['sandbox:', '  sidecar:', '    rateLimit: off', '  operator:', `    version: '${version}'`, 'criteria:', '  minSustainedOpsPerSec: 1/s', 'report:', '  formats: [json]', ''].join('\n'));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(home, version) };
  const r = await runCli(['--config', config, '--output', join(home, 'results'), '--json', 'sustained', '--rate', '2/s', '--duration', '6s', '--ramp-up', '0s', '--zones', '1', '--working-set', '6', '--mix', '40,50,10', '--quiet-window', '3s'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  return parseResult(r.stdout, 'stdout');
};

test('bindy 0.8 profile: far fewer API requests per object than 0.6.2 on the same load (no reconcile of its own status writes, records tagged once); the result names the release', { timeout: 240_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-bindy08-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const v6 = await run(home, '0.6');
  const v8 = await run(home, '0.8');
  assert.equal(v6.metadata.target.bindyVersion, 'bindy 0.6.2, bindcar 0.7.3 (sandbox twins)');
  assert.equal(v8.metadata.target.bindyVersion, 'bindy 0.8, bindcar 0.9.0 (sandbox twins)');
  for (const r of [v6, v8]) {
    assert.equal(r.metadata.status, 'completed');
    assert.equal(r.counters['operations_failed']?.value, 0);
  }
  const perObject = (r: RunResult): number => r.apiAmplification?.requestsPerObject ?? NaN;
  const ms = (r: RunResult): string => ((r.latencies['create_to_ready']?.summary.p50 ?? NaN) / 1000).toFixed(0);
  const q = (r: RunResult): string => `${r.counters['quiet_window_reconciles']?.value ?? '?'} reconciles, ${r.counters['quiet_window_api_writes']?.value ?? '?'} writes at rest`;
  t.diagnostic(`API requests per object: 0.6 ${perObject(v6).toFixed(1)}, 0.8 ${perObject(v8).toFixed(1)}; create_to_ready p50: 0.6 ${ms(v6)} ms, 0.8 ${ms(v8)} ms; quiet: 0.6 ${q(v6)}, 0.8 ${q(v8)}`);
  assert.ok(perObject(v8) < perObject(v6) / 2, `0.8 ${perObject(v8)} vs 0.6 ${perObject(v6)} API requests per object`);
  // "At rest there are no reconciles" (ADR-0016): once the load's tail is done, the 0.8 line makes none.
  assert.notEqual(v8.counters['quiet_window_settle_reconciles'], undefined, 'the wait for rest read the counter');
  assert.equal(v8.counters['quiet_window_reconciles']?.value, 0, q(v8));
  // bindy 0.8 counts its own requests (kube_api_requests_total): fewer than the API server's total,
  // which also counts this tool's creates, deletes and watches; 0.6.2 has no such counter.
  const own = (r: RunResult): number | null | undefined => r.operator.find((m) => m.name === 'operator_api_requests')?.values['per_object'];
  assert.equal(own(v6), undefined);
  const own8 = own(v8) ?? NaN;
  assert.ok(own8 > 1 && own8 < perObject(v8), `the operator's own ${own8} per object, the API server's ${perObject(v8)}`);
  t.diagnostic(`0.8 operator's own API requests per object: ${own8.toFixed(1)}`);
});
