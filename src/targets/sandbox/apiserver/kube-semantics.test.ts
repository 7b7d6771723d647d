/**
 * Behaviours where the twin once differed from a real kube-apiserver (found against 1.20.2 + etcd):
 * the code of a DELETE held by finalizers, co-ownership after a forced server-side apply, dryRun,
 * and a protobuf body answered 415 (not a JSON decoding error).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer, type ApiServer, type InProcessResponse } from './api-server.js';
import { defaultResources } from './default-resources.js';

const arecords = '/apis/bindy.firestoned.io/v1beta1/namespaces/default/arecords';
const finalizer = 'bindy.firestoned.io/arecord-finalizer';
const arecord = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'ARecord',
  metadata: { name, ...extra },
  spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] },
});

function server(): ApiServer {
  return createApiServer({ resources: defaultResources(), namespaceCleanupDelayMs: 0 });
}

interface Obj {
  metadata: { name: string; resourceVersion?: string; deletionTimestamp?: string; managedFields?: { manager: string; operation: string; fieldsV1: unknown }[] };
  spec: Record<string, unknown>;
}
const obj = (r: InProcessResponse): Obj => r.body as Obj;

test('DELETE of an object that finalizers keep answers 200 with the object marked for deletion (202 only for orphanDependents=false)', async () => {
  const s = server();
  for (const name of ['a', 'b']) assert.equal((await s.request({ method: 'POST', path: arecords, body: arecord(name, { finalizers: [finalizer] }) })).status, 201);
  const d = await s.request({ method: 'DELETE', path: `${arecords}/a` });
  assert.equal(d.status, 200);
  assert.ok(obj(d).metadata.deletionTimestamp, 'the answer is the object, marked for deletion');
  assert.equal((await s.request({ method: 'GET', path: `${arecords}/a` })).status, 200, 'still there until its finalizer goes');
  const orphan = await s.request({ method: 'DELETE', path: `${arecords}/b`, body: { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false } });
  assert.equal(orphan.status, 202);
});

test('a forced server-side apply takes over the fields it changes; fields applied with equal values stay co-owned', async () => {
  const s = server();
  const apply = (manager: string, yaml: string, force = false): Promise<InProcessResponse> =>
    s.request({ method: 'PATCH', path: `${arecords}/a?fieldManager=${manager}${force ? '&force=true' : ''}`, body: yaml, headers: { 'content-type': 'application/apply-patch+yaml' } });
  const head = 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nmetadata:\n  name: a\n';
  assert.equal((await apply('tool-a', `${head}spec:\n  name: www\n  ipv4Addresses: [192.0.2.1]\n  ttl: 60\n`)).status, 201);
  const conflict = await apply('tool-b', `${head}spec:\n  name: www\n  ttl: 120\n`);
  assert.equal(conflict.status, 409, 'ttl differs: a conflict without force (name, equal, is not one)');
  assert.equal((conflict.body as { message: string }).message, 'Apply failed with 1 conflict: conflict with "tool-a" using bindy.firestoned.io/v1beta1: .spec.ttl');
  const forced = await apply('tool-b', `${head}spec:\n  name: www\n  ttl: 120\n`, true);
  assert.equal(forced.status, 200);
  assert.equal(obj(forced).spec['ttl'], 120);
  const owned = Object.fromEntries((obj(forced).metadata.managedFields ?? []).map((e) => [e.manager, e.fieldsV1]));
  assert.deepEqual(owned['tool-a'], { 'f:spec': { 'f:ipv4Addresses': {}, 'f:name': {} } }, 'tool-a keeps name (co-owned) and ipv4Addresses, loses ttl');
  assert.deepEqual(owned['tool-b'], { 'f:spec': { 'f:name': {}, 'f:ttl': {} } });
  // Because tool-a still co-owns name, tool-b dropping it from its apply leaves it in place.
  const dropped = await apply('tool-b', `${head}spec:\n  ttl: 120\n`);
  assert.equal(dropped.status, 200);
  assert.equal(obj(dropped).spec['name'], 'www');
});

test('dryRun=All validates and answers like the write, and persists nothing: create, patch, delete, deletecollection', async () => {
  const s = server();
  const before = s.store.rv;
  const created = await s.request({ method: 'POST', path: `${arecords}?dryRun=All`, body: arecord('a') });
  assert.equal(created.status, 201);
  assert.equal(obj(created).metadata.name, 'a');
  assert.equal(s.store.rv, before, 'no revision');
  assert.equal((await s.request({ method: 'GET', path: `${arecords}/a` })).status, 404, 'nothing stored');

  const invalid = await s.request({ method: 'POST', path: `${arecords}?dryRun=All`, body: { ...arecord('a'), spec: { name: 'www' } } });
  assert.equal(invalid.status, 422, 'a dry run is validated like the write');
  assert.match((invalid.body as { message: string }).message, /spec\.ipv4Addresses: Required value/);

  const real = await s.request({ method: 'POST', path: arecords, body: arecord('a', { finalizers: [finalizer] }) });
  const rv = obj(real).metadata.resourceVersion;
  const patched = await s.request({ method: 'PATCH', path: `${arecords}/a?dryRun=All`, body: { spec: { ttl: 5 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(patched.status, 200);
  assert.equal(obj(patched).spec['ttl'], 5);
  const deleted = await s.request({ method: 'DELETE', path: `${arecords}/a?dryRun=All` });
  assert.equal(deleted.status, 200);
  assert.ok(obj(deleted).metadata.deletionTimestamp);
  const collection = await s.request({ method: 'DELETE', path: `${arecords}?dryRun=All` });
  assert.equal(collection.status, 200);
  assert.equal((collection.body as { items: unknown[] }).items.length, 1);
  const after = obj(await s.request({ method: 'GET', path: `${arecords}/a` }));
  assert.equal(after.metadata.resourceVersion, rv, 'the stored object is untouched');
  assert.equal(after.spec['ttl'], undefined);
  assert.equal(after.metadata.deletionTimestamp, undefined);

  const bad = await s.request({ method: 'POST', path: `${arecords}?dryRun=Some`, body: arecord('b') });
  assert.equal(bad.status, 422);
  assert.equal((bad.body as { message: string }).message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"');
});

test('a protobuf body is 415 UnsupportedMediaType naming the accepted type', async () => {
  const s = server();
  const r = await s.request({ method: 'POST', path: '/api/v1/namespaces', body: 'k8s\u0000\n\u000f\n\u0002v1\u0012\tNamespace', headers: { 'content-type': 'application/vnd.kubernetes.protobuf' } });
  assert.equal(r.status, 415);
  assert.equal((r.body as { message: string }).message, 'the body of the request was in an unknown format (application/vnd.kubernetes.protobuf) - accepted media types include: application/json');
});
