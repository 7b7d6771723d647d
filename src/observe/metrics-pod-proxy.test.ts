/** @module Tests of the pod-proxy source: path building, pod choice and kubeconfig credentials (the sandbox API server serves no pod proxy). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpKubeConfig } from '../../test/helpers/api-sandbox.js';
import { choosePod, kubeFetchOptions, podProxyMetricsSource, podProxyPath } from './metrics-pod-proxy.js';
import type { PodSummary } from './metrics-pod-proxy.js';

void test('podProxyPath builds the API server pod-proxy path', () => {
  const cases: { args: [string, string, number, string?]; want: string }[] = [
    { args: ['bindy-system', 'bindy-7c9f-abcde', 8080], want: '/api/v1/namespaces/bindy-system/pods/bindy-7c9f-abcde:8080/proxy/metrics' },
    { args: ['ns', 'p', 9090, '/custom/path'], want: '/api/v1/namespaces/ns/pods/p:9090/proxy/custom/path' },
  ];
  for (const c of cases) assert.equal(podProxyPath(...c.args), c.want);
});

void test('choosePod takes the newest Running pod that is not being deleted', () => {
  const p = (name: string, phase: string, startTime: string, deleting = false): PodSummary => ({ name, phase, startTime, deleting });
  const cases: { pods: PodSummary[]; want: string | null }[] = [
    { pods: [], want: null },
    { pods: [p('a', 'Pending', '2024-01-02T00:00:00Z')], want: null },
    { pods: [p('old', 'Running', '2024-01-01T00:00:00Z'), p('new', 'Running', '2024-01-02T00:00:00Z')], want: 'new' },
    { pods: [p('old', 'Running', '2024-01-01T00:00:00Z'), p('new', 'Running', '2024-01-02T00:00:00Z', true)], want: 'old' },
  ];
  for (const c of cases) assert.equal(choosePod(c.pods), c.want);
});

void test('the source sends the kubeconfig token to the pod-proxy path and looks the pod up again after a failure', async () => {
  const hits: { url: string | undefined; auth: string | undefined }[] = [];
  let fail = false;
  const server = http.createServer((req, res) => {
    hits.push({ url: req.url, auth: req.headers.authorization });
    if (fail) return void res.writeHead(503).end('no endpoints');
    res.writeHead(200).end('bindy_firestoned_io_reconciliations_total{resource_type="ARecord",status="success"} 3\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kc = httpKubeConfig(url, 'tok');
  try {
    const { server: base, options } = await kubeFetchOptions(kc);
    assert.equal(base, url);
    assert.equal(options.headers?.authorization, 'Bearer tok');
    let lists = 0;
    const pods = [['bindy-1'], ['bindy-2']];
    const source = podProxyMetricsSource(kc, { listPods: () => Promise.resolve((pods[lists++] ?? []).map((name) => ({ name, phase: 'Running', deleting: false }))) });
    const signal = new AbortController().signal;
    assert.equal((await source.read(signal))[0]?.value, 3);
    await source.read(signal);
    fail = true;
    await assert.rejects(source.read(signal));
    fail = false;
    await source.read(signal);
    assert.deepEqual(hits.map((h) => h.url), [
      '/api/v1/namespaces/bindy-system/pods/bindy-1:8080/proxy/metrics',
      '/api/v1/namespaces/bindy-system/pods/bindy-1:8080/proxy/metrics',
      '/api/v1/namespaces/bindy-system/pods/bindy-1:8080/proxy/metrics',
      '/api/v1/namespaces/bindy-system/pods/bindy-2:8080/proxy/metrics',
    ]);
    assert.ok(hits.every((h) => h.auth === 'Bearer tok'));
    assert.equal(lists, 2, 'pods listed once at first, once after the failure');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
