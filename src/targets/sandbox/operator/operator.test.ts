import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { createApiServer, type ApiServer, type ListeningApiServer } from '../apiserver/api-server.js';
import { defaultResources } from '../apiserver/default-resources.js';
import { kubeconfigYaml } from '../apiserver/kubeconfig.js';
import type { KubeObject } from '../apiserver/store.js';
import { startNamed, type NamedServer } from '../bind9/named-process.js';
import { udpQuery } from '../bind9/udp-query.js';
import { createSidecar, type ListeningSidecar } from '../sidecar/sidecar.js';
import { createOperator, type Operator } from './operator.js';

const ns = 'default';
const token = 'operator-test-token';
let apiServer: ApiServer;
let listening: ListeningApiServer;
let named: NamedServer;
let sidecar: ListeningSidecar;
let operator: Operator;
const errors: unknown[] = [];

before(async () => {
  named = await startNamed();
  sidecar = await createSidecar({ zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token, rateLimit: { enabled: false } }).listen({ port: 0 });
  // With bindy's schema validation, /status included: every status the twin writes must be valid bindy status.
  apiServer = createApiServer({ resources: defaultResources() });
  listening = await apiServer.listen({ port: 0, tls: true });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml({ server: listening.url, token: apiServer.token, namespace: ns, ...(listening.caCert === undefined ? {} : { caCert: listening.caCert }) }));
  operator = createOperator({
    kubeConfig,
    namespace: ns,
    dns: { host: '127.0.0.1', port: named.ports.dns, tsig: named.updateKey },
    sidecar: { url: sidecar.url, token },
    workers: 2,
    leaderElection: { namespace: ns, identity: 'operator-test' },
    onError: (_k, e) => errors.push(e),
  });
  await operator.start();
});
after(async () => {
  await operator.stop();
  await listening.close();
  await sidecar.close();
  await named.stop();
});

/** Resolves with the object once `ok` holds for it (checked now and on every store event), or rejects after `ms`. */
function waitFor(plural: string, name: string, ok: (o: KubeObject | undefined) => boolean, ms = 15_000): Promise<KubeObject | undefined> {
  const resource = `bindy.firestoned.io/${plural}`;
  const now = apiServer.store.get(resource, ns, name);
  if (ok(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${plural}/${name} did not reach the expected state in ${ms} ms; last: ${JSON.stringify(apiServer.store.get(resource, ns, name)?.['status'])}; errors: ${errors.map(String).join('; ')}`));
    }, ms);
    const unsubscribe = apiServer.store.watch(resource, apiServer.store.rv, (e) => {
      if (e.object.metadata.name !== name) return;
      const o = e.type === 'DELETED' ? undefined : e.object;
      if (ok(o)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(o);
      }
    });
  });
}

function ready(o: KubeObject | undefined): { status?: string; reason?: string; message?: string } | undefined {
  const status = o?.['status'] as { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined;
  return status?.conditions?.find((c) => c.type === 'Ready');
}

async function apply(plural: string, body: Record<string, unknown>): Promise<void> {
  const res = await apiServer.request({ method: 'POST', path: `/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}/${plural}`, body });
  assert.equal(res.status, 201, res.text);
}

const zoneName = 'op.test';

test('cluster → instance → zone → record: Ready, published to named, deleted cleanly', async () => {
  await apply('bind9clusters', { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Cluster', metadata: { name: 'c1' }, spec: { primary: { replicas: 1 }, secondary: { replicas: 0 } } });
  const instance = await waitFor('bind9instances', 'c1-primary-0', (o) => ready(o)?.status === 'True');
  assert.deepEqual(instance?.metadata.labels, { 'bindy.firestoned.io/cluster': 'c1', 'bindy.firestoned.io/role': 'primary' });

  await apply('dnszones', {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name: 'op-zone' },
    spec: {
      zoneName,
      soaRecord: { primaryNs: `ns1.${zoneName}.`, adminEmail: `admin.${zoneName}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      nameServers: [{ hostname: `ns1.${zoneName}.`, ipv4Address: '127.0.0.1' }],
      bind9InstancesFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/cluster': 'c1' } } }],
      recordsFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/zone': zoneName } } }],
    },
  });
  await apply('arecords', {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'ARecord',
    metadata: { name: 'www', labels: { 'bindy.firestoned.io/zone': zoneName } },
    spec: { name: 'www', ipv4Addresses: ['192.0.2.7', '192.0.2.8'] },
  });
  const zone = await waitFor('dnszones', 'op-zone', (o) => ready(o)?.status === 'True' && (o?.['status'] as { recordsCount?: number }).recordsCount === 1);
  assert.equal(ready(zone)?.reason, 'ReconcileSucceeded');
  assert.deepEqual(zone?.metadata.finalizers, ['bindy.firestoned.io/dnszone-finalizer']);
  assert.deepEqual((zone?.['status'] as { bind9Instances?: unknown }).bind9Instances, [
    { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', name: 'c1-primary-0', namespace: ns, status: 'Configured' },
  ]);
  const refused = errors.map(String).filter((e) => /\b422\b|is invalid/.test(e));
  assert.deepEqual(refused, [], 'the API server refused none of the twin\'s writes');

  const rec = await waitFor('arecords', 'www', (o) => ready(o)?.status === 'True' && (o?.['status'] as { observedGeneration?: number }).observedGeneration === o?.metadata.generation);
  const st = rec?.['status'] as Record<string, unknown>;
  assert.equal(ready(rec)?.reason, 'ReconcileSucceeded');
  assert.equal(ready(rec)?.message, `A record added to zone ${zoneName}`);
  assert.equal(st['addresses'], '192.0.2.7,192.0.2.8');
  assert.match(String(st['lastUpdated']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00$/);
  assert.match(String(st['recordHash']), /^[0-9a-f]{64}$/);
  assert.equal((st['zoneRef'] as { zoneName?: string }).zoneName, zoneName);
  assert.equal((rec?.['status'] as { conditions: unknown[] }).conditions.length, 1, 'exactly one condition');
  assert.deepEqual(rec?.metadata.finalizers, ['bindy.firestoned.io/arecord-finalizer']);

  const answer = await udpQuery(named.ports.dns, `www.${zoneName}`, 'A');
  assert.deepEqual(answer.packet.answers?.map((a) => ('data' in a ? a.data : '')).sort(), ['192.0.2.7', '192.0.2.8']);

  const del = await apiServer.request({ method: 'DELETE', path: `/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}/arecords/www` });
  assert.ok(del.status === 200 || del.status === 202, del.text);
  await waitFor('arecords', 'www', (o) => o === undefined);
  assert.equal((await udpQuery(named.ports.dns, `www.${zoneName}`, 'A')).rcode, 3, 'NXDOMAIN once the record is gone');
});

test('a record no zone selects stays Ready=False/NotSelected', async () => {
  await apply('txtrecords', {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'TXTRecord',
    metadata: { name: 'orphan', labels: { 'bindy.firestoned.io/zone': 'nobody.test' } },
    spec: { name: 'orphan', text: ['x'] },
  });
  const rec = await waitFor('txtrecords', 'orphan', (o) => ready(o) !== undefined);
  assert.deepEqual({ status: ready(rec)?.status, reason: ready(rec)?.reason, message: ready(rec)?.message }, {
    status: 'False',
    reason: 'NotSelected',
    message: 'Record not selected by any DNSZone recordsFrom selector',
  });
});

test('/metrics carries bindy names and process metrics; the Lease names this operator', async () => {
  const server = createServer(operator.metricsHandler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await new Promise((r) => server.close(r));
  assert.match(text, /bindy_firestoned_io_reconciliations_total\{resource_type="DNSZone",status="success"\} [1-9]/);
  assert.match(text, /bindy_firestoned_io_reconciliation_duration_seconds_bucket\{le="0.001",resource_type="ARecord"\}/);
  assert.match(text, /bindy_firestoned_io_resources_deleted_total\{resource_type="ARecord"\} 1/);
  assert.match(text, /process_resident_memory_bytes \d/);
  assert.match(text, /# TYPE bindy_firestoned_io_requeues_total counter/);
  const lease = apiServer.store.get('coordination.k8s.io/leases', ns, 'bindy-leader');
  assert.equal((lease?.['spec'] as { holderIdentity?: string }).holderIdentity, 'operator-test');
});

test('deleting a zone and its records together lets every finalizer go at once (no wait on an error requeue)', async () => {
  const zone2 = 'gone.test';
  await apply('dnszones', {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name: 'gone-zone' },
    spec: {
      zoneName: zone2,
      soaRecord: { primaryNs: `ns1.${zone2}.`, adminEmail: `admin.${zone2}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      nameServers: [{ hostname: `ns1.${zone2}.`, ipv4Address: '127.0.0.1' }],
      bind9InstancesFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/cluster': 'c1' } } }],
      recordsFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/zone': zone2 } } }],
    },
  });
  const names = Array.from({ length: 20 }, (_, i) => `g${i}`);
  for (const n of names) {
    await apply('arecords', { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: n, labels: { 'bindy.firestoned.io/zone': zone2 } }, spec: { name: n, ipv4Addresses: ['192.0.2.9'] } });
  }
  for (const n of names) await waitFor('arecords', n, (o) => ready(o)?.status === 'True');

  // As `cleanup` does: the zone first, then its records, without waiting in between.
  const base = `/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}`;
  assert.ok([200, 202].includes((await apiServer.request({ method: 'DELETE', path: `${base}/dnszones/gone-zone` })).status));
  const del = await apiServer.request({ method: 'DELETE', path: `${base}/arecords?labelSelector=${encodeURIComponent(`bindy.firestoned.io/zone=${zone2}`)}` });
  assert.equal(del.status, 200, del.text);
  // Well inside the 30 s an error requeue would cost.
  await waitFor('dnszones', 'gone-zone', (o) => o === undefined, 10_000);
  for (const n of names) await waitFor('arecords', n, (o) => o === undefined, 10_000);
});
