/**
 * The twin's batch/v1 Jobs, RBAC and ConfigMap limits, through its request handler (no socket):
 * what kube-apiserver refuses is a 422 Invalid naming the field with the real message; a valid
 * Indexed Job is stored with v1's defaults and its status written through /status only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiServer } from './api-server.js';
import { defaultResources } from './default-resources.js';

const jobs = '/apis/batch/v1/namespaces/default/jobs';
/** The Status message of an answer. */
const messageOf = (r: { body: unknown }): string => (r.body as { message?: string }).message ?? '';
const job = (spec: Record<string, unknown>, template: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'shard', image: 'img' }], ...template } }, ...spec },
});

for (const [what, body, message] of [
  ['Indexed without completions', job({ completionMode: 'Indexed', parallelism: 2 }), /spec\.completions: Required value: when completion mode is Indexed/],
  ['an unknown completion mode', job({ completionMode: 'Sharded' }), /spec\.completionMode: Unsupported value: "Sharded": supported values: "NonIndexed", "Indexed"/],
  ['a negative backoffLimit', job({ backoffLimit: -1 }), /spec\.backoffLimit: Invalid value: -1: must be greater than or equal to 0/],
  ['restartPolicy Always', job({}, { restartPolicy: 'Always' }), /spec\.template\.spec\.restartPolicy: Required value: valid values: "OnFailure", "Never"/],
  ['a container without an image', job({}, { containers: [{ name: 'shard' }] }), /spec\.template\.spec\.containers\[0\]\.image: Required value/],
  ['a container without a name', job({}, { containers: [{ image: 'img' }] }), /spec\.template\.spec\.containers\[0\]\.name: Required value/],
  ['no containers', job({}, { containers: [] }), /spec\.template\.spec\.containers: Required value/],
  ['a hand-written selector', job({ selector: { matchLabels: { a: 'b' } } }), /spec\.selector: Invalid value: .*`selector` will be auto-generated/],
] as const) {
  test(`a Job with ${what} is a 422 Invalid`, async () => {
    const s = createApiServer({ resources: defaultResources() });
    const r = await s.request({ method: 'POST', path: jobs, body });
    assert.equal(r.status, 422, r.text);
    assert.match(messageOf(r), /^Job\.batch "j" is invalid: /);
    assert.match(messageOf(r), message);
  });
}

test('a valid Indexed Job is stored with v1 defaults and the job-name labels; status goes through /status only', async () => {
  const s = createApiServer({ resources: defaultResources() });
  const r = await s.request({ method: 'POST', path: jobs, body: job({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 0 }) });
  assert.equal(r.status, 201, r.text);
  const stored = r.body as { spec: { suspend: boolean; backoffLimit: number; template: { metadata: { labels: Record<string, string> } } } };
  assert.equal(stored.spec.backoffLimit, 0, 'what was sent is kept');
  assert.equal(stored.spec.suspend, false);
  assert.equal(stored.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'j');
  const ignored = await s.request({ method: 'PATCH', path: `${jobs}/j`, headers: { 'content-type': 'application/merge-patch+json' }, body: { status: { succeeded: 3 } } });
  assert.equal(ignored.status, 200);
  assert.equal((ignored.body as { status?: { succeeded?: number } }).status?.succeeded, undefined, 'the main resource ignores status');
  const st = await s.request({ method: 'PATCH', path: `${jobs}/j/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: { status: { succeeded: 3 } } });
  assert.equal((st.body as { status?: { succeeded?: number } }).status?.succeeded, 3);
  const tooLong = await s.request({ method: 'POST', path: jobs, body: { ...job({}), metadata: { name: 'j'.repeat(64) } } });
  assert.equal(tooLong.status, 422, 'a name that does not fit the pods\' job-name label');
});

test('ConfigMaps: more than 1 MiB of values, a bad key, a key in both maps are 422; 1 MiB exactly is fine', async () => {
  const s = createApiServer({ resources: defaultResources() });
  const cms = '/api/v1/namespaces/default/configmaps';
  const post = (name: string, rest: Record<string, unknown>): ReturnType<typeof s.request> => s.request({ method: 'POST', path: cms, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...rest } });
  const big = await post('big', { data: { a: 'x'.repeat(600_000) }, binaryData: { b: Buffer.alloc(500_000).toString('base64') } });
  assert.equal(big.status, 422, big.text);
  assert.match(messageOf(big), /Too long: may not be more than 1048576 bytes/);
  assert.equal((await post('exact', { data: { a: 'x'.repeat(1_048_576) } })).status, 201);
  assert.match(messageOf(await post('key', { data: { 'a/b': 'x' } })), /data\[a\/b\]: Invalid value: "a\/b": a valid config key/);
  assert.match(messageOf(await post('both', { data: { k: 'x' }, binaryData: { k: 'eA==' } })), /data\[k\]: Invalid value: "k": duplicate of key present in binaryData/);
});

test('RBAC: a Role rule without api groups or verbs, a RoleBinding to an unknown kind are 422; the shard Job\'s RBAC is accepted', async () => {
  const s = createApiServer({ resources: defaultResources() });
  const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/default';
  const role = await s.request({ method: 'POST', path: `${rbac}/roles`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ resources: ['configmaps'] }] } });
  assert.equal(role.status, 422);
  assert.match(messageOf(role), /rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
  assert.match(messageOf(role), /rules\[0\]\.apiGroups: Required value: resource rules must supply at least one api group/);
  const binding = await s.request({ method: 'POST', path: `${rbac}/rolebindings`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: { kind: 'Roles', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 's', namespace: 'default' }] } });
  assert.equal(binding.status, 422);
  assert.match(messageOf(binding), /roleRef\.kind: Unsupported value: "Roles"/);
  const ok = await s.request({ method: 'POST', path: `${rbac}/rolebindings`, body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 's', namespace: 'default' }] } });
  assert.equal(ok.status, 201, ok.text);
  const sa = await s.request({ method: 'POST', path: '/api/v1/namespaces/default/serviceaccounts', body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 's' } } });
  assert.equal(sa.status, 201, sa.text);
});
