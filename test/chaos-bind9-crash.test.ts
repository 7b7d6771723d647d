// test-runner: beside (scripts/run-tests.mjs runs it in a lane of its own: a 5-record working set and one crash, mostly waiting)
/**
 * Ground truth for the desired-vs-served audit: bind9-crash with its zone data lost (a BIND9 pod
 * restarted without a volume). The operator twin is run twice: as bindy 0.6.2, which creates the
 * zones again but never publishes their records again (bindy #486), and told to republish them
 * (bindy after the fix). The audit must tell them apart: with the forgetful twin it finds exactly
 * the records that existed before the crash missing (and their Ready statuses untruthful), the run
 * does not converge and exits 1; with the republishing twin everything converges and it exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { recordKindsOfLine, runIdLabel } from '../src/model/kinds.js';
import type { RunResult } from '../src/report/result/index.js';

/** One chaos run of bind9-crash zoneData=lose against a sandbox whose operator has `operatorArgs`; the result and the records created before the crash. */
async function crash(name: string, operatorArgs: string[]): Promise<{ code: number; stderr: string; result: RunResult; before: number }> {
  const home = await mkdtemp(join(tmpdir(), `bl-chaos-crash-${name}-`));
  // A not-Ready record is reconciled again after 3 s, not bindy's 30 s: the crash can come sooner (below).
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true, faultProxy: true, operatorArgs: ['--not-ready-requeue', '3s', ...operatorArgs] });
  try {
    const runId = `crash-${name}`;
    const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
    // The crash comes 12 s after the working set was made: past the requeue (3 s here) that a
    // record's first reconcile (NotSelected, before its zone tagged it) schedules, which would
    // publish it again by chance (with bindy's 30 s it came at 36 s, and the test took 132 s in CI).
    // No background create after the first (1/m over 25 s: one, due at 0 s) for the same reason:
    // what is measured is the operator's answer to the crash alone. --keep, to count.
    const config = join(home, 'crash.yaml');
    await writeFile(config, [
      'scenarios:',
      '  sustained: {zones: 1, workingSet: 5, operations: "100,0,0"}',
      '  chaos:',
      '    duration: 25s',
      '    rate: 1/m',
      '    convergeTimeout: 15s',
      '    quietWindow: 0s',
      '    experiments: [{kind: bind9-crash, at: 12s, duration: 4s, params: {zoneData: lose}}]',
      'report: {formats: [json]}',
      '',
    ].join('\n'));
    const args = ['--config', config, '--output', join(home, 'results'), '--json', 'chaos', '--run-id', runId, '--keep'];
    const r = await runCli(args, { env });
    const result = parseResult(r.stdout, 'stdout');
    const applied = Date.parse(result.chaos?.experiments[0]?.appliedAt ?? '');
    const client = new KubeClient({ kubeconfigPath: sb.state.kubeconfig });
    let before = 0;
    for (const kind of recordKindsOfLine('0.6')) {
      const l = await client.list(kind, 'bindy-loadtest', `${runIdLabel}=${runId}`);
      assert.ok(l.ok);
      before += l.value.items.filter((o) => Date.parse(o.metadata.creationTimestamp ?? '') < applied).length;
    }
    return { code: r.code, stderr: r.stderr, result, before };
  } finally {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  }
}

function count(audit: string, what: string): number {
  return Number(new RegExp(`(\\d+) ${what}`).exec(audit)?.[1] ?? NaN);
}

test('bind9-crash losing its data: the audit finds exactly the records a 0.6.2 twin never publishes again, and none when the twin republishes', { timeout: 400_000 }, async () => {
  const forgetful = await crash('forgets', []);
  const [e] = forgetful.result.chaos?.experiments ?? [];
  assert.ok(e !== undefined);
  assert.equal(e.reverted, true, e.revertProof);
  assert.equal(forgetful.code, 1, forgetful.stderr.split('\n').slice(-20).join('\n'));
  assert.equal(e.invariants.find((i) => i.name === 'converged after the revert')?.verdict, 'fail');
  const final = forgetful.result.chaos?.final;
  assert.ok(final !== undefined && final !== null);
  assert.equal(final.auditClean, false);
  assert.ok(forgetful.before >= 5, `${forgetful.before} records made before the crash: the working set, and the background create due at 0 s`);
  // Every record that existed before the crash is missing, and nothing else is wrong.
  assert.equal(count(final.audit, 'missing'), forgetful.before, final.audit);
  assert.equal(count(final.audit, 'wrong') + count(final.audit, 'stale') + count(final.audit, 'orphaned') + count(final.audit, 'unanswered'), 0, final.audit);
  assert.equal(final.untruthful, forgetful.before, 'each of them still says Ready');

  const fixed = await crash('republishes', ['--republish-on-zone-recreate']);
  const [f] = fixed.result.chaos?.experiments ?? [];
  assert.equal(fixed.code, 0, fixed.stderr.split('\n').slice(-20).join('\n'));
  assert.ok(f?.convergenceMs !== null && f?.convergenceMs !== undefined, JSON.stringify(f?.invariants));
  assert.equal(fixed.result.chaos?.final?.auditClean, true, fixed.result.chaos?.final?.audit);
  assert.equal(fixed.result.chaos?.final?.untruthful, 0);
});
