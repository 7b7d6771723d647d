/**
 * A fault on a cluster's secondary finds its pods through the API server (the twin): the
 * Bind9Cluster's secondary instances in name order (`secondary-0` first, as the DNS port-forwards
 * name them), each with the selector of its instance's Service; one without a Service is kept in
 * its place (so the numbering does not shift) and refused by name. The native mechanism's kill of
 * `named-secondary-0` with zoneData=lose selects that secondary's pods, never the primary's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bindyApiVersion, bindyGroup } from '../src/model/kinds.js';
import { secondaryPodSelectors } from '../src/targets/cluster/bind9-forwards.js';
import { clusterSite, labelSelectorText, type ClusterSiteFacts } from '../src/faults/chaos-mesh/sites.js';
import { nativeUnsupportedReason } from '../src/faults/native/pod-delete.js';
import { httpKubeConfig, startSandbox, type TestSandbox } from './helpers/api-sandbox.js';

const ns = 'bindy-sec';
let sb: TestSandbox;

async function request(method: string, path: string, body: unknown): Promise<void> {
  const r = await sb.server.request({ method, path, body });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
}

async function instance(name: string, role: 'primary' | 'secondary', clusterRef = 'loadtest'): Promise<void> {
  await request('POST', `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9instances`, { apiVersion: bindyApiVersion, kind: 'Bind9Instance', metadata: { name, namespace: ns }, spec: { clusterRef, role, replicas: 1 } });
}

async function service(name: string): Promise<void> {
  await request('POST', `/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { instance: name }, ports: [{ name: 'dns-tcp', port: 53, targetPort: 5353, protocol: 'TCP' }] } });
}

before(async () => {
  sb = await startSandbox();
  await sb.namespace(ns);
  await instance('loadtest-primary-0', 'primary');
  await service('loadtest-primary-0');
  // Created out of name order; one secondary without its Service; one of another cluster.
  await instance('loadtest-secondary-1', 'secondary');
  await instance('loadtest-secondary-0', 'secondary');
  await service('loadtest-secondary-0');
  await instance('other-secondary-0', 'secondary', 'other');
  await service('other-secondary-0');
});

after(async () => {
  await sb?.close();
});

void test('a cluster\'s secondaries in server order with their Services\' selectors; a kill of secondary-0\'s named selects its pods only', async () => {
  const kc = httpKubeConfig(sb.url, sb.server.token);
  const list = await sb.client.list('Bind9Instance', ns, '');
  assert.ok(list.ok);
  const secondaries = await secondaryPodSelectors(kc, ns, 'loadtest', list.ok ? list.value.items : []);
  assert.deepEqual(secondaries, [
    { instance: 'loadtest-secondary-0', labels: { instance: 'loadtest-secondary-0' } },
    { instance: 'loadtest-secondary-1', labels: null },
  ]);
  const facts: ClusterSiteFacts = { operator: null, namespace: ns, clusterName: 'loadtest', apiServerAddresses: [], secondaries };
  const site = clusterSite('named-secondary-0', facts);
  assert.ok(typeof site !== 'string' && site.site === 'part');
  if (typeof site !== 'string' && site.site === 'part') assert.equal(labelSelectorText(site.pods.labels), 'instance=loadtest-secondary-0');
  assert.equal(nativeUnsupportedReason('named-secondary-0', { kind: 'kill', loseData: true }, facts), undefined, 'a pod delete takes the secondary\'s pod');
  assert.match(nativeUnsupportedReason('named-secondary-1', { kind: 'kill', loseData: true }, facts) ?? '', /loadtest-secondary-1\) has no Service/);
});
