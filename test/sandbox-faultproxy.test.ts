/**
 * The sandbox with its fault proxy (`sandbox up --faults`): the operator reaches the API server,
 * the bindcar twin and named only through the proxy's links, still reconciles a zone and a record
 * to Ready (the record answered through `client-bind`), and a partition of `operator-sidecar`
 * holds a new zone back from Ready until it is reverted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { sandboxHealth } from '../src/targets/sandbox/supervisor/health.js';
import { isAlive } from '../src/targets/sandbox/supervisor/part-process.js';
import { readState } from '../src/targets/sandbox/supervisor/state.js';
import { udpQuery } from '../src/targets/sandbox/bind9/udp-query.js';
import { KubeClient, type KubeObject } from '../src/observe/kube-client.js';
import { generateZone } from '../src/model/fixtures/generate.js';
import { defaultFixtureOptions } from '../src/model/fixtures/options.js';
import { bindyApiVersion, runIdLabel, zoneLabel, type BindyKind } from '../src/model/kinds.js';
import { ProxyFaultMechanism } from '../src/faults/proxy/mechanism.js';
import { ProxyControlClient } from '../src/faults/proxy/client.js';

const namespace = 'bindy-loadtest';
const runId = 'pf1';

async function readyWithin(client: KubeClient, kind: BindyKind, name: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await client.get(kind, namespace, name);
    const conditions = r.ok ? ((r.value?.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []) : [];
    if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return true;
    if (Date.now() > deadline) return false;
    await new Promise((res) => setTimeout(res, 100));
  }
}

function zone(i: number): KubeObject {
  return generateZone({ ...defaultFixtureOptions, runId, namespace, zoneNamePattern: 'pf-{}.example.com' }, i);
}

test('with the fault proxy on, the operator reconciles through its links, and a partition of operator-sidecar holds a zone back until reverted', { timeout: 120_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-faultproxy-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const sb = await startSandbox({ namespace, detached: false, home, faultProxy: true, operatorArgs: ['--no-leader-election'] });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await sb.stop();
  });
  const state = await readState(home);
  assert.ok(state?.faultProxy !== undefined, 'state.json names the proxy');
  assert.deepEqual(state.parts.map((p) => p.name).slice(2), ['sidecar', 'faultproxy', 'operator'], 'named and the API server start together, then in order');
  const link = (name: string): { listen: { port: number }; upstream: { port: number }; protocol: string } => {
    const l = state.faultProxy?.links.find((x) => x.name === name);
    assert.ok(l !== undefined, `link ${name}`);
    return l;
  };
  assert.deepEqual(
    ['operator-apiserver', 'operator-sidecar', 'operator-bind', 'client-bind'].map((n) => [n, link(n).protocol, link(n).upstream.port]),
    [
      ['operator-apiserver', 'tcp', Number(new URL(state.apiServerUrl).port)],
      ['operator-sidecar', 'tcp', Number(new URL(state.sidecarUrl).port)],
      ['operator-bind', 'udp', state.dns.port],
      ['client-bind', 'udp', state.dns.port],
    ],
  );
  // The operator is pointed at the links, not at the parts.
  const opArgs = state.parts.find((p) => p.name === 'operator')?.args ?? [];
  assert.equal(opArgs[opArgs.indexOf('--dns') + 1], `127.0.0.1:${link('operator-bind').listen.port}`);
  assert.equal(opArgs[opArgs.indexOf('--sidecar') + 1], `http://127.0.0.1:${link('operator-sidecar').listen.port}`);
  assert.match(await readFile(opArgs[opArgs.indexOf('--kubeconfig') + 1] ?? '', 'utf8'), new RegExp(`server: https://127.0.0.1:${link('operator-apiserver').listen.port}\\n`));
  for (const h of await sandboxHealth(state)) assert.ok(h.healthy, `${h.name}: ${h.detail}`);

  // A zone and a record reconciled to Ready through the proxy; the record answered through client-bind.
  const client = new KubeClient({ kubeconfigPath: state.kubeconfig });
  const z0 = zone(0);
  assert.ok((await client.create(z0)).ok);
  const zoneName = 'pf-0.example.com';
  const record: KubeObject = {
    apiVersion: bindyApiVersion,
    kind: 'ARecord',
    metadata: { name: 'pf-www', namespace, labels: { [runIdLabel]: runId, [zoneLabel]: zoneName } },
    spec: { name: 'www', ipv4Addresses: ['192.0.2.44'] },
  };
  assert.ok((await client.create(record)).ok);
  assert.ok(await readyWithin(client, 'DNSZone', z0.metadata.name ?? '', 20_000), 'zone 0 Ready');
  assert.ok(await readyWithin(client, 'ARecord', 'pf-www', 20_000), 'record Ready');
  const a = await udpQuery(link('client-bind').listen.port, `www.${zoneName}`, 'A', 2000);
  assert.deepEqual(a.packet.answers?.map((r) => (r.type === 'A' ? r.data : r.type)), ['192.0.2.44']);
  const proxy = new ProxyControlClient(state.faultProxy.controlUrl);
  const [bind, api] = await Promise.all([proxy.link('operator-bind'), proxy.link('operator-apiserver')]);
  assert.ok(bind.counters.upstream.forwardedPackets > 0, 'the record\'s UPDATE went through operator-bind');
  assert.ok(api.counters.sessions.opened > 0, 'the operator\'s API calls went through operator-apiserver');

  // Partition operator-sidecar: the next zone cannot be created in bindcar, so it is not Ready.
  const mechanism = await ProxyFaultMechanism.connect(state.faultProxy.controlUrl);
  const fault = await mechanism.apply('operator-sidecar', { kind: 'partition', mode: 'refuse' });
  const z1 = zone(1);
  assert.ok((await client.create(z1)).ok);
  assert.equal(await readyWithin(client, 'DNSZone', z1.metadata.name ?? '', 3000), false, 'zone 1 not Ready while the sidecar is cut off');
  assert.ok((await proxy.link('operator-sidecar')).counters.sessions.opened > 0, 'the operator kept trying through the link');
  const outcome = await fault.revert();
  assert.deepEqual([outcome.reverted, outcome.already], [true, false]);
  // bindy's bindcar backoff caps at 10 s between attempts.
  assert.ok(await readyWithin(client, 'DNSZone', z1.metadata.name ?? '', 20_000), 'zone 1 Ready once the partition healed');
  assert.equal((await udpQuery(link('client-bind').listen.port, 'pf-1.example.com', 'SOA', 2000)).rcode, 0);

  const pids = state.parts.flatMap((p) => [p.pid, ...p.childPids]);
  stopped = true;
  await sb.stop();
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still alive`);
});
