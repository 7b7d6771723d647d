import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { generateServingCert } from '../targets/sandbox/apiserver/serving-cert.js';
import { runProbe } from './probe.js';

async function listen(server: Server | ReturnType<typeof createHttpsServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

void test('an HTTP probe counts any status as an answer; over TLS it accepts the sandbox\'s self-signed certificate', async (t) => {
  const http = createHttpServer((_req, res) => {
    res.statusCode = 401;
    res.end();
  });
  const cert = await generateServingCert();
  const https = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('ok'));
  t.after(() => {
    http.close();
    https.close();
  });
  const plain = await runProbe({ kind: 'http', path: '/healthz' }, { host: '127.0.0.1', port: await listen(http) });
  assert.equal(plain.ok, true, plain.detail);
  assert.match(plain.detail, /GET \/healthz answered 401 in [\d.]+ ms/);
  const tls = await runProbe({ kind: 'http', tls: true, path: '/' }, { host: '127.0.0.1', port: await listen(https) });
  assert.equal(tls.ok, true, tls.detail);
  assert.ok((tls.rttMs ?? -1) >= 0);
});

void test('a probe that gets no answer fails within its timeout and says why', async (t) => {
  const silent = createTcpServer(() => undefined); // accepts, never answers
  t.after(() => silent.close());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as { port: number }).port;
  const http = await runProbe({ kind: 'http', path: '/', timeoutMs: 200 }, { host: '127.0.0.1', port });
  assert.deepEqual([http.ok, http.rttMs], [false, undefined]);
  assert.match(http.detail, /http probe of 127\.0\.0\.1:\d+ failed: no HTTP answer within 200 ms/);
  const dns = await runProbe({ kind: 'dns', protocol: 'tcp', name: 'x.test', type: 'A', timeoutMs: 200 }, { host: '127.0.0.1', port });
  assert.match(dns.detail, /dns probe .* failed: no DNS answer over TCP within 200 ms/);
  silent.close();
  const refused = await runProbe({ kind: 'http', path: '/' }, { host: '127.0.0.1', port });
  assert.match(refused.detail, /ECONNREFUSED/);
});
