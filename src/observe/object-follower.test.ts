/**
 * The object follower against the API server twin on loopback: objects by label and one by name,
 * every change seen, and nothing missed across a dropped watch (changes made while it was down
 * arrive on the re-read, a deletion while down is said as one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../test/helpers/api-sandbox.js';
import { runIdLabel } from '../model/kinds.js';
import type { KubeObject } from './kube-client.js';
import { ObjectFollower } from './object-follower.js';

const cm = (name: string, data: Record<string, string>, run = 'r1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { [runIdLabel]: run } }, data });

/** Resolves once `seen` holds what `want` says (checked on every callback: no polling). */
function waiter(): { check: () => void; until: (want: () => boolean) => Promise<void> } {
  let pending: { want: () => boolean; resolve: () => void } | null = null;
  return {
    check() {
      if (pending?.want() === true) {
        pending.resolve();
        pending = null;
      }
    },
    until(want) {
      return want() ? Promise.resolve() : new Promise<void>((resolve) => (pending = { want, resolve }));
    },
  };
}

test('follows by label and by name; a dropped watch loses nothing: changes and a deletion made while it was down arrive', { timeout: 30_000 }, async (t) => {
  const sb = await startSandbox();
  t.after(() => sb.close());
  for (const o of [cm('a', { v: '1' }), cm('b', { v: '1' }), cm('other', { v: '1' }, 'r2')]) assert.ok((await sb.client.create(o)).ok);
  const seen = new Map<string, string>();
  const deleted: string[] = [];
  const w = waiter();
  const byLabel = new ObjectFollower({
    client: sb.client,
    kind: 'ConfigMap',
    namespace: 'default',
    select: { labelSelector: `${runIdLabel}=r1` },
    onObject: (o) => {
      seen.set(o.metadata.name ?? '', o.data?.['v'] ?? '');
      w.check();
    },
    onDeleted: (o) => {
      deleted.push(o.metadata.name ?? '');
      w.check();
    },
    // Long enough that the change and the deletion below land while no watch is open.
    retryMs: 300,
  });
  const named: string[] = [];
  const wn = waiter();
  const byName = new ObjectFollower({
    client: sb.client,
    kind: 'ConfigMap',
    namespace: 'default',
    select: { name: 'b' },
    onObject: (o) => {
      named.push(`${o.metadata.name ?? ''}=${o.data?.['v'] ?? ''}`);
      wn.check();
    },
    onDeleted: () => undefined,
    retryMs: 10,
  });
  t.after(() => {
    byLabel.stop();
    byName.stop();
  });
  await byLabel.start();
  await byName.start();
  assert.deepEqual([...seen].sort(), [['a', '1'], ['b', '1']], 'the read: only the run\'s objects');
  assert.deepEqual(named, ['b=1']);

  assert.ok((await sb.client.mergePatch('ConfigMap', 'default', 'a', { data: { v: '2' } })).ok);
  await w.until(() => seen.get('a') === '2');
  await wn.until(() => true);

  // Down: a change and a deletion while no watch is open; the re-read must bring both.
  sb.server.dropWatches({ abrupt: true });
  assert.ok((await sb.client.mergePatch('ConfigMap', 'default', 'b', { data: { v: '3' } })).ok);
  assert.ok((await sb.client.delete('ConfigMap', 'default', 'a')).ok);
  await w.until(() => seen.get('b') === '3' && deleted.includes('a'));
  await wn.until(() => named.includes('b=3'));
  assert.deepEqual(deleted, ['a']);
  assert.ok(!named.some((n) => n.startsWith('other')), 'by name: only that object');
});
