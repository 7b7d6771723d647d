import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TargetNotReadyError, UsageError } from '../errors.js';
import { checkPushgateway, groupingSegment, pushResult, pushUrl } from './pushgateway.js';
import { syntheticResult } from '../../test/helpers/rich-result.js';

test('pushgateway URL: job, instance = run id, scenario, profile; base64 for / and empty values', () => {
  const r = syntheticResult({ records: 2 });
  assert.equal(pushUrl('http://gw:9091/', r), 'http://gw:9091/metrics/job/bindy_loadtest/instance/lt-synthetic-0001/scenario/burst/profile/quick');
  assert.equal(pushUrl('https://gw/prefix', r), 'https://gw/prefix/metrics/job/bindy_loadtest/instance/lt-synthetic-0001/scenario/burst/profile/quick');
  assert.equal(groupingSegment('path', '/var/tmp'), '/path@base64/L3Zhci90bXA');
  assert.equal(groupingSegment('x', ''), '/x@base64/=');
  assert.equal(groupingSegment('x', 'a b%'), '/x/a%20b%25');
  r.metadata.profile = null;
  assert.match(pushUrl('http://gw:9091', r), /\/profile\/none$/);
  assert.throws(() => pushUrl('gw:9091', r), UsageError);
  assert.throws(() => pushUrl('not a url', r), UsageError);
});

test('pushgateway: PUTs the Prometheus text to the grouping URL', async () => {
  const seen: { method?: string; url?: string; type?: string; body: string } = { body: '' };
  const server = createServer((req, res) => {
    seen.method = req.method;
    seen.url = req.url;
    seen.type = req.headers['content-type'];
    req.on('data', (c: Buffer) => (seen.body += c.toString()));
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const out = await pushResult(syntheticResult({ records: 5 }), { url: `http://127.0.0.1:${port}` });
    assert.equal(out.status, 200);
    assert.equal(seen.method, 'PUT');
    assert.equal(seen.url, '/metrics/job/bindy_loadtest/instance/lt-synthetic-0001/scenario/burst/profile/quick');
    assert.match(seen.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(seen.body, /^bindy_loadtest_run_info\{/m);
    assert.equal(out.bytes, Buffer.byteLength(seen.body));
  } finally {
    server.close();
  }
});

test('pushgateway: unreachable, or an HTTP error, is TargetNotReadyError (exit 3) naming the URL', async () => {
  const server = createServer((_req, res) => res.writeHead(400).end('pushed metrics are invalid or inconsistent\nmore'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    await assert.rejects(pushResult(syntheticResult({ records: 2 }), { url: `http://127.0.0.1:${port}` }), (e: unknown) => {
      assert.ok(e instanceof TargetNotReadyError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /answered HTTP 400: pushed metrics are invalid or inconsistent$/);
      return true;
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  // The port is closed now: nothing listens there.
  await assert.rejects(pushResult(syntheticResult({ records: 2 }), { url: `http://127.0.0.1:${port}` }), (e: unknown) => {
    assert.ok(e instanceof TargetNotReadyError);
    assert.match(e.message, new RegExp(`^pushgateway http://127\\.0\\.0\\.1:${port}: unreachable \\(ECONNREFUSED\\)$`));
    return true;
  });
});

test('checkPushgateway: GET <base>/-/ready; refused, non-2xx → exit 3; a bad URL → exit 2', async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.writeHead(req.url === '/gw/-/ready' ? 200 : 404).end('no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    await checkPushgateway(`http://127.0.0.1:${port}/gw/`);
    assert.deepEqual(seen, ['GET /gw/-/ready']);
    await assert.rejects(checkPushgateway(`http://127.0.0.1:${port}`), (e: unknown) => e instanceof TargetNotReadyError && /answered HTTP 404: not a ready Pushgateway/.test(e.message));
  } finally {
    await new Promise((r) => server.close(r));
  }
  // A port that was free a moment ago (never connected to, so no pooled socket): nothing answers.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const free = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await assert.rejects(checkPushgateway(`http://127.0.0.1:${free}`), (e: unknown) => e instanceof TargetNotReadyError && e.exitCode === 3 && /unreachable \(ECONNREFUSED\)/.test(e.message));
  await assert.rejects(checkPushgateway('gw:9091'), (e: unknown) => e instanceof UsageError && e.exitCode === 2);
});
