import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureDelayMs, profileRules, reconcileTriggered, triggerFingerprint } from './profile.js';
import type { BindyObject } from './objects.js';

const record = (over: { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; status?: Record<string, unknown> } = {}): BindyObject => ({
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'ARecord',
  metadata: { name: 'r', namespace: 'n', generation: over.generation ?? 1, labels: over.labels ?? { zone: 'a' }, ...(over.annotations === undefined ? {} : { annotations: over.annotations }), finalizers: over.finalizers ?? ['f'] },
  spec: { name: 'www', ipv4Address: '192.0.2.1' },
  status: over.status ?? { conditions: [{ type: 'Ready', status: 'True' }], zoneRef: { name: 'z' } },
});

test('0.8: a zone or record reconciles when new, or when its generation, finalizers, labels, annotations or (records) zoneRef changed; never for its own status write', () => {
  const v8 = profileRules['0.8'];
  const fp = (o: BindyObject, kind = 'ARecord'): string => triggerFingerprint(kind, o);
  const base = fp(record());
  assert.equal(reconcileTriggered(v8, 'ARecord', undefined, base), true, 'new to the operator');
  assert.equal(reconcileTriggered(v8, 'ARecord', base, fp(record({ status: { conditions: [{ type: 'Ready', status: 'False' }], zoneRef: { name: 'z' } } }))), false, 'a status write of its own');
  for (const [what, changed] of [
    ['generation', record({ generation: 2 })],
    ['finalizers', record({ finalizers: [] })],
    ['labels', record({ labels: { zone: 'b' } })],
    ['annotations', record({ annotations: { 'bindy.firestoned.io/reconcile-trigger': '1' } })],
    ['zoneRef', record({ status: { zoneRef: { name: 'other' } } })],
  ] as const) {
    assert.equal(reconcileTriggered(v8, 'ARecord', base, fp(changed)), true, what);
  }
  // Label order is not a change.
  assert.equal(fp(record({ labels: { a: '1', b: '2' } })), fp(record({ labels: { b: '2', a: '1' } })));
  // A zone's status is not in its fingerprint (zoneRef belongs to records); the infrastructure kinds always reconcile.
  assert.equal(reconcileTriggered(v8, 'DNSZone', fp(record(), 'DNSZone'), fp(record({ status: { zoneRef: { name: 'x' } } }), 'DNSZone')), false);
  assert.equal(reconcileTriggered(v8, 'Bind9Instance', 'same', 'same'), true);
});

test('0.6 reconciles on every event and requeues on a timer; 0.8 backs a failing object off from 2 s doubling to 60 s and limits its client to 20/s burst 30', () => {
  const v6 = profileRules['0.6'];
  const v8 = profileRules['0.8'];
  assert.equal(reconcileTriggered(v6, 'ARecord', 'same', 'same'), true);
  assert.equal(v6.timedRequeues, true);
  assert.equal(v8.timedRequeues, false);
  assert.equal(v6.failureBackoff, null);
  assert.ok(v8.failureBackoff !== null);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map((n) => failureDelayMs(v8.failureBackoff ?? { initialMs: 0, maxMs: 0 }, n)), [2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  assert.deepEqual(v8.apiClientLimit, { qps: 20, burst: 30 });
  assert.equal(v6.apiClientLimit, null);
});
