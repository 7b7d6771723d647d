import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from './api-server.js';
import { defaultResources } from './default-resources.js';

test('with the real bindy schemas an ARecord without addresses is a 422 in the real format', async () => {
  const s = createApiServer({ resources: defaultResources() });
  const r = await s.request({
    method: 'POST',
    path: '/apis/bindy.firestoned.io/v1beta1/namespaces/default/arecords?fieldValidation=Strict',
    body: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'x' }, spec: { name: 'www' } },
  });
  assert.equal(r.status, 422);
  const status = r.body as { reason: string; message: string; details: { kind: string; causes: { field: string }[] } };
  assert.equal(status.reason, 'Invalid');
  assert.equal(status.details.kind, 'ARecord');
  assert.match(status.message, /^ARecord\.bindy\.firestoned\.io "x" is invalid: spec\.ipv4Addresses: Required value$/);
  const ok = await s.request({
    method: 'POST',
    path: '/apis/bindy.firestoned.io/v1beta1/namespaces/default/arecords',
    body: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'x' }, spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] } },
  });
  assert.equal(ok.status, 201);
});
