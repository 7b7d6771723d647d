import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSidecar, type ListeningSidecar, type Sidecar, type SidecarRequest } from './sidecar.js';
import { bindcarBodyLimitBytes, bodyLimitText } from './index.js';
import type { NsupdateLike, RndcLike } from './handlers.js';

const token = 'test-token';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
/** Every rndc/nsupdate call the twin makes, in order: an oversized body must add none. */
const calls: string[] = [];
const record =
  (name: string) =>
  (zone?: string): Promise<string> => {
    calls.push(`${name} ${zone ?? ''}`);
    return Promise.resolve('');
  };
const rndc: RndcLike = {
  status: record('status'),
  addzone: record('addzone'),
  delzone: record('delzone'),
  modzone: record('modzone'),
  showzone: record('showzone'),
  zonestatus: record('zonestatus'),
  notify: record('notify'),
  reload: record('reload'),
  freeze: record('freeze'),
  thaw: record('thaw'),
  retransfer: record('retransfer'),
};
const nsupdate: NsupdateLike = { send: record('nsupdate') };

let zoneDir: string;
let sidecar: Sidecar;
let server: ListeningSidecar;

/** A valid create body padded with JSON whitespace to exactly `bytes` bytes. */
function createBody(zoneName: string, bytes: number): string {
  const base = JSON.stringify({
    zoneName,
    zoneType: 'primary',
    zoneConfig: { ttl: 300, soa: { primaryNs: `ns1.${zoneName}.`, adminEmail: `admin.${zoneName}.` }, nameServers: [`ns1.${zoneName}.`], nameServerIps: {} },
  });
  return base + ' '.repeat(bytes - Buffer.byteLength(base));
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** An in-process request with an oversized body (only its size matters to the limit). */
function oversized(method: string, path: string, headers: Record<string, string> = auth): SidecarRequest {
  return { method, path, headers, body: '{}', bodyBytes: bindcarBodyLimitBytes + 1, remoteAddress: '127.0.0.1' };
}

before(async () => {
  zoneDir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-body-limit-'));
  sidecar = createSidecar({ zoneDir, rndc, nsupdate, token, rateLimit: { enabled: false } });
  server = await sidecar.listen();
});

after(async () => {
  await server.close();
  await rm(zoneDir, { recursive: true, force: true });
});

void test('axum 0.8 default: 2 MiB', () => {
  assert.equal(bindcarBodyLimitBytes, 2 * 1024 * 1024);
});

void test('create one byte over the limit: 413 with axum\'s text, no zone file, no rndc, counted by the metrics', async () => {
  calls.length = 0;
  const body = createBody('over.test', bindcarBodyLimitBytes + 1);
  assert.equal(Buffer.byteLength(body), bindcarBodyLimitBytes + 1);
  const res = await fetch(`${server.url}/api/v1/zones`, { method: 'POST', headers: auth, body });
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(await res.text(), 'Failed to buffer the request body: length limit exceeded');
  assert.equal(existsSync(join(zoneDir, 'over.test.zone')), false);
  assert.deepEqual(calls, []);
  const metrics = await sidecar.metrics.registry.metrics();
  assert.equal(metricValue(metrics, 'bindcar_http_requests_total', 'method="POST",path="/api/v1/zones",status="413"'), 1);
  assert.equal(metricValue(metrics, 'bindcar_zone_operations_total', 'operation="create",result="error"'), 0, 'the handler never ran');
});

void test('create exactly at the limit (inclusive, as http-body-util\'s Limited): created', async () => {
  calls.length = 0;
  const res = await fetch(`${server.url}/api/v1/zones`, { method: 'POST', headers: auth, body: createBody('at.test', bindcarBodyLimitBytes) });
  assert.equal(res.status, 201, await res.text());
  assert.equal(existsSync(join(zoneDir, 'at.test.zone')), true);
  assert.deepEqual(calls, ['addzone at.test']);
});

void test('a chunked body (no Content-Length) is counted as it arrives: 413 past the limit', async () => {
  calls.length = 0;
  const url = new URL(`${server.url}/api/v1/zones`);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: auth }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = Buffer.from(createBody('chunked.test', bindcarBodyLimitBytes + 1));
    for (let at = 0; at < body.length; at += 256 * 1024) req.write(body.subarray(at, at + 256 * 1024));
    req.end();
  });
  assert.deepEqual([status, text], [413, bodyLimitText]);
  assert.deepEqual(calls, []);
});

void test('every Json route is limited; routes without a Json body are not', async () => {
  calls.length = 0;
  for (const [method, path] of [
    ['PATCH', '/api/v1/zones/a.test'],
    ['POST', '/api/v1/zones/a.test/records'],
    ['DELETE', '/api/v1/zones/a.test/records'],
    ['PUT', '/api/v1/zones/a.test/records'],
  ] as const) {
    const r = await sidecar.handler(oversized(method, path));
    assert.deepEqual([r.status, r.body], [413, bodyLimitText], `${method} ${path}`);
  }
  assert.deepEqual(calls, []);
  assert.equal((await sidecar.handler(oversized('POST', '/api/v1/zones/a.test/reload'))).status, 200);
  assert.equal((await sidecar.handler(oversized('DELETE', '/api/v1/zones/a.test'))).status, 200);
});

void test('order as bindcar\'s layers: rate limit, then auth, then the Json extractor (its 415 before the 413)', async () => {
  const noToken = await sidecar.handler(oversized('POST', '/api/v1/zones', { 'content-type': 'application/json' }));
  assert.deepEqual([noToken.status, noToken.body], [401, JSON.stringify({ error: 'Missing Authorization header' })]);
  const text = await sidecar.handler(oversized('POST', '/api/v1/zones', { ...auth, 'content-type': 'text/plain' }));
  assert.deepEqual([text.status, text.body], [415, 'Expected request with `Content-Type: application/json`']);

  const limited = createSidecar({ zoneDir, rndc, nsupdate, token, rateLimit: { burstSize: 1 }, now: () => 0 });
  assert.equal((await limited.handler(oversized('POST', '/api/v1/zones'))).status, 413, 'the first takes the one token');
  assert.equal((await limited.handler(oversized('POST', '/api/v1/zones'))).status, 429);
});
