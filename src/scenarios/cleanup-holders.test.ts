import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHolder, formatHolder, holdersHint } from './cleanup-holders.js';

const zone = {
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'DNSZone',
  metadata: { name: 'z1', namespace: 'ns', finalizers: ['bindy.firestoned.io/dnszone-finalizer'], deletionTimestamp: '2026-01-01T00:00:00Z' },
  status: { conditions: [{ type: 'Progressing', status: 'True' }, { type: 'Ready', status: 'False', reason: 'PrimaryFailed', message: 'bindcar answered 500' }] },
};

test('a holder names its finalizers, how long it has been deleting and its last Ready condition', () => {
  const h = describeHolder(zone, Date.parse('2026-01-01T00:00:42Z'));
  assert.deepEqual(h, {
    key: 'DNSZone/ns/z1',
    finalizers: ['bindy.firestoned.io/dnszone-finalizer'],
    deletingForS: 42,
    condition: 'Ready=False PrimaryFailed: bindcar answered 500',
  });
  assert.equal(formatHolder(h), 'DNSZone/ns/z1 (finalizer bindy.firestoned.io/dnszone-finalizer; deleting for 42 s; last Ready=False PrimaryFailed: bindcar answered 500)');
  const bare = describeHolder({ apiVersion: 'v', kind: 'ARecord', metadata: { name: 'a', namespace: 'ns' } }, 0);
  assert.deepEqual([bare.finalizers, bare.deletingForS, bare.condition], [[], null, null]);
});

test('the hint names the cause the holders show, and asks about the operator only when it is not running', () => {
  const zoneHolder = describeHolder(zone, Date.parse('2026-01-01T00:01:00Z'));
  const running = holdersHint([zoneHolder], 'running');
  assert.match(running, /^the operator is running; the operator keeps a DNSZone's finalizer until bindcar/);
  assert.match(running, /never reached BIND9 gets 500 .*budget \(120 s/);
  const readyZone = { ...zoneHolder, condition: 'Ready=True ReconcileSucceeded: configured' };
  assert.doesNotMatch(holdersHint([readyZone], 'running'), /130 s/, 'a zone that was Ready reached BIND9: not the give-up path');
  assert.match(holdersHint([zoneHolder], 'not running'), /^the operator is not running/);
  assert.match(holdersHint([{ ...zoneHolder, finalizers: [] }], 'running'), /carry no finalizer/);
  assert.match(holdersHint([{ ...zoneHolder, deletingForS: null }], 'unknown'), /never marked for deletion/);
  const record = { ...zoneHolder, key: 'ARecord/ns/a', finalizers: ['bindy.firestoned.io/arecord-finalizer'] };
  assert.doesNotMatch(holdersHint([record], 'unknown'), /DNSZone|operator is running/);
});
