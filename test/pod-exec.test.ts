/**
 * A command run in a pod's container through the API server, as `kubectl exec` runs it: the
 * tool's client (client-node's Exec over a real WebSocket, the kubelet's channel protocol)
 * against the API server twin's pods/exec, whose kubelet runs the command in the container's
 * workingDir with its env. Ground truth: the output, the exit code and the working directory are
 * the command's own; a pod deleted mid-command ends it (137, as a container's end); refusals carry
 * the API server's words (no such pod, no such container, no container named where there are two,
 * no node).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execInPod, exitCodeOf } from '../src/observe/pod-exec.js';
import { httpKubeConfig, startSandbox, type TestSandbox } from './helpers/api-sandbox.js';

const ns = 'exec-test';
let sb: TestSandbox;
let dir: string;

async function request(method: string, path: string, body?: unknown): Promise<void> {
  const r = await sb.server.request({ method, path, ...(body === undefined ? {} : { body }), ...(method === 'PATCH' ? { headers: { 'content-type': 'application/merge-patch+json' } } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
}

/** A pod as bindy's BIND9 pods are: two containers; bind9's working directory is `dir`; Running on a node unless `scheduled` is false. */
async function pod(name: string, scheduled = true): Promise<void> {
  await request('POST', `/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      ...(scheduled ? { nodeName: 'worker-1' } : {}),
      containers: [
        { name: 'bind9', image: 'bind9', workingDir: dir, env: [{ name: 'ZONE', value: 'example.test' }] },
        { name: 'api', image: 'bindcar' },
      ],
    },
  });
  if (scheduled) await request('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, { status: { phase: 'Running', podIP: '127.0.0.1' } });
}

before(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'bl-exec-')));
  await writeFile(join(dir, 'example.test.zone'), '$TTL 300\n@ IN SOA ns1 admin 1 3600 600 604800 300\n');
  sb = await startSandbox();
  await sb.namespace(ns);
  await pod('bind9-a');
  await pod('pending', false);
});

after(async () => {
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

void test('a command runs in the container: its output, its exit code, its working directory and env', async () => {
  const kc = httpKubeConfig(sb.url, sb.server.token);
  const ok = await execInPod(kc, { namespace: ns, pod: 'bind9-a', container: 'bind9', command: ['sh', '-c', 'pwd; head -c 4 "$ZONE.zone"; echo; echo oops >&2'], timeoutMs: 10_000 });
  assert.deepEqual(ok, { exitCode: 0, stdout: `${dir}\n$TTL\n`, stderr: 'oops\n' });
  const failed = await execInPod(kc, { namespace: ns, pod: 'bind9-a', container: 'bind9', command: ['sh', '-c', 'echo half; exit 3'], timeoutMs: 10_000 });
  assert.deepEqual(failed, { exitCode: 3, stdout: 'half\n', stderr: '' }, 'a non-zero exit is the command\'s, not an error');
  await assert.rejects(execInPod(kc, { namespace: ns, pod: 'bind9-a', container: 'bind9', command: ['no-such-program'], timeoutMs: 10_000 }), /exec in exec-test\/bind9-a \(container bind9\): exec: "no-such-program": executable file not found in \$PATH/);
});

void test('a pod deleted mid-command ends it as its container ends (137)', async () => {
  const kc = httpKubeConfig(sb.url, sb.server.token);
  await pod('doomed');
  const running = execInPod(kc, { namespace: ns, pod: 'doomed', container: 'bind9', command: ['sh', '-c', 'touch doomed.started; exec sleep 30'], timeoutMs: 20_000 });
  // Deleted once the command runs (it leaves a file in its working directory).
  for (let i = 0; i < 500 && !existsSync(join(dir, 'doomed.started')); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(existsSync(join(dir, 'doomed.started')), 'the command started');
  const t0 = performance.now();
  await request('DELETE', `/api/v1/namespaces/${ns}/pods/doomed`);
  const r = await running;
  assert.equal(r.exitCode, 137, JSON.stringify(r));
  assert.ok(performance.now() - t0 < 10_000, 'ended with the pod, not after its 30 s');
});

void test('refusals carry the API server\'s words', async () => {
  const kc = httpKubeConfig(sb.url, sb.server.token);
  const run = (pod: string, container: string): Promise<unknown> => execInPod(kc, { namespace: ns, pod, container, command: ['true'], timeoutMs: 10_000 });
  await assert.rejects(run('nope', 'bind9'), /^Error: exec in exec-test\/nope \(container bind9\) refused: 404 pods "nope" not found$/);
  await assert.rejects(run('bind9-a', 'named'), /refused: 400 container named is not valid for pod bind9-a$/);
  await assert.rejects(run('bind9-a', ''), /refused: 400 a container name must be specified for pod bind9-a, choose one of: \[bind9 api\]$/);
  await assert.rejects(run('pending', 'bind9'), /refused: 400 pod pending does not have a host assigned$/);
});

void test('the end Status is read as kubectl reads it', () => {
  assert.equal(exitCodeOf({ status: 'Success' }), 0);
  assert.equal(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '42' }] } }), 42);
  assert.equal(exitCodeOf({ status: 'Failure', reason: 'InternalError', message: 'exec: "x": executable file not found in $PATH' }), null);
});
