/**
 * API Priority and Fairness in the API twin, over real sockets: a FlowSchema naming the operator's
 * ServiceAccount routes its requests to a 1-seat Reject level, so concurrent requests with the
 * operator's token beyond the one executing get kube-apiserver's 429 (plain text, Retry-After, the
 * PF UID headers) while the admin token is never limited; the rejection metric and
 * apiserver_request_total count them; deleting the FlowSchema ends the throttling. kubectl applies
 * and reads FlowSchemas and PriorityLevelConfigurations, and gets a 422 for an invalid one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { runApiServer, type RunningApiServer } from '../src/targets/sandbox/apiserver/run.js';
import { kubectlPaths, kubectls } from './helpers/kubectls.js';

const run = promisify(execFile);
const fcBase = '/apis/flowcontrol.apiserver.k8s.io/v1';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request on its own connection (so concurrent requests really are concurrent). */
function call(api: RunningApiServer, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const agent = new Agent({ keepAlive: false, ca: api.caCert });
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, api.url), { method, agent, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function tokenOf(kubeconfig: string): string {
  const doc = parseYaml(kubeconfig) as { users: { user: { token: string } }[] };
  return doc.users[0]?.user.token ?? '';
}

/** The value of one sample in a Prometheus text exposition (0 when absent). */
function sample(metrics: string, name: string, labels: Record<string, string>): number {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`))) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return 0;
}

const throttleLevel = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'PriorityLevelConfiguration',
  metadata: { name: 'bindy-throttle' },
  // 0 shares: a nominal limit of 0 seats, which admits one request at a time (kube-apiserver's queueset does the same).
  spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } },
};
const bindySchema = {
  apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
  kind: 'FlowSchema',
  metadata: { name: 'bindy-throttle' },
  spec: {
    priorityLevelConfiguration: { name: 'bindy-throttle' },
    matchingPrecedence: 500,
    distinguisherMethod: { type: 'ByUser' },
    rules: [
      {
        subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system', name: 'bindy' } }],
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
      },
    ],
  },
};

test('APF over sockets: the operator\'s ServiceAccount squeezed to one seat with Reject gets exactly N − 1 real-looking 429s; the admin never; deleting the FlowSchema ends it', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'apf-'));
  const api = await runApiServer({ kubeconfigPath: join(dir, 'kubeconfig'), operatorKubeconfigPath: join(dir, 'operator.kubeconfig') });
  t.after(async () => {
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const admin = tokenOf(await readFile(join(dir, 'kubeconfig'), 'utf8'));
  const operator = tokenOf(await readFile(join(dir, 'operator.kubeconfig'), 'utf8'));
  assert.equal(admin, api.token);
  assert.notEqual(operator, admin);
  const list = '/apis/bindy.firestoned.io/v1beta1/namespaces/default/arecords';

  // Before: the operator is a ServiceAccount (service-accounts → workload-low), the admin is exempt.
  const uidOf = async (plural: string, name: string): Promise<string> => (JSON.parse((await call(api, admin, 'GET', `${fcBase}/${plural}/${name}`)).text) as { metadata: { uid: string } }).metadata.uid;
  const opBefore = await call(api, operator, 'GET', list);
  assert.equal(opBefore.status, 200);
  assert.equal(opBefore.headers['x-kubernetes-pf-flowschema-uid'], await uidOf('flowschemas', 'service-accounts'));
  assert.equal(opBefore.headers['x-kubernetes-pf-prioritylevel-uid'], await uidOf('prioritylevelconfigurations', 'workload-low'));
  assert.equal((await call(api, admin, 'GET', list)).headers['x-kubernetes-pf-flowschema-uid'], await uidOf('flowschemas', 'exempt'));
  assert.equal((await call(api, 'not-a-token', 'GET', list)).status, 401);

  assert.equal((await call(api, admin, 'POST', `${fcBase}/prioritylevelconfigurations`, throttleLevel)).status, 201);
  assert.equal((await call(api, admin, 'POST', `${fcBase}/flowschemas`, bindySchema)).status, 201);
  const fsUid = await uidOf('flowschemas', 'bindy-throttle');
  const plUid = await uidOf('prioritylevelconfigurations', 'bindy-throttle');

  // Every request holds its seat 400 ms: N arrive while the first executes.
  api.server.faults.latencyMs = 400;
  const n = 6;
  const [ops, admins] = await Promise.all([Promise.all(Array.from({ length: n }, () => call(api, operator, 'GET', list))), Promise.all(Array.from({ length: n }, () => call(api, admin, 'GET', list)))]);
  assert.deepEqual(admins.map((a) => a.status), Array(n).fill(200), 'the admin token is never limited');
  const rejected = ops.filter((a) => a.status === 429);
  assert.equal(rejected.length, n - 1, 'one seat: all but one rejected');
  assert.equal(ops.filter((a) => a.status === 200).length, 1);
  for (const r of rejected) {
    assert.equal(r.text, 'Too many requests, please try again later.\n');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(String(r.headers['retry-after']), /^\d+$/);
    assert.equal(r.headers['x-kubernetes-pf-flowschema-uid'], fsUid);
    assert.equal(r.headers['x-kubernetes-pf-prioritylevel-uid'], plUid);
  }
  assert.equal(rejected[0]?.headers['retry-after'], '1', 'the first rejections of a level say 1 s');

  const metrics = (await call(api, admin, 'GET', '/metrics')).text;
  assert.equal(sample(metrics, 'apiserver_flowcontrol_rejected_requests_total', { flow_schema: 'bindy-throttle', priority_level: 'bindy-throttle', reason: 'concurrency-limit' }), n - 1);
  assert.equal(sample(metrics, 'apiserver_flowcontrol_dispatched_requests_total', { flow_schema: 'bindy-throttle', priority_level: 'bindy-throttle' }), 1);
  assert.equal(sample(metrics, 'apiserver_flowcontrol_current_executing_requests', { flow_schema: 'bindy-throttle', priority_level: 'bindy-throttle' }), 0);
  assert.equal(sample(metrics, 'apiserver_flowcontrol_nominal_limit_seats', { priority_level: 'bindy-throttle' }), 0);
  assert.equal(sample(metrics, 'apiserver_flowcontrol_nominal_limit_seats', { priority_level: 'workload-low' }), 245);
  assert.equal(sample(metrics, 'apiserver_request_total', { verb: 'LIST', resource: 'arecords', code: '429' }), n - 1);

  // Deleting the FlowSchema: the operator is back in service-accounts, nothing rejected.
  assert.equal((await call(api, admin, 'DELETE', `${fcBase}/flowschemas/bindy-throttle`)).status, 200);
  const after = await Promise.all(Array.from({ length: n }, () => call(api, operator, 'GET', list)));
  assert.deepEqual(after.map((a) => a.status), Array(n).fill(200));
  api.server.faults.latencyMs = 0;
});

const manifest = `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata:
  name: bindy-throttle
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 1
    borrowingLimitPercent: 0
    limitResponse:
      type: Queue
      queuing:
        queues: 4
        handSize: 2
        queueLengthLimit: 5
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: bindy-throttle
spec:
  priorityLevelConfiguration:
    name: bindy-throttle
  matchingPrecedence: 500
  distinguisherMethod:
    type: ByUser
  rules:
  - subjects:
    - kind: ServiceAccount
      serviceAccount:
        namespace: bindy-system
        name: bindy
    resourceRules:
    - verbs: ["*"]
      apiGroups: ["*"]
      resources: ["*"]
      clusterScope: true
      namespaces: ["*"]
`;

test('kubectl apply -f of a FlowSchema and a PriorityLevelConfiguration, get, and a 422 for an invalid one, with every kubectl present', { skip: kubectlPaths().length === 0 ? 'no kubectl installed' : false, timeout: 120_000 }, async (t) => {
  for (const { path, version } of await kubectls()) {
    await t.test(`kubectl ${version}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'apf-kubectl-'));
      const api = await runApiServer({ kubeconfigPath: join(dir, 'kubeconfig') });
      const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache') };
      const kubectl = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(path, args, { env, timeout: 30_000 });
      try {
        await writeFile(join(dir, 'apf.yaml'), manifest);
        const applied = await kubectl('apply', '-f', join(dir, 'apf.yaml'));
        assert.match(applied.stdout, /prioritylevelconfiguration\.flowcontrol\.apiserver\.k8s\.io\/bindy-throttle created/);
        assert.match(applied.stdout, /flowschema\.flowcontrol\.apiserver\.k8s\.io\/bindy-throttle created/);
        const fs = JSON.parse((await kubectl('get', 'flowschemas', 'bindy-throttle', '-o', 'json')).stdout) as { spec: { matchingPrecedence: number; rules: unknown[] } };
        assert.equal(fs.spec.matchingPrecedence, 500);
        const pl = JSON.parse((await kubectl('get', 'prioritylevelconfigurations', 'bindy-throttle', '-o', 'json')).stdout) as { spec: { limited: { lendablePercent: number } } };
        assert.equal(pl.spec.limited.lendablePercent, 0, 'defaulted by the server');
        const names = (await kubectl('get', 'prioritylevelconfigurations', '-o', 'name')).stdout;
        for (const n of ['exempt', 'catch-all', 'system', 'node-high', 'leader-election', 'workload-high', 'workload-low', 'global-default', 'bindy-throttle']) {
          assert.match(names, new RegExp(`prioritylevelconfiguration\\.flowcontrol\\.apiserver\\.k8s\\.io/${n}\\n`));
        }
        // Re-apply unchanged, then with a change.
        assert.match((await kubectl('apply', '-f', join(dir, 'apf.yaml'))).stdout, /flowschema\.flowcontrol\.apiserver\.k8s\.io\/bindy-throttle unchanged/);
        await writeFile(join(dir, 'apf.yaml'), manifest.replace('matchingPrecedence: 500', 'matchingPrecedence: 600'));
        assert.match((await kubectl('apply', '-f', join(dir, 'apf.yaml'))).stdout, /flowschema\.flowcontrol\.apiserver\.k8s\.io\/bindy-throttle configured/);
        // handSize above queues: refused with the real message.
        await writeFile(join(dir, 'bad.yaml'), manifest.split('---')[0]?.replace('name: bindy-throttle', 'name: bad').replace('handSize: 2', 'handSize: 9') ?? '');
        await assert.rejects(kubectl('apply', '-f', join(dir, 'bad.yaml')), /spec\.limited\.limitResponse\.queuing\.handSize: Invalid value: 9: should not be greater than queues \(4\)/);
        assert.match((await kubectl('delete', '-f', join(dir, 'apf.yaml'))).stdout, /flowschema\.flowcontrol\.apiserver\.k8s\.io "bindy-throttle" deleted/);
      } finally {
        await api.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
