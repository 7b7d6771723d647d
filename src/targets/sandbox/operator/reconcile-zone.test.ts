import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReconcileContext } from './context.js';
import type { KubeApi } from './kube-api.js';
import type { BindyObject } from './objects.js';
import { reconcileZone } from './reconcile-zone.js';
import { bindy062ZoneFinalizer, createSidecarClient, SidecarCallError, type SidecarClient } from './sidecar-client.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const finalizer = 'bindy.firestoned.io/dnszone-finalizer';
const zone: BindyObject = {
  metadata: { name: 'z', namespace: 'ns', finalizers: [finalizer], deletionTimestamp: new Date('2026-01-01T00:00:00Z') },
  spec: { zoneName: 'z.test', bind9InstancesFrom: [{ selector: { matchLabels: { role: 'primary' } } }] },
};
const primary: BindyObject = { metadata: { name: 'p-0', namespace: 'ns', labels: { role: 'primary' } }, spec: { role: 'primary' } };

/** A context over one deleting zone and one primary; records which finalizers were removed. */
function contextWith(sidecar: SidecarClient, signal = new AbortController().signal): { ctx: ReconcileContext; removed: string[] } {
  const removed: string[] = [];
  const api = { removeFinalizer: (_k: string, o: BindyObject, f: string) => Promise.resolve(void removed.push(`${o.metadata?.name ?? ''}:${f}`)) } as unknown as KubeApi;
  const ctx = {
    api,
    caches: { get: () => zone, list: (kind: string) => (kind === 'Bind9Instance' ? [primary] : []) },
    sidecar,
    now: () => new Date(),
    enqueue: () => undefined,
    signal,
  } as unknown as ReconcileContext;
  return { ctx, removed };
}

test("bindy 0.6.2's zone finalizer lets the zone go once bindcar failed for good, and keeps it when the call was interrupted", () => {
  assert.equal(bindy062ZoneFinalizer(new SidecarCallError('POST /freeze answered 500', 500)), 'let go');
  const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' });
  assert.equal(bindy062ZoneFinalizer(new SidecarCallError('POST /freeze: aborted', undefined, aborted)), 'keep');
  assert.equal(bindy062ZoneFinalizer(new Error('a bug')), 'keep');
});

test('a zone named never had: freeze answers 500 for the whole retry budget, then the finalizer is removed (not retried for ever)', async () => {
  let freezes = 0;
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/freeze') === true) freezes++;
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"Internal server error: rndc: \'freeze\' failed: not found","details":null}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // bindy's policy, with its 120 s budget shrunk to 500 ms.
    const sidecar = createSidecarClient({ url, token: 't' }, { initialMs: 5, multiplier: 2, maxDelayMs: 100, jitter: 0.1, maxElapsedMs: 500 });
    const { ctx, removed } = contextWith(sidecar);
    const result = await reconcileZone(ctx, 'ns', 'z');
    assert.deepEqual(result, { ready: true, deleted: true });
    assert.deepEqual(removed, [`z:${finalizer}`]);
    assert.ok(freezes >= 2, `freeze was retried within the budget (${freezes} calls)`);
  } finally {
    server.close();
  }
});

test('a policy that keeps the zone fails the reconcile, and so does an operator that is stopping', async () => {
  const unused = (): Promise<never> => Promise.reject(new Error('unused'));
  const failing: SidecarClient = { ensureZone: unused, ensureSecondaryZone: unused, retransfer: unused, deleteZone: () => Promise.reject(new SidecarCallError('answered 500', 500)) };
  const keep = contextWith(failing);
  await assert.rejects(reconcileZone({ ...keep.ctx, zoneFinalizer: () => 'keep' }, 'ns', 'z'), /answered 500/);
  assert.deepEqual(keep.removed, []);
  const stopping = new AbortController();
  stopping.abort();
  const stopped = contextWith(failing, stopping.signal);
  await assert.rejects(reconcileZone(stopped.ctx, 'ns', 'z'), /answered 500/);
  assert.deepEqual(stopped.removed, []);
});
