/**
 * Object-count ResourceQuotas as kube-apiserver enforces them: the admission plugin's 403 and its
 * message, the controller's status (hard from the spec, used counted), replenishment on delete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer, type InProcessResponse } from './api-server.js';
import { defaultResources } from './default-resources.js';
import { countNames, quotaRefusal } from './quota.js';
import { resourceDefinition } from './resources.js';
import type { KubeObject } from './store.js';

const ns = '/api/v1/namespaces/default';
const arecords = '/apis/bindy.firestoned.io/v1beta1/namespaces/default/arecords';
const arecord = (name: string): Record<string, unknown> => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name }, spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] } });
const configMap = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} });
const quota = (hard: Record<string, string>): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard } });
const body = (r: InProcessResponse): { message?: string; reason?: string; details?: unknown; status?: { hard?: unknown; used?: unknown } } => r.body as never;

test('a quota on count/arecords.bindy.firestoned.io refuses the create beyond it with the admission plugin’s 403, counts in its status, and lets one more in after a delete', async () => {
  const s = createApiServer({ resources: defaultResources(), namespaceCleanupDelayMs: 0 });
  for (const n of ['a', 'b']) assert.equal((await s.request({ method: 'POST', path: arecords, body: arecord(n) })).status, 201);
  const q = await s.request({ method: 'POST', path: `${ns}/resourcequotas`, body: { ...quota({ 'count/arecords.bindy.firestoned.io': '3' }), status: { hard: { 'count/arecords.bindy.firestoned.io': '100' } } } });
  assert.equal(q.status, 201);
  assert.equal(body(q).status, undefined, 'the create answers without status: its controller writes it');
  const read = async (): Promise<unknown> => body(await s.request({ method: 'GET', path: `${ns}/resourcequotas/q` })).status;
  assert.deepEqual(await read(), { hard: { 'count/arecords.bindy.firestoned.io': '3' }, used: { 'count/arecords.bindy.firestoned.io': '2' } });
  assert.equal((await s.request({ method: 'POST', path: arecords, body: arecord('c') })).status, 201);
  assert.deepEqual(await read(), { hard: { 'count/arecords.bindy.firestoned.io': '3' }, used: { 'count/arecords.bindy.firestoned.io': '3' } });
  const refused = await s.request({ method: 'POST', path: arecords, body: arecord('d') });
  assert.equal(refused.status, 403);
  assert.equal(body(refused).reason, 'Forbidden');
  assert.equal(
    body(refused).message,
    'arecords.bindy.firestoned.io "d" is forbidden: exceeded quota: q, requested: count/arecords.bindy.firestoned.io=1, used: count/arecords.bindy.firestoned.io=3, limited: count/arecords.bindy.firestoned.io=3',
  );
  assert.deepEqual(body(refused).details, { name: 'd', group: 'bindy.firestoned.io', kind: 'arecords' });
  // Other kinds and other namespaces are not counted by it.
  assert.equal((await s.request({ method: 'POST', path: `${ns}/configmaps`, body: configMap('x') })).status, 201);
  assert.equal((await s.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } } })).status, 201);
  assert.equal((await s.request({ method: 'POST', path: arecords.replace('/default/', '/other/'), body: arecord('d') })).status, 201);
  // Replenishment: a delete frees a place.
  assert.equal((await s.request({ method: 'DELETE', path: `${arecords}/a` })).status, 200);
  assert.deepEqual(await read(), { hard: { 'count/arecords.bindy.firestoned.io': '3' }, used: { 'count/arecords.bindy.firestoned.io': '2' } });
  assert.equal((await s.request({ method: 'POST', path: arecords, body: arecord('d') })).status, 201);
  // Once the quota is gone, nothing is refused.
  assert.equal((await s.request({ method: 'DELETE', path: `${ns}/resourcequotas/q` })).status, 200);
  assert.equal((await s.request({ method: 'POST', path: arecords, body: arecord('e') })).status, 201);
});

test('a core kind is counted by count/<plural> and by its legacy name; the first quota by name that is exceeded is the one named', () => {
  const cm = resourceDefinition('', 'v1', 'ConfigMap', 'configmaps', {});
  const lease = resourceDefinition('coordination.k8s.io', 'v1', 'Lease', 'leases', {});
  assert.deepEqual(countNames(cm), ['count/configmaps', 'configmaps']);
  assert.deepEqual(countNames(lease), ['count/leases.coordination.k8s.io']);
  const meta = (name: string): KubeObject['metadata'] => ({ name, uid: name, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' });
  const q = (name: string, hard: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(name), status: { hard } });
  assert.equal(quotaRefusal([q('z', { configmaps: '1' }), q('b', { 'count/configmaps': '5', configmaps: '1' })], cm, () => 1), 'exceeded quota: b, requested: configmaps=1, used: configmaps=1, limited: configmaps=1');
  assert.equal(quotaRefusal([q('a', { 'count/configmaps': '2' })], cm, () => 1), null, 'one more fits');
  // A quota whose status has no hard yet (its controller has not counted) limits nothing here.
  assert.equal(quotaRefusal([{ apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('n'), spec: { hard: { configmaps: '0' } } }], cm, () => 1), null);
});
