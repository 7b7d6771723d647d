/**
 * The shard Job's manifests (pure, no sockets): valid against Kubernetes' schemas (kubernetes-models)
 * with no field Kubernetes does not know, accepted by the API twin's validation, and shaped as the
 * run needs (Indexed, one pod per shard, never retried, bounded); the report ConfigMap's encoding
 * round-trips and refuses a result that would not fit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { unknownFields } from '../../test/helpers/kube-models.js';
import { runIdLabel } from '../model/kinds.js';
import type { KubeObject } from '../observe/kube-client.js';
import { validateConfigMap, validateJob, validateRole, validateRoleBinding } from '../targets/sandbox/apiserver/workload-validation.js';
import { deadlineMarginSeconds, shardJobNames, shardJobObjects, specConfigMapOption, shardCommand } from './shard-job-manifest.js';
import { configMapMaxBytes, exitPatch, progressPatch, readReport, readyPatch, resultPatch, statusPatch } from './shard-job-report.js';

const input = { runId: 'burst-20260101-120000-ab12', namespace: 'bindy-loadtest', count: 3, image: 'registry.example/bindy-loadtest:0.1.0', specText: '{"runId":"x"}', kinds: ['DNSZone', 'ARecord', 'TXTRecord'] as const, runBoundSeconds: 360.2, toolVersion: '0.1.0' };

const models: Record<string, (o: KubeObject) => { validate(): void }> = {
  ServiceAccount: (o) => new ServiceAccount(o),
  Role: (o) => new Role(o as ConstructorParameters<typeof Role>[0]),
  RoleBinding: (o) => new RoleBinding(o as ConstructorParameters<typeof RoleBinding>[0]),
  ConfigMap: (o) => new ConfigMap(o),
  Job: (o) => new Job(o as ConstructorParameters<typeof Job>[0]),
};
const twin: Record<string, ((o: unknown) => { violations: unknown[] }) | undefined> = { Job: validateJob, ConfigMap: validateConfigMap, Role: validateRole, RoleBinding: validateRoleBinding };

test('every object validates against Kubernetes\' schema, has only known fields, carries the run id, and the twin accepts it', () => {
  const objects = shardJobObjects(input);
  assert.deepEqual(objects.map((o) => o.kind), ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'ConfigMap', 'Job']);
  for (const o of objects) {
    const model = models[o.kind];
    assert.ok(model, o.kind);
    assert.doesNotThrow(() => model(o).validate(), `${o.kind} ${o.metadata.name ?? ''}`);
    assert.deepEqual(unknownFields(o, `V1${o.kind}`, o.kind), [], `${o.kind} has only fields Kubernetes knows`);
    assert.equal(o.metadata.labels?.[runIdLabel], input.runId, `${o.kind} carries the run id (cleanup deletes by it)`);
    assert.equal(o.metadata.namespace, input.namespace);
    assert.deepEqual(twin[o.kind]?.(o).violations ?? [], [], `the twin accepts ${o.kind}`);
  }
  // Both checks can fail: a count of the wrong type for Kubernetes' schema, a Job without an image for the twin (as for kube-apiserver).
  const job = structuredClone(objects.at(-1)) as { spec: { template: { spec: { containers: { name: string; image?: string }[] } } } } & KubeObject;
  const wrongType = structuredClone(job);
  Reflect.set(wrongType.spec, 'completions', 'three');
  assert.throws(() => new Job(wrongType as ConstructorParameters<typeof Job>[0]).validate());
  delete job.spec.template.spec.containers[0]?.image;
  assert.match(JSON.stringify(validateJob(job).violations), /spec\.template\.spec\.containers\[0\]\.image/);
});

test('the Job: Indexed, one pod per shard at once, never retried, bounded, runs the hidden shard command on the spec ConfigMap', () => {
  const job = shardJobObjects(input).at(-1) as KubeObject & { spec: Record<string, unknown> & { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } } };
  const n = shardJobNames(input.runId);
  assert.equal(job.metadata.name, n.base);
  const { template, ...spec } = job.spec;
  assert.deepEqual(spec, { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 0, activeDeadlineSeconds: 361 + deadlineMarginSeconds, ttlSecondsAfterFinished: 600 });
  assert.equal(template.spec['restartPolicy'], 'Never');
  assert.equal(template.spec['serviceAccountName'], n.base);
  const [c] = template.spec.containers;
  assert.equal(c?.['image'], input.image);
  assert.deepEqual(c?.['args'], [shardCommand, specConfigMapOption, `${input.namespace}/${n.spec}`]);
  assert.equal((c?.['resources'] as { limits: Record<string, string> }).limits['cpu'], undefined, 'no CPU limit: throttling would distort the latencies');
});

test('the Role grants the shards only what they use: their bindy kinds, the spec ConfigMap read, their reports patched', () => {
  const role = shardJobObjects(input).find((o) => o.kind === 'Role');
  const n = shardJobNames(input.runId);
  assert.deepEqual(role?.rules, [
    { apiGroups: ['bindy.firestoned.io'], resources: ['arecords', 'dnszones', 'txtrecords'], verbs: ['create', 'get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [n.spec], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: [n.report(0), n.report(1), n.report(2)], verbs: ['get', 'patch'] },
  ]);
});

test('names fit: a Job name of at most 52 characters (its pods\' labels and host names), distinct for long run ids', () => {
  assert.equal(shardJobNames('burst-x').base, 'burst-x-shards');
  const a = shardJobNames(`burst-${'a'.repeat(57)}`).base;
  const b = shardJobNames(`burst-${'a'.repeat(56)}b`).base;
  assert.ok(a.length <= 52 && b.length <= 52, `${a} ${b}`);
  assert.notEqual(a, b);
  assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
});

test('a report round-trips through merge patches; a result over the ConfigMap limit is refused with its size', () => {
  const text = JSON.stringify({ latencies: { x: 'A'.repeat(300_000) }, n: Array.from({ length: 5000 }, (_, i) => i) });
  const patches = [readyPatch(), progressPatch({ created: 5, ready: 3, failed: 0 }), statusPatch('dnsperf: 100 answers/s'), resultPatch(text), exitPatch(0, null)];
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' }, data: {} };
  for (const p of patches) {
    cm.data = { ...cm.data, ...((p['data'] as Record<string, string> | undefined) ?? {}) };
    cm.binaryData = { ...cm.binaryData, ...((p['binaryData'] as Record<string, string> | undefined) ?? {}) };
  }
  assert.deepEqual(readReport(cm), { ready: true, progress: { created: 5, ready: 3, failed: 0 }, status: 'dnsperf: 100 answers/s', resultText: text, exit: { code: 0, signal: null, error: null }, terminated: false });
  assert.deepEqual(validateConfigMap(cm).violations, [], 'the twin accepts it');
  assert.deepEqual(readReport({ ...cm, data: {}, binaryData: {} }), { ready: false, progress: null, status: null, resultText: null, exit: null, terminated: false });
  // Random bytes do not compress: 1.1 MB of them cannot fit.
  const noise = randomBytes(1_100_000).toString('latin1');
  assert.throws(() => resultPatch(noise), /bytes gzipped .* a ConfigMap holds at most \d+/);
  assert.equal(configMapMaxBytes, 1_048_576);
});

test('a DNS engine Job: one pod named for dnsperf, a Role with nothing of bindy\'s, /tmp writable on a read-only root; valid for Kubernetes and the twin', () => {
  const objects = shardJobObjects({ ...input, count: 1, kinds: [], purpose: 'dnsperf' });
  const n = shardJobNames(input.runId, 'dnsperf');
  assert.equal(n.base, `${input.runId}-dnsperf`);
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name ?? ''}`), [`ServiceAccount/${n.base}`, `Role/${n.base}`, `RoleBinding/${n.base}`, `ConfigMap/${n.spec}`, `ConfigMap/${n.report(0)}`, `Job/${n.base}`]);
  for (const o of objects) {
    assert.doesNotThrow(() => models[o.kind]?.(o).validate(), o.kind);
    assert.deepEqual(unknownFields(o, `V1${o.kind}`, o.kind), [], `${o.kind} has only fields Kubernetes knows`);
    assert.deepEqual(twin[o.kind]?.(o).violations ?? [], [], `the twin accepts ${o.kind}`);
  }
  const rules = objects[1]?.['rules'] as { resources: string[] }[];
  assert.deepEqual(rules.map((r) => r.resources.join(',')), ['configmaps', 'configmaps'], 'only its spec and its report');
  const pod = (objects.at(-1)?.['spec'] as { template: { spec: { volumes: unknown[]; containers: { volumeMounts: unknown[]; securityContext: { readOnlyRootFilesystem: boolean } }[] } } }).template.spec;
  assert.equal(pod.containers[0]?.securityContext.readOnlyRootFilesystem, true);
  assert.deepEqual(pod.containers[0]?.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
  assert.deepEqual(pod.volumes, [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
});
