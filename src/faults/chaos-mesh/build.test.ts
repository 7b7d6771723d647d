import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadCrdSchemas } from '../../model/schemas/crd-files.js';
import { needsSharedData, sharedPath } from '../../model/schemas/shared-data.js';
import { newAjv } from '../../model/schemas/validator.js';
import { toJsonSchema } from '../../model/schemas/to-json-schema.js';
import { UsageError } from '../../errors.js';
import type { FaultSpec } from '../fault.js';
import { buildChaos, chaosNotServedReason, chaosObjectName, chaosUnsupportedReason, goDuration, percentText, type ChaosObject } from './build.js';
import { clusterSite, type ClusterSite, type ClusterSiteFacts } from './sites.js';

const facts: ClusterSiteFacts = {
  operator: { namespace: 'bindy-system', labels: { app: 'bindy' } },
  namespace: 'bindy-loadtest',
  clusterName: 'loadtest',
  apiServerAddresses: ['10.96.0.1', '172.18.0.2'],
};
const meta = { name: 'lt-run1-exp-0', namespace: 'bindy-loadtest', runId: 'run1', key: 'exp-0', durationMs: 150_000 };

function site(name: string): ClusterSite {
  const s = clusterSite(name, facts);
  if (typeof s === 'string') throw new Error(s);
  return s;
}

/** Every fault the builder takes, on each site it takes it. */
const cases: [string, FaultSpec][] = [
  ['operator-apiserver', { kind: 'latency', ms: 500, jitterMs: 50 }],
  ['operator-apiserver', { kind: 'loss', share: 0.2, direction: 'both' }],
  ['operator-apiserver', { kind: 'partition' }],
  ['operator-sidecar', { kind: 'latency', ms: 2000, direction: 'downstream' }],
  ['operator-bind', { kind: 'loss', share: 0.05, direction: 'upstream' }],
  ['operator-bind', { kind: 'loss', share: 0.2, direction: 'both' }],
  ['operator-sidecar', { kind: 'bandwidth', bytesPerSecond: 10_000, direction: 'downstream' }],
  ['operator-sidecar', { kind: 'partition' }],
  ['client-bind', { kind: 'latency', ms: 100 }],
  ['client-bind', { kind: 'loss', share: 0.01, direction: 'both' }],
  ['operator', { kind: 'kill' }],
  ['operator', { kind: 'kill', signal: 'SIGTERM' }],
  ['operator', { kind: 'pause' }],
  ['named', { kind: 'kill' }],
  ['named', { kind: 'kill', loseData: true }],
  ['sidecar', { kind: 'kill' }],
  ['named', { kind: 'disk-full' }],
  ['named', { kind: 'pause' }],
];

void test('each fault becomes the Chaos Mesh experiment its spec and site say', () => {
  const delay = buildChaos({ kind: 'latency', ms: 500, jitterMs: 50, direction: 'upstream' }, site('operator-apiserver'), meta).object;
  assert.equal(delay.kind, 'NetworkChaos');
  assert.deepEqual(delay.metadata, { name: 'lt-run1-exp-0', namespace: 'bindy-loadtest', labels: { 'loadtest.bindy.firestoned.io/run-id': 'run1', 'loadtest.bindy.firestoned.io/fault': 'exp-0' } });
  assert.deepEqual(delay.spec, {
    action: 'delay',
    delay: { latency: '500ms', jitter: '50ms', correlation: '0' },
    mode: 'all',
    selector: { namespaces: ['bindy-system'], labelSelectors: { app: 'bindy' } },
    direction: 'to',
    externalTargets: ['10.96.0.1', '172.18.0.2'],
    duration: '150s',
  });
  // Between pods the server side is shaped, towards the client pods: pod IPs whatever the client dialled.
  const loss = buildChaos({ kind: 'loss', share: 0.2, direction: 'upstream' }, site('operator-bind'), meta).object.spec;
  assert.equal(loss.action, 'loss');
  assert.deepEqual(loss.loss, { loss: '20', correlation: '0' });
  assert.deepEqual(loss.selector, { namespaces: ['bindy-loadtest'], labelSelectors: { 'app.kubernetes.io/name': 'bind9', 'app.kubernetes.io/part-of': 'bindy', 'bindy.firestoned.io/cluster': 'loadtest', 'bindy.firestoned.io/role': 'primary' } });
  assert.equal(loss.direction, 'from', 'upstream: packets from the target (operator) to the selected BIND9 pods');
  assert.deepEqual(loss.target, { mode: 'all', selector: { namespaces: ['bindy-system'], labelSelectors: { app: 'bindy' } } });
  assert.equal(buildChaos({ kind: 'loss', share: 0.2, direction: 'downstream' }, site('operator-bind'), meta).object.spec.direction, 'to');
  assert.equal(buildChaos({ kind: 'partition' }, site('operator-sidecar'), meta).object.spec.direction, 'both');
  const bw = buildChaos({ kind: 'bandwidth', bytesPerSecond: 1_000_000, direction: 'both' }, site('operator-sidecar'), meta).object.spec;
  assert.deepEqual(bw.bandwidth, { rate: '1000000bps', limit: 1_000_000, buffer: 10_000 });
  // Client-bind: anyone's queries; only what BIND9 sends can be shaped.
  const cb = buildChaos({ kind: 'latency', ms: 100 }, site('client-bind'), meta).object.spec;
  assert.equal(cb.direction, 'to');
  assert.equal(cb.target, undefined);
  // Parts.
  const kill = (s: FaultSpec, where: string): Readonly<Record<string, unknown>> => buildChaos(s, site(where), meta).object.spec;
  assert.deepEqual(kill({ kind: 'kill' }, 'operator'), { action: 'pod-kill', mode: 'all', selector: { namespaces: ['bindy-system'], labelSelectors: { app: 'bindy' } }, gracePeriod: 0, duration: '150s' });
  assert.equal(kill({ kind: 'kill', signal: 'SIGTERM' }, 'operator').gracePeriod, undefined, 'SIGTERM: the pod\'s own grace period');
  assert.deepEqual(kill({ kind: 'kill' }, 'named').containerNames, ['bind9']);
  assert.equal(kill({ kind: 'kill' }, 'named').action, 'container-kill');
  assert.equal(kill({ kind: 'kill' }, 'named').mode, 'one');
  assert.equal(kill({ kind: 'kill', loseData: true }, 'named').action, 'pod-kill', 'its data goes with the pod');
  assert.deepEqual(kill({ kind: 'kill' }, 'sidecar').containerNames, ['api']);
  assert.equal(kill({ kind: 'pause' }, 'operator').action, 'pod-failure');
  // disk-full: ENOSPC from named's container on the volume of its zones and journals, every write-like call.
  const full = buildChaos({ kind: 'disk-full' }, site('named'), meta);
  assert.equal(full.object.kind, 'IOChaos');
  assert.deepEqual(
    { ...full.object.spec, methods: undefined },
    { action: 'fault', mode: 'one', selector: kill({ kind: 'kill' }, 'named').selector, containerNames: ['bind9'], volumePath: '/var/cache/bind', path: '/var/cache/bind/**/*', errno: 28, percent: 100, methods: undefined, duration: '150s' },
  );
  assert.ok((full.object.spec.methods as string[]).includes('write') && (full.object.spec.methods as string[]).includes('create'));
  assert.match(full.text, /^IOChaos fault errno 28 \(ENOSPC\) on writes under container bind9's \/var\/cache\/bind/);
});

void test('what Chaos Mesh cannot do is refused with the reason, before anything is built', () => {
  const refused: [string, FaultSpec, RegExp][] = [
    ['operator-sidecar', { kind: 'reset' }, /no Chaos Mesh action/],
    ['operator-sidecar', { kind: 'partition', mode: 'refuse' }, /blackhole only/],
    ['operator-sidecar', { kind: 'loss', share: 0.1, retransmitMs: 200 }, /retransmitMs/],
    ['operator-apiserver', { kind: 'loss', share: 0.1, direction: 'downstream' }, /outside the pod network/],
    ['client-bind', { kind: 'loss', share: 0.1, direction: 'upstream' }, /clients are anyone/],
    ['operator-sidecar', { kind: 'kill' }, /process fault/],
    ['operator', { kind: 'latency', ms: 1 }, /network fault/],
    ['sidecar', { kind: 'kill', signal: 'SIGTERM' }, /no grace period/],
    ['sidecar', { kind: 'kill', loseData: true }, /named only/],
    ['named', { kind: 'zone-corruption' }, /no Chaos Mesh mechanism/],
    ['operator', { kind: 'disk-full' }, /named's data volume/],
    ['named', { kind: 'disk-full', freeBytes: 4096 }, /use free=0/],
  ];
  for (const [where, spec, why] of refused) {
    assert.match(chaosUnsupportedReason(spec, site(where)) ?? '', why, `${where} ${spec.kind}`);
    assert.throws(() => buildChaos(spec, site(where), meta), UsageError);
  }
  const why = (s: ClusterSite | string): string => (typeof s === 'string' ? s : `a site: ${s.name}`);
  assert.match(why(clusterSite('sidecar-bind', facts)), /loopback/);
  assert.match(why(clusterSite('nowhere', facts)), /no link or part "nowhere"/);
  assert.match(why(clusterSite('operator', { ...facts, operator: null })), /not found/);
  assert.match(why(clusterSite('operator-apiserver', { ...facts, apiServerAddresses: [] })), /addresses are unknown/);
});

void test('a secondary\'s parts: one pod its instance\'s Service selects, named in container bind9, bindcar in api; one the cluster has not, refused naming its secondaries', () => {
  const secondaryLabels = { app: 'loadtest-secondary-0' };
  const withSecondaries: ClusterSiteFacts = { ...facts, secondaries: [{ instance: 'loadtest-secondary-0', labels: secondaryLabels }, { instance: 'loadtest-secondary-1', labels: null }] };
  const at = (name: string): ClusterSite => {
    const s = clusterSite(name, withSecondaries);
    if (typeof s === 'string') throw new Error(s);
    return s;
  };
  const kill = buildChaos({ kind: 'kill' }, at('named-secondary-0'), meta).object.spec;
  assert.deepEqual({ action: kill.action, mode: kill.mode, selector: kill.selector, containerNames: kill.containerNames }, { action: 'container-kill', mode: 'one', selector: { namespaces: ['bindy-loadtest'], labelSelectors: secondaryLabels }, containerNames: ['bind9'] });
  assert.deepEqual(buildChaos({ kind: 'kill' }, at('sidecar-secondary-0'), meta).object.spec.containerNames, ['api']);
  assert.equal(buildChaos({ kind: 'kill', loseData: true }, at('named-secondary-0'), meta).object.spec.action, 'pod-kill', 'a secondary\'s named has zone data too');
  assert.equal(buildChaos({ kind: 'disk-full' }, at('named-secondary-0'), meta).object.kind, 'IOChaos');
  assert.equal(clusterSite('named-secondary-2', withSecondaries), 'Bind9Cluster loadtest in bindy-loadtest has no secondary-2 (its secondaries: secondary-0 = loadtest-secondary-0, secondary-1 = loadtest-secondary-1)');
  const why = (s: ClusterSite | string): string => (typeof s === 'string' ? s : `a site: ${s.name}`);
  assert.match(why(clusterSite('named-secondary-1', withSecondaries)), /Bind9Instance loadtest-secondary-1\) has no Service/);
  assert.match(why(clusterSite('named-secondary-0', facts)), /has no secondary-0 \(no secondary instance\)/);
  assert.match(why(clusterSite('named-secondary-01', withSecondaries)), /no link or part/);
});

void test('durations, percents and names are written as Chaos Mesh and Kubernetes read them', () => {
  assert.equal(goDuration(150_000), '150s');
  assert.equal(goDuration(1500), '1500ms');
  assert.equal(goDuration(0.25), '0.25ms');
  assert.equal(goDuration(0), '0s');
  assert.throws(() => goDuration(-1), RangeError);
  assert.equal(percentText(0.2), '20');
  assert.equal(percentText(0.005), '0.5');
  assert.equal(percentText(1), '100');
  assert.equal(chaosObjectName('Run_1', 'operator-bind-fx'), 'lt-run-1-operator-bind-fx');
  assert.ok(chaosObjectName('r'.repeat(60), 'exp-1').length <= 63);
  assert.match(chaosObjectName('r'.repeat(59), 'exp-1'), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
});

const crds = sharedPath('chaos-mesh', 'crds');

void test('every experiment built validates against Chaos Mesh\'s own CRD schema (strict: no field it does not know)', needsSharedData(crds), async () => {
  assert.ok(existsSync(crds), `Chaos Mesh's CRDs are needed at ${crds}`);
  const schemas = await loadCrdSchemas(crds);
  const ajv = newAjv();
  const checks = new Map<string, ReturnType<typeof ajv.compile>>();
  const check = (o: ChaosObject): { ok: boolean; errors: string } => {
    let c = checks.get(o.kind);
    if (c === undefined) {
      const schema = schemas.get(o.kind);
      assert.ok(schema, `no CRD for ${o.kind}`);
      c = ajv.compile(toJsonSchema(schema, { strict: true, root: true }));
      checks.set(o.kind, c);
    }
    // The CRD leaves metadata to the API server (an object with no properties of its own).
    const ok = c({ ...o, metadata: {} }) === true;
    return { ok, errors: JSON.stringify(c.errors ?? []) };
  };
  for (const [where, spec] of cases) {
    const built = buildChaos(spec, site(where), meta);
    const r = check(built.object);
    assert.ok(r.ok, `${where} ${JSON.stringify(spec)}: ${JSON.stringify(built.object.spec)} does not validate: ${r.errors}`);
    assert.match(built.object.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.match(String(built.object.spec.duration), /^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$/);
  }
  // The check can fail: a field Chaos Mesh does not have, or an action it does not know.
  const good = buildChaos({ kind: 'latency', ms: 5 }, site('operator-bind'), meta).object;
  assert.equal(check({ ...good, spec: { ...good.spec, delay: { latency: '5 ms' } } }).ok, false, 'a latency Chaos Mesh cannot parse');
  assert.equal(check({ ...good, spec: { ...good.spec, port: 53 } }).ok, false, 'a field NetworkChaos does not have');
  assert.equal(check({ ...good, spec: { ...good.spec, action: 'reset' } }).ok, false, 'an action NetworkChaos does not have');
  const pod = buildChaos({ kind: 'kill' }, site('named'), meta).object;
  assert.equal(check({ ...pod, spec: { ...pod.spec, mode: 'some' } }).ok, false, 'a mode Chaos Mesh does not have');
});

test('a Chaos Mesh without IOChaos (optional in its chart) refuses disk-full before any load, naming what it serves; network and pod faults still run', () => {
  const served = ['networkchaos', 'networkchaos/status', 'podchaos', 'schedules'];
  assert.equal(
    chaosNotServedReason({ kind: 'disk-full' }, served),
    "disk-full needs Chaos Mesh's IOChaos, which this cluster does not serve (chaos-mesh.org/v1alpha1 serves networkchaos, podchaos): install Chaos Mesh with its IOChaos CRD",
  );
  assert.equal(chaosNotServedReason({ kind: 'kill' }, served), undefined);
  assert.equal(chaosNotServedReason({ kind: 'latency', ms: 100 }, served), undefined);
  assert.equal(chaosNotServedReason({ kind: 'disk-full' }, [...served, 'iochaos']), undefined);
});
