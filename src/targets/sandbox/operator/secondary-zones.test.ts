import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createZoneBody, instanceEntries, secondaryServerOf, secondaryZoneBody, transferAddress, transferClauses } from './reconcile-zone.js';
import { zoneConditions } from './conditions.js';
import type { SecondaryServer } from './context.js';
import type { SidecarClient } from './sidecar-client.js';
import type { BindyObject } from './objects.js';

const instance = (name: string, role: string): BindyObject => ({ metadata: { name, namespace: 'ns' }, spec: { role } });

void test('transfer addresses as bindy 0.6.2 writes them for bindcar: ip:port, [ipv6]:port', () => {
  assert.equal(transferAddress({ host: '127.0.0.1', port: 5354 }), '127.0.0.1:5354');
  assert.equal(transferAddress({ host: '::1', port: 5353 }), '[::1]:5353');
});

void test('a primary zone notifies every secondary on its DNS port and allows transfer to its bare address; none: no clauses', () => {
  assert.equal(transferClauses([]), undefined);
  assert.deepEqual(transferClauses([{ host: '127.0.0.1', port: 5354 }, { host: '127.0.0.1', port: 5355 }]), { alsoNotify: ['127.0.0.1:5354', '127.0.0.1:5355'], allowTransfer: ['127.0.0.1'] });
  const zone: BindyObject = { metadata: { name: 'z' }, spec: { zoneName: 'a.test', soaRecord: { primaryNs: 'ns1.a.test.', adminEmail: 'admin.a.test.' } } };
  const body = createZoneBody(zone, 'k', transferClauses([{ host: '127.0.0.1', port: 5354 }]));
  assert.deepEqual([body.zoneType, body.zoneConfig.alsoNotify, body.zoneConfig.allowTransfer, body.zoneConfig.primaries], ['primary', ['127.0.0.1:5354'], ['127.0.0.1'], undefined]);
  assert.equal('alsoNotify' in createZoneBody(zone, 'k').zoneConfig, false);
});

void test('the secondary zone body: type secondary, the primaries, a placeholder SOA, the update key name as bindy sends it', () => {
  const b = secondaryZoneBody('a.test', 'bindcar-update', ['127.0.0.1:5353']);
  assert.deepEqual([b.zoneName, b.zoneType, b.zoneConfig.primaries, b.updateKeyName, b.zoneConfig.nameServers], ['a.test', 'secondary', ['127.0.0.1:5353'], 'bindcar-update', []]);
  assert.equal(b.zoneConfig.alsoNotify, undefined);
});

void test('C-secondary-<i> maps to the i-th secondary server; beyond them, and primaries, to none', () => {
  const unused = (): Promise<never> => Promise.reject(new Error('unused'));
  const sidecar: SidecarClient = { ensureZone: unused, ensureSecondaryZone: unused, retransfer: unused, deleteZone: unused };
  const servers: SecondaryServer[] = [{ sidecar, dns: { host: '127.0.0.1', port: 1 } }, { sidecar, dns: { host: '127.0.0.1', port: 2 } }];
  assert.equal(secondaryServerOf({ secondaries: servers }, instance('lt-secondary-1', 'secondary'))?.dns.port, 2);
  assert.equal(secondaryServerOf({ secondaries: servers }, instance('lt-secondary-2', 'secondary')), undefined);
  assert.equal(secondaryServerOf({ secondaries: servers }, instance('lt-primary-0', 'primary')), undefined);
  assert.equal(secondaryServerOf({}, instance('lt-secondary-0', 'secondary')), undefined);
});

void test('zone status counts secondaries: Configured once taken, Claimed until then; the Ready message names both roles', () => {
  const instances = [instance('lt-primary-0', 'primary'), instance('lt-secondary-0', 'secondary'), instance('lt-secondary-1', 'secondary')];
  const outcome = { kind: 'configured', primaries: 1, secondaries: 1, expectedPrimaries: 1, expectedSecondaries: 2, endpoints: 2, records: 0 } as const;
  assert.deepEqual(
    instanceEntries(instances, outcome, 'ns', new Set(['lt-secondary-0'])).map((e) => e['status']),
    ['Configured', 'Configured', 'Claimed'],
  );
  const now = new Date('2026-01-01T00:00:00Z');
  const partial = zoneConditions([], 'a.test', outcome, now).find((c) => c.type === 'Ready');
  assert.deepEqual([partial?.status, partial?.reason, partial?.message], ['False', 'PartialReconciliation', 'Zone a.test configured on 1/1 primary and 1/2 secondary instance(s) - 1 instance(s) pending']);
  const all = zoneConditions([], 'a.test', { ...outcome, secondaries: 2, endpoints: 3 }, now).find((c) => c.type === 'Ready');
  assert.deepEqual([all?.status, all?.message], ['True', 'Zone a.test configured on 1 primary and 2 secondary instance(s) (3 endpoint(s)), discovered 0 DNS record(s)']);
  const failed = zoneConditions([], 'a.test', { ...outcome, secondaries: 0, secondaryFailure: 'Zone configured on 1 primary instance(s) but secondary configuration failed: x' }, now);
  assert.deepEqual(
    failed.filter((c) => c.type !== 'Progressing').map((c) => [c.type, c.status, c.reason]),
    [['Degraded', 'True', 'SecondaryFailed'], ['Ready', 'False', 'ReconcileDegraded']],
  );
});
