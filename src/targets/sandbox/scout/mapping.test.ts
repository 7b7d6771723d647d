import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  annotationKeys,
  arecordName,
  authorizeZone,
  cleanupGraceExpired,
  defaultAnnotationPrefix,
  deriveRecordName,
  parseTtl,
  planReconcile,
  resolveIps,
  sanitizeName,
  scoutFinalizer,
  scoutSettings,
  sourceView,
  staleSelector,
  zoneView,
  type ScoutPlan,
  type ScoutSettingsInput,
  type SourceView,
  type ZoneView,
} from './mapping.js';

const keys = annotationKeys(defaultAnnotationPrefix);
const zones: ZoneView[] = [{ namespace: 'apps', zoneName: 'example.com' }];
const base: ScoutSettingsInput = { clusterName: 'alpha', targetNamespace: 'apps' };

function service(over: Partial<SourceView> = {}): SourceView {
  return {
    kind: 'Service',
    namespace: 'apps',
    name: 'api',
    annotations: { [keys.scoutEnabled]: 'true', [keys.zone]: 'example.com' },
    finalizers: [scoutFinalizer],
    serviceType: 'LoadBalancer',
    loadBalancer: [{ ip: '10.0.0.1' }],
    hosts: [],
    ...over,
  };
}

function ingress(over: Partial<SourceView> = {}): SourceView {
  const { serviceType: _t, ...rest } = service();
  return { ...rest, kind: 'Ingress', name: 'web', hosts: ['www.example.com', undefined, 'other.org', 'example.com'], ...over };
}

function plan(s: SourceView, settings: Partial<ScoutSettingsInput> = {}, eligible = true, z: ZoneView[] = zones): ScoutPlan {
  return planReconcile(s, scoutSettings({ ...base, ...settings }), { namespaceEligible: eligible, zones: z });
}

test('names: scout-<cluster>-<ns>-<name>[-i], sanitised (lower case, runs of other characters one hyphen, ends stripped), cut at 253 without a second strip', () => {
  const cases: [string, string, string, number | undefined, string][] = [
    ['alpha', 'apps', 'api', undefined, 'scout-alpha-apps-api'],
    ['alpha', 'apps', 'web', 0, 'scout-alpha-apps-web-0'],
    ['test-cluster.example.com', 'apps', 'api', undefined, 'scout-test-cluster-example-com-apps-api'],
    ['Prod_A', 'my--ns', 'x__y', 3, 'scout-prod-a-my-ns-x-y-3'],
    ['é', 'apps', '-api-', undefined, 'scout-apps-api'],
  ];
  for (const [c, ns, n, i, want] of cases) assert.equal(arecordName(c, ns, n, i), want);
  assert.equal(sanitizeName('--A..b--'), 'a-b');
  // 253 characters, the last one a hyphen: scout cuts after sanitising and does not strip again.
  const long = arecordName('c', 'ns', `${'a'.repeat(241)}-bbbb`);
  assert.equal(long.length, 253);
  assert.equal(long.endsWith('-'), true);
});

test('record names: the host minus the zone, @ for the apex, trailing dots dropped, outside the zone refused', () => {
  assert.deepEqual(deriveRecordName('app.example.com', 'example.com'), { ok: true, name: 'app' });
  assert.deepEqual(deriveRecordName('deep.sub.example.com.', 'example.com'), { ok: true, name: 'deep.sub' });
  assert.deepEqual(deriveRecordName('example.com', 'example.com'), { ok: true, name: '@' });
  assert.equal(deriveRecordName('app.example.org', 'example.com').ok, false);
  assert.equal(deriveRecordName('notexample.com', 'example.com').ok, false);
});

test('IPs: annotation list (trimmed, empties dropped) › default IPs › first load-balancer entry with an ip', () => {
  assert.deepEqual(resolveIps({ [keys.ip]: ' 10.1.1.1 , ,10.1.1.2' }, keys, ['9.9.9.9'], [{ ip: '10.0.0.1' }]), ['10.1.1.1', '10.1.1.2']);
  assert.deepEqual(resolveIps({ [keys.ip]: ' , ' }, keys, ['9.9.9.9'], [{ ip: '10.0.0.1' }]), ['9.9.9.9']);
  assert.deepEqual(resolveIps({}, keys, [], [{ hostname: 'lb.aws' }, { ip: '' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }]), ['10.0.0.2']);
  assert.equal(resolveIps({}, keys, [], [{ hostname: 'lb.aws' }]), undefined);
});

test('TTL: Rust i32 parsing; anything else is no TTL', () => {
  const cases: [string | undefined, number | undefined][] = [['300', 300], ['+60', 60], ['-5', -5], [' 300', undefined], ['30s', undefined], ['1.5', undefined], ['2147483648', undefined], [undefined, undefined]];
  for (const [raw, want] of cases) assert.equal(parseTtl(raw), want, String(raw));
});

test('zone gate: same namespace, or listed / * in allow-zone-namespaces; else forbidden; absent zone not found', () => {
  const z: ZoneView[] = [{ namespace: 'bindy-system', zoneName: 'example.com', allowNamespaces: 'team-a, team-b' }, { namespace: 'bindy-system', zoneName: 'open.org', allowNamespaces: '*' }];
  assert.equal(authorizeZone(z, 'example.com', 'team-b'), 'authorized');
  assert.equal(authorizeZone(z, 'example.com', 'team-c'), 'forbidden');
  assert.equal(authorizeZone(z, 'open.org', 'anyone'), 'authorized');
  assert.equal(authorizeZone(z, 'missing.net', 'team-a'), 'not-found');
  assert.equal(authorizeZone([{ namespace: 'team-c', zoneName: 'example.com' }], 'example.com', 'team-c'), 'authorized');
});

test('a LoadBalancer Service becomes one ARecord: name, labels, spec, ttl null without the annotation', () => {
  const p = plan(service());
  assert.equal(p.action, 'apply');
  if (p.action !== 'apply') return;
  assert.equal(p.stale, undefined, 'the Service reconciler has no stale cleanup');
  assert.deepEqual(p.records, [
    {
      apiVersion: 'bindy.firestoned.io/v1beta1',
      kind: 'ARecord',
      metadata: {
        name: 'scout-alpha-apps-api',
        namespace: 'apps',
        labels: {
          'bindy.firestoned.io/managed-by': 'scout',
          'bindy.firestoned.io/source-cluster': 'alpha',
          'bindy.firestoned.io/source-namespace': 'apps',
          'bindy.firestoned.io/source-name': 'api',
          'bindy.firestoned.io/zone': 'example.com',
        },
      },
      spec: { name: 'api', ipv4Addresses: ['10.0.0.1'], ttl: null },
    },
  ]);
  const named = plan(service({ annotations: { ...service().annotations, [keys.recordName]: ' @ ', [keys.ttl]: '60' } }));
  assert.equal(named.action === 'apply' && named.records[0]?.spec.name, '@');
  assert.equal(named.action === 'apply' && named.records[0]?.spec.ttl, 60);
});

test('Service decisions in scout\'s order', () => {
  const cases: [string, SourceView, Partial<ScoutSettingsInput>, boolean, ZoneView[], string][] = [
    ['excluded namespace', service({ namespace: 'bindy-system' }), {}, true, zones, 'ignore'],
    ['deleting with finalizer', service({ deletionTimestampMs: 1 }), {}, true, zones, 'release'],
    ['deleting without finalizer', service({ deletionTimestampMs: 1, finalizers: [] }), {}, true, zones, 'ignore'],
    ['annotation removed, finalizer there', service({ annotations: { [keys.zone]: 'example.com' } }), {}, true, zones, 'release'],
    ['scout-enabled not exactly "true"', service({ annotations: { [keys.scoutEnabled]: 'True' }, finalizers: [] }), {}, true, zones, 'ignore'],
    ['legacy recordKind opt-in', service({ annotations: { [keys.recordKind]: 'ARecord', [keys.zone]: 'example.com' } }), {}, true, zones, 'apply'],
    ['namespace not selected', service(), {}, false, zones, 'release'],
    ['ClusterIP (and headless) skipped, finalizer kept', service({ serviceType: 'ClusterIP' }), {}, true, zones, 'ignore'],
    ['no type: ClusterIP', service({ serviceType: undefined, finalizers: [] }), {}, true, zones, 'ignore'],
    ['first sight: finalizer first', service({ finalizers: [] }), {}, true, zones, 'add-finalizer'],
    ['no zone', service({ annotations: { [keys.scoutEnabled]: 'true' } }), {}, true, zones, 'wait'],
    ['default zone', service({ annotations: { [keys.scoutEnabled]: 'true' } }), { defaultZone: 'example.com' }, true, zones, 'apply'],
    ['zone not in the store', service(), {}, true, [], 'wait'],
    ['zone of another namespace, not allowed', service({ namespace: 'team' }), {}, true, zones, 'wait'],
    ['no IP yet', service({ loadBalancer: [] }), {}, true, zones, 'wait'],
    ['default IPs', service({ loadBalancer: [] }), { defaultIps: ['10.9.9.9'] }, true, zones, 'apply'],
  ];
  for (const [what, s, settings, eligible, z, want] of cases) assert.equal(plan(s, settings, eligible, z).action, want, what);
  const released = plan(service({ deletionTimestampMs: 1 }));
  assert.deepEqual(released, {
    action: 'release',
    why: 'deleting',
    own: 'bindy.firestoned.io/managed-by=scout,bindy.firestoned.io/source-cluster=alpha,bindy.firestoned.io/source-namespace=apps,bindy.firestoned.io/source-name=api',
  });
});

test('an Ingress: one ARecord per rule host, indexed by rule, rules without a host or outside the zone skipped', () => {
  const p = plan(ingress({ annotations: { [keys.scoutEnabled]: 'true', [keys.zone]: 'example.com', [keys.ttl]: '120' } }));
  assert.equal(p.action, 'apply');
  if (p.action !== 'apply') return;
  assert.deepEqual(
    p.records.map((r) => [r.metadata.name, r.spec.name, r.spec.ttl]),
    [
      ['scout-alpha-apps-web-0', 'www', 120],
      ['scout-alpha-apps-web-3', '@', 120],
    ],
  );
  assert.equal(p.skipped.length, 2);
  assert.equal(p.stale, 'bindy.firestoned.io/managed-by=scout,bindy.firestoned.io/source-cluster!=alpha,bindy.firestoned.io/source-namespace=apps,bindy.firestoned.io/source-name=web');
});

test('stale selector: #474 reproduced (every other cluster), zone-scoped (PR #497), own-cluster (none)', () => {
  const bug = scoutSettings(base);
  const zoneScoped = scoutSettings({ ...base, reproduceUnscopedCleanup: false });
  const own = scoutSettings({ ...base, reproduceUnscopedCleanup: false, scopedCleanup: 'own-cluster' });
  assert.match(staleSelector(bug, 'apps', 'web', 'example.com') ?? '', /source-cluster!=alpha,.*source-name=web$/);
  assert.match(staleSelector(zoneScoped, 'apps', 'web', 'example.com') ?? '', /source-cluster!=alpha,.*,bindy\.firestoned\.io\/zone=example\.com$/);
  assert.equal(staleSelector(zoneScoped, 'apps', 'web', undefined), undefined, 'PR #497 deletes nothing when no zone resolves');
  assert.equal(staleSelector(own, 'apps', 'web', 'example.com'), undefined);
  // Deleting an Ingress deletes its own records and, reproducing #474, other clusters' too.
  const released = plan(ingress({ deletionTimestampMs: 5 }));
  assert.equal(released.action === 'release' && released.stale !== undefined, true);
  const releasedScoped = plan(ingress({ deletionTimestampMs: 5 }), { reproduceUnscopedCleanup: false, scopedCleanup: 'own-cluster' });
  assert.deepEqual(releasedScoped.action === 'release' ? releasedScoped.stale : 'x', undefined);
});

test('a custom annotation prefix: scout\'s own keys are then ignored', () => {
  const other = annotationKeys('zonewarden.example.io/');
  const s = service({ annotations: { [other.scoutEnabled]: 'true', [other.zone]: 'example.com', [other.ip]: '10.7.7.7' } });
  const p = plan(s, { annotationPrefix: 'zonewarden.example.io/' });
  assert.equal(p.action === 'apply' && p.records[0]?.spec.ipv4Addresses[0], '10.7.7.7');
  assert.equal(plan(service({ finalizers: [] }), { annotationPrefix: 'zonewarden.example.io/' }).action, 'ignore');
});

test('sourceView reads list objects (Date timestamps) and watch objects (strings) alike; zoneView reads the allow annotation', () => {
  const fromList = sourceView('Service', { metadata: { name: 'a', namespace: 'n', deletionTimestamp: new Date(1000), finalizers: [scoutFinalizer] }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } });
  const fromWatch = sourceView('Service', { metadata: { name: 'a', namespace: 'n', deletionTimestamp: '1970-01-01T00:00:01Z', finalizers: [scoutFinalizer] }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } });
  assert.deepEqual(fromList, fromWatch);
  assert.equal(fromList?.deletionTimestampMs, 1000);
  assert.deepEqual(sourceView('Ingress', { metadata: { name: 'i', namespace: 'n' }, spec: { rules: [{ host: 'a.b' }, {}] } })?.hosts, ['a.b', undefined]);
  assert.equal(sourceView('Service', { metadata: {} }), undefined);
  assert.deepEqual(zoneView({ metadata: { namespace: 'z', annotations: { 'bindy.firestoned.io/allow-zone-namespaces': '*' } }, spec: { zoneName: 'example.com' } }), { namespace: 'z', zoneName: 'example.com', allowNamespaces: '*' });
});

test('cleanup grace: 300 s from the deletionTimestamp', () => {
  assert.equal(cleanupGraceExpired(0, 299_999), false);
  assert.equal(cleanupGraceExpired(0, 300_000), true);
  assert.equal(cleanupGraceExpired(undefined, 1e12), false);
  assert.equal(cleanupGraceExpired(10_000, 0), false, 'a deletionTimestamp in the future (skew) is not expired');
});

test('settings: a cluster name is required; defaults are released scout\'s', () => {
  assert.throws(() => scoutSettings({ clusterName: '', targetNamespace: 'x' }), /cluster name/);
  const s = scoutSettings(base);
  assert.equal(s.reproduceUnscopedCleanup, true);
  assert.equal(s.annotationPrefix, 'bindy.firestoned.io/');
  assert.deepEqual(s.excludedNamespaces, ['bindy-system']);
});
