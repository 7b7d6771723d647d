import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { generateServingCert } from '../targets/sandbox/apiserver/serving-cert.js';
import { kubeconfigYaml } from '../targets/sandbox/apiserver/kubeconfig.js';
import { KubeClient, type KubeObject } from './kube-client.js';
import { KubeTransport } from './kube-transport.js';
import { PooledAuthentication } from './pooled-client.js';
import { httpKubeConfig } from '../../test/helpers/api-sandbox.js';
import { kubeConfigFor, startCountingServer } from '../../test/helpers/counting-server.js';

function record(i: number): KubeObject {
  return { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: `r${i}`, namespace: 'ns', labels: { run: 'x' } }, spec: { name: `h${i}` } };
}

/** Echoes the posted object back with a uid and generation, as the API server does. */
function echo(_req: IncomingMessage, body: string, res: ServerResponse): void {
  const obj = JSON.parse(body) as KubeObject;
  obj.metadata.uid = `uid-${obj.metadata.name ?? ''}`;
  obj.metadata.generation = 1;
  res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
}

test('creates go to the server URL (path prefix kept) with the kubeconfig token, over one kept-alive connection', async () => {
  const s = await startCountingServer(echo);
  const client = new KubeClient({ kubeConfig: kubeConfigFor(s, { token: 'tok-1', pathPrefix: '/k8s/clusters/c-1' }) });
  try {
    for (let i = 0; i < 5; i++) {
      const r = await client.create(record(i));
      assert.ok(r.ok, 'created');
      assert.equal(r.value.metadata.uid, `uid-r${i}`);
      assert.ok(r.receivedMs >= r.sentMs);
    }
    assert.equal(s.connections(), 1, 'five sequential creates share one TLS connection');
    assert.deepEqual(new Set(s.seen.map((x) => `${x.method} ${x.url}`)), new Set(['POST /k8s/clusters/c-1/apis/bindy.firestoned.io/v1beta1/namespaces/ns/arecords']));
    assert.ok(s.seen.every((x) => x.authorization === 'Bearer tok-1' && x.contentType === 'application/json'));
    assert.deepEqual(JSON.parse(s.seen[0]?.body ?? '{}'), record(0), 'the object is sent as given');
  } finally {
    client.close();
    await s.close();
  }
});

test("the server's Status comes back as data: 422 causes, 429 Retry-After header, a non-object 201", async () => {
  const s = await startCountingServer((_req, _body, res) => {
    const n = s.seen.length;
    if (n === 1) {
      const status = { kind: 'Status', code: 422, reason: 'Invalid', message: 'ARecord "r0" is invalid', details: { causes: [{ field: 'spec.ipv4Addresses', reason: 'FieldValueRequired', message: 'Required value' }] } };
      res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify(status));
    } else if (n === 2) {
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '3' }).end('too many requests');
    } else {
      res.writeHead(201, { 'content-type': 'application/json' }).end('[]');
    }
  });
  const client = new KubeClient({ kubeConfig: kubeConfigFor(s) });
  try {
    const invalid = await client.create(record(0));
    assert.ok(!invalid.ok);
    assert.deepEqual(invalid.error, { status: 422, reason: 'Invalid', message: 'ARecord "r0" is invalid', causes: [{ field: 'spec.ipv4Addresses', reason: 'FieldValueRequired', message: 'Required value' }] });
    const limited = await client.create(record(1));
    assert.ok(!limited.ok);
    assert.equal(limited.error.status, 429);
    assert.equal(limited.error.retryAfterSeconds, 3);
    assert.equal(limited.error.message, 'too many requests');
    const odd = await client.create(record(2));
    assert.ok(!odd.ok);
    assert.equal(odd.error.status, 201);
    assert.equal(odd.error.reason, 'BadResponse');
  } finally {
    client.close();
    await s.close();
  }
});

test('a server certificate the kubeconfig does not trust fails the create as a NetworkError', async () => {
  const s = await startCountingServer(echo);
  const other = await generateServingCert();
  const client = new KubeClient({ kubeConfig: kubeConfigFor(s, { caCert: other.cert }) });
  try {
    const r = await client.create(record(0));
    assert.ok(!r.ok);
    assert.equal(r.error.status, 0);
    assert.equal(r.error.reason, 'NetworkError');
    assert.equal(s.seen.length, 0, 'nothing reached the handler');
  } finally {
    client.close();
    await s.close();
  }
});

test('a refused create is a timed NetworkError, not a throw', async () => {
  const client = new KubeClient({ kubeConfig: httpKubeConfig('http://127.0.0.1:1', 't') });
  const r = await client.create(record(0));
  assert.ok(!r.ok);
  assert.equal(r.error.status, 0);
  assert.ok(r.receivedMs >= r.sentMs);
});

test('credentials are re-applied once a second: a rotated token is used from the first request after the re-apply', async () => {
  const s = await startCountingServer(echo);
  const kc = new KubeConfig();
  const load = (token: string): void => kc.loadFromString(kubeconfigYaml({ server: s.url, token, namespace: 'ns', caCert: s.ca }));
  load('old-token');
  let clock = 10_000;
  const auth = new PooledAuthentication(kc);
  const transport = new KubeTransport(kc, auth, () => clock);
  const post = async (): Promise<void> => {
    const r = await transport.send('POST', '/apis/bindy.firestoned.io/v1beta1/namespaces/ns/arecords', record(s.seen.length));
    assert.equal(r.status, 201);
  };
  try {
    await post();
    load('new-token');
    clock += 999;
    await post(); // still within the reuse second
    clock += 1;
    await post(); // starts the re-apply and goes on with the credentials of a moment ago
    await post();
    assert.deepEqual(s.seen.map((x) => x.authorization), ['Bearer old-token', 'Bearer old-token', 'Bearer old-token', 'Bearer new-token']);
  } finally {
    auth.destroy();
    await s.close();
  }
});
