/**
 * The chaos scenario from the command line, against the sandbox twin (real named, operator twin,
 * the fault proxy as its own process): bad input refused before anything starts; a network fault
 * on the operator's DNS UPDATE path under background load, reverted and proven reverted, with a
 * verdict per invariant and a clean desired-vs-served audit at the end; and a run SIGKILLed while
 * its fault (the operator killed) is in force, after which `cleanup` reverts it from the journal
 * alone: the operator is back and the run's objects are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { ProxyControlClient, ProxyFaultMechanism } from '../src/faults/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { runCli } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-child.js';
import { parseResult } from '../src/report/result/index.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { isAlive, readState } from '../src/targets/sandbox/supervisor/index.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { kindsOfLine, runIdLabel } from '../src/model/kinds.js';

const badInput: [string, string[], RegExp][] = [
  ['an unknown experiment', ['--scenario', 'meteor-strike'], /^bindy-loadtest: --scenario: unknown experiment "meteor-strike" \(known: operator-kill, bind9-crash, sidecar-down,/],
  ['a param of another experiment', ['--scenario', 'operator-kill', '--param', 'loss=20%'], /^bindy-loadtest: --scenario: .*operator-kill has no field "loss"|^bindy-loadtest: --scenario: .*loss/],
  ['a link the deployment does not have', ['--scenario', 'partition', '--param', 'link=operator-etcd'], /^bindy-loadtest: --scenario: .*expected one of operator-apiserver, operator-sidecar, operator-bind/],
  ['a fault longer than the run', ['--scenario', 'operator-kill', '--duration', '1m', '--fault-duration', '2m'], /^bindy-loadtest: --fault-duration: 2m from 15s ends after --duration 1m/],
  ['--param without --scenario', ['--param', 'link=operator-bind'], /^bindy-loadtest: --param and --fault-duration go with --scenario NAME/],
  ['no experiment at all', [], /^bindy-loadtest: scenarios\.chaos\.experiments: none given: name one with --scenario/],
  ['a link the sandbox has no mechanism for', ['--scenario', 'partition', '--param', 'link=sidecar-bind'], /^bindy-loadtest: scenarios\.chaos\.experiments\[0\]: partition on link sidecar-bind has no mechanism on the sandbox yet/],
];

for (const [what, args, expected] of badInput) {
  test(`chaos with ${what} → one line naming it, exit 2, nothing started`, async (t) => {
    const home = await mkdtemp(join(tmpdir(), 'bl-chaos-bad-'));
    t.after(() => rm(home, { recursive: true, force: true }));
    const r = await runCli(['--output', join(home, 'results'), 'chaos', ...args], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, expected);
    assert.equal(existsSync(join(home, 'results')), false, 'no result folder: nothing ran');
    assert.deepEqual(await readdir(home), [], 'no sandbox state: nothing started');
  });
}

/** The config every run here uses: bindcar 0.7's limiter off, so the twin keeps up and only the fault decides. */
async function configFile(dir: string): Promise<string> {
  const file = join(dir, 'chaos.yaml');
  await writeFile(file, ['sandbox:', '  sidecar:', '    rateLimit: off', 'report:', '  formats: [json]', ''].join('\n'));
  return file;
}

test('packet loss on the operator\'s UDP UPDATE path under load: reverted and proven, converged, DNS gap bounded, audit clean', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-loss-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  // The run starts its own sandbox, with the fault proxy, and stops it at the end.
  const args = ['--config', await configFile(home), '--output', join(home, 'results'), '--json', 'chaos', '--scenario', 'packet-loss', '--param', 'loss=50%', '--duration', '40s', '--fault-duration', '10s', '--rate', '3/s', '--zones', '2', '--working-set', '10', '--quiet-window', '0s'];
  const r = await runCli(args, { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(result.metadata.scenario, 'chaos');
  const [e] = result.chaos?.experiments ?? [];
  assert.ok(e !== undefined, 'one experiment');
  assert.equal(e.kind, 'packet-loss');
  assert.equal(e.target, 'operator-bind');
  assert.equal(e.reverted, true, e.revertProof);
  assert.match(e.revertProof, /DNS .* answered/);
  assert.ok(e.heldMs >= 10_000 && e.heldMs < 15_000, `held ${e.heldMs} ms`);
  assert.ok(e.convergenceMs !== null && e.convergenceMs <= 120_000, `converged: ${JSON.stringify(e.invariants)}`);
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'the operator did not restart:pass']);
  // named itself was never touched: the SOA prober saw no gap near the 2 s bound.
  const gapInv = e.invariants.find((i) => i.name.startsWith('DNS gap'));
  assert.ok(gapInv !== undefined && gapInv.observed !== null && gapInv.observed < 2, JSON.stringify(gapInv));
  assert.equal(result.chaos?.final?.auditClean, true, result.chaos?.final?.audit);
  assert.equal(result.chaos?.final?.untruthful, 0);
  assert.ok((result.counters['operations_attempted']?.value ?? 0) > 0, 'background load ran');
  // The background DNS queries went through client-bind, which the fault did not touch: all answered.
  assert.ok((result.counters['dns_queries_sent']?.value ?? 0) >= 3000, 'dnsperf ran for the whole load');
  assert.equal(result.counters['dns_queries_lost']?.value, 0);
  assert.equal(result.counters['dns_answers_unexpected_rcode']?.value, 0, 'SOA and NS answered, the missing name NXDOMAIN');
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
});

test('a partition of client-bind: the background DNS queries are lost exactly while it holds, answered before and after', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-dns-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const args = ['--config', await configFile(home), '--output', join(home, 'results'), '--json', 'chaos', '--scenario', 'partition', '--param', 'link=client-bind', '--duration', '24s', '--fault-duration', '6s', '--rate', '1/s', '--zones', '2', '--working-set', '4', '--query-rate', '50/s', '--quiet-window', '0s'];
  const r = await runCli(args, { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e?.windowMs !== undefined);
  const { applied, reverted } = e.windowMs;
  const series = (name: string): { t: number; value: number }[] => result.timeSeries.find((s) => s.name === name)?.points ?? [];
  // Each point covers the second before it; 1 s of query timeout shifts losses by up to 1 s more.
  // The revert is proven by an answer through the same link, so the partition ends before `reverted`: at applied + heldMs.
  const inside = (t: number): boolean => t - 1000 >= applied + 1000 && t <= applied + e.heldMs;
  const outside = (t: number): boolean => t < applied || t - 1000 > reverted + 1000;
  const answers = series('dns_answers_per_second');
  const lost = series('dns_queries_lost');
  assert.ok(answers.filter((p) => inside(p.t)).length >= 3, `seconds inside the fault: ${JSON.stringify(answers)} window ${applied}–${reverted}`);
  for (const p of answers.filter((x) => inside(x.t))) assert.equal(p.value, 0, `answers at ${p.t} ms, inside the partition`);
  for (const p of lost.filter((x) => inside(x.t))) assert.ok(p.value >= 40, `${p.value} lost at ${p.t} ms, inside the partition (50/s asked)`);
  for (const p of answers.filter((x) => outside(x.t) && x.t < 23_000)) assert.ok(p.value >= 40, `${p.value} answers at ${p.t} ms, outside the partition`);
  for (const p of lost.filter((x) => outside(x.t))) assert.equal(p.value, 0, `lost at ${p.t} ms, outside the partition`);
  assert.equal(result.counters['dns_answers_unexpected_rcode']?.value, 0);
});

test('a network fault against a sandbox started without the fault proxy: exit 2 before any load, naming how to get one', { timeout: 120_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-noproxy-'));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true });
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  const out = join(home, 'results');
  const r = await runCli(['--output', out, 'chaos', '--scenario', 'partition'], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
  assert.equal(r.code, 2, r.stderr);
  const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
  assert.match(last, /^bindy-loadtest: chaos: exp-0 \(partition: .*\): the running sandbox has no fault proxy: .*sandbox up --faults/);
  assert.equal(existsSync(join(out, 'journal')), false, 'nothing journalled: nothing was created');
});

test('SIGKILL of a chaos run while the operator is killed: cleanup restarts it from the journal, then removes the run\'s objects; a proxy fault a dead run left is cleared the same way', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-kill-'));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  // A sandbox of its own that outlives the run, so the fault outlives the tool.
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true, faultProxy: true });
  // Stopped before its home goes: state.json names the operator cleanup started again (a new pid).
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  const operatorBefore = (await readState(home))?.parts.find((p) => p.name === 'operator')?.pid;
  const out = join(home, 'results');
  const runId = 'chaos-killed-1';
  const child = spawnCli(['--output', out, 'chaos', '--run-id', runId, '--scenario', 'operator-kill', '--duration', '40s', '--fault-duration', '25s', '--rate', '2/s', '--zones', '1', '--working-set', '4', '--quiet-window', '0s'], env);
  await child.line(/^chaos: exp-0 operator-kill: .*applying/);
  // The fault is journalled before it is applied: wait until the operator is gone, then kill the tool.
  const journal = join(out, 'journal', `run-${runId}.jsonl`);
  for (let i = 0; i < 100 && operatorBefore !== undefined && isAlive(operatorBefore); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(operatorBefore !== undefined && !isAlive(operatorBefore), 'the fault killed the operator');
  child.kill('SIGKILL');
  assert.equal(await child.exit, -9);
  assert.match(await readFile(journal, 'utf8'), /"type":"fault".*"state":"applying".*"mechanism":"sandbox-process"/);

  const c = await runCli(['--output', out, 'cleanup', '--run-id', runId, '--timeout', '90s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /cleanup: fault exp-0 of run chaos-killed-1 on .*: reverted: /);
  const operatorAfter = (await readState(home))?.parts.find((p) => p.name === 'operator')?.pid;
  assert.ok(operatorAfter !== undefined && operatorAfter !== operatorBefore && isAlive(operatorAfter), 'a new operator runs');
  // Nothing of the run is left in the API, and its journal is gone (everything undone).
  const state = await readState(home);
  assert.ok(state !== undefined);
  const client = new KubeClient({ kubeconfigPath: state.kubeconfig });
  for (const kind of kindsOfLine('0.6')) {
    const l = await client.list(kind, null, `${runIdLabel}=${runId}`);
    assert.ok(l.ok && l.value.items.length === 0, `${kind}: nothing of the run left`);
  }
  assert.equal(existsSync(journal), false, 'the journal is removed once everything is undone');

  // The other mechanism: a partition of the fault proxy, journalled by a run that died without
  // reverting it (its owner pid is gone). cleanup clears it through the proxy's control API and
  // proves the link answers again.
  const proxy = state.faultProxy;
  assert.ok(proxy !== undefined);
  const orphanRun = 'chaos-killed-2';
  const mechanism = new ProxyFaultMechanism({ controlUrl: proxy.controlUrl, links: proxy.links.map((l) => ({ name: l.name, protocol: l.protocol, listen: l.listen })), probes: { 'operator-sidecar': { kind: 'http', path: '/api/v1/health' } } });
  // The journal names a dead process as its owner, as a SIGKILLed run's would.
  const { journalFile: jf } = await faultOfDeadRun(out, orphanRun, mechanism, 'operator-sidecar', { kind: 'partition', durationMs: 600_000 });
  const control = new ProxyControlClient(proxy.controlUrl);
  assert.equal((await control.link('operator-sidecar')).fault?.spec.kind, 'partition');
  const c2 = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '30s'], { env });
  assert.equal(c2.code, 0, c2.stderr);
  assert.match(c2.stderr, /cleanup: fault exp-0 of run chaos-killed-2 on link operator-sidecar: reverted: .*GET \/api\/v1\/health answered/);
  assert.equal((await control.link('operator-sidecar')).fault, null, 'the proxy has no fault on the link');
  assert.equal(existsSync(jf), false);

  // The sandbox's stop reaches the operator cleanup started (state.json has its pid), so nothing outlives the test.
  await sb.stop();
  assert.equal(isAlive(operatorAfter), false, 'the restarted operator stops with its sandbox');
});
