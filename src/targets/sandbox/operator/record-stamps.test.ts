/**
 * Who keeps a zone's `status.records[].lastReconciledAt`, per release line, and what it costs a
 * record reconcile in API calls: 0.6.2's record reads and patches its zone (6 calls), the 0.8
 * line's leaves that to the zone, which copies the record's `status.lastUpdated` (4 calls; ≈ 5 with
 * the finalizer's, as ADR-0015 says). The RRset goes to a real named by signed UPDATE.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNamed, type NamedServer } from '../bind9/named-process.js';
import { createSidecar, type ListeningSidecar } from '../sidecar/sidecar.js';
import type { ReconcileContext } from './context.js';
import type { KubeApi } from './kube-api.js';
import type { BindyObject } from './objects.js';
import { reconcileRecord } from './reconcile-record.js';
import { reconcileZone } from './reconcile-zone.js';
import type { SidecarClient } from './sidecar-client.js';

const token = 'stamps';
let named: NamedServer;
let sidecar: ListeningSidecar;

before(async () => {
  named = await startNamed();
  sidecar = await createSidecar({ zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token, rateLimit: { enabled: false } }).listen({ port: 0 });
  const res = await fetch(`${sidecar.url}/api/v1/zones`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      zoneName: 'stamps.test',
      zoneType: 'primary',
      zoneConfig: { ttl: 300, soa: { primaryNs: 'ns1.stamps.test.', adminEmail: 'admin.stamps.test.', serial: 2026010101 }, nameServers: ['ns1.stamps.test.'], nameServerIps: { 'ns1.stamps.test.': '127.0.0.1' } },
      updateKeyName: named.updateKey.name,
    }),
  });
  assert.equal(res.status, 201, await res.text());
});
after(async () => {
  await sidecar.close();
  await named.stop();
});

const ns = 'ns';
const primary: BindyObject = { metadata: { name: 'c-primary-0', namespace: ns, labels: { role: 'primary' } }, spec: { role: 'primary' } };
const zoneRef = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'z', namespace: ns, zoneName: 'stamps.test' };
const zone: BindyObject = {
  metadata: { name: 'z', namespace: ns, generation: 1, finalizers: ['bindy.firestoned.io/dnszone-finalizer'] },
  spec: { zoneName: 'stamps.test', bind9InstancesFrom: [{ selector: { matchLabels: { role: 'primary' } } }], recordsFrom: [{ selector: { matchLabels: { app: 'w' } } }] },
  status: { records: [{ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', name: 'www', namespace: ns, recordName: 'www' }] },
};
const record = (status: Record<string, unknown>): BindyObject => ({
  metadata: { name: 'www', namespace: ns, generation: 1, labels: { app: 'w' }, finalizers: ['bindy.firestoned.io/arecord-finalizer'] },
  spec: { name: 'www', ipv4Addresses: ['192.0.2.10'] },
  status,
});

/** A context whose API records every call (`verb kind`) and each status patch. */
function context(recordStamps: 'record' | 'zone', rec: BindyObject): { ctx: ReconcileContext; calls: string[]; patches: { kind: string; status: Record<string, unknown> }[] } {
  const calls: string[] = [];
  const patches: { kind: string; status: Record<string, unknown> }[] = [];
  const api = {
    get: (kind: string) => {
      calls.push(`get ${kind}`);
      return Promise.resolve(kind === 'DNSZone' ? zone : rec);
    },
    list: (kind: string) => {
      calls.push(`list ${kind}`);
      return Promise.resolve(kind === 'ARecord' ? [rec] : []);
    },
    patchStatus: (kind: string, _ns: string, _name: string, status: Record<string, unknown>) => {
      calls.push(`patchStatus ${kind}`);
      patches.push({ kind, status });
      return Promise.resolve({});
    },
    event: () => {
      calls.push('event');
      return Promise.resolve();
    },
  } as unknown as KubeApi;
  const sidecarClient = { ensureZone: () => Promise.resolve('existed') } as unknown as SidecarClient;
  const ctx = {
    api,
    caches: { get: (kind: string) => (kind === 'DNSZone' ? zone : rec), list: (kind: string) => (kind === 'Bind9Instance' ? [primary] : []) },
    dns: { host: '127.0.0.1', port: named.ports.dns, tsig: named.updateKey },
    sidecar: sidecarClient,
    secondaries: [],
    now: () => new Date('2026-12-05T01:00:00Z'),
    enqueue: () => undefined,
    signal: new AbortController().signal,
    tagUntaggedOnly: recordStamps === 'zone',
    recordStamps,
    recordKinds: ['ARecord'],
  } as unknown as ReconcileContext;
  return { ctx, calls, patches };
}

test('0.6.2: a record reconcile reads and stamps its zone, 6 API calls', async () => {
  const { ctx, calls, patches } = context('record', record({ zone: 'stamps.test', zoneRef }));
  assert.deepEqual(await reconcileRecord(ctx, 'ARecord', ns, 'www'), { ready: true });
  assert.deepEqual(calls, ['get DNSZone', 'get DNSZone', 'patchStatus DNSZone', 'get ARecord', 'patchStatus ARecord', 'event']);
  assert.equal(patches[0]?.kind, 'DNSZone');
  assert.deepEqual(patches[0]?.status['records'], [{ ...(zone.status?.['records'] as object[])[0], lastReconciledAt: '2026-12-05T01:00:00.000+00:00' }]);
});

test('0.8: a record reconcile leaves its zone alone (4 API calls); the zone copies the record\'s lastUpdated into records[]', async () => {
  const { ctx, calls } = context('zone', record({ zone: 'stamps.test', zoneRef }));
  assert.deepEqual(await reconcileRecord(ctx, 'ARecord', ns, 'www'), { ready: true });
  assert.deepEqual(calls, ['get DNSZone', 'get ARecord', 'patchStatus ARecord', 'event']);

  const published = record({ zone: 'stamps.test', zoneRef, lastUpdated: '2026-12-05T00:59:58Z' });
  const z = context('zone', published);
  await reconcileZone(z.ctx, ns, 'z');
  const zonePatch = z.patches.find((p) => p.kind === 'DNSZone');
  assert.ok(zonePatch !== undefined, `the zone wrote its status: ${z.calls.join(', ')}`);
  assert.deepEqual((zonePatch.status['records'] as { lastReconciledAt?: string }[]).map((r) => r.lastReconciledAt), ['2026-12-05T00:59:58Z']);
  assert.equal(z.calls.filter((c) => c === 'patchStatus ARecord').length, 0, 'a record already tagged with the zone is not patched again');
});
