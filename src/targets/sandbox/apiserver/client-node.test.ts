import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, KubernetesObjectApi, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { runApiServer } from './run.js';

test('@kubernetes/client-node works against the sandbox: KubeConfig from file, create, list, Watch', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'apiserver-client-node-'));
  const running = await runApiServer({ kubeconfigPath: join(dir, 'kubeconfig'), namespace: 'default', tls: true });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    assert.equal(kc.getCurrentCluster()?.server, running.url);

    const objects = KubernetesObjectApi.makeApiClient(kc);
    const created = await objects.create({
      apiVersion: 'bindy.firestoned.io/v1beta1',
      kind: 'ARecord',
      metadata: { name: 'www', namespace: 'default', labels: { run: 'r1' } },
      spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] },
    } as KubernetesObject);
    assert.ok(created.metadata?.uid);

    const custom = kc.makeApiClient(CustomObjectsApi);
    const list = (await custom.listNamespacedCustomObject({
      group: 'bindy.firestoned.io',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'arecords',
      labelSelector: 'run=r1',
    })) as { items: KubernetesObject[]; metadata: { resourceVersion: string } };
    assert.deepEqual(list.items.map((o) => o.metadata?.name), ['www']);

    const events: string[] = [];
    let done!: () => void;
    const gotTwo = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(() => done(), 5000);
    const req = await new Watch(kc).watch(
      '/apis/bindy.firestoned.io/v1beta1/namespaces/default/arecords',
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: KubernetesObject) => {
        events.push(`${type}:${obj.metadata?.name}`);
        if (events.length === 2) done();
      },
      () => undefined,
    );
    await objects.patch(
      { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'www', namespace: 'default', labels: { run: 'r1', x: 'y' } } },
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json',
    );
    await objects.delete({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'www', namespace: 'default' } });
    await gotTwo;
    clearTimeout(timer);
    req.abort();
    assert.deepEqual(events, ['MODIFIED:www', 'DELETED:www']);
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
