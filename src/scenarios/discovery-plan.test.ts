import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { Target } from '../targets/target.js';
import { discoveryIp, flippedIp, interleave, planDiscovery } from './discovery-plan.js';

async function config(flags: Record<string, string> = {}): Promise<Parameters<typeof planDiscovery>[0]['config']> {
  const r = await resolveConfig({ cwd: process.cwd(), flags: Object.entries(flags).map(([key, raw]) => ({ flag: `--${key}`, key: `scenarios.discovery.${key}`, raw })) });
  return r.config;
}

test('interleave spreads the second list evenly through the first, keeping both orders and every item', () => {
  assert.deepEqual(interleave<number | string>([1, 2, 3, 4], ['a', 'b']), [1, 2, 'a', 3, 4, 'b']);
  assert.deepEqual(interleave<number | string>([1, 2], ['a', 'b', 'c', 'd']), [1, 'a', 'b', 2, 'c', 'd']);
  assert.deepEqual(interleave<number | string>([], ['a']), ['a']);
  assert.deepEqual(interleave<number | string>([1, 2], []), [1, 2]);
  const long = interleave<number | string>(Array.from({ length: 100 }, (_, i) => i), Array.from({ length: 7 }, (_, i) => `x${i}`));
  assert.equal(long.length, 107);
  // The first quarter of the order holds about a quarter of the second list, not none of it.
  assert.ok(long.slice(0, 27).filter((v) => typeof v === 'string').length >= 1);
});

test('Ingresses: one ARecord per rule, named as scout names them, hosts in their zone, addresses after the Services', async () => {
  const c = await config({ services: '3', ingresses: '2', ingressRules: '3', zones: '2', scoutCluster: 'east' });
  const plan = planDiscovery({ config: c, runId: 'r1' } as Parameters<typeof planDiscovery>[0]);
  const d = plan.data;
  assert.ok(d !== undefined);
  const sources = d.sources('east');
  assert.deepEqual(sources.map((s) => s.name), ['svc-0', 'svc-1', 'ing-0', 'svc-2', 'ing-1']);
  assert.deepEqual(plan.kinds, ['DNSZone', 'ARecord', 'Service', 'Ingress']);
  assert.equal(plan.total, 2 + 5);
  const ing = sources.find((s) => s.name === 'ing-1');
  assert.ok(ing !== undefined);
  assert.equal(ing.kind, 'Ingress');
  assert.equal(ing.object.apiVersion, 'networking.k8s.io/v1');
  assert.equal(ing.ip, discoveryIp(4));
  assert.notEqual(flippedIp(ing.index), ing.ip);
  const zone = ing.zone;
  assert.equal(zone, 'sd-1.r1.example.com');
  assert.deepEqual(ing.records, [0, 1, 2].map((i) => ({ arecord: `scout-east-${c.namespace}-ing-1-${i}`, fqdn: `ing-1-r${i}.${zone}` })));
  const rules = (ing.object.spec as { rules: { host: string }[] }).rules;
  assert.deepEqual(rules.map((r) => r.host), ing.records.map((r) => r.fqdn));
  assert.equal(ing.object.metadata.annotations?.['bindy.firestoned.io/ip'], ing.ip);
  const svc = sources[0];
  assert.deepEqual(svc?.records, [{ arecord: `scout-east-${c.namespace}-svc-0`, fqdn: `svc-0.sd-0.r1.example.com` }]);
  // Every address distinct, and none a flipped one.
  const ips = sources.flatMap((s) => [s.ip, flippedIp(s.index)]);
  assert.equal(new Set(ips).size, ips.length);
});

test('nothing to publish, or more sources than addresses: a usage error naming the keys', async () => {
  const none = await config({ services: '0', ingresses: '0' });
  assert.throws(() => planDiscovery({ config: none, runId: 'r' } as Parameters<typeof planDiscovery>[0]), (e: unknown) => e instanceof UsageError && /--services 0 and --ingresses 0/.test(e.message));
  const onlyIngresses = await config({ services: '0', ingresses: '4', flips: '20' });
  const p = planDiscovery({ config: onlyIngresses, runId: 'r' } as Parameters<typeof planDiscovery>[0]);
  assert.equal(p.data?.flips, 4, 'flips capped at the sources');
  assert.deepEqual(p.kinds, ['DNSZone', 'ARecord', 'Service', 'Ingress']);
});

test('another cluster: the same objects (namespace and names), its own addresses and DNS names, its scout cluster in the ARecord names', async () => {
  const c = await config({ services: '2', ingresses: '1', ingressRules: '1', clusters: '2' });
  const plan = planDiscovery({ config: c, runId: 'r1' } as Parameters<typeof planDiscovery>[0]);
  const d = plan.data;
  assert.ok(d !== undefined);
  assert.equal(d.clusters, 2);
  assert.equal(plan.total, 2 + 2 * 3);
  const own = d.sources('default', 0);
  const other = d.sources('default-2', 1);
  assert.deepEqual(other.map((s) => [s.kind, s.object.metadata.name, s.object.metadata.namespace]), own.map((s) => [s.kind, s.object.metadata.name, s.object.metadata.namespace]));
  const ips = [...own, ...other].flatMap((s) => [s.ip, flippedIp(s.index)]);
  assert.equal(new Set(ips).size, ips.length, 'no address shared between the clusters');
  const svc = other.find((s) => s.name === 'svc-1');
  assert.equal(svc?.object.metadata.annotations?.['bindy.firestoned.io/record-name'], 'svc-1-c2');
  assert.deepEqual(svc?.records, [{ arecord: `scout-default-2-${c.namespace}-svc-1`, fqdn: 'svc-1-c2.sd-1.r1.example.com' }]);
  assert.equal(own.find((s) => s.name === 'svc-1')?.object.metadata.annotations?.['bindy.firestoned.io/record-name'], undefined);
  assert.deepEqual(other.find((s) => s.kind === 'Ingress')?.records, [{ arecord: `scout-default-2-${c.namespace}-ing-0-0`, fqdn: 'ing-0-r0-c2.sd-0.r1.example.com' }]);
});

test('discovery refuses, before anything is created, a target without the clusters asked for, and says how to get them', async () => {
  const { discoveryScenario } = await import('./discovery.js');
  const c = await config({ clusters: '3' });
  const plan = planDiscovery({ config: c, runId: 'r' } as Parameters<typeof planDiscovery>[0]);
  const target = (kind: 'sandbox' | 'cluster', sourceClusters: number): Target =>
    ({ info: { kind }, discovery: { scoutCluster: 'default', sourceClusters: Array.from({ length: sourceClusters }, (_, i) => ({ name: `default-${i + 2}`, kubeconfig: `/k${i}` })) } }) as unknown as Target;
  assert.equal(discoveryScenario.checkTarget?.(target('sandbox', 2), plan), undefined);
  assert.match(discoveryScenario.checkTarget?.(target('sandbox', 1), plan) ?? '', /--clusters 3: the running sandbox has 1 other source cluster.*sandbox up --source-clusters 2 --detach/);
  assert.match(discoveryScenario.checkTarget?.(target('cluster', 0), plan) ?? '', /sandbox only for now/);
  assert.equal(discoveryScenario.sourceClusters?.(c), 2, 'a sandbox started for the run gets 2 other clusters');
});
