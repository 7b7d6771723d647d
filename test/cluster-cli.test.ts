// `bindy-loadtest cluster up|down` as a user runs it: the CLI as a child process (and in process
// for the quick cases), with fake kind/kubectl/helm first on PATH (test/helpers/fake-cluster-tools.ts).
// No real cluster: `up` ends at the real preflight wait, which fails (no kubeconfig) with exit 3.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-child.js';
import { fakeClusterTools } from './helpers/fake-cluster-tools.js';

const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-cluster-cli-'));
after(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const freshHome = (): string => join(dir, `home-${++n}`);

async function spawned(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawnCli(args, env);
  const code = await child.exit;
  await child.closed;
  return { code, stderr: child.stderr() };
}

test('cluster up with kind missing → exit 3, one line naming kind, and the install line', async () => {
  const onlyKubectl = fakeClusterTools(join(dir, 'no-kind'), ['kubectl']);
  const home = freshHome();
  const r = await spawned(['cluster', 'up'], { ...onlyKubectl.env(), BINDY_LOADTEST_CLUSTER_HOME: home });
  assert.equal(r.code, 3, r.stderr);
  const [line, hint, ...rest] = r.stderr.trimEnd().split('\n');
  assert.equal(line, 'bindy-loadtest: kind not found on PATH (needed by cluster up --provider kind)');
  assert.match(hint ?? '', /^ {2}hint: kind: go install sigs\.k8s\.io\/kind@v0\.24\.0 \(or: curl -Lo \/usr\/local\/bin\/kind https:\/\/kind\.sigs\.k8s\.io\/dl\/v0\.24\.0\/kind-linux-amd64/);
  assert.deepEqual(rest, []);
  assert.deepEqual(onlyKubectl.lines(), [], 'nothing was run');
  assert.equal(existsSync(home), false, 'nothing was recorded');
});

test('cluster up --monitoring without helm names helm and its install line too', async () => {
  const r = await runCli(['cluster', 'up', '--monitoring'], { env: { PATH: join(dir, 'nowhere'), BINDY_LOADTEST_CLUSTER_HOME: freshHome() } });
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^bindy-loadtest: kind, kubectl, helm not found on PATH \(needed by cluster up --provider kind --monitoring\)\n {2}hint: kind: .*; kubectl: bash scripts\/setup\.sh.*; helm: curl -fsSL https:\/\/raw\.githubusercontent\.com\/helm\/helm\/main\/scripts\/get-helm-3 \| bash/);
});

test('cluster down of nothing → "nothing to remove", exit 0', async () => {
  const home = freshHome();
  const r = await runCli(['cluster', 'down'], { env: { PATH: '', BINDY_LOADTEST_CLUSTER_HOME: home } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `cluster down: nothing to remove (no state in ${home})\n`);
  assert.equal(r.stdout, '');
});

test('cluster up --dry-run prints each step with its command line and its undo, runs nothing, exit 0 (also without any tool)', async () => {
  const r = await runCli(['cluster', 'up', '--dry-run', '--workers', '2', '--monitoring'], { env: { PATH: '', BINDY_LOADTEST_CLUSTER_HOME: freshHome() } });
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.match(out[0] ?? '', /^cluster up would make a kind cluster bindy-loadtest \(context kind-bindy-loadtest, 2 workers\): bindy v0\.6\.2, monitoring on, chaos off/);
  const steps = out.filter((l) => /^\d+\. /.test(l)).map((l) => l.replace(/^\d+\. /, ''));
  assert.match(steps[0] ?? '', /^create the kind cluster bindy-loadtest \(1 control plane \+ 2 workers\)/);
  assert.match(steps[1] ?? '', /^install bindy v0\.6\.2/);
  assert.match(steps.at(-1) ?? '', /^wait until the preflight passes/);
  assert.ok(out.includes('     undo: kind delete cluster --name bindy-loadtest'));
  assert.ok(out.some((l) => /run: {2}helm --kube-context kind-bindy-loadtest install monitoring kube-prometheus-stack .*--version 65\.8\.1/.test(l)));
  assert.ok(out.some((l) => /^writes .*kind-config\.yaml first$/.test(l)));
  assert.equal(out.at(-2), 'cluster down would run: kind delete cluster --name bindy-loadtest');

  const json = await runCli(['--json', 'cluster', 'up', '--dry-run', '--provider', 'existing', '--context', 'lab'], { env: { PATH: '', BINDY_LOADTEST_CLUSTER_HOME: freshHome() } });
  assert.equal(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { dryRun: boolean; steps: { id: string; undo: string[] | null }[]; options: { context: string } };
  assert.equal(plan.options.context, 'lab');
  assert.deepEqual(plan.steps.map((s) => s.id), ['bindy', 'bindy-rollout', 'bind9-cluster', 'bind9-exporter', 'bind9-ready']);
});

test('bad flags → exit 2, one line naming the flag', async () => {
  const bad: Array<[string[], RegExp]> = [
    [['cluster', 'up', '--provider', 'minikube'], /^bindy-loadtest: --provider: expected one of kind, k3d, existing, got 'minikube'$/],
    [['cluster', 'up', '--workers', '0'], /^bindy-loadtest: --workers: expected a whole number from 1 to 10/],
    [['cluster', 'up', '--bindy-version', 'latest'], /^bindy-loadtest: --bindy-version: expected a bindy release tag like v0\.6\.2, got 'latest'/],
    [['cluster', 'up', '--timeout', 'forever'], /^bindy-loadtest: --timeout: expected a duration/],
    [['--context', 'kind-x', 'cluster', 'up'], /^bindy-loadtest: --context: only with --provider existing/],
    [['cluster', 'up', '--provider', 'existing', '--workers', '2', '--context', 'c'], /^bindy-loadtest: --workers: only with --provider kind or k3d/],
    [['cluster', 'sideways'], /^bindy-loadtest: /],
    [['-n', 'elsewhere', 'cluster', 'up'], /^bindy-loadtest: --namespace: cluster up makes the BIND9 cluster in bindy-loadtest .*got 'elsewhere'$/],
  ];
  for (const [argv, re] of bad) {
    const r = await runCli(argv, { env: { PATH: '', BINDY_LOADTEST_CLUSTER_HOME: freshHome() } });
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(lines[0] ?? '', re);
  }
  // commander's own error, with its suggestion on a second line as for every command
  const typo = await runCli(['cluster', 'up', '--wrokers', '2'], { env: { PATH: '' } });
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^bindy-loadtest: unknown option '--wrokers'\n\(Did you mean --workers\?\)\n$/);
});

test('up with fake tools: every step runs in order, then the real preflight wait fails (no kubeconfig): exit 3, state kept; down without kind → exit 3, kept; down → the undo, exit 0', async () => {
  const fakes = fakeClusterTools(join(dir, 'e2e'));
  const home = freshHome();
  const env = { ...fakes.env(), BINDY_LOADTEST_CLUSTER_HOME: home, KUBECONFIG: join(dir, 'no-such-kubeconfig') };
  const up = await spawned(['cluster', 'up', '--timeout', '1s'], env);
  assert.equal(up.code, 3, up.stderr);
  assert.deepEqual(fakes.lines().map((l) => l.split(' ').slice(0, 4).join(' ')), [
    'kind create cluster --name',
    'kubectl --context kind-bindy-loadtest apply',
    'kubectl --context kind-bindy-loadtest -n',
    'kubectl --context kind-bindy-loadtest apply',
    'kubectl --context kind-bindy-loadtest apply',
    'kubectl --context kind-bindy-loadtest -n',
  ]);
  const lines = up.stderr.trimEnd().split('\n');
  assert.equal(lines.filter((l) => /^cluster up: \[\d\/6\] .*: (kind|kubectl) /.test(l)).length, 6, up.stderr);
  assert.match(lines.at(-2) ?? '', /^bindy-loadtest: cluster up: the preflight did not pass within 1s \(context kind-bindy-loadtest\): cannot read the kubeconfig .*no-such-kubeconfig/);
  assert.match(lines.at(-1) ?? '', /^ {2}hint: .*what up made is kept for a look: bindy-loadtest cluster down removes it$/);
  assert.ok(existsSync(join(home, 'state.json')));

  const dry = await runCli(['cluster', 'down', '--dry-run'], { env });
  assert.equal(dry.stdout, 'create the kind cluster bindy-loadtest (1 control plane + 3 workers): kind delete cluster --name bindy-loadtest\n');

  const noKind = fakeClusterTools(join(dir, 'e2e-no-kind'), ['kubectl']);
  const refused = await runCli(['cluster', 'down'], { env: { ...env, PATH: noKind.env().PATH } });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /^bindy-loadtest: kind not found on PATH \(needed by cluster down \(state .*state\.json\)\)\n {2}hint: kind: go install sigs\.k8s\.io\/kind@v0\.24\.0/);
  assert.ok(existsSync(join(home, 'state.json')), 'kept for a down that can run');

  const down = await runCli(['cluster', 'down'], { env });
  assert.equal(down.code, 0, down.stderr);
  assert.equal(fakes.lines().at(-1), 'kind delete cluster --name bindy-loadtest');
  assert.match(down.stderr, /cluster down: removed what up made \(1 undo step\(s\)\)/);
  assert.equal(existsSync(join(home, 'state.json')), false);
});

test('cluster up --help teaches: the steps, what down removes, examples', async () => {
  const up = await runCli(['cluster', 'up', '--help'], { env: {} });
  assert.equal(up.code, 0);
  for (const want of ['What up does, in order', '--provider <name>', '--bindy-version <tag>', '--monitoring', '--chaos', '--workers <n>', 'Examples:', 'cluster down']) {
    assert.ok(up.stdout.includes(want), want);
  }
  const down = await runCli(['cluster', 'down', '--help'], { env: {} });
  assert.match(down.stdout, /never deleted unless up created it/);
});

test('Ctrl-C from a terminal (SIGINT to the whole process group) during a step: that step and the ones before it undone, exit 130, no state', async () => {
  const fakes = fakeClusterTools(join(dir, 'ctrl-c'));
  const home = freshHome();
  const env = { ...fakes.env({ FAKE_SLEEP: 'kubectl --context kind-bindy-loadtest -n bindy-system rollout status' }), BINDY_LOADTEST_CLUSTER_HOME: home };
  const child = spawnCli(['cluster', 'up'], env, { terminal: true });
  await child.line(/^cluster up: \[3\/6\] wait for the bindy operator to roll out: /);
  child.kill('SIGINT');
  assert.equal(await child.exit, 130, child.stderr());
  await child.closed;
  assert.equal(fakes.lines().at(-1), 'kind delete cluster --name bindy-loadtest', 'the cluster up made is deleted');
  assert.match(child.stderr(), /^bindy-loadtest: cluster up interrupted during step 3\/6 "wait for the bindy operator to roll out": undid 1 step\(s\), nothing left$/m);
  assert.equal(existsSync(join(home, 'state.json')), false);
});
