// `sandbox start scout` as its own process: publishes against an API server twin, says what it
// did on stderr, and stops cleanly on SIGTERM; bad flags are exit 2 before it connects anywhere.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer } from '../src/targets/sandbox/apiserver/api-server.js';
import { defaultResources } from '../src/targets/sandbox/apiserver/default-resources.js';
import { writeKubeconfig } from '../src/targets/sandbox/apiserver/kubeconfig.js';
import { spawnCli } from './helpers/cli-child.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'scout-part-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

test('sandbox start scout: publishes an annotated LoadBalancer Service, logs each reconcile, exits 0 on SIGTERM', async () => {
  const api = createApiServer({ resources: defaultResources() });
  const l = await api.listen({ port: 0, tls: true });
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, { server: l.url, token: api.token, ...(l.caCert === undefined ? {} : { caCert: l.caCert }) });
    const post = async (path: string, body: unknown): Promise<void> => {
      const res = await api.request({ method: 'POST', path, body });
      assert.equal(res.status, 201, res.text);
    };
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
    await post('/apis/bindy.firestoned.io/v1beta1/namespaces/apps/dnszones', {
      apiVersion: 'bindy.firestoned.io/v1beta1',
      kind: 'DNSZone',
      metadata: { name: 'example-com' },
      spec: { zoneName: 'example.com', soaRecord: { primaryNs: 'ns1.example.com.', adminEmail: 'admin.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
    });
    await post('/api/v1/namespaces/apps/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', annotations: { 'bindy.firestoned.io/scout-enabled': 'true', 'bindy.firestoned.io/zone': 'example.com', 'bindy.firestoned.io/ip': '192.0.2.10' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    });
    const child = spawnCli(['--kubeconfig', kubeconfig, '-n', 'apps', 'sandbox', 'start', 'scout', '--cluster-name', 'alpha'], { ...process.env, KUBECONFIG: '' });
    try {
      const line = await bounded(child.line(/"action":"apply"/), 20_000, 'the apply line');
      assert.match(line, /"applied":\["scout-alpha-apps-api"\]/);
      const rec = api.store.get('bindy.firestoned.io/arecords', 'apps', 'scout-alpha-apps-api');
      assert.deepEqual(rec?.['spec'], { name: 'api', ipv4Addresses: ['192.0.2.10'], ttl: null });
      child.kill('SIGTERM');
      assert.equal(await bounded(child.exit, 10_000, 'exit after SIGTERM'), 0, child.stderr());
    } finally {
      child.kill('SIGKILL');
    }
  } finally {
    await l.close();
  }
});

test('sandbox start scout: bad flags are exit 2 naming the flag', async () => {
  const kc = ['--kubeconfig', join(dir, 'missing-kubeconfig'), 'sandbox', 'start', 'scout'];
  const cases: [string[], RegExp][] = [
    [['--cluster-name', 'a', '--scoped-cleanup', 'nope'], /--scoped-cleanup: expected zone or own-cluster/],
    [['--cluster-name', 'a', '--kinds', 'HTTPRoute'], /--kinds: expected Service and\/or Ingress/],
    [['--cluster-name', 'a', '--workers', '0'], /--workers: expected a positive integer/],
    [['--cluster-name', 'a', '--requeue', '30'], /--requeue:/],
    [[], /--cluster-name/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli([...kc, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});
