/**
 * Process faults on a real sandbox (named, API server, bindcar twin, operator twin as their own
 * processes): kill the operator and named and bring them back from state.json, pause the sidecar,
 * revert from the journalled descriptor alone in a fresh process, and refuse what cannot apply.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { readState } from '../src/targets/sandbox/supervisor/state.js';
import { isAlive } from '../src/targets/sandbox/supervisor/part-process.js';
import { udpQuery } from '../src/targets/sandbox/bind9/udp-query.js';
import { readRndcConf, Rndc } from '../src/targets/sandbox/bind9/rndc.js';
import { ProcessFaultMechanism } from '../src/faults/process/mechanism.js';
import { parseRevertDescriptor, type RevertDescriptor } from '../src/faults/fault.js';
import { FaultLedger } from '../src/faults/fault-ledger.js';
import { UsageError } from '../src/errors.js';
import { packageRoot } from '../src/package-root.js';

const root = packageRoot();
let home: string;
let sb: RunningSandbox;
let mechanism: ProcessFaultMechanism;
/** Every pid any part ran under, to check that `stop` leaves none. */
const seenPids = new Set<number>();

async function part(name: string): Promise<{ pid: number; childPids: number[]; metricsUrl?: string }> {
  const p = (await readState(home))?.parts.find((x) => x.name === name);
  assert.ok(p !== undefined, `${name} in state.json`);
  seenPids.add(p.pid);
  for (const c of p.childPids) seenPids.add(c);
  return p;
}

async function answers(port: number, name: string, type: 'SOA' | 'TXT' = 'SOA'): Promise<number | null> {
  try {
    return (await udpQuery(port, name, type, 700)).rcode;
  } catch {
    return null;
  }
}

async function httpAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.text());
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'bl-procfault-'));
  // No leader election: a restarted operator would otherwise wait out its old Lease (15 s).
  sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, operatorArgs: ['--no-leader-election'] });
  mechanism = new ProcessFaultMechanism({ home });
  for (const n of ['named', 'sidecar', 'operator']) await part(n);
});

after(async () => {
  await sb.stop();
  for (const pid of seenPids) assert.equal(isAlive(pid), false, `pid ${pid} left running after stop`);
  await rm(home, { recursive: true, force: true });
});

void test('state.json records how to start each part again, with no secret in it', async () => {
  const state = await readState(home);
  const byName = new Map(state?.parts.map((p) => [p.name, p]));
  const namedArgs = byName.get('named')?.args ?? [];
  assert.deepEqual([namedArgs[0], namedArgs[2], namedArgs[4]], ['--dir', '--ports-json', '--keep-keys']);
  const ports = JSON.parse(namedArgs[3] ?? '{}') as { dns: number; stats: number };
  assert.deepEqual([ports.dns, ports.stats], [state?.dns.port, Number(new URL(state?.bind9StatsUrl ?? '').port)]);
  assert.ok(byName.get('sidecar')?.args?.includes(new URL(state?.sidecarUrl ?? '').port));
  assert.deepEqual(byName.get('operator')?.secretEnv, { BIND_API_TOKEN: state?.sidecarTokenFile });
  const token = (await readFile(state?.sidecarTokenFile ?? '', 'utf8')).trim();
  assert.equal((await readFile(join(home, 'state.json'), 'utf8')).includes(token), false, 'the token stays in its file');
});

void test('kill the operator: gone until the revert, then back under a new pid, healthy, state.json updated', async () => {
  const before = await part('operator');
  const descriptors: RevertDescriptor[] = [];
  const ledger = new FaultLedger({ journal: (d) => void descriptors.push(d) });
  const fault = await ledger.apply(mechanism, 'operator', { kind: 'kill' });
  assert.deepEqual(descriptors, [{ mechanism: 'sandbox-process', version: 1, home, part: 'operator', action: 'restart', pids: [before.pid] }]);
  assert.equal(isAlive(before.pid), false);
  assert.equal(await httpAnswers(before.metricsUrl ?? ''), false, 'metrics gone with it');
  const down = await fault.verifyReverted();
  assert.equal(down.reverted, false, down.evidence);
  const [record] = await ledger.revertAll();
  assert.ok(record !== undefined);
  assert.deepEqual([record.outcome.reverted, record.outcome.already], [true, false], record.outcome.detail);
  assert.equal(record.proof.reverted, true, record.proof.evidence);
  const now = await part('operator');
  assert.notEqual(now.pid, before.pid);
  assert.ok(isAlive(now.pid));
  assert.ok(await httpAnswers(now.metricsUrl ?? ''), `metrics at ${now.metricsUrl}`);
  assert.equal(now.metricsUrl, before.metricsUrl, 'back on the same metrics port: observers that read it once keep scraping');
  // Idempotent: a second revert finds it running.
  const again = await fault.revert();
  assert.deepEqual([again.reverted, again.already], [true, true]);
});

void test('kill named: DNS stops; the revert brings it back on the same port, serving a zone added before the kill', async () => {
  const state = await readState(home);
  assert.ok(state !== undefined);
  const port = state.dns.port;
  const namedDir = join(state.dir, 'named');
  const zoneFile = join(namedDir, 'survivor.test.zone');
  await writeFile(zoneFile, '$TTL 300\n@ IN SOA ns1.survivor.test. admin.survivor.test. 1 3600 600 604800 300\n@ IN NS ns1.survivor.test.\nns1 IN A 127.0.0.1\n');
  const rndc = new Rndc(readRndcConf(join(namedDir, 'rndc.conf')));
  await rndc.addzone('survivor.test', `{ type primary; file "${zoneFile}"; };`);
  assert.equal(await answers(port, 'survivor.test'), 0);
  const before = await part('named');

  const fault = await mechanism.apply('named', { kind: 'kill' });
  assert.deepEqual(fault.descriptor, { mechanism: 'sandbox-process', version: 1, home, part: 'named', action: 'restart', pids: before.childPids });
  for (const pid of [before.pid, ...before.childPids]) assert.equal(isAlive(pid), false, `pid ${pid} gone`);
  assert.equal(await answers(port, 'survivor.test'), null, 'DNS no longer answers');

  const outcome = await fault.revert();
  assert.deepEqual([outcome.reverted, outcome.already], [true, false], outcome.detail);
  const proof = await fault.verifyReverted();
  assert.equal(proof.reverted, true, proof.evidence);
  assert.equal(await answers(port, 'survivor.test'), 0, 'the zone is served on the same port');
  const now = await part('named');
  assert.notDeepEqual(now.childPids, before.childPids);
  // The same keys: rndc from the old rndc.conf (what the sidecar holds) still drives it.
  await rndc.status();
});

void test('pause the sidecar: HTTP times out until the revert resumes it', async () => {
  const state = await readState(home);
  const url = `${state?.sidecarUrl ?? ''}/api/v1/health`;
  assert.ok(await httpAnswers(url));
  const before = await part('sidecar');
  const fault = await mechanism.apply('sidecar', { kind: 'pause' });
  assert.equal(fault.descriptor.mechanism === 'sandbox-process' && fault.descriptor.action, 'resume');
  assert.equal(await httpAnswers(url, 800), false, 'a paused sidecar answers nothing');
  assert.ok(isAlive(before.pid), 'paused, not killed');
  const outcome = await fault.revert();
  assert.deepEqual([outcome.reverted, outcome.already], [true, false], outcome.detail);
  const proof = await fault.verifyReverted();
  assert.equal(proof.reverted, true, proof.evidence);
  assert.ok(await httpAnswers(url));
  assert.equal((await part('sidecar')).pid, before.pid, 'the same process');
  assert.deepEqual([(await fault.revert()).already], [true]);
});

void test('cleanup after the tool died mid-fault: a fresh process reverts a sidecar kill from the descriptor alone', async () => {
  const state = await readState(home);
  const before = await part('sidecar');
  let journalled = '';
  await mechanism.apply('sidecar', { kind: 'kill' }, { beforeApply: (d) => void (journalled = JSON.stringify(d)) });
  assert.equal(isAlive(before.pid), false);
  const descriptor = parseRevertDescriptor(JSON.parse(journalled));
  const script = "import { revertFromDescriptor } from './src/faults/revert.ts'; const r = await revertFromDescriptor(JSON.parse(process.argv[1])); process.stdout.write(JSON.stringify(r));";
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, JSON.stringify(descriptor)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  const r = JSON.parse(out) as { outcome: { reverted: boolean; already: boolean }; proof: { reverted: boolean; evidence: string } };
  assert.deepEqual([r.outcome.reverted, r.outcome.already], [true, false]);
  assert.equal(r.proof.reverted, true, r.proof.evidence);
  // The restarted sidecar outlived the process that started it, on the same port.
  const now = await part('sidecar');
  assert.ok(isAlive(now.pid) && now.pid !== before.pid);
  assert.ok(await httpAnswers(`${state?.sidecarUrl ?? ''}/api/v1/health`));
});

void test('a kill on an unknown part and a latency fault on a part are refused in one line', async () => {
  const oneLine = (re: RegExp) => (e: unknown): boolean => e instanceof UsageError && re.test(e.message) && !e.message.includes('\n');
  await assert.rejects(mechanism.apply('apiserver', { kind: 'kill' }), oneLine(/^fault on apiserver: the sandbox has no part "apiserver" a process fault can act on \(parts: operator, sidecar, named, and each secondary's named-secondary-<i>, sidecar-secondary-<i>\)$/));
  await assert.rejects(mechanism.apply('named-secondary-0', { kind: 'kill' }), oneLine(/^fault on named-secondary-0: the sandbox runs no named-secondary-0 \(its secondaries: sandbox up --secondaries N, or sandbox\.secondaries\)$/));
  await assert.rejects(mechanism.apply('operator', { kind: 'latency', ms: 100 }), oneLine(/^fault on operator: latency is a network fault/));
  await assert.rejects(new FaultLedger().apply(mechanism, 'named', { kind: 'pause', durationMs: 1000 }), oneLine(/durationMs is not supported for process faults/));
});
