/**
 * @module A cluster's BIND9 reached as the chaos scenarios reach it when it is not reachable from
 * here: port-forwards the run opens through the API server (the twin's pods/portforward, real
 * WebSockets) to a real named, one pipelined TCP connection per server. Ground truth: the served
 * audit finds through the forward exactly what it finds over UDP on the same named; a known outage
 * (the pod deleted, its successor Ready 1.5 s later) shows as the DNS gap, and the forward follows
 * the new pod.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startNamed, type NamedServer } from '../src/targets/sandbox/bind9/named-process.js';
import { bindyApiVersion, bindyGroup, zoneLabel, type RecordKind } from '../src/model/kinds.js';
import type { RecordData, RecordObject } from '../src/model/fixtures/objects.js';
import { auditRecordOf, type AuditRecord } from '../src/judge/served-audit.js';
import { auditServed } from '../src/observe/served-audit.js';
import { DnsGapProber } from '../src/observe/dns-gap.js';
import { openBind9Forwards } from '../src/targets/cluster/bind9-forwards.js';
import { openDnsReach } from '../src/scenarios/dns-reach.js';
import { httpKubeConfig, startSandbox, type TestSandbox } from './helpers/api-sandbox.js';

const ns = 'bindy-dns';
const zone = 'forward.test';
let named: NamedServer;
let sb: TestSandbox;

async function request(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await sb.server.request({ method, path, ...(body === undefined ? {} : { body }), ...(method === 'PATCH' ? { headers: { 'content-type': 'application/merge-patch+json' } } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.body as Record<string, unknown>;
}

/** A pod of the primary instance, Running and Ready at 127.0.0.1 (where named listens), as the kubelet would report it. */
async function readyPod(name: string): Promise<void> {
  await request('POST', `/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: 'loadtest-primary-0' } },
    spec: { nodeName: 'worker-1', containers: [{ name: 'bind9', image: 'bind9', ports: [{ name: 'dns-tcp', containerPort: named.ports.dns }] }] },
  });
  await request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, { status: { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } });
}

function record<K extends RecordKind>(kind: K, name: string, data: RecordData[K]): AuditRecord {
  return auditRecordOf({ apiVersion: bindyApiVersion, kind, metadata: { name: `r-${name}`, namespace: ns, labels: { [zoneLabel]: zone } }, spec: { name, ttl: 300, ...data } } as RecordObject);
}

before(async () => {
  named = await startNamed();
  const file = join(named.dir, `${zone}.zone`);
  await writeFile(file, `$TTL 300\n@ IN SOA ns1.${zone}. admin.${zone}. 1 3600 600 604800 300\n@ IN NS ns1.${zone}.\nns1 IN A 127.0.0.1\n`);
  await named.rndc.addzone(zone, `{ type primary; file "${file}"; allow-update { key "${named.updateKey.name}"; }; };`);
  await named.nsupdate().send(`${zone}.`, [
    { op: 'add', name: `www.${zone}.`, ttl: 300, type: 'A', value: '192.0.2.1' },
    { op: 'add', name: `txt.${zone}.`, ttl: 300, type: 'TXT', value: '"v=2"' },
    { op: 'add', name: `old.${zone}.`, ttl: 300, type: 'A', value: '192.0.2.3' },
    { op: 'add', name: `rogue.${zone}.`, ttl: 300, type: 'A', value: '192.0.2.66' },
  ]);
  sb = await startSandbox();
  await sb.namespace(ns);
  // What bindy creates for a cluster's primary: the instance, its Service (53 → the pod's named port), a Ready pod.
  await request('POST', `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9instances`, { apiVersion: bindyApiVersion, kind: 'Bind9Instance', metadata: { name: 'loadtest-primary-0', namespace: ns }, spec: { clusterRef: 'loadtest', role: 'primary', replicas: 1 } });
  await request('POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'loadtest-primary-0', namespace: ns },
    spec: { selector: { app: 'loadtest-primary-0' }, ports: [{ name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' }] },
  });
  await readyPod('loadtest-primary-0-a');
});

after(async () => {
  await sb?.close();
  await named?.stop();
});

/** A target as a cluster's: no DNS address reachable from here, port-forwards on demand. */
function clusterLike(): Parameters<typeof openDnsReach>[0] {
  const kc = httpKubeConfig(sb.url, sb.server.token);
  return {
    dnsServers: [],
    openDnsForwards: async () => {
      const instances = await sb.client.list('Bind9Instance', ns, '');
      if (!instances.ok) throw new Error(instances.error.message);
      return openBind9Forwards(kc, ns, 'loadtest', instances.value.items);
    },
  };
}

void test('the served audit through a port-forward finds exactly what it finds over UDP on the same named', async (t) => {
  const reach = await openDnsReach(clusterLike());
  t.after(() => reach.close());
  assert.equal(reach.forwarded, true);
  assert.deepEqual(reach.servers.map((s) => s.name), ['primary-0']);
  const desired = [record('ARecord', 'www', { ipv4Addresses: ['192.0.2.1'] }), record('ARecord', 'lost', { ipv4Addresses: ['192.0.2.2'] }), record('TXTRecord', 'txt', { text: ['v=1'] })];
  const deleted = [record('ARecord', 'old', { ipv4Addresses: ['192.0.2.3'] })];
  const zones = [{ zoneName: zone, nameServers: [`ns1.${zone}.`] }];
  const forwarded = await auditServed({ servers: reach.servers, desired, deleted, zones, timeoutMs: 2000, ...(reach.query === undefined ? {} : { query: reach.query }) });
  const direct = await auditServed({ servers: [{ host: '127.0.0.1', port: named.ports.dns, name: 'primary-0' }], desired, deleted, zones });
  assert.deepEqual(forwarded.byServer[0]?.counts, { match: 1, missing: 1, wrong: 1, stale: 1, orphaned: 1, unanswered: 0 });
  assert.deepEqual(forwarded.byServer, direct.byServer, 'the same findings both ways');
  assert.match(reach.notes()[0] ?? '', new RegExp(`^DNS asked over TCP through port-forwards this run opened .*: primary-0 → pod ${ns}/loadtest-primary-0-a:${named.ports.dns}`));
});

void test('a known outage of the pod shows as the DNS gap through the port-forward, which follows the successor pod', async (t) => {
  const reach = await openDnsReach(clusterLike());
  t.after(() => reach.close());
  const gap = new DnsGapProber({ servers: reach.servers, name: zone, intervalMs: 100, timeoutMs: 500, ...(reach.ask === undefined ? {} : { ask: reach.ask }) });
  t.after(() => gap.stop());
  gap.start();
  const answered = (): number => gap.stats()[0]?.answered ?? 0;
  const until = async (ok: () => boolean, what: string): Promise<void> => {
    const deadline = performance.now() + 15_000;
    while (!ok()) {
      if (performance.now() > deadline) throw new Error(`not within 15 s: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until(() => answered() >= 5, 'answers through the forward');
  const from = performance.now();
  // The pod goes away (its forwarded connection ends with it); the successor is Ready 1.5 s later.
  await request('DELETE', `/api/v1/namespaces/${ns}/pods/loadtest-primary-0-a`);
  const outageMs = 1500;
  await new Promise((r) => setTimeout(r, outageMs));
  await readyPod('loadtest-primary-0-b');
  const before = answered();
  await until(() => answered() >= before + 5, 'answers again after the successor is Ready');
  const to = performance.now();
  gap.stop();
  const g = gap.gaps(from, to)[0]?.gapMs ?? 0;
  // At least the outage; at most the outage, the pipe's reopening (once a second), a lookup, a query interval or two, and a busy machine (2.0–2.1 s seen alone).
  t.diagnostic(`gap ${g.toFixed(0)} ms for a ${outageMs} ms outage`);
  assert.ok(g >= outageMs && g <= outageMs + 2500, `gap ${g.toFixed(0)} ms for a ${outageMs} ms outage`);
  assert.match(reach.notes().join('\n'), /primary-0's pod was replaced during the run: its port-forward followed loadtest-primary-0-a → loadtest-primary-0-b/);
});
