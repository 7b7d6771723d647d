import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { KubeClient, failureFromBody, failureOf } from './kube-client.js';
import { aRecord, httpKubeConfig, startSandbox } from '../../test/helpers/api-sandbox.js';
import { bindyApiVersion, bindyGroup, bindyVersion, runIdLabel } from '../model/kinds.js';
import { generateZone } from '../model/fixtures/generate.js';
import { resolveFixtureOptions } from '../model/fixtures/options.js';

test('API errors become data carrying the Status reason, message, causes and Retry-After', () => {
  const body = JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down', details: { retryAfterSeconds: 2, causes: [{ field: 'spec.x', message: 'bad' }] } });
  assert.deepEqual(failureOf(new ApiException(429, 'x', body, {})), {
    status: 429, reason: 'TooManyRequests', message: 'slow down', causes: [{ field: 'spec.x', message: 'bad' }], retryAfterSeconds: 2,
  });
  assert.equal(failureFromBody(502, '<html>bad gateway</html>', 'HTTP 502').message, '<html>bad gateway</html>');
  const net = failureOf(new Error('connect ECONNREFUSED 127.0.0.1:1'));
  assert.equal(net.status, 0);
  assert.equal(net.reason, 'NetworkError');
});

test('a refused connection is returned as a timed NetworkError, not thrown', async () => {
  const client = new KubeClient({ kubeConfig: httpKubeConfig('http://127.0.0.1:1', 't') });
  const r = await client.list('ARecord', 'ns', 'a=b');
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.status === 0 && r.receivedMs >= r.sentMs);
});

test('list merges every page and leaves out DNSZone status records; deleteCollection deletes by label and returns errors as data', async () => {
  const sb = await startSandbox();
  const ns = 'lists';
  const zones = resolveFixtureOptions({ namespace: ns, runId: 'lr', zones: 1, recordsPerZone: 1 });
  try {
    await sb.namespace(ns);
    // 501 records: more than one 500-object page.
    for (let i = 0; i < 501; i++) assert.equal((await sb.client.create(aRecord(`r-${i}`, ns, 'lr'))).ok, true);
    assert.equal((await sb.client.create(aRecord('foreign', ns, null))).ok, true);
    const zone = generateZone(zones, 0);
    const created = await sb.client.create(zone);
    assert.ok(created.ok);
    const records = Array.from({ length: 3 }, (_, i) => ({ apiVersion: bindyApiVersion, kind: 'ARecord', name: `r-${i}`, namespace: ns }));
    const conditions = [{ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', message: 'records: [x]', lastTransitionTime: new Date().toISOString() }];
    const put = await sb.server.request({
      method: 'PUT',
      path: `/apis/${bindyGroup}/${bindyVersion}/namespaces/${ns}/dnszones/${zone.metadata.name}/status`,
      body: { ...created.value, status: { records, recordsCount: 3, conditions, observedGeneration: 1 } },
    });
    assert.equal(put.status, 200, put.text);

    const listed = await sb.client.list('ARecord', ns, `${runIdLabel}=lr`);
    assert.ok(listed.ok, listed.ok ? '' : listed.error.message);
    assert.equal(listed.value.items.length, 501, 'both pages, and not the unlabelled record');
    assert.equal(new Set(listed.value.items.map((o) => o.metadata.name)).size, 501);
    assert.match(listed.value.resourceVersion, /^\d+$/);
    assert.ok(listed.value.items.every((o) => !('managedFields' in o.metadata) && o.metadata.uid !== undefined), 'managedFields left out, the rest of metadata kept');
    const z = await sb.client.list('DNSZone', null, `${runIdLabel}=lr`);
    assert.ok(z.ok);
    const status = z.value.items[0]?.status as Record<string, unknown>;
    assert.equal(status.records, undefined, 'records left out');
    assert.equal(z.value.items[0]?.metadata.name, zone.metadata.name);
    assert.deepEqual(status.conditions, conditions, 'the rest of the status kept, strings mentioning records included');
    assert.equal(status.recordsCount, 3);

    const del = await sb.client.deleteCollection('ARecord', ns, `${runIdLabel}=lr`);
    assert.ok(del.ok && del.receivedMs >= del.sentMs);
    const after = await sb.client.list('ARecord', ns, '');
    assert.deepEqual(after.ok && after.value.items.map((o) => o.metadata.name), ['foreign']);

    const denied = new KubeClient({ kubeConfig: httpKubeConfig(sb.url, 'wrong-token') });
    const refused = await denied.deleteCollection('ARecord', ns, 'app=foreign');
    assert.ok(!refused.ok && refused.error.status === 401, 'the server refusal comes back as data');
    const refusedList = await denied.list('ARecord', ns, 'app=foreign');
    assert.ok(!refusedList.ok && refusedList.error.status === 401);
    denied.close();
  } finally {
    await sb.close();
  }
});

test('listPages hands over one page at a time; a continue token expired by writes between pages is resumed with the token its 410 carries, and list still refuses it', async () => {
  // A history of 50 events: 60 writes between two pages compact the first page's snapshot away.
  const sb = await startSandbox({ historySize: 50 });
  const ns = 'pages';
  try {
    await sb.namespace(ns);
    for (let i = 0; i < 1200; i++) assert.equal((await sb.client.create(aRecord(`r-${String(i).padStart(4, '0')}`, ns, 'lp'))).ok, true);
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let extra = 0;
    const writeBetween = async (): Promise<void> => {
      for (let i = 0; i < 60; i++) assert.equal((await sb.client.create(aRecord(`x-${extra++}`, ns, null))).ok, true);
    };
    const listed = await sb.client.listPages('ARecord', ns, `${runIdLabel}=lp`, async (items) => {
      pageSizes.push(items.length);
      for (const o of items) seen.push(o.metadata.name ?? '');
      await writeBetween();
    }, { resumeExpired: true });
    assert.ok(listed.ok, listed.ok ? '' : listed.error.message);
    assert.deepEqual(pageSizes, [500, 500, 200], 'never more than one page at a time');
    assert.equal(listed.value.items, 1200);
    assert.equal(listed.value.pages, 3);
    assert.equal(listed.value.resumedAfterExpiry, 2, 'each page after the first found its token expired');
    assert.equal(new Set(seen).size, 1200, 'every object once, none twice');

    const strict = await sb.client.listPages('ARecord', ns, `${runIdLabel}=lp`, writeBetween);
    assert.ok(!strict.ok && strict.error.status === 410, 'without resumeExpired the 410 is the answer');
  } finally {
    await sb.close();
  }
});
