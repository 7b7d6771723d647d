// test-runner: alone (scripts/run-tests.mjs runs this file after the others, with nothing beside it): it times injected delays
/**
 * A real named behind the fault proxy: `dig` through the UDP and TCP links gets the same answers as
 * named gives directly; a 200 ms latency shows in every query's time; 100 % loss makes queries time
 * out; and the DNS probe proves each revert.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startNamed, type NamedServer } from '../src/targets/sandbox/bind9/named-process.js';
import { runTool } from '../src/targets/sandbox/bind9/run-tool.js';
import { udpQuery } from '../src/targets/sandbox/bind9/udp-query.js';
import { startFaultProxy, type RunningFaultProxy } from '../src/faults/proxy/proxy.js';
import { ProxyFaultMechanism } from '../src/faults/proxy/mechanism.js';

let named: NamedServer;
let proxy: RunningFaultProxy;
let mechanism: ProxyFaultMechanism;

const port = (link: string): number => proxy.linkStatus(link)?.listen.port ?? 0;

async function dig(p: number, name: string, type: string, tcp = false): Promise<{ status: string; answers: string[] }> {
  const r = await runTool('dig', ['@127.0.0.1', '-p', String(p), name, type, '+time=2', '+tries=1', '+noall', '+comments', '+answer', ...(tcp ? ['+tcp'] : [])]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? 'none';
  const answers = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith(';'));
  return { status, answers };
}

before(async () => {
  named = await startNamed();
  const zoneFile = join(named.dir, 'proxied.test.zone');
  await writeFile(zoneFile, '$TTL 300\n@ IN SOA ns1.proxied.test. admin.proxied.test. 1 3600 600 604800 300\n@ IN NS ns1.proxied.test.\nns1 IN A 127.0.0.1\nwww IN A 192.0.2.7\n');
  await named.rndc.addzone('proxied.test', `{ type primary; file "${zoneFile}"; };`);
  proxy = await startFaultProxy({
    links: [
      { name: 'dns-udp', protocol: 'udp', listenPort: 0, upstream: { host: '127.0.0.1', port: named.ports.dns } },
      { name: 'dns-tcp', protocol: 'tcp', listenPort: 0, upstream: { host: '127.0.0.1', port: named.ports.dns } },
    ],
  });
  mechanism = await ProxyFaultMechanism.connect(proxy.controlUrl, {
    'dns-udp': { kind: 'dns', protocol: 'udp', name: 'proxied.test', type: 'SOA' },
    'dns-tcp': { kind: 'dns', protocol: 'tcp', name: 'proxied.test', type: 'SOA' },
  });
});

after(async () => {
  await proxy.close();
  await named.stop();
});

void test('dig through the UDP and TCP links answers exactly as named does directly', async () => {
  const direct = await dig(named.ports.dns, 'www.proxied.test', 'A');
  assert.deepEqual(direct.answers.map((l) => l.split(/\s+/).at(-1)), ['192.0.2.7']);
  assert.deepEqual(await dig(port('dns-udp'), 'www.proxied.test', 'A'), direct);
  assert.deepEqual(await dig(port('dns-tcp'), 'www.proxied.test', 'A', true), direct);
  assert.equal((await dig(port('dns-udp'), 'absent.proxied.test', 'A')).status, 'NXDOMAIN');
});

void test('a 200 ms latency on the UDP link: named still answers, each query ≥ 200 ms; revert proven by a DNS probe', async () => {
  const fault = await mechanism.apply('dns-udp', { kind: 'latency', ms: 200, jitterMs: 10 });
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const a = await udpQuery(port('dns-udp'), 'www.proxied.test', 'A', 2000);
    const ms = performance.now() - t0;
    assert.equal(a.rcode, 0);
    assert.deepEqual(a.packet.answers?.map((r) => (r.type === 'A' ? r.data : r.type)), ['192.0.2.7']);
    assert.ok(ms >= 190 && ms < 320, `query ${ms} ms with 200±10 ms`);
  }
  assert.deepEqual((await dig(port('dns-udp'), 'www.proxied.test', 'A')).answers.map((l) => l.split(/\s+/).at(-1)), ['192.0.2.7']);
  const outcome = await fault.revert();
  assert.deepEqual([outcome.reverted, outcome.already], [true, false]);
  const proof = await fault.verifyReverted();
  assert.equal(proof.reverted, true, proof.evidence);
  assert.ok((proof.probe?.rttMs ?? Infinity) < 100, proof.evidence);
  assert.match(proof.evidence, /rcode 0/);
});

void test('100 % loss on the UDP link: queries time out while it lasts; the probe proves it gone', async () => {
  const fault = await mechanism.apply('dns-udp', { kind: 'loss', share: 1 });
  await assert.rejects(udpQuery(port('dns-udp'), 'www.proxied.test', 'A', 300), /no DNS answer/);
  const during = await fault.verifyReverted();
  assert.deepEqual([during.reverted, during.faultCleared], [false, false], 'not reverted while active');
  await fault.revert();
  const proof = await fault.verifyReverted();
  assert.equal(proof.reverted, true, proof.evidence);
});

void test('a partition of the TCP link stalls DNS over TCP; after the revert the TCP probe answers', async () => {
  const fault = await mechanism.apply('dns-tcp', { kind: 'partition', durationMs: 60_000 });
  assert.ok(fault.expiresAt !== undefined);
  const r = await runTool('dig', ['@127.0.0.1', '-p', String(port('dns-tcp')), 'www.proxied.test', 'A', '+tcp', '+time=1', '+tries=1']);
  assert.notEqual(r.status, 0, 'dig over TCP fails during the partition');
  await fault.revert();
  const proof = await fault.verifyReverted();
  assert.equal(proof.reverted, true, proof.evidence);
  assert.match(proof.evidence, /over tcp answered rcode 0/);
});

void test('the mechanism refuses, in one line, a fault the link cannot carry or a link it does not have', async () => {
  assert.match(mechanism.unsupportedReason('dns-udp', { kind: 'reset' }) ?? '', /TCP links only/);
  assert.match(mechanism.unsupportedReason('nope', { kind: 'reset' }) ?? '', /no link "nope" \(links: dns-udp, dns-tcp\)/);
  await assert.rejects(mechanism.apply('dns-udp', { kind: 'reset' }), /fault on dns-udp: reset applies to TCP links only/);
});
