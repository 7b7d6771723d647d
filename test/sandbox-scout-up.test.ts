// `sandbox up --scout`: the scout twin is a part like the others (state file, health, down), and
// it publishes what a workload annotates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { sandboxHealth } from '../src/targets/sandbox/supervisor/health.js';
import { isAlive } from '../src/targets/sandbox/supervisor/part-process.js';
import { readState } from '../src/targets/sandbox/supervisor/state.js';

const ns = 'bindy-loadtest';

test('sandbox up with the scout twin: started after the others, recorded, healthy, publishing, stopped by down', { timeout: 60_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'bl-scout-up-'));
  try {
    const sb = await startSandbox({ namespace: ns, detached: false, home, withoutOperator: true, scout: { clusterName: 'alpha', args: ['--requeue', '500ms'] } });
    try {
      const state = await readState(home);
      assert.deepEqual(state?.parts.map((p) => p.name).sort(), ['apiserver', 'named', 'scout', 'sidecar']);
      assert.equal(state?.parts.at(-1)?.name, 'scout', 'scout starts last');
      const scoutPart = state?.parts.find((p) => p.name === 'scout');
      assert.deepEqual(scoutPart?.args?.slice(2, 6), ['--cluster-name', 'alpha', '--target-namespace', ns]);
      for (const h of await sandboxHealth(sb.state)) assert.ok(h.healthy, `${h.name}: ${h.detail}`);

      const kc = new KubeConfig();
      kc.loadFromFile(sb.state.kubeconfig);
      const custom = kc.makeApiClient(CustomObjectsApi);
      const core = kc.makeApiClient(CoreV1Api);
      // Without the operator, `up` bootstraps nothing: the namespace is the test's to make.
      await core.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
      await custom.createNamespacedCustomObject({
        group: 'bindy.firestoned.io',
        version: 'v1beta1',
        namespace: ns,
        plural: 'dnszones',
        body: {
          apiVersion: 'bindy.firestoned.io/v1beta1',
          kind: 'DNSZone',
          metadata: { name: 'example-com' },
          spec: { zoneName: 'example.com', soaRecord: { primaryNs: 'ns1.example.com.', adminEmail: 'admin.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 } },
        },
      });
      // Watch for the ARecord (bounded), then create the Service that should produce it.
      const name = 'scout-alpha-bindy-loadtest-web';
      let abort: AbortController | undefined;
      const seen = new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not appear in 20 s`)), 20_000);
        new Watch(kc)
          .watch(`/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}/arecords`, {}, (type, obj: { metadata?: { name?: string }; spec?: Record<string, unknown> }) => {
            if (type === 'ADDED' && obj.metadata?.name === name) {
              clearTimeout(timer);
              resolve(obj.spec ?? {});
            }
          }, (err) => {
            if (err !== null && err !== undefined) reject(err instanceof Error ? err : new Error(String(err)));
          })
          .then((a) => (abort = a), reject);
      });
      await core.createNamespacedService({
        namespace: ns,
        body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', annotations: { 'bindy.firestoned.io/scout-enabled': 'true', 'bindy.firestoned.io/zone': 'example.com', 'bindy.firestoned.io/ip': '192.0.2.20' } }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
      });
      try {
        assert.deepEqual(await seen, { name: 'web', ipv4Addresses: ['192.0.2.20'], ttl: null });
      } finally {
        abort?.abort();
      }
    } finally {
      const pids = sb.state.parts.flatMap((p) => [p.pid, ...p.childPids]);
      await sb.stop();
      for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still alive after down`);
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
