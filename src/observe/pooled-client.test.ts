import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { generateServingCert } from '../targets/sandbox/apiserver/serving-cert.js';
import { makePooledApiClient, PooledAuthentication } from './pooled-client.js';
import { kubeConfigFor, startCountingServer, type CountingServer } from '../../test/helpers/counting-server.js';

/** An HTTPS server answering `{}` (connections and Authorization headers are what these tests look at). */
function countingServer(): Promise<CountingServer> {
  return startCountingServer((_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
}

async function threeGets(api: CustomObjectsApi): Promise<void> {
  for (let i = 0; i < 3; i++) await api.getNamespacedCustomObject({ group: 'bindy.firestoned.io', version: 'v1beta1', namespace: 'ns', plural: 'arecords', name: `r${i}` });
}

test('client-node alone opens a TLS connection per call; the pooled client keeps one, with the same credentials', async () => {
  const server = await countingServer();
  const kc = kubeConfigFor(server, { token: 'pool-token' });
  const auth = new PooledAuthentication(kc);
  try {
    await threeGets(kc.makeApiClient(CustomObjectsApi));
    assert.equal(server.connections(), 3, 'the premise: a fresh agent (no keep-alive) per request');

    await threeGets(makePooledApiClient(kc, auth, CustomObjectsApi));
    assert.equal(server.connections(), 4, 'three sequential calls over one kept-alive connection');
    assert.deepEqual(new Set(server.seen.map((r) => r.authorization)), new Set(['Bearer pool-token']), 'the kubeconfig token still goes with every call');
  } finally {
    auth.destroy();
    await server.close();
  }
});

test('a server certificate the kubeconfig does not trust is still refused through the pool', async () => {
  const server = await countingServer();
  const other = await generateServingCert();
  const kc = kubeConfigFor(server, { caCert: other.cert });
  const auth = new PooledAuthentication(kc);
  try {
    await assert.rejects(threeGets(makePooledApiClient(kc, auth, CustomObjectsApi)));
  } finally {
    auth.destroy();
    await server.close();
  }
});
