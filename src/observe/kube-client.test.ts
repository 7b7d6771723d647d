import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { KubeClient, failureFromBody, failureOf } from './kube-client.js';
import { httpKubeConfig } from '../../test/helpers/api-sandbox.js';

test('API errors become data carrying the Status reason, message, causes and Retry-After', () => {
  const body = JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down', details: { retryAfterSeconds: 2, causes: [{ field: 'spec.x', message: 'bad' }] } });
  assert.deepEqual(failureOf(new ApiException(429, 'x', body, {})), {
    status: 429, reason: 'TooManyRequests', message: 'slow down', causes: [{ field: 'spec.x', message: 'bad' }], retryAfterSeconds: 2,
  });
  assert.equal(failureFromBody(502, '<html>bad gateway</html>', 'HTTP 502').message, '<html>bad gateway</html>');
  const net = failureOf(new Error('connect ECONNREFUSED 127.0.0.1:1'));
  assert.equal(net.status, 0);
  assert.equal(net.reason, 'NetworkError');
});

test('a refused connection is returned as a timed NetworkError, not thrown', async () => {
  const client = new KubeClient({ kubeConfig: httpKubeConfig('http://127.0.0.1:1', 't') });
  const r = await client.list('ARecord', 'ns', 'a=b');
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.status === 0 && r.receivedMs >= r.sentMs);
});
