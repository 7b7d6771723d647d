import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectValidator } from '../../../model/schemas/types.js';
import { createApiServer, type ApiServer, type InProcessResponse } from './api-server.js';
import { bindyResources, coreResources } from './resources.js';
import { openRawWatch, type RawWatchEvent } from './watch-client.js';

/** A stub of the schema validator: ARecord knows spec.name, spec.ipv4Addresses (required) and spec.ttl. */
const stubARecord: ObjectValidator = (obj) => {
  const o = obj as { spec?: Record<string, unknown> };
  const spec = o.spec ?? {};
  const known = new Set(['name', 'ipv4Addresses', 'ttl']);
  const unknownFields = Object.keys(spec).filter((k) => !known.has(k)).map((k) => `spec.${k}`);
  const violations = [];
  if (spec.ipv4Addresses === undefined) violations.push({ reason: 'FieldValueRequired', field: 'spec.ipv4Addresses', message: 'Required value' });
  if (spec.name === undefined) violations.push({ reason: 'FieldValueRequired', field: 'spec.name', message: 'Required value' });
  const prunedSpec = Object.fromEntries(Object.entries(spec).filter(([k]) => known.has(k)));
  return { violations, unknownFields, pruned: { ...(obj as object), spec: prunedSpec } };
};

function server(): ApiServer {
  return createApiServer({
    resources: [...coreResources(), ...bindyResources((k) => (k === 'ARecord' ? stubARecord : undefined))],
    namespaceCleanupDelayMs: 0,
  });
}

const base = '/apis/bindy.firestoned.io/v1beta1';
const arecords = (ns = 'default'): string => `${base}/namespaces/${ns}/arecords`;
const arecord = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'ARecord',
  metadata: { name, labels: { app: 'web' } },
  spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] },
  ...extra,
});

interface Meta {
  name: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  deletionTimestamp?: string;
  finalizers?: string[];
  creationTimestamp: string;
}
function meta(r: InProcessResponse): Meta {
  return (r.body as { metadata: Meta }).metadata;
}
function body(r: InProcessResponse): Record<string, unknown> {
  return r.body as Record<string, unknown>;
}

test('create assigns uid, resourceVersion, generation 1 and creationTimestamp; a second create is 409 AlreadyExists', async () => {
  const s = server();
  const r = await s.request({ method: 'POST', path: arecords(), body: arecord('a') });
  assert.equal(r.status, 201);
  const m = meta(r);
  assert.match(m.uid, /^[0-9a-f-]{36}$/);
  assert.equal(m.generation, 1);
  assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(Number(m.resourceVersion), s.store.rv);
  const again = await s.request({ method: 'POST', path: arecords(), body: arecord('a') });
  assert.equal(again.status, 409);
  assert.deepEqual(again.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'arecords.bindy.firestoned.io "a" already exists',
    reason: 'AlreadyExists',
    details: { name: 'a', group: 'bindy.firestoned.io', kind: 'arecords' },
    code: 409,
  });
});

test('resourceVersion grows with every write; generation only on spec changes; status only through /status', async () => {
  const s = server();
  const c = await s.request({ method: 'POST', path: arecords(), body: { ...arecord('a'), status: { ignored: true } } });
  assert.equal(body(c).status, undefined, 'status is dropped on create');
  const rvs = [Number(meta(c).resourceVersion)];
  const steps: { desc: string; method: string; path: string; body: unknown; ct?: string; gen: number; status?: unknown }[] = [
    { desc: 'label change', method: 'PATCH', path: `${arecords()}/a`, body: { metadata: { labels: { x: '1' } } }, ct: 'application/merge-patch+json', gen: 1 },
    { desc: 'spec change', method: 'PATCH', path: `${arecords()}/a`, body: { spec: { ttl: 60 } }, ct: 'application/merge-patch+json', gen: 2 },
    { desc: 'status via main resource is ignored', method: 'PATCH', path: `${arecords()}/a`, body: { spec: { ttl: 61 }, status: { x: 1 } }, ct: 'application/merge-patch+json', gen: 3, status: undefined },
    { desc: 'status via /status', method: 'PATCH', path: `${arecords()}/a/status`, body: { status: { phase: 'Ready' }, spec: { ttl: 99 } }, ct: 'application/merge-patch+json', gen: 3, status: { phase: 'Ready' } },
  ];
  for (const st of steps) {
    const r = await s.request({ method: st.method, path: st.path, body: st.body, headers: { 'content-type': st.ct ?? 'application/json' } });
    assert.equal(r.status, 200, st.desc);
    assert.equal(meta(r).generation, st.gen, st.desc);
    if ('status' in st) assert.deepEqual(body(r).status, st.status, st.desc);
    rvs.push(Number(meta(r).resourceVersion));
  }
  const got = await s.request({ method: 'GET', path: `${arecords()}/a` });
  assert.equal((body(got).spec as { ttl: number }).ttl, 61, '/status did not change spec');
  for (let i = 1; i < rvs.length; i++) assert.ok((rvs[i] ?? 0) > (rvs[i - 1] ?? 0), `rv ${rvs.join(',')} increases`);
});

test('a no-op update writes nothing: same resourceVersion, no new revision', async () => {
  const s = server();
  const c = await s.request({ method: 'POST', path: arecords(), body: arecord('a') });
  const before = s.store.rv;
  const r = await s.request({ method: 'PUT', path: `${arecords()}/a`, body: c.body });
  assert.equal(r.status, 200);
  assert.equal(meta(r).resourceVersion, meta(c).resourceVersion);
  assert.equal(s.store.rv, before);
});

test('update with a stale resourceVersion is 409 Conflict with the real message', async () => {
  const s = server();
  const c = await s.request({ method: 'POST', path: arecords(), body: arecord('a') });
  const stale = body(c);
  await s.request({ method: 'PATCH', path: `${arecords()}/a`, body: { spec: { ttl: 5 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  const r = await s.request({ method: 'PUT', path: `${arecords()}/a`, body: { ...stale, spec: { name: 'x', ipv4Addresses: ['192.0.2.9'] } } });
  assert.equal(r.status, 409);
  assert.equal(body(r).reason, 'Conflict');
  assert.equal(
    body(r).message,
    'Operation cannot be fulfilled on arecords.bindy.firestoned.io "a": the object has been modified; please apply your changes to the latest version and try again',
  );
});

test('404s: missing object, missing namespace, unknown resource', async () => {
  const s = server();
  const cases: [string, string, unknown, string][] = [
    ['GET', `${arecords()}/nope`, undefined, 'arecords.bindy.firestoned.io "nope" not found'],
    ['POST', arecords('ghost'), arecord('a'), 'namespaces "ghost" not found'],
    ['GET', `${base}/namespaces/default/widgets`, undefined, 'the server could not find the requested resource'],
    ['DELETE', `/api/v1/namespaces/default/configmaps/nope`, undefined, 'configmaps "nope" not found'],
  ];
  for (const [method, path, b, message] of cases) {
    const r = await s.request({ method, path, body: b });
    assert.equal(r.status, 404, path);
    assert.equal(body(r).reason, 'NotFound', path);
    assert.equal(body(r).message, message, path);
  }
});

test('finalizers: delete sets deletionTimestamp and bumps generation; removing the last finalizer deletes', async () => {
  const s = server();
  const c = await s.request({ method: 'POST', path: arecords(), body: { ...arecord('a'), metadata: { name: 'a', finalizers: ['bindy.firestoned.io/arecord-finalizer'] } } });
  const d = await s.request({ method: 'DELETE', path: `${arecords()}/a` });
  assert.equal(d.status, 200, '200 like a real server, also while finalizers keep the object');
  assert.ok(meta(d).deletionTimestamp);
  assert.equal(meta(d).generation, (meta(c).generation ?? 0) + 1);
  const still = await s.request({ method: 'GET', path: `${arecords()}/a` });
  assert.equal(still.status, 200);
  const add = await s.request({ method: 'PATCH', path: `${arecords()}/a`, body: { metadata: { finalizers: ['bindy.firestoned.io/arecord-finalizer', 'x/y'] } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(add.status, 422, 'no new finalizers on a deleting object');
  const rm = await s.request({ method: 'PATCH', path: `${arecords()}/a`, body: { metadata: { finalizers: null } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(rm.status, 200);
  assert.equal((await s.request({ method: 'GET', path: `${arecords()}/a` })).status, 404);
});

test('namespaces: generateName, a terminating namespace refuses content and goes when emptied', async () => {
  const s = server();
  const ns = await s.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { generateName: 'lt-' } } });
  assert.equal(ns.status, 201);
  const name = meta(ns).name;
  assert.match(name, /^lt-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  await s.request({ method: 'POST', path: arecords(name), body: { ...arecord('held'), metadata: { name: 'held', finalizers: ['f/x'] } } });
  await s.request({ method: 'POST', path: arecords(name), body: arecord('free') });
  const del = await s.request({ method: 'DELETE', path: `/api/v1/namespaces/${name}` });
  assert.equal((body(del).status as { phase: string }).phase, 'Terminating');
  assert.equal((await s.request({ method: 'GET', path: `${arecords(name)}/free` })).status, 404);
  const refused = await s.request({ method: 'POST', path: arecords(name), body: arecord('new') });
  assert.equal(refused.status, 403);
  assert.match(String(body(refused).message), /because it is being terminated/);
  await s.request({ method: 'PATCH', path: `${arecords(name)}/held`, body: { metadata: { finalizers: null } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal((await s.request({ method: 'GET', path: `/api/v1/namespaces/${name}` })).status, 404);
  assert.equal((await s.request({ method: 'DELETE', path: '/api/v1/namespaces/default' })).status, 403);
});

test('422 Invalid: body in the real format, for schema violations and for bad names', async () => {
  const s = server();
  const r = await s.request({ method: 'POST', path: arecords(), body: { ...arecord('x'), spec: {} } });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'ARecord.bindy.firestoned.io "x" is invalid: [spec.ipv4Addresses: Required value, spec.name: Required value]',
    reason: 'Invalid',
    details: {
      name: 'x',
      group: 'bindy.firestoned.io',
      kind: 'ARecord',
      causes: [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ipv4Addresses' },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.name' },
      ],
    },
    code: 422,
  });
  const bad = await s.request({ method: 'POST', path: arecords(), body: arecord('Bad_Name') });
  assert.equal(bad.status, 422);
  assert.match(String(body(bad).message), /^ARecord\.bindy\.firestoned\.io "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
});

test('unknown fields: Strict is 400, Warn (default) warns and prunes, Ignore prunes silently', async () => {
  const s = server();
  const withFoo = (name: string): unknown => ({ ...arecord(name), spec: { name: 'w', ipv4Addresses: ['192.0.2.1'], foo: 1 } });
  const strict = await s.request({ method: 'POST', path: `${arecords()}?fieldValidation=Strict`, body: withFoo('s') });
  assert.equal(strict.status, 400);
  assert.equal(body(strict).message, 'strict decoding error: unknown field "spec.foo"');
  const warn = await s.request({ method: 'POST', path: arecords(), body: withFoo('w') });
  assert.equal(warn.status, 201);
  assert.deepEqual(warn.headers.warning, ['299 - "unknown field \\"spec.foo\\""']);
  assert.equal((body(warn).spec as Record<string, unknown>).foo, undefined);
  const ignore = await s.request({ method: 'POST', path: `${arecords()}?fieldValidation=Ignore`, body: withFoo('i') });
  assert.equal(ignore.status, 201);
  assert.equal(ignore.headers.warning, undefined);
  assert.equal((body(ignore).spec as Record<string, unknown>).foo, undefined);
});

test('patch types: JSON patch, merge patch, strategic merge (415 for CRs, accepted for core), apply', async () => {
  const s = server();
  await s.request({ method: 'POST', path: arecords(), body: arecord('a') });
  const p = (ct: string, b: unknown, q = ''): Promise<InProcessResponse> =>
    s.request({ method: 'PATCH', path: `${arecords()}/a${q}`, body: typeof b === 'string' ? b : JSON.stringify(b), headers: { 'content-type': ct } });
  const jp = await p('application/json-patch+json', [{ op: 'add', path: '/spec/ipv4Addresses/-', value: '192.0.2.2' }]);
  assert.deepEqual((body(jp).spec as { ipv4Addresses: string[] }).ipv4Addresses, ['192.0.2.1', '192.0.2.2']);
  const smp = await p('application/strategic-merge-patch+json', { spec: { ttl: 1 } });
  assert.equal(smp.status, 415);
  assert.equal(body(smp).reason, 'UnsupportedMediaType');
  await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { metadata: { name: 'cm' }, data: { a: '1' } } });
  const cm = await s.request({ method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/cm', body: JSON.stringify({ data: { b: '2' } }), headers: { 'content-type': 'application/strategic-merge-patch+json' } });
  assert.deepEqual(body(cm).data, { a: '1', b: '2' });
  const noManager = await p('application/apply-patch+yaml', 'spec:\n  ttl: 30\n');
  assert.equal(noManager.status, 422, 'apply needs a fieldManager');
  const applied = await p('application/apply-patch+yaml', 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nmetadata:\n  name: a\nspec:\n  ttl: 30\n', '?fieldManager=tool-a');
  assert.equal(applied.status, 200);
  assert.equal((body(applied).spec as { ttl: number }).ttl, 30);
  const conflict = await p('application/apply-patch+yaml', 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nmetadata:\n  name: a\nspec:\n  ttl: 40\n', '?fieldManager=tool-b');
  assert.equal(conflict.status, 409);
  assert.equal(body(conflict).message, 'Apply failed with 1 conflict: conflict with "tool-a" using bindy.firestoned.io/v1beta1: .spec.ttl');
  const forced = await p('application/apply-patch+yaml', 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nmetadata:\n  name: a\nspec:\n  ttl: 40\n', '?fieldManager=tool-b&force=true');
  assert.equal(forced.status, 200);
  const managers = (meta(forced) as unknown as { managedFields: { manager: string; operation: string }[] }).managedFields.map((e) => `${e.manager}/${e.operation}`);
  assert.ok(managers.includes('tool-b/Apply'), managers.join(','));
  // tool-b stops applying ttl: the field it alone owned goes away.
  const dropped = await p('application/apply-patch+yaml', 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nmetadata:\n  name: a\nspec: {}\n', '?fieldManager=tool-b');
  assert.equal((body(dropped).spec as { ttl?: number }).ttl, undefined);
  const created = await s.request({
    method: 'PATCH',
    path: `${arecords()}/new?fieldManager=tool-a`,
    body: 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nmetadata:\n  name: new\nspec:\n  name: n\n  ipv4Addresses: [192.0.2.5]\n',
    headers: { 'content-type': 'application/apply-patch+yaml' },
  });
  assert.equal(created.status, 201, 'apply creates an absent object');
});

test('list: label and field selectors, across namespaces, pagination with a consistent snapshot', async () => {
  const s = server();
  await s.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'other' } } });
  for (let i = 0; i < 7; i++) {
    await s.request({ method: 'POST', path: arecords(i % 2 === 0 ? 'default' : 'other'), body: { ...arecord(`r${i}`), metadata: { name: `r${i}`, labels: { i: String(i), parity: i % 2 === 0 ? 'even' : 'odd' } } } });
  }
  const names = (r: InProcessResponse): string[] => (body(r).items as { metadata: Meta }[]).map((o) => o.metadata.name);
  const q = (path: string): Promise<InProcessResponse> => s.request({ method: 'GET', path });
  assert.deepEqual(names(await q(`${base}/arecords?labelSelector=parity%3Deven`)), ['r0', 'r2', 'r4', 'r6']);
  assert.deepEqual(names(await q(`${base}/arecords?labelSelector=${encodeURIComponent('i in (1,2),parity!=odd')}`)), ['r2']);
  assert.deepEqual(names(await q(`${arecords('other')}?fieldSelector=metadata.name%3Dr3`)), ['r3']);
  assert.deepEqual(names(await q(`${base}/arecords?fieldSelector=metadata.namespace%3Dother`)), ['r1', 'r3', 'r5']);
  // Pagination: pages of 3 from the snapshot of the first page, even though writes happen between pages.
  const first = await q(`${base}/arecords?limit=3`);
  const listMeta = body(first).metadata as { resourceVersion: string; continue: string; remainingItemCount: number };
  assert.equal(listMeta.remainingItemCount, 4);
  await s.request({ method: 'POST', path: arecords(), body: arecord('zz-late') });
  await s.request({ method: 'DELETE', path: `${arecords('other')}/r5` });
  const all = [...names(first)];
  let token: string | undefined = listMeta.continue;
  while (token) {
    const page = await q(`${base}/arecords?limit=3&continue=${encodeURIComponent(token)}`);
    assert.equal((body(page).metadata as { resourceVersion: string }).resourceVersion, listMeta.resourceVersion);
    all.push(...names(page));
    token = (body(page).metadata as { continue?: string }).continue;
  }
  assert.deepEqual(all, ['r0', 'r2', 'r4', 'r6', 'r1', 'r3', 'r5']);
});

test('a continue token older than the history is 410 Expired with a fresh token', async () => {
  const s = createApiServer({ historySize: 5, namespaceCleanupDelayMs: 0 });
  for (let i = 0; i < 4; i++) await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { metadata: { name: `c${i}` } } });
  const first = await s.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps?limit=2' });
  const token = (body(first).metadata as { continue: string }).continue;
  for (let i = 0; i < 10; i++) await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: { metadata: { name: `d${i}` } } });
  const r = await s.request({ method: 'GET', path: `/api/v1/namespaces/default/configmaps?limit=2&continue=${token}` });
  assert.equal(r.status, 410);
  assert.equal(body(r).reason, 'Expired');
  assert.ok((body(r).metadata as { continue?: string }).continue);
});

test('deletecollection deletes what the selector matches, and nothing else', async () => {
  const s = server();
  for (const [n, run] of [['a', '1'], ['b', '1'], ['c', '2']] as const) {
    await s.request({ method: 'POST', path: arecords(), body: { ...arecord(n), metadata: { name: n, labels: { run } } } });
  }
  const r = await s.request({ method: 'DELETE', path: `${arecords()}?labelSelector=run%3D1` });
  assert.equal(r.status, 200);
  assert.equal(body(r).kind, 'ARecordList');
  const left = await s.request({ method: 'GET', path: arecords() });
  assert.deepEqual((body(left).items as { metadata: Meta }[]).map((o) => o.metadata.name), ['c']);
});

test('Services and Namespaces have no deletecollection, as on a real kube-apiserver: 405, and discovery does not list the verb', async () => {
  const s = server();
  await s.request({ method: 'POST', path: '/api/v1/namespaces/default/services', body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: { run: '1' } }, spec: { ports: [{ port: 80 }] } } });
  const r = await s.request({ method: 'DELETE', path: '/api/v1/namespaces/default/services?labelSelector=run%3D1' });
  assert.equal(r.status, 405);
  assert.equal(body(r).reason, 'MethodNotAllowed');
  assert.equal((await s.request({ method: 'GET', path: '/api/v1/namespaces/default/services/a' })).status, 200, 'nothing was deleted');
  const core = body(await s.request({ method: 'GET', path: '/api/v1' })) as { resources: { name: string; verbs: string[] }[] };
  const verbs = (n: string): string[] | undefined => core.resources.find((x) => x.name === n)?.verbs;
  assert.ok(!(verbs('services') ?? ['deletecollection']).includes('deletecollection'));
  assert.ok((verbs('configmaps') ?? []).includes('deletecollection'));
});

test('auth: no token is 401 except for health and version; a wrong token is 401 everywhere', async () => {
  const s = server();
  const cases: [string, Record<string, string> | undefined, boolean, number][] = [
    [arecords(), undefined, false, 401],
    ['/apis', undefined, false, 401],
    ['/healthz', undefined, false, 200],
    ['/version', undefined, false, 200],
    ['/version', { authorization: 'Bearer wrong' }, false, 401],
    [arecords(), undefined, true, 200],
  ];
  for (const [path, headers, auth, code] of cases) {
    const r = await s.request({ method: 'GET', path, auth, ...(headers ? { headers } : {}) });
    assert.equal(r.status, code, `${path} auth=${auth}`);
    if (code === 401) assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
});

test('discovery lists the bindy kinds with short names and status subresources; the core group too', async () => {
  const s = server();
  const groups = body(await s.request({ method: 'GET', path: '/apis' })).groups as { name: string }[];
  assert.deepEqual(groups.map((g) => g.name).sort(), ['bindy.firestoned.io', 'coordination.k8s.io', 'networking.k8s.io']);
  const list = body(await s.request({ method: 'GET', path: base })) as { groupVersion: string; resources: { name: string; namespaced: boolean; kind: string; shortNames?: string[]; verbs: string[] }[] };
  assert.equal(list.groupVersion, 'bindy.firestoned.io/v1beta1');
  const byName = new Map(list.resources.map((r) => [r.name, r]));
  assert.equal(byName.size, 26, '13 kinds (0.8 line) and 13 status subresources');
  assert.deepEqual(byName.get('dnszones')?.shortNames, ['zone', 'zones', 'dz', 'dzs']);
  assert.equal(byName.get('clusterbind9providers')?.namespaced, false);
  assert.deepEqual(byName.get('arecords/status')?.verbs, ['get', 'patch', 'update']);
  const core = body(await s.request({ method: 'GET', path: '/api/v1' })) as { resources: { name: string }[] };
  for (const n of ['namespaces', 'events', 'services', 'endpoints', 'configmaps', 'secrets']) assert.ok(core.resources.some((r) => r.name === n), n);
});

test('metrics count requests with the real label names and verbs', async () => {
  const s = server();
  await s.request({ method: 'POST', path: arecords(), body: arecord('a') });
  await s.request({ method: 'GET', path: `${arecords()}/a` });
  await s.request({ method: 'GET', path: `${arecords()}/missing` });
  await s.request({ method: 'GET', path: arecords() });
  const text = (await s.request({ method: 'GET', path: '/metrics', auth: false })).text;
  for (const [verb, code, scope] of [['POST', '201', 'namespace'], ['GET', '200', 'resource'], ['GET', '404', 'resource'], ['LIST', '200', 'namespace']]) {
    const line = `apiserver_request_total{verb="${verb}",group="bindy.firestoned.io",version="v1beta1",resource="arecords",subresource="",scope="${scope}",component="apiserver",code="${code}"} 1`;
    assert.ok(text.includes(line), line);
  }
  assert.match(text, /apiserver_request_duration_seconds_bucket\{le="0.005",verb="POST"/);
});

test('fault hooks: 429 with Retry-After, 500, added latency', async () => {
  let n = 0;
  const s = createApiServer({ random: () => (n++ % 2 === 0 ? 0 : 0.99), faults: { tooManyRequestsRate: 0.5, retryAfterSeconds: 3 } });
  const a = await s.request({ method: 'GET', path: '/api/v1/namespaces' });
  const b = await s.request({ method: 'GET', path: '/api/v1/namespaces' });
  assert.equal(a.status, 429);
  assert.equal(a.headers['retry-after'], '3');
  assert.deepEqual((body(a).details as { retryAfterSeconds: number }).retryAfterSeconds, 3);
  assert.equal(b.status, 200);
  s.faults.tooManyRequestsRate = 0;
  s.faults.serverErrorRate = 1;
  assert.equal((await s.request({ method: 'GET', path: '/api/v1/namespaces' })).status, 500);
  s.faults.serverErrorRate = 0;
  s.faults.latencyMs = 40;
  const t0 = performance.now();
  await s.request({ method: 'GET', path: '/api/v1/namespaces' });
  assert.ok(performance.now() - t0 >= 39, 'latency added');
});

/** Resolves once `pred` holds, polling every 20 ms; rejects after `ms`. */
async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('an Event lives an hour after its last write (--event-ttl=1h), then is deleted and watchers see DELETED', async () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const s = createApiServer({ resources: coreResources(), namespaceCleanupDelayMs: 0, now: () => new Date(t) });
  const l = await s.listen({ port: 0 });
  const events = '/api/v1/namespaces/default/events';
  try {
    const ev = (name: string): Record<string, unknown> => ({ metadata: { name }, involvedObject: { kind: 'ConfigMap', name: 'x', namespace: 'default' }, reason: 'R', message: 'm', type: 'Normal' });
    assert.equal((await s.request({ method: 'POST', path: events, body: ev('old') })).status, 201);
    assert.equal((await s.request({ method: 'POST', path: events, body: ev('renewed') })).status, 201);
    const seen: RawWatchEvent[] = [];
    const w = await openRawWatch(`${l.url}${events}?watch=true&resourceVersion=${s.store.rv}`, s.token, (e) => seen.push(e));
    t += 30 * 60_000;
    // A write renews the lease, as every Event update does on a real server.
    const p = await s.request({ method: 'PATCH', path: `${events}/renewed`, body: JSON.stringify({ count: 2 }), headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(p.status, 200);
    t += 30 * 60_000 + 1000;
    // No request is needed: the listener's clock deletes it, and the watch sees it go.
    await waitFor(() => seen.some((e) => e.type === 'DELETED'), 5000);
    assert.deepEqual(seen.map((e) => [e.type, e.object.metadata?.name]), [['MODIFIED', 'renewed'], ['DELETED', 'old']]);
    assert.equal((await s.request({ method: 'GET', path: `${events}/old` })).status, 404);
    assert.equal((await s.request({ method: 'GET', path: `${events}/renewed` })).status, 200);
    t += 30 * 60_000;
    const list = await s.request({ method: 'GET', path: events });
    assert.deepEqual((list.body as { items: unknown[] }).items, [], 'expired at the next request, before it reads');
    w.close();
  } finally {
    await l.close();
  }
});

test('eventTtlMs: 0 keeps Events for ever', async () => {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const s = createApiServer({ resources: coreResources(), eventTtlMs: 0, now: () => new Date(t) });
  const events = '/api/v1/namespaces/default/events';
  assert.equal((await s.request({ method: 'POST', path: events, body: { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R' } })).status, 201);
  t += 48 * 3_600_000;
  assert.equal((await s.request({ method: 'GET', path: `${events}/e` })).status, 200);
});
