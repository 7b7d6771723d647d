import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createApiServer, type ApiServer, type ListeningApiServer } from '../apiserver/api-server.js';
import { defaultResources } from '../apiserver/default-resources.js';
import { kubeconfigYaml } from '../apiserver/kubeconfig.js';
import type { KubeObject } from '../apiserver/store.js';
import { createScout, type Scout, type ScoutEvent, type ScoutOptions } from './scout.js';
import { scoutFinalizer } from './mapping.js';

// Two API servers: `bindy` is the bindy cluster (ARecords, DNSZones) and also cluster alpha's own,
// `beta` is a second workload cluster whose scout writes into the bindy cluster (scout's remote mode).
const target = 'apps';
const arecords = 'bindy.firestoned.io/arecords';
let bindy: ApiServer;
let beta: ApiServer;
const listening: ListeningApiServer[] = [];
let bindyConfig: KubeConfig;
let betaConfig: KubeConfig;
const scouts: Scout[] = [];
const events: ScoutEvent[] = [];
const eventListeners = new Set<() => void>();

function kubeConfigFor(api: ApiServer, l: ListeningApiServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server: l.url, token: api.token, ...(l.caCert === undefined ? {} : { caCert: l.caCert }) }));
  return kc;
}

async function call(api: ApiServer, method: string, path: string, body?: unknown, contentType = 'application/merge-patch+json'): Promise<KubeObject | undefined> {
  const res = await api.request({ method, path, ...(body === undefined ? {} : { body }), ...(method === 'PATCH' ? { headers: { 'content-type': contentType } } : {}) });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
  return res.body as KubeObject | undefined;
}

function zone(name: string): Record<string, unknown> {
  return {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    // Sources of other namespaces may publish into it (scout's zone gate, finding H1).
    metadata: { name: name.replaceAll('.', '-'), annotations: { 'bindy.firestoned.io/allow-zone-namespaces': '*' } },
    spec: {
      zoneName: name,
      soaRecord: { primaryNs: `ns1.${name}.`, adminEmail: `admin.${name}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
      recordsFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/zone': name } } }],
    },
  };
}

before(async () => {
  bindy = createApiServer({ resources: defaultResources() });
  beta = createApiServer({ resources: defaultResources() });
  // HTTPS: client-node refuses plain HTTP.
  for (const api of [bindy, beta]) listening.push(await api.listen({ port: 0, tls: true }));
  bindyConfig = kubeConfigFor(bindy, listening[0] as ListeningApiServer);
  betaConfig = kubeConfigFor(beta, listening[1] as ListeningApiServer);
  for (const api of [bindy, beta]) for (const ns of [target, 'shop']) await call(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const z of ['example.com', 'a.example.com', 'b.example.com']) await call(bindy, 'POST', `/apis/bindy.firestoned.io/v1beta1/namespaces/${target}/dnszones`, zone(z));
});
after(async () => {
  await Promise.all(scouts.map((s) => s.stop()));
  for (const l of listening) await l.close();
});

async function startScout(o: Omit<ScoutOptions, 'onEvent' | 'requeueMs'>): Promise<Scout> {
  const s = createScout({
    ...o,
    // A short requeue for sources whose IP arrives after their first reconcile; never a test's synchronisation.
    requeueMs: 300,
    onEvent: (e) => {
      events.push(e);
      for (const l of eventListeners) l();
    },
  });
  scouts.push(s);
  await s.start();
  return s;
}

/** Resolves with the first event after index `from` that `ok` accepts, or rejects after `ms`. */
function eventAfter(from: number, ok: (e: ScoutEvent) => boolean, ms = 10_000): Promise<ScoutEvent> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const hit = events.slice(from).find(ok);
      if (hit === undefined) return false;
      clearTimeout(timer);
      eventListeners.delete(listener);
      resolve(hit);
      return true;
    };
    const listener = (): void => void check();
    const timer = setTimeout(() => {
      eventListeners.delete(listener);
      reject(new Error(`no matching scout event in ${ms} ms; last: ${JSON.stringify(events.slice(-5), (_k, v: unknown) => (v instanceof Error ? v.message : v))}`));
    }, ms);
    eventListeners.add(listener);
    check();
  });
}

/** Resolves once `ok` holds for the bindy cluster's ARecords of the target namespace (checked now and on every change), or rejects after `ms`. */
function recordsUntil(ok: (records: KubeObject[]) => boolean, what: string, ms = 10_000): Promise<KubeObject[]> {
  const now = bindy.store.list(arecords, target);
  if (ok(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${what}: not reached in ${ms} ms; ARecords: ${bindy.store.list(arecords, target).map((r) => r.metadata.name).join(', ')}`));
    }, ms);
    const unsubscribe = bindy.store.watch(arecords, bindy.store.rv, () => {
      const list = bindy.store.list(arecords, target);
      if (!ok(list)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(list);
    });
  });
}

const has = (name: string) => (rs: KubeObject[]): boolean => rs.some((r) => r.metadata.name === name);
const lacks = (name: string) => (rs: KubeObject[]): boolean => !has(name)(rs);
const spec = (name: string): { name: string; ipv4Addresses: string[]; ttl: number | null } | undefined => bindy.store.get(arecords, target, name)?.['spec'] as { name: string; ipv4Addresses: string[]; ttl: number | null } | undefined;
const reconciledBy = (cluster: string, kind: string, namespace: string, name: string) => (e: ScoutEvent): boolean =>
  e.type === 'reconciled' && e.source.cluster === cluster && e.source.kind === kind && e.source.namespace === namespace && e.source.name === name;

function service(name: string, annotations: Record<string, string>, type = 'LoadBalancer', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, annotations }, spec: { type, ports: [{ port: 443 }], ...extra } };
}

function ingress(name: string, zoneName: string, ip: string): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, annotations: { 'bindy.firestoned.io/scout-enabled': 'true', 'bindy.firestoned.io/zone': zoneName, 'bindy.firestoned.io/ip': ip } },
    spec: { rules: [{ host: `${name}.${zoneName}` }] },
  };
}

const svcPath = (ns: string, name = ''): string => `/api/v1/namespaces/${ns}/services${name === '' ? '' : `/${name}`}`;
const ingPath = (ns: string, name = ''): string => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses${name === '' ? '' : `/${name}`}`;

test('20 annotated LoadBalancer Services become 20 ARecords; IP changes follow; opt-out and deletion remove them', async () => {
  await startScout({ sourceKubeConfig: bindyConfig, settings: { clusterName: 'alpha', targetNamespace: target }, watchNamespaces: [target] });
  const zoneAnn = { 'bindy.firestoned.io/scout-enabled': 'true', 'bindy.firestoned.io/zone': 'example.com' };
  const from = events.length;
  // svc-0..9 name their IP and TTL in annotations; svc-10..19 get theirs from the load balancer's status.
  for (let i = 0; i < 20; i++) {
    const ann = i < 10 ? { ...zoneAnn, 'bindy.firestoned.io/ip': `10.0.0.${i + 1}`, 'bindy.firestoned.io/ttl': '60' } : zoneAnn;
    await call(bindy, 'POST', svcPath(target), service(`svc-${i}`, ann));
  }
  for (let i = 10; i < 20; i++) await call(bindy, 'PATCH', `${svcPath(target, `svc-${i}`)}/status`, { status: { loadBalancer: { ingress: [{ hostname: 'lb.example.net' }, { ip: `10.1.0.${i}` }, { ip: '10.9.9.9' }] } } });
  // Not for scout: a ClusterIP Service, a headless one, and a LoadBalancer without the opt-in.
  await call(bindy, 'POST', svcPath(target), service('internal', zoneAnn, 'ClusterIP'));
  await call(bindy, 'POST', svcPath(target), service('headless', zoneAnn, 'ClusterIP', { clusterIP: 'None' }));
  await call(bindy, 'POST', svcPath(target), service('plain', {}));

  const made = await recordsUntil((rs) => rs.filter((r) => r.metadata.labels?.['bindy.firestoned.io/managed-by'] === 'scout').length === 20, '20 ARecords');
  for (let i = 0; i < 20; i++) {
    const r = made.find((x) => x.metadata.name === `scout-alpha-${target}-svc-${i}`);
    assert.ok(r !== undefined, `scout-alpha-${target}-svc-${i}`);
    assert.deepEqual(r.metadata.labels, {
      'bindy.firestoned.io/managed-by': 'scout',
      'bindy.firestoned.io/source-cluster': 'alpha',
      'bindy.firestoned.io/source-namespace': target,
      'bindy.firestoned.io/source-name': `svc-${i}`,
      'bindy.firestoned.io/zone': 'example.com',
    });
    // The first load-balancer entry with an IP, hostname-only entries skipped, one address only.
    assert.deepEqual(r['spec'], i < 10 ? { name: `svc-${i}`, ipv4Addresses: [`10.0.0.${i + 1}`], ttl: 60 } : { name: `svc-${i}`, ipv4Addresses: [`10.1.0.${i}`], ttl: null });
    const managers = (r.metadata.managedFields as { manager: string; operation: string }[] | undefined) ?? [];
    assert.deepEqual(managers.map((m) => [m.manager, m.operation]), [['bindy-scout', 'Apply']]);
    assert.deepEqual(bindy.store.get('/services', target, `svc-${i}`)?.metadata.finalizers, [scoutFinalizer]);
  }
  for (const [name, reason] of [['internal', /not a LoadBalancer/], ['headless', /not a LoadBalancer/], ['plain', /not opted in/]] as const) {
    const e = await eventAfter(from, reconciledBy('alpha', 'Service', target, name));
    assert.equal(e.type === 'reconciled' && e.action, 'ignore');
    assert.match(e.type === 'reconciled' ? (e.reason ?? '') : '', reason);
    assert.equal(bindy.store.get('/services', target, name)?.metadata.finalizers, undefined, `${name} gets no finalizer`);
  }

  // The load balancer's IP changes; then an annotation's.
  await call(bindy, 'PATCH', `${svcPath(target, 'svc-10')}/status`, { status: { loadBalancer: { ingress: [{ ip: '10.2.0.10' }] } } });
  await recordsUntil(() => spec(`scout-alpha-${target}-svc-10`)?.ipv4Addresses[0] === '10.2.0.10', 'svc-10 follows its load balancer');
  await call(bindy, 'PATCH', svcPath(target, 'svc-0'), { metadata: { annotations: { 'bindy.firestoned.io/ip': '10.3.0.1,10.3.0.2' } } });
  await recordsUntil(() => spec(`scout-alpha-${target}-svc-0`)?.ipv4Addresses.join() === '10.3.0.1,10.3.0.2', 'svc-0 follows its ip annotation');

  // Opt-out: the ARecord goes, then the finalizer.
  await call(bindy, 'PATCH', svcPath(target, 'svc-1'), { metadata: { annotations: { 'bindy.firestoned.io/scout-enabled': null } } });
  await recordsUntil(lacks(`scout-alpha-${target}-svc-1`), 'svc-1 opted out');
  const optOut = await eventAfter(from, (e) => reconciledBy('alpha', 'Service', target, 'svc-1')(e) && e.type === 'reconciled' && e.action === 'release');
  assert.deepEqual(optOut.type === 'reconciled' && optOut.deleted, [{ name: `scout-alpha-${target}-svc-1`, cause: 'opted-out', cluster: 'alpha' }]);
  assert.deepEqual(bindy.store.get('/services', target, 'svc-1')?.metadata.finalizers ?? [], []);

  // Deletion: held by the finalizer until the ARecord is gone, then the Service goes.
  await call(bindy, 'DELETE', svcPath(target, 'svc-2'));
  await recordsUntil(lacks(`scout-alpha-${target}-svc-2`), 'svc-2 deleted');
  await eventAfter(from, (e) => reconciledBy('alpha', 'Service', target, 'svc-2')(e) && e.type === 'reconciled' && e.action === 'release');
  assert.equal(bindy.store.get('/services', target, 'svc-2'), undefined, 'the Service is gone once scout let it go');
  assert.equal(bindy.store.list(arecords, target).length, 18);
});

test('bindy #474 reproduced: two clusters with the same namespace/name Ingress delete each other\'s ARecords; LoadBalancer Services are spared', async () => {
  // Cluster beta has an Ingress and a Service of the same namespace/name as alpha's, in other zones.
  await call(bindy, 'POST', ingPath(target), ingress('web', 'a.example.com', '10.10.0.1'));
  await recordsUntil(has(`scout-alpha-${target}-web-0`), 'alpha publishes its Ingress');
  await call(beta, 'POST', ingPath(target), ingress('web', 'b.example.com', '10.20.0.1'));
  await call(beta, 'POST', svcPath(target), service('svc-3', { 'bindy.firestoned.io/scout-enabled': 'true', 'bindy.firestoned.io/zone': 'b.example.com', 'bindy.firestoned.io/ip': '10.20.0.3' }));

  const from = events.length;
  await startScout({ sourceKubeConfig: betaConfig, targetKubeConfig: bindyConfig, settings: { clusterName: 'beta', targetNamespace: target }, watchNamespaces: [target] });
  const betaWeb = await eventAfter(from, (e) => reconciledBy('beta', 'Ingress', target, 'web')(e) && e.type === 'reconciled' && e.action === 'apply');
  assert.deepEqual(betaWeb.type === 'reconciled' && [betaWeb.applied, betaWeb.deleted], [[`scout-beta-${target}-web-0`], [{ name: `scout-alpha-${target}-web-0`, cause: 'stale', cluster: 'alpha' }]]);
  const rs = bindy.store.list(arecords, target);
  assert.ok(lacks(`scout-alpha-${target}-web-0`)(rs), 'beta\'s stale cleanup deleted alpha\'s live ARecord');
  assert.ok(has(`scout-beta-${target}-web-0`)(rs));
  // The Service reconciler has no stale cleanup: both clusters' svc-3 records stay.
  await recordsUntil(has(`scout-beta-${target}-svc-3`), 'beta publishes its Service');
  assert.ok(has(`scout-alpha-${target}-svc-3`)(bindy.store.list(arecords, target)), 'alpha\'s Service record survives');

  // Nothing watches ARecords: alpha's stays gone until alpha's Ingress changes; then alpha deletes beta's.
  const flap = events.length;
  await call(bindy, 'PATCH', ingPath(target, 'web'), { metadata: { annotations: { touched: '1' } } });
  const alphaWeb = await eventAfter(flap, (e) => reconciledBy('alpha', 'Ingress', target, 'web')(e) && e.type === 'reconciled' && e.action === 'apply');
  assert.deepEqual(alphaWeb.type === 'reconciled' && alphaWeb.deleted.map((d) => d.name), [`scout-beta-${target}-web-0`]);
  const after = bindy.store.list(arecords, target);
  assert.ok(has(`scout-alpha-${target}-web-0`)(after) && lacks(`scout-beta-${target}-web-0`)(after), 'the records flap with every reconcile');
});

test('#474 not reproduced (stale cleanup scoped by zone, PR #497): the same two Ingresses keep both ARecords', async () => {
  const scoped = { reproduceUnscopedCleanup: false, scopedCleanup: 'zone' } as const;
  await call(bindy, 'POST', ingPath('shop'), ingress('web', 'a.example.com', '10.30.0.1'));
  await call(beta, 'POST', ingPath('shop'), ingress('web', 'b.example.com', '10.40.0.1'));
  const from = events.length;
  await startScout({ sourceKubeConfig: bindyConfig, settings: { clusterName: 'gamma', targetNamespace: target, ...scoped }, watchNamespaces: ['shop'] });
  await eventAfter(from, (e) => reconciledBy('gamma', 'Ingress', 'shop', 'web')(e) && e.type === 'reconciled' && e.action === 'apply');
  await startScout({ sourceKubeConfig: betaConfig, targetKubeConfig: bindyConfig, settings: { clusterName: 'delta', targetNamespace: target, ...scoped }, watchNamespaces: ['shop'] });
  const deltaWeb = await eventAfter(from, (e) => reconciledBy('delta', 'Ingress', 'shop', 'web')(e) && e.type === 'reconciled' && e.action === 'apply');
  assert.deepEqual(deltaWeb.type === 'reconciled' && [deltaWeb.applied, deltaWeb.deleted], [['scout-delta-shop-web-0'], []]);
  const touched = events.length;
  await call(bindy, 'PATCH', ingPath('shop', 'web'), { metadata: { annotations: { touched: '1' } } });
  const gammaAgain = await eventAfter(touched, (e) => reconciledBy('gamma', 'Ingress', 'shop', 'web')(e) && e.type === 'reconciled' && e.action === 'apply');
  assert.deepEqual(gammaAgain.type === 'reconciled' && gammaAgain.deleted, []);
  const rs = bindy.store.list(arecords, target);
  assert.ok(has('scout-gamma-shop-web-0')(rs) && has('scout-delta-shop-web-0')(rs), 'both clusters keep their records');
  assert.equal(events.filter((e) => e.type === 'error').length, 0, `no reconcile failed: ${JSON.stringify(events.filter((e) => e.type === 'error'), (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
});

test('--namespace-selector: a source in an unselected namespace is left alone until its namespace is labelled', async () => {
  await call(bindy, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
  const ann = { 'bindy.firestoned.io/scout-enabled': 'true', 'bindy.firestoned.io/zone': 'example.com', 'bindy.firestoned.io/ip': '10.50.0.1' };
  await call(bindy, 'POST', svcPath('sel'), service('api', ann));
  const from = events.length;
  await startScout({ sourceKubeConfig: bindyConfig, settings: { clusterName: 'epsilon', targetNamespace: target }, namespaceSelector: 'scout=on', watchNamespaces: ['sel'], kinds: ['Service'] });
  const first = await eventAfter(from, reconciledBy('epsilon', 'Service', 'sel', 'api'));
  assert.deepEqual(first.type === 'reconciled' && [first.action, first.reason], ['ignore', 'namespace not selected']);
  await call(bindy, 'PATCH', '/api/v1/namespaces/sel', { metadata: { labels: { scout: 'on' } } });
  // Scout does not watch namespaces: the source has to change before it is looked at again.
  await call(bindy, 'PATCH', svcPath('sel', 'api'), { metadata: { annotations: { touched: '1' } } });
  await recordsUntil(has('scout-epsilon-sel-api'), 'published once the namespace is selected');
});
