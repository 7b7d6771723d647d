import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector, selectorMatches } from './label-selector.js';
import { selectInstances, selectRecords, instanceRole } from './selection.js';
import { recordRrset, recordHash, ownerName } from './rrset.js';
import { recordStatus, zoneConditions, rfc3339, recordMessages } from './conditions.js';
import { clusterInstances } from './cluster-instances.js';
import { backoffDelay, bindcarBackoff, retryWithBackoff, withRetryBudget } from './backoff.js';
import type { BindyObject } from './objects.js';
import { injectedDelayMs } from './injected-delay.js';
import { instanceEntries } from './reconcile-zone.js';
import { validatorFor } from '../../../model/schemas/validator.js';

const selectorCases: [string, unknown, Record<string, string>, boolean][] = [
  ['empty selector matches all', {}, { a: '1' }, true],
  ['matchLabels equal', { matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
  ['matchLabels differ', { matchLabels: { a: '1' } }, { a: '2' }, false],
  ['In hit', { matchExpressions: [{ key: 'r', operator: 'In', values: ['x', 'y'] }] }, { r: 'y' }, true],
  ['In missing key', { matchExpressions: [{ key: 'r', operator: 'In', values: ['x'] }] }, {}, false],
  ['NotIn missing key matches', { matchExpressions: [{ key: 'r', operator: 'NotIn', values: ['x'] }] }, {}, true],
  ['NotIn hit', { matchExpressions: [{ key: 'r', operator: 'NotIn', values: ['x'] }] }, { r: 'x' }, false],
  ['Exists', { matchExpressions: [{ key: 'r', operator: 'Exists' }] }, { r: '' }, true],
  ['DoesNotExist', { matchExpressions: [{ key: 'r', operator: 'DoesNotExist' }] }, { r: 'x' }, false],
  ['labels and expressions both needed', { matchLabels: { a: '1' }, matchExpressions: [{ key: 'r', operator: 'Exists' }] }, { a: '1' }, false],
];
for (const [name, sel, labels, want] of selectorCases) {
  test(`selector: ${name}`, () => {
    const s = parseLabelSelector(sel);
    assert.ok(s);
    assert.equal(selectorMatches(s, labels), want);
  });
}

test('malformed selectors are rejected (select nothing)', () => {
  for (const bad of [null, { matchLabels: { a: 1 } }, { matchExpressions: [{ key: 'a', operator: 'Near' }] }, { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }]) {
    assert.equal(parseLabelSelector(bad), undefined, JSON.stringify(bad));
  }
});

const obj = (name: string, namespace: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): BindyObject => ({ metadata: { name, namespace, labels }, spec });

test('instances: same namespace, any selector, sorted; roles from spec.role', () => {
  const zone = obj('z', 'ns', {}, { bind9InstancesFrom: [{ selector: { matchLabels: { c: 'a' } } }, { selector: { matchLabels: { c: 'b' } } }] });
  const picked = selectInstances(zone, [
    obj('b-1', 'ns', { c: 'b' }, { role: 'secondary' }),
    obj('a-0', 'ns', { c: 'a' }, { role: 'primary' }),
    obj('a-x', 'other', { c: 'a' }),
    obj('n', 'ns', { c: 'n' }),
  ]);
  assert.deepEqual(picked.map((i) => [i.metadata?.name, instanceRole(i)]), [['a-0', 'primary'], ['b-1', 'secondary']]);
  assert.deepEqual(selectInstances(obj('z', 'ns', {}, {}), [obj('a-0', 'ns', { c: 'a' })]), [], 'no bind9InstancesFrom selects nothing');
});

test('records: each selected record once, other namespaces ignored', () => {
  const zone = obj('z', 'ns', {}, { recordsFrom: [{ selector: { matchLabels: { zone: 'z.test' } } }, { selector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }] });
  const picked = selectRecords(zone, [
    { kind: 'TXTRecord', object: obj('t', 'ns', { zone: 'z.test' }) },
    { kind: 'ARecord', object: obj('a', 'ns', { zone: 'z.test' }) },
    { kind: 'ARecord', object: obj('x', 'other', { zone: 'z.test' }) },
  ]);
  assert.deepEqual(picked.map((r) => `${r.kind}/${r.object.metadata?.name}`), ['ARecord/a', 'TXTRecord/t']);
});

const rrsetCases = [
  { kind: 'ARecord', spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] }, want: { name: 'www.z.test', type: 'A', ttl: 300, records: [{ type: 'A', data: '192.0.2.1' }] } },
  { kind: 'AAAARecord', spec: { name: '@', ttl: 60, ipv6Addresses: ['2001:db8::1'] }, want: { name: 'z.test', type: 'AAAA', ttl: 60, records: [{ type: 'AAAA', data: '2001:db8::1' }] } },
  { kind: 'CNAMERecord', spec: { name: 'c', target: 'www.z.test.' }, want: { name: 'c.z.test', type: 'CNAME', ttl: 300, records: [{ type: 'CNAME', data: 'www.z.test' }] } },
  { kind: 'MXRecord', spec: { name: '@', priority: 10, mailServer: 'mx.example.net.' }, want: { name: 'z.test', type: 'MX', ttl: 300, records: [{ type: 'MX', data: { preference: 10, exchange: 'mx.example.net' } }] } },
  { kind: 'TXTRecord', spec: { name: 't', text: ['a', 'b'] }, want: { name: 't.z.test', type: 'TXT', ttl: 300, records: [{ type: 'TXT', data: ['a'] }, { type: 'TXT', data: ['b'] }] } },
  { kind: 'NSRecord', spec: { name: 'sub', nameserver: 'ns.example.net.' }, want: { name: 'sub.z.test', type: 'NS', ttl: 300, records: [{ type: 'NS', data: 'ns.example.net' }] } },
  { kind: 'SRVRecord', spec: { name: '_h._tcp', priority: 1, weight: 2, port: 443, target: 's.z.test.' }, want: { name: '_h._tcp.z.test', type: 'SRV', ttl: 300, records: [{ type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 's.z.test' } }] } },
  { kind: 'CAARecord', spec: { name: '@', flags: 0, tag: 'issue', value: 'ca.example' }, want: { name: 'z.test', type: 'CAA', ttl: 300, records: [{ type: 'CAA', data: { flags: 0, tag: 'issue', value: 'ca.example' } }] } },
] as const;
for (const c of rrsetCases) {
  test(`rrset of ${c.kind}`, () => {
    assert.deepEqual(recordRrset(c.kind, { ...c.spec }, 'z.test'), { ok: true, rrset: c.want });
  });
}

test('rrset errors name the field; long TXT is split at 255 bytes; hash ignores key order', () => {
  assert.deepEqual(recordRrset('ARecord', { name: 'x', ipv4Addresses: [] }, 'z.test'), { ok: false, error: 'spec.ipv4Addresses is missing or invalid' });
  const long = recordRrset('TXTRecord', { name: 'x', text: ['a'.repeat(300)] }, 'z.test');
  assert.ok(long.ok);
  assert.deepEqual(long.rrset.records[0]?.data, ['a'.repeat(255), 'a'.repeat(45)]);
  assert.equal(recordHash({ a: 1, b: [1, 2] }), recordHash({ b: [1, 2], a: 1 }));
  assert.notEqual(recordHash({ a: 1 }), recordHash({ a: 2 }));
  assert.equal(ownerName('@', 'z.test.'), 'z.test');
});

const t0 = new Date('2026-01-01T00:00:00.123Z');
const t1 = new Date('2026-01-01T00:01:00.456Z');

test('record status: NotSelected first, success adds hash/lastUpdated/addresses and keeps zoneRef; unchanged → no write', () => {
  const first = recordStatus(undefined, { ready: false, reason: 'NotSelected', message: recordMessages.notSelected, generation: 1 }, t0);
  assert.deepEqual(first, { conditions: [{ type: 'Ready', status: 'False', reason: 'NotSelected', message: recordMessages.notSelected, lastTransitionTime: '2026-01-01T00:00:00.123+00:00' }], observedGeneration: 1 });
  assert.equal(recordStatus(first, { ready: false, reason: 'NotSelected', message: recordMessages.notSelected, generation: 1 }, t1), undefined);
  const zoneRef = { name: 'z', namespace: 'ns', zoneName: 'z.test' };
  const ok = recordStatus({ ...first, zoneRef, zone: 'z.test' }, { ready: true, reason: 'ReconcileSucceeded', message: recordMessages.succeeded('A', 'z.test'), generation: 1, recordHash: 'h', addresses: '192.0.2.1', publishedName: 'www' }, t1);
  assert.deepEqual(ok, {
    conditions: [{ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', message: 'A record added to zone z.test', lastTransitionTime: rfc3339(t1) }],
    observedGeneration: 1,
    zone: 'z.test',
    zoneRef,
    recordHash: 'h',
    lastUpdated: '2026-01-01T00:01:00.456+00:00',
    addresses: '192.0.2.1',
    publishedName: 'www',
  });
});

test('zone conditions: success, partial and primary failure triples with bindy messages', () => {
  const ok = zoneConditions([], 'z.test', { kind: 'configured', primaries: 1, secondaries: 0, expectedPrimaries: 1, expectedSecondaries: 0, endpoints: 1, records: 3 }, t0);
  assert.deepEqual(ok.map((c) => [c.type, c.status, c.reason, c.message]), [
    ['Ready', 'True', 'ReconcileSucceeded', 'Zone z.test configured on 1 primary and 0 secondary instance(s) (1 endpoint(s)), discovered 3 DNS record(s)'],
    ['Degraded', 'False', 'ReconcileSucceeded', ''],
    ['Progressing', 'False', 'ReconcileComplete', 'Reconciliation attempt finished'],
  ]);
  const partial = zoneConditions(ok, 'z.test', { kind: 'configured', primaries: 1, secondaries: 0, expectedPrimaries: 2, expectedSecondaries: 1, endpoints: 1, records: 0 }, t1);
  assert.deepEqual(partial.find((c) => c.type === 'Ready'), { type: 'Ready', status: 'False', reason: 'PartialReconciliation', message: 'Zone z.test configured on 1/2 primary and 0/1 secondary instance(s) - 2 instance(s) pending', lastTransitionTime: rfc3339(t1) });
  const failed = zoneConditions(ok, 'z.test', { kind: 'primaryFailed', message: 'boom' }, t1);
  assert.deepEqual(failed.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'PrimaryFailed'], ['Degraded', 'True', 'PrimaryFailed'], ['Progressing', 'False', 'PrimaryFailed']]);
  const again = zoneConditions(ok, 'z.test', { kind: 'configured', primaries: 1, secondaries: 0, expectedPrimaries: 1, expectedSecondaries: 0, endpoints: 1, records: 3 }, t1);
  assert.equal(again[0]?.lastTransitionTime, rfc3339(t0), 'transition time kept while the status value stays');
});

test('a Bind9Cluster stands for C-primary-<i> and C-secondary-<i>, labelled and owned', () => {
  const out = clusterInstances({ metadata: { name: 'c', namespace: 'ns', uid: 'u1' }, spec: { primary: { replicas: 2 }, secondary: { replicas: 1 } } });
  assert.deepEqual(out.map((i) => [i.metadata?.name, i.metadata?.labels, i.spec?.['role']]), [
    ['c-primary-0', { 'bindy.firestoned.io/cluster': 'c', 'bindy.firestoned.io/role': 'primary' }, 'primary'],
    ['c-primary-1', { 'bindy.firestoned.io/cluster': 'c', 'bindy.firestoned.io/role': 'primary' }, 'primary'],
    ['c-secondary-0', { 'bindy.firestoned.io/cluster': 'c', 'bindy.firestoned.io/role': 'secondary' }, 'secondary'],
  ]);
  assert.equal(out[0]?.metadata?.ownerReferences?.[0]?.uid, 'u1');
  assert.deepEqual(clusterInstances({ metadata: { name: 'c', namespace: 'ns' }, spec: {} }), [], 'replicas default to 0');
});

test('backoff: 50 ms doubling, ±10 % jitter, capped at 10 s; gives up past 120 s', async () => {
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(bindcarBackoff, n, 0.5)), [50, 100, 200, 400]);
  assert.equal(backoffDelay(bindcarBackoff, 20, 0.5), 10_000);
  assert.equal(backoffDelay(bindcarBackoff, 0, 0), 45);
  assert.equal(backoffDelay(bindcarBackoff, 0, 0.75), 52.5);
  let clock = 0;
  let attempts = 0;
  const env = { now: () => clock, sleep: (ms: number) => { clock += ms; return Promise.resolve(); }, random: () => 0.5 };
  await assert.rejects(retryWithBackoff(() => { attempts++; return Promise.reject(new Error('503')); }, () => true, bindcarBackoff, env), /503/);
  assert.ok(clock <= 120_000, `stopped within the budget (${clock} ms)`);
  // 50+100+…+6400 = 12 750 ms, then 10 s steps: 1 + 8 + 10 retries fit in 120 s.
  assert.equal(attempts, 19);
  attempts = 0;
  await assert.rejects(retryWithBackoff(() => { attempts++; return Promise.reject(new Error('400')); }, () => false, bindcarBackoff, env));
  assert.equal(attempts, 1, 'a non-retryable error is thrown at once');
});

test('a shorter bindcar retry budget moves only the give-up point: same delays, fewer attempts', async () => {
  const short = withRetryBudget(bindcarBackoff, 10_000);
  assert.deepEqual({ ...short, maxElapsedMs: bindcarBackoff.maxElapsedMs }, bindcarBackoff, 'delays, cap and jitter are bindy\'s');
  assert.equal(bindcarBackoff.maxElapsedMs, 120_000, 'bindy\'s own budget is untouched');
  let clock = 0;
  let attempts = 0;
  const env = { now: () => clock, sleep: (ms: number) => { clock += ms; return Promise.resolve(); }, random: () => 0.5 };
  await assert.rejects(retryWithBackoff(() => { attempts++; return Promise.reject(new Error('500')); }, () => true, short, env), /500/);
  // 50+100+…+3200 = 6350 ms; the next delay (6400 ms) would start past 10 s: 1 + 7 retries.
  assert.equal(clock, 6350);
  assert.equal(attempts, 8);
});

test('the injected reconcile delay applies to the listed kinds only (all when none are listed); a sampled one is clamped at 0', () => {
  const samples = [300, -5];
  const sampler = (): number => samples.shift() ?? 0;
  assert.equal(injectedDelayMs('ARecord', 250, ['ARecord']), 250);
  assert.equal(injectedDelayMs('DNSZone', 250, ['ARecord']), 0, 'a kind not listed reconciles undelayed');
  assert.equal(injectedDelayMs('DNSZone', 250, undefined), 250, 'no list: every kind');
  assert.equal(injectedDelayMs('DNSZone', sampler, ['TXTRecord']), 0);
  assert.equal(injectedDelayMs('TXTRecord', sampler, ['TXTRecord']), 300, 'the first sample: the DNSZone call above drew none');
  assert.equal(injectedDelayMs('TXTRecord', sampler, ['TXTRecord']), 0, 'a negative sample waits 0 ms');
  assert.equal(injectedDelayMs('ARecord', undefined, undefined), 0);
});

test("a zone's bind9Instances entries carry bindy's instance status and pass the DNSZone status schema", () => {
  const inst = (name: string, role: string): BindyObject => ({ metadata: { name, labels: { 'bindy.firestoned.io/role': role } }, spec: { clusterRef: 'c', role } });
  const instances = [inst('c-primary-0', 'primary'), inst('c-secondary-0', 'secondary')];
  const ok = instanceEntries(instances, { kind: 'configured', primaries: 1, secondaries: 1, expectedPrimaries: 1, expectedSecondaries: 1, endpoints: 2, records: 0 }, 'ns', new Set(['c-secondary-0']));
  const failed = instanceEntries(instances, { kind: 'primaryFailed', message: 'boom' }, 'ns');
  assert.deepEqual(ok.map((e) => e['status']), ['Configured', 'Configured']);
  assert.deepEqual(failed.map((e) => [e['status'], e['message']]), [['Failed', 'boom'], ['Claimed', undefined]]);
  const soa = { primaryNs: 'ns1.example.com.', adminEmail: 'hostmaster.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
  for (const entries of [ok, failed]) {
    const zone = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'z' }, spec: { zoneName: 'example.com', soaRecord: soa }, status: { bind9Instances: entries } };
    const out = validatorFor('DNSZone')(zone);
    assert.deepEqual([out.violations, out.unknownFields], [[], []]);
  }
});
