/**
 * cpu-throttle on the sandbox: the running operator twin moved into a child of its own CPU control
 * group with a 20m CFS quota (cgroup v1 or v2, as backpressure's operator-limits), under background
 * load. Checked from the group's own cpu.stat (the quota really held it back, quoted by the proof),
 * the process back in its own group and the child gone, the run converged; then a limit a dead run
 * journalled is lifted by `cleanup` from the journal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { runCli } from './helpers/cli.js';
import { chaosSandbox } from './helpers/chaos-sandbox.js';
import { parseResult } from '../src/report/result/index.js';
import { CgroupLimitMechanism } from '../src/faults/index.js';

/** The cpu line of /proc/PID/cgroup (v1 `N:cpu…:path`, else the v2 `0::path`). */
function cpuGroupOf(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  return lines.find((l) => /^\d+:[^:]*\bcpu\b[^:]*:/.test(l)) ?? lines.find((l) => l.startsWith('0::')) ?? '';
}

test('cpu-throttle: the operator\'s CFS quota holds it back while the fault holds, it is back in its own group after, the run converges, and cleanup lifts a dead run\'s limit', { timeout: 120_000 }, async (t) => {
  const started = performance.now();
  const { home, state, env, out, config } = await chaosSandbox(t, 'bl-chaos-cpu-');
  const operator = state.parts.find((p) => p.name === 'operator');
  assert.ok(operator !== undefined);
  const groupBefore = cpuGroupOf(operator.pid);

  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'cpu-throttle', '--param', 'cpu=20m', '--duration', '10s', '--fault-duration', '4s', '--rate', '8/s', '--zones', '1', '--working-set', '4', '--dns-load', 'off', '--quiet-window', '0s'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'cpu-throttle sandbox-cgroup operator');
  assert.equal(e.reverted, true, e.revertProof);
  // Ground truth from the kernel: the group's cpu.stat, read as the group went.
  const m = /CPU quota held it back in (\d+) of (\d+) periods/.exec(e.revertProof);
  assert.ok(m !== null && Number(m[1]) > 0, e.revertProof);
  assert.match(e.revertProof, /control groups gone; operator runs \(pid \d+\) in its own group; /);
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'the operator did not restart:pass']);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  // Nothing left: the operator (the same process, never restarted) back in the group it started in.
  assert.equal(cpuGroupOf(operator.pid), groupBefore);
  t.diagnostic(`throttled ${m[1]} of ${m[2]} periods; converged ${e.convergenceMs ?? '-'} ms after the revert; revert ${e.revertMs} ms`);

  // A run that died with the limit in force (its owner pid gone): cleanup lifts it from the journal alone.
  const orphanRun = 'chaos-cpu-dead';
  const { applied, journalFile: jf } = await faultOfDeadRun(out, orphanRun, new CgroupLimitMechanism({ home }), 'sidecar', { kind: 'cpu-limit', cores: 0.05 });
  const sidecar = state.parts.find((p) => p.name === 'sidecar');
  assert.ok(sidecar !== undefined);
  assert.match(cpuGroupOf(sidecar.pid), new RegExp(`${applied.id}$`), 'the sidecar runs in the limited group');
  const c = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '20s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`cleanup: fault exp-0 of run ${orphanRun} on part sidecar \\(control groups \\S+${applied.id}\\): reverted: control groups gone; sidecar runs`));
  assert.doesNotMatch(cpuGroupOf(sidecar.pid), new RegExp(applied.id));
  for (const g of applied.descriptor.mechanism === 'sandbox-cgroup' ? applied.descriptor.groups : []) assert.equal(existsSync(g), false, `${g} removed`);
  assert.equal(existsSync(jf), false, 'the journal is removed once everything is undone');
  t.diagnostic(`wall time ${Math.round(performance.now() - started)} ms`);
});
