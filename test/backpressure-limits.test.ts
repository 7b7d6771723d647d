/**
 * backpressure --mode operator-limits against the sandbox twin, with real control groups (root, as
 * CI runs): while limited, the twin runs with one worker inside a CPU-quota group the kernel
 * throttles (ground truth from the group's own cpu.stat); afterwards it runs as before, outside any
 * group, and the group is gone. A run SIGKILLed while the limits are in force leaves its change in
 * the journal, and `cleanup` restores it from there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-child.js';
import { parseResult } from '../src/report/result/index.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { isAlive, readState } from '../src/targets/sandbox/supervisor/index.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { kindsOfLine, runIdLabel } from '../src/model/kinds.js';
import { localCgroupParents } from '../src/faults/limits/cgroup.js';

// Control groups need root; CI runs as root, so there it never skips.
const skip = process.getuid?.() !== 0 && process.env.CI !== 'true' ? 'control groups need root (CI runs this as root)' : false;

async function operatorPart(home: string): Promise<{ pid: number; args: string[] }> {
  const op = (await readState(home))?.parts.find((p) => p.name === 'operator');
  assert.ok(op !== undefined && op.args !== undefined, 'the sandbox has an operator part with its arguments');
  return { pid: op.pid, args: op.args };
}

/** The CPU group a run makes (next to where the tool's own is). */
function groupDir(runId: string): string {
  const found = localCgroupParents(['cpu']);
  assert.ok('parents' in found, 'a cpu cgroup hierarchy');
  return join(found.parents[0]?.dir ?? '/', `bindy-loadtest-${runId}-limits`);
}

/** The control-group paths of `pid` (/proc/PID/cgroup). */
function groupsOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
}

/** A sandbox of the test's own that outlives the runs (what they changed must be undone in it); without leader election each restart is at once (the Lease wait is not what this tests). */
async function sandboxFor(t: { after(fn: () => Promise<void>): void }, name: string): Promise<{ home: string; env: NodeJS.ProcessEnv; out: string; before: { pid: number; args: string[] } }> {
  const home = await mkdtemp(join(tmpdir(), `bl-bp-limits-${name}-`));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true, operatorArgs: ['--no-leader-election'] });
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  return { home, env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home }, out: join(home, 'results'), before: await operatorPart(home) };
}

test('operator-limits on the sandbox: limited, the twin runs one worker in a CPU-quota group the kernel throttles; every check holds; afterwards it runs as before and the group is gone', { timeout: 300_000, skip }, async (t) => {
  const { home, env, out, before } = await sandboxFor(t, 'run');
  const r = await runCli(
    ['--output', out, '--json', 'backpressure', '--mode', 'operator-limits', '--run-id', 'limits-1', '--rate', '4/s', '--duration', '30s', '--pressure-at', '5s', '--pressure-duration', '10s', '--limit-cpu', '50m', '--zones', '1', '--working-set', '8', '--recovery-timeout', '90s'],
    { env },
  );
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const p = parseResult(r.stdout, 'stdout').backpressure?.pressure;
  assert.ok(p !== undefined && p !== null, 'a pressure window');
  t.diagnostic(`${p.target}; lifted: ${p.revertProof}`);
  assert.deepEqual(p.invariants.map((i) => `${i.name}:${i.verdict}`), [
    'pressure lifted:pass',
    'no operator crash or restart:pass',
    'backoff, not a hot loop:pass',
    'no conflicting writes:pass',
    'backlog under pressure:pass',
    'recovered after the lift:pass',
  ]);
  assert.equal(p.mechanism, 'sandbox-operator-limits');
  assert.match(p.target, /workers 4 → 1, CPU capped at 50m \(control groups \S+bindy-loadtest-limits-1-limits\)/);
  // The kernel's own count: the quota held the twin back.
  const throttled = /CPU quota held it back in (\d+) of (\d+) periods/.exec(p.revertProof);
  assert.ok(throttled !== null && Number(throttled[1]) > 0, p.revertProof);
  // The tool's two restarts are not crashes, and are said to be left out.
  assert.match(p.invariants[1]?.evidence ?? '', /the tool's own restarts \(applying and lifting the limits\) not counted/);
  const after = await operatorPart(home);
  assert.deepEqual(after.args, before.args, 'the twin runs with its arguments of before');
  assert.ok(isAlive(after.pid) && !groupsOf(after.pid).includes('bindy-loadtest-'), 'outside any group of the run');
  assert.equal(existsSync(groupDir('limits-1')), false, 'the group is gone');
});

test('operator-limits on the sandbox, SIGKILLed while the limits are in force: the change stays journalled and cleanup restores it from there', { timeout: 300_000, skip }, async (t) => {
  const { home, env, out, before } = await sandboxFor(t, 'kill');
  const runId = 'limits-killed-1';
  const child = spawnCli(['--output', out, 'backpressure', '--mode', 'operator-limits', '--run-id', runId, '--rate', '2/s', '--duration', '2m', '--pressure-at', '3s', '--pressure-duration', '90s', '--limit-cpu', '50m', '--zones', '1', '--working-set', '4'], env);
  await child.line(/^backpressure: in force: /);
  const limited = await operatorPart(home);
  assert.match(groupsOf(limited.pid), new RegExp(`bindy-loadtest-${runId}-limits`), 'the limited twin runs in the run\'s group');
  assert.deepEqual(limited.args.slice(-2), ['--workers', '1']);
  child.kill('SIGKILL');
  assert.equal(await child.exit, -9);
  const journal = join(out, 'journal', `run-${runId}.jsonl`);
  assert.match(await readFile(journal, 'utf8'), /"type":"change".*"state":"applying".*"change":"sandbox-operator-limits"/);

  const c = await runCli(['--output', out, 'cleanup', '--run-id', runId, '--timeout', '90s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`cleanup: change pressure of run ${runId} to the sandbox operator twin .*: restored: .*CPU quota held it back in \\d+ of \\d+ periods.*control groups removed`));
  const restored = await operatorPart(home);
  assert.deepEqual(restored.args, before.args);
  assert.ok(isAlive(restored.pid) && !groupsOf(restored.pid).includes('bindy-loadtest-'));
  assert.equal(existsSync(groupDir(runId)), false, 'the group is gone');
  const state = await readState(home);
  assert.ok(state !== undefined);
  const client = new KubeClient({ kubeconfigPath: state.kubeconfig });
  for (const kind of kindsOfLine('0.6')) {
    const l = await client.list(kind, null, `${runIdLabel}=${runId}`);
    assert.ok(l.ok && l.value.items.length === 0, `${kind}: nothing of the run left`);
  }
  assert.equal(existsSync(journal), false, 'the journal is removed once everything is undone');
});
