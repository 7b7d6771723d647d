// The runner against fake kind, kubectl and helm (shell scripts that log their argv): real child
// processes, the real state file. The final preflight wait cannot pass against fakes (it talks to
// an API server), so these tests inject a stub for it; test/cluster-cli.test.ts runs the real one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterruptedError, TargetNotReadyError, UsageError } from '../../../errors.js';
import { fakeClusterTools, type FakeTools } from '../../../../test/helpers/fake-cluster-tools.js';
import { pinnedBindyVersion } from './facts.js';
import { readPlanInputs, toolRoot } from './inputs.js';
import { clusterOptions, clusterPlan, undoOrder, type ClusterFlags, type ClusterPlan, type ReadyTarget } from './plan.js';
import { clusterDown, clusterUp, type RunnerIo, type WaitReady } from './runner.js';
import { clusterStateFile, readClusterState, writeClusterState } from './state.js';

const base = await mkdtemp(join(tmpdir(), 'bindy-loadtest-cluster-runner-'));
after(() => rm(base, { recursive: true, force: true }));
const root = toolRoot();
let n = 0;

interface Setup {
  fakes: FakeTools;
  home: string;
  plan: ClusterPlan;
  io: (env?: Record<string, string>, signal?: AbortSignal) => RunnerIo;
  progress: string[];
}

async function setup(flags: ClusterFlags): Promise<Setup> {
  const dir = await mkdtemp(join(base, `case-${++n}-`));
  const fakes = fakeClusterTools(dir);
  const home = join(dir, 'home');
  const inputs = readPlanInputs(root, home);
  const plan = clusterPlan(clusterOptions(flags, pinnedBindyVersion(inputs.kustomization), () => 'lab'), inputs);
  const progress: string[] = [];
  return {
    fakes,
    home,
    plan,
    progress,
    io: (env = {}, signal) => ({ env: fakes.env(env), cwd: root, home, progress: (l) => progress.push(l), ...(signal === undefined ? {} : { signal }) }),
  };
}

const line = (argv: readonly string[]): string => argv.join(' ');
const ready = (): { wait: WaitReady; calls: ReadyTarget[] } => {
  const calls: ReadyTarget[] = [];
  return { calls, wait: (t) => (calls.push(t), Promise.resolve()) };
};

test('kind up: every step in order, one progress line per step, the state complete; down runs exactly the undo (kind delete) and leaves nothing', async () => {
  const s = await setup({ monitoring: true, chaos: true, workers: '2' });
  const r = ready();
  const report = await clusterUp(s.plan, s.io(), r.wait);
  assert.deepEqual(s.fakes.lines(), s.plan.steps.map((x) => line(x.run)));
  assert.deepEqual(r.calls, [s.plan.ready], 'the preflight wait, once, at the end');
  assert.deepEqual(report.steps.map((x) => x.status), s.plan.steps.map(() => 'done'));
  assert.equal(s.progress.filter((l) => /^cluster up: \[\d+\/\d+\] /.test(l)).length, s.plan.steps.length * 2, 'a line when each step starts and one when it is done');
  const state = await readClusterState(s.home);
  assert.ok(state?.complete);
  assert.deepEqual(state.steps.map((x) => x.status), s.plan.steps.map(() => 'done'));
  assert.ok(existsSync(join(s.home, 'kind-config.yaml')), 'the generated kind config (2 workers) was written');

  const before = s.fakes.lines().length;
  const down = await clusterDown(s.io());
  assert.deepEqual(s.fakes.lines().slice(before), ['kind delete cluster --name bindy-loadtest']);
  assert.deepEqual(down?.undone, [s.plan.steps[0]?.title]);
  assert.equal(existsSync(clusterStateFile(s.home)), false);
  assert.equal(existsSync(join(s.home, 'kind-config.yaml')), false, 'generated files go too');
  assert.equal(await clusterDown(s.io()), null, 'a second down: nothing to remove');
});

test('existing cluster, a failure at step k: steps 1..k ran, then the undos of k-1..1 in reverse; one line naming the step; no state left', async () => {
  const s = await setup({ provider: 'existing', monitoring: true });
  const k = s.plan.steps.findIndex((x) => x.id === 'pushgateway');
  const failing = s.plan.steps[k];
  assert.ok(failing !== undefined && k > 2);
  const probes = s.plan.steps.flatMap((x) => (x.present === undefined ? [] : [line(x.present.argv)]));
  await assert.rejects(clusterUp(s.plan, s.io({ FAKE_FAIL: line(failing.run) }), ready().wait), (e: unknown) => {
    assert.ok(e instanceof TargetNotReadyError, String(e));
    assert.equal(e.exitCode, 3);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, new RegExp(`^cluster up: step ${k + 1}/${s.plan.steps.length} "install the Pushgateway.*" failed: helm exited with code 1: boom: helm .* install pushgateway .*; undid \\d step\\(s\\), nothing left$`));
    return true;
  });
  const undos = undoOrder(s.plan.steps.slice(0, k)).map((x) => line(x.undo ?? []));
  assert.ok(undos.length >= 3);
  assert.deepEqual(s.fakes.lines(), [...probes, ...s.plan.steps.slice(0, k + 1).map((x) => line(x.run)), ...undos]);
  assert.ok(!undos.some((u) => u.includes('uninstall pushgateway')), 'the failed step itself is not undone');
  assert.equal(existsSync(clusterStateFile(s.home)), false);
});

test('kind, a failure at the first step: nothing to undo, no state; at a later step the undo is the cluster\'s deletion', async () => {
  const s = await setup({});
  await assert.rejects(clusterUp(s.plan, s.io({ FAKE_FAIL: 'kind create' }), ready().wait), /step 1\/6 "create the kind cluster bindy-loadtest.*" failed: kind exited with code 1: boom: kind create cluster .*; undid 0 step\(s\), nothing left$/);
  assert.deepEqual(s.fakes.lines(), [line(s.plan.steps[0]?.run ?? [])]);
  assert.equal(existsSync(clusterStateFile(s.home)), false);

  const t = await setup({});
  await assert.rejects(clusterUp(t.plan, t.io({ FAKE_FAIL: 'kubectl --context kind-bindy-loadtest apply -f deploy/loadtest/bind9-cluster.yaml' }), ready().wait), /step 4\/6 .*undid 1 step\(s\)/);
  assert.deepEqual(t.fakes.lines().slice(-2), ['kubectl --context kind-bindy-loadtest apply -f deploy/loadtest/bind9-cluster.yaml', 'kind delete cluster --name bindy-loadtest']);
});

test('existing cluster: what was there before up is skipped, and down leaves it; down after up runs exactly the undos, last first', async () => {
  const s = await setup({ provider: 'existing', chaos: true });
  // bindy-system exists already (someone's bindy), without Chaos Mesh's annotation: bindy is not
  // installed and never deleted; the annotation is added and removed again by down.
  const present = 'kubectl --context lab get namespace bindy-system';
  await clusterUp(s.plan, s.io({ FAKE_PRESENT: present }), ready().wait);
  const state = await readClusterState(s.home);
  assert.deepEqual(state?.steps.filter((x) => x.status === 'skipped').map((x) => x.id), ['bindy']);
  const ran = s.fakes.lines().filter((l) => !/^(kubectl .* get|helm .* status) /.test(l));
  assert.deepEqual(ran, s.plan.steps.filter((x) => x.id !== 'bindy').map((x) => line(x.run)));
  assert.ok(s.progress.some((l) => /\[1\/\d+\] install bindy .*: skipped, already there before up/.test(l)));

  const before = s.fakes.lines().length;
  const down = await clusterDown(s.io());
  const expected = undoOrder(s.plan.steps.filter((x) => x.id !== 'bindy')).map((x) => line(x.undo ?? []));
  assert.deepEqual(s.fakes.lines().slice(before), expected);
  assert.deepEqual(expected.filter((l) => l.includes('bindy-system')), ['kubectl --context lab annotate namespace bindy-system chaos-mesh.org/inject-'], 'of bindy-system, only the annotation up added');
  assert.ok(!expected.some((l) => l.includes(' -k ')), 'bindy is never deleted');
  assert.deepEqual(down?.leftAlone.length, 1);
  assert.equal(existsSync(clusterStateFile(s.home)), false);
});

test('existing cluster that does not answer its probes: nothing is made, exit 3 saying so', async () => {
  const s = await setup({ provider: 'existing' });
  await assert.rejects(clusterUp(s.plan, s.io({ FAKE_UNREACHABLE: '1' }), ready().wait), (e: unknown) => e instanceof TargetNotReadyError && /^cluster up: cannot tell whether "install bindy .*" is already there: kubectl exited with code 1: The connection to the server was refused; nothing was made$/.test(e.message));
  assert.deepEqual(s.fakes.lines(), [line(s.plan.steps[0]?.present?.argv ?? [])]);
  assert.equal(existsSync(clusterStateFile(s.home)), false);
});

test('Ctrl-C during a step: the running step is stopped and undone too, then the ones before it, last first; exit 130; no state', async () => {
  const s = await setup({ provider: 'existing', monitoring: true });
  const k = s.plan.steps.findIndex((x) => x.id === 'monitoring');
  const slow = s.plan.steps[k];
  assert.ok(slow !== undefined);
  const stop = new AbortController();
  const up = clusterUp(s.plan, s.io({ FAKE_SLEEP: line(slow.run) }, stop.signal), ready().wait);
  up.catch(() => undefined); // judged below; a rejection before then must not count as unhandled
  const deadline = Date.now() + 10_000;
  while (!s.fakes.lines().includes(line(slow.run)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const state = await readClusterState(s.home);
  assert.equal(state?.steps.at(-1)?.status, 'running', 'recorded before it started');
  stop.abort();
  await assert.rejects(up, (e: unknown) => e instanceof InterruptedError && e.exitCode === 130 && /interrupted during step \d+\/\d+ "install kube-prometheus-stack/.test(e.message));
  const undos = undoOrder(s.plan.steps.slice(0, k + 1)).map((x) => line(x.undo ?? []));
  assert.equal(undos[0], line(slow.undo ?? []), 'the interrupted step first');
  assert.deepEqual(s.fakes.lines().slice(-undos.length), undos);
  assert.equal(existsSync(clusterStateFile(s.home)), false);
});

test('a state left by a killed up (a step still running) is undone by down, that step included', async () => {
  const s = await setup({ provider: 'existing' });
  const [bindy, rollout, cluster] = s.plan.steps;
  assert.ok(bindy !== undefined && rollout !== undefined && cluster !== undefined);
  const rec = (x: typeof bindy, status: 'done' | 'running'): { id: string; title: string; run: string[]; undo: string[] | null; status: 'done' | 'running' } => ({ id: x.id, title: x.title, run: [...x.run], undo: x.undo === null ? null : [...x.undo], status });
  await writeClusterState(s.home, {
    version: 1, startedAt: new Date().toISOString(), provider: 'existing', name: 'bindy-loadtest', context: 'lab', bindyVersion: 'v0.6.2',
    cwd: root, env: {}, files: [], steps: [rec(bindy, 'done'), rec(rollout, 'done'), rec(cluster, 'running')], complete: false,
  });
  await clusterDown(s.io());
  assert.deepEqual(s.fakes.lines(), [line(cluster.undo ?? []), line(bindy.undo ?? [])]);
  assert.equal(existsSync(clusterStateFile(s.home)), false);
});

test('an undo that fails keeps the state with what is left (exit 3); the next down finishes', async () => {
  const s = await setup({ provider: 'existing' });
  await clusterUp(s.plan, s.io(), ready().wait);
  await assert.rejects(clusterDown(s.io({ FAKE_FAIL: 'kubectl --context lab delete -k' })), (e: unknown) => e instanceof TargetNotReadyError && /^cluster down: undid 2 step\(s\); could not undo "install bindy/.test(e.message));
  assert.deepEqual((await readClusterState(s.home))?.steps.filter((x) => x.undo !== null).map((x) => x.id), ['bindy'], 'what is left to undo');
  const before = s.fakes.lines().length;
  await clusterDown(s.io());
  assert.deepEqual(s.fakes.lines().slice(before), [line(s.plan.steps[0]?.undo ?? [])]);
  assert.equal(existsSync(clusterStateFile(s.home)), false);
});

test('a preflight that does not pass keeps what was made (state complete) and says so; up over a recorded state is refused', async () => {
  const s = await setup({});
  const failing: WaitReady = () => Promise.reject(new TargetNotReadyError('cluster up: the preflight did not pass within 10m (context kind-bindy-loadtest): stub'));
  await assert.rejects(clusterUp(s.plan, s.io(), failing), /preflight did not pass/);
  assert.equal((await readClusterState(s.home))?.complete, true);
  await assert.rejects(clusterUp(s.plan, s.io(), ready().wait), (e: unknown) => e instanceof UsageError && /already records what an earlier up made .*run bindy-loadtest cluster down first$/.test(e.message));
  await clusterDown(s.io());
  assert.equal(s.fakes.lines().at(-1), 'kind delete cluster --name bindy-loadtest');
});
