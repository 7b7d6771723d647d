import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiStatusError } from './status.js';
import { Store, type KubeObject, type StoreEvent } from './store.js';
import { fullGc, settledHeapUsed } from '../../../../test/helpers/full-gc.js';

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

test('history of one object updated 20,000 times keeps the watch cache window, not 10,000 events', () => {
  // A write every 100 ms for 2,000 s; the defaults: at most 10,000 events, kept 75 s.
  let now = 0;
  const s = new Store({ now: () => now });
  let o = s.create('r', obj('a'));
  const rvAt = new Map<number, number>();
  for (let i = 1; i <= 20_000; i++) {
    now += 100;
    o = s.update('r', { ...o, data: { v: String(i) } });
    rvAt.set(now, Number(o.metadata.resourceVersion));
  }
  // A watch from 70 s ago resumes; one from 80 s ago is older than the watch cache: 410.
  const seen: number[] = [];
  s.watch('r', rvAt.get(now - 70_000) ?? 0, (e) => seen.push(e.rv))();
  assert.equal(seen.length, 700);
  assert.throws(() => s.watch('r', rvAt.get(now - 80_000) ?? 0, () => undefined), (e: unknown) => e instanceof ApiStatusError && e.status.code === 410);
  assert.ok(s.historyLength('r') <= 751, `${s.historyLength('r')} events kept`);
  assert.ok(s.historySlots('r') <= 2 * s.historyLength('r') + 1, `${s.historySlots('r')} slots for ${s.historyLength('r')} events`);
});

test('a quiet resource keeps its last 100 events whatever their age, as the watch cache keeps its lower bound', () => {
  let now = 0;
  const s = new Store({ now: () => now });
  for (let i = 0; i < 150; i++) {
    now += 3_600_000;
    s.create('r', obj(`o${i}`));
  }
  assert.equal(s.historyLength('r'), 100);
  const seen: number[] = [];
  s.watch('r', 50, (e) => seen.push(e.rv))();
  assert.equal(seen.length, 100);
});

test('events dropped from the history hold no object: only the kept ones and the stored one stay reachable', async () => {
  const gc = fullGc();
  const s = new Store({ historySize: 50 });
  let o = s.create('r', obj('a'));
  const refs: WeakRef<KubeObject>[] = [];
  // 1,020 updates: not a multiple of the bound, so a lazily spliced array would still hold some dropped events.
  for (let i = 1; i <= 1020; i++) {
    o = s.update('r', { ...o, data: { v: 'x'.repeat(1000) + String(i) } });
    refs.push(new WeakRef(o));
  }
  // A WeakRef keeps its target until the job that made it ends.
  await new Promise((r) => setImmediate(r));
  settledHeapUsed(gc);
  const alive = refs.filter((r) => r.deref() !== undefined).length;
  // 50 kept events carry 50 objects (plus the prev of the oldest); the newest is also the stored one.
  assert.ok(alive <= 51, `${alive} of 1,020 written objects still reachable`);
});
