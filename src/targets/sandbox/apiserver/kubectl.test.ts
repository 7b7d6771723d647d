import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runApiServer } from './run.js';
import { kubectlPaths, kubectls } from '../../../../test/helpers/kubectls.js';

const run = promisify(execFile);

const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: lt-kubectl
---
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: www
  namespace: lt-kubectl
  labels:
    app: web
spec:
  name: www
  ipv4Addresses: ["192.0.2.10"]
`;

test('kubectl apply (multi-document), get -o json, wait, delete against the sandbox, with every kubectl present', { skip: kubectlPaths().length === 0 ? 'no kubectl installed' : false, timeout: 180_000 }, async (t) => {
  for (const { path, version } of await kubectls()) await t.test(`kubectl ${version} (${path})`, () => kubectlSession(path));
});

async function kubectlSession(kubectlPath: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'apiserver-kubectl-'));
  const running = await runApiServer({ kubeconfigPath: join(dir, 'kubeconfig') });
  const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache') };
  const kubectl = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(kubectlPath, args, { env, timeout: 30_000 });
  try {
    await writeFile(join(dir, 'm.yaml'), manifest);
    const applied = await kubectl('apply', '-f', join(dir, 'm.yaml'));
    assert.match(applied.stdout, /namespace\/lt-kubectl created/);
    assert.match(applied.stdout, /arecord\.bindy\.firestoned\.io\/www created/);

    const got = JSON.parse((await kubectl('get', 'arecords', '-n', 'lt-kubectl', 'www', '-o', 'json')).stdout) as {
      kind: string;
      metadata: { uid: string; generation: number };
      spec: { ipv4Addresses: string[] };
    };
    assert.equal(got.kind, 'ARecord');
    assert.equal(got.metadata.generation, 1);
    assert.deepEqual(got.spec.ipv4Addresses, ['192.0.2.10']);

    // Re-apply with a change: client-side apply patches, the generation follows the spec.
    await writeFile(join(dir, 'm.yaml'), manifest.replace('192.0.2.10', '192.0.2.11'));
    assert.match((await kubectl('apply', '-f', join(dir, 'm.yaml'))).stdout, /arecord\.bindy\.firestoned\.io\/www configured/);
    assert.match((await kubectl('get', 'a', '-n', 'lt-kubectl', 'www', '-o', 'jsonpath={.metadata.generation}')).stdout, /^2$/);

    // The short name and the table output (server-side printing).
    assert.match((await kubectl('get', 'a', '-n', 'lt-kubectl')).stdout, /^NAME\s+AGE\nwww\s+\d+s\n$/);

    // A condition set through /status satisfies kubectl wait (written by the API: `kubectl patch --subresource` is 1.24+).
    const patched = await running.server.request({
      method: 'PATCH',
      path: '/apis/bindy.firestoned.io/v1beta1/namespaces/lt-kubectl/arecords/www/status',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.match((await kubectl('wait', '--for=condition=Ready', 'a/www', '-n', 'lt-kubectl', '--timeout=10s')).stdout, /condition met/);

    const deleted = await kubectl('delete', '-f', join(dir, 'm.yaml'), '--wait=true');
    assert.match(deleted.stdout, /namespace "lt-kubectl" deleted/);
    assert.match(deleted.stdout, /arecord\.bindy\.firestoned\.io "www" deleted/);
    await assert.rejects(kubectl('get', 'ns', 'lt-kubectl'), /NotFound/);
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
