import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiStatusError } from './status.js';
import { Store, type KubeObject, type StoreEvent } from './store.js';

function obj(name: string, v = 0): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid: name, resourceVersion: '', creationTimestamp: '' }, data: { v: String(v) } };
}

test('every write takes the next global revision, across resources', () => {
  const s = new Store();
  const a = s.create('r1', obj('a'));
  const b = s.create('r2', obj('b'));
  const a2 = s.update('r1', { ...a, data: { v: '1' } });
  const gone = s.remove('r2', b);
  assert.deepEqual([a, b, a2, gone].map((o) => o.metadata.resourceVersion), ['1', '2', '3', '4']);
  assert.equal(s.rv, 4);
});

test('watch replays the history after a revision, then goes live, without gap or duplicate', () => {
  const s = new Store();
  for (let i = 0; i < 5; i++) s.create('r', obj(`o${i}`));
  const seen: number[] = [];
  const stop = s.watch('r', 2, (e) => seen.push(e.rv));
  s.create('r', obj('live'));
  stop();
  s.create('r', obj('after-stop'));
  assert.deepEqual(seen, [3, 4, 5, 6]);
});

test('a revision older than the bounded history is 410 Expired', () => {
  const s = new Store({ historySize: 3 });
  for (let i = 0; i < 6; i++) s.create('r', obj(`o${i}`));
  // Events 4, 5, 6 are kept: resuming from 3 is complete, from 2 would miss event 3.
  const seen: StoreEvent[] = [];
  s.watch('r', 3, (e) => seen.push(e))();
  assert.deepEqual(seen.map((e) => e.rv), [4, 5, 6]);
  assert.throws(
    () => s.watch('r', 2, () => undefined),
    (e: unknown) => e instanceof ApiStatusError && e.status.code === 410 && e.status.reason === 'Expired' && /too old resource version: 2/.test(e.status.message ?? ''),
  );
});

test('snapshotAt rebuilds the state of an earlier revision by undoing later events', () => {
  const s = new Store();
  const a = s.create('r', obj('a', 1)); // rv 1
  const b = s.create('r', obj('b', 1)); // rv 2
  s.update('r', { ...a, data: { v: '2' } }); // rv 3
  s.remove('r', b); // rv 4
  s.create('r', obj('c')); // rv 5
  const at2 = s.snapshotAt('r', 2);
  assert.deepEqual(at2.map((o) => [o.metadata.name, o.data]), [['a', { v: '1' }], ['b', { v: '1' }]]);
  assert.deepEqual(s.snapshotAt('r', 5).map((o) => o.metadata.name), ['a', 'c']);
});
