/**
 * memory-pressure on the sandbox: the running operator twin moved into a child of its own memory
 * control group with a 4 MiB limit on what it allocates from then on (cgroup v1 or v2), while it
 * leaks 2 MiB/s on purpose (its injected leak, a ground truth): the kernel reclaims, fails, and
 * OOM-kills it, as a kubelet's limit would. Checked from the group's own counters (limit hits and
 * the OOM kill, quoted by the proof), the operator started again by the revert (a new pid, healthy,
 * no group left), and the run converged. Leader election is off so the restarted twin does not wait
 * out its predecessor's Lease (15 s), and a failed reconcile is requeued after 3 s: the test's time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { isAlive, readState } from '../src/targets/sandbox/supervisor/index.js';

test('memory-pressure: a 4 MiB limit on the leaking operator gets it OOM-killed; the revert starts it again and removes the group; the run converges', { timeout: 120_000 }, async (t) => {
  const started = performance.now();
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-mem-'));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true, operatorArgs: ['--leak', '120Mi/m', '--no-leader-election', '--not-ready-requeue', '3s'] });
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const out = join(home, 'results');
  const config = join(home, 'chaos.yaml');
  await writeFile(config, ['report:', '  formats: [json]', ''].join('\n'));
  const before = (await readState(home))?.parts.find((p) => p.name === 'operator')?.pid;
  assert.ok(before !== undefined);

  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'memory-pressure', '--param', 'limit=4Mi', '--duration', '10s', '--fault-duration', '4s', '--rate', '4/s', '--zones', '1', '--working-set', '4', '--dns-load', 'off', '--quiet-window', '0s'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'memory-pressure sandbox-cgroup operator');
  assert.equal(e.reverted, true, e.revertProof);
  // Ground truth from the kernel: the group's counters, read as the group went.
  const m = /memory limit hit (\d+) times, peak [\d.]+ MiB charged here, (\d+) OOM kills/.exec(e.revertProof);
  assert.ok(m !== null && Number(m[1]) > 0 && Number(m[2]) >= 1, e.revertProof);
  assert.match(e.revertProof, /operator was not running \(killed under the limit\): .*; control groups gone; operator runs \(pid \d+\) in its own group; /);
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'operator restarts (an OOM kill allowed):pass']);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  const state = await readState(home);
  const after = state?.parts.find((p) => p.name === 'operator')?.pid;
  assert.ok(after !== undefined && after !== before && isAlive(after) && !isAlive(before), `a new operator runs (${before} → ${after})`);
  assert.ok(!existsSync(join(out, 'journal', `run-${result.metadata.runId}.jsonl`)), 'nothing left to undo');
  t.diagnostic(`limit hit ${m[1]} times, ${m[2]} OOM kill(s); converged ${e.convergenceMs ?? '-'} ms after the revert; revert (with the restart) ${e.revertMs} ms; wall time ${Math.round(performance.now() - started)} ms`);
});
