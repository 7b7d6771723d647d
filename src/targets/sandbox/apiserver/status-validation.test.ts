/**
 * `/status` writes against bindy's status schemas, as a real kube-apiserver answers them: 422 with
 * a Status body and causes for violations (nothing stored), unknown fields pruned with a warning
 * (400 under Strict), status defaults applied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer, type ApiServer } from './api-server.js';
import { defaultResources } from './default-resources.js';

const zones = '/apis/bindy.firestoned.io/v1beta1/namespaces/default/dnszones';
const merge = { 'content-type': 'application/merge-patch+json' };
const instance = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', name: 'c-primary-0', namespace: 'default' };

async function withZone(): Promise<ApiServer> {
  const s = createApiServer({ resources: defaultResources(), namespaceCleanupDelayMs: 0 });
  const soa = { primaryNs: 'ns1.example.com.', adminEmail: 'hostmaster.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
  const r = await s.request({ method: 'POST', path: zones, body: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'z' }, spec: { zoneName: 'example.com', soaRecord: soa } } });
  assert.equal(r.status, 201, r.text);
  return s;
}

test('a /status write that breaks the status schema is 422 Invalid with causes, and nothing is stored', async () => {
  const s = await withZone();
  const before = s.store.rv;
  const r = await s.request({ method: 'PATCH', path: `${zones}/z/status`, headers: merge, body: { status: { bind9Instances: [instance], recordsCount: 'two' } } });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      'DNSZone.bindy.firestoned.io "z" is invalid: [status.bind9Instances[0].status: Required value, status.recordsCount: Invalid value: "string": status.recordsCount in body must be of type integer: "string"]',
    reason: 'Invalid',
    details: {
      name: 'z',
      group: 'bindy.firestoned.io',
      kind: 'DNSZone',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'status.bind9Instances[0].status' },
        { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": status.recordsCount in body must be of type integer: "string"', field: 'status.recordsCount' },
      ],
    },
    code: 422,
  });
  assert.equal(s.store.rv, before, 'no revision for a refused write');
  const got = await s.request({ method: 'GET', path: `${zones}/z` });
  assert.equal((got.body as { status?: unknown }).status, undefined);
});

test('a valid /status write is stored pruned of unknown fields (with a warning) and with the status defaults', async () => {
  const s = await withZone();
  const status = { bind9Instances: [{ ...instance, status: 'Configured', colour: 'green' }], phase: 'Ready' };
  const r = await s.request({ method: 'PATCH', path: `${zones}/z/status`, headers: merge, body: { status } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((r.body as { status: unknown }).status, { bind9Instances: [{ ...instance, status: 'Configured' }], conditions: [], records: [], recordsCount: 0 });
  assert.deepEqual(r.headers.warning, ['299 - "unknown field \\"status.bind9Instances[0].colour\\""', '299 - "unknown field \\"status.phase\\""']);
  const got = await s.request({ method: 'GET', path: `${zones}/z` });
  assert.deepEqual((got.body as { status: unknown }).status, (r.body as { status: unknown }).status);
});

test('a /status write with unknown fields under fieldValidation=Strict is 400', async () => {
  const s = await withZone();
  const r = await s.request({ method: 'PATCH', path: `${zones}/z/status?fieldValidation=Strict`, headers: merge, body: { status: { phase: 'Ready' } } });
  assert.equal(r.status, 400);
  assert.equal((r.body as { message: string }).message, 'strict decoding error: unknown field "status.phase"');
});
