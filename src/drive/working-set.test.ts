import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../model/fixtures/prng.js';
import { chooseOperation, WorkingSet } from './working-set.js';

test('the working set adds, removes and draws every member uniformly', () => {
  const s = new WorkingSet<string>();
  for (let i = 0; i < 4; i++) s.add(`o${i}`);
  s.add('o1');
  assert.equal(s.size, 4);
  assert.equal(s.delete('o2'), true);
  assert.equal(s.delete('o2'), false);
  assert.equal(s.has('o3'), true);
  const rng = createRng(7);
  const counts = new Map<string, number>();
  for (let k = 0; k < 30_000; k++) {
    const x = s.take(rng) ?? '';
    counts.set(x, (counts.get(x) ?? 0) + 1);
    s.add(x);
  }
  assert.deepEqual([...counts.keys()].sort(), ['o0', 'o1', 'o3']);
  // Each of 3 members: 10,000 expected; 5 standard deviations is about ±408.
  for (const [k, n] of counts) assert.ok(Math.abs(n - 10_000) < 410, `${k} drawn ${n} times`);
  const empty = new WorkingSet<number>();
  assert.equal(empty.take(rng), undefined);
});

test('a weighted mix follows its weights and turns an update or delete into a create when no object is free', () => {
  const rng = createRng(11);
  const n = { create: 0, update: 0, delete: 0 };
  for (let k = 0; k < 20_000; k++) n[chooseOperation({ kind: 'weighted', weights: { create: 0.6, update: 0.3, delete: 0.1 } }, rng, 5, 5, null).type]++;
  assert.ok(Math.abs(n.create / 20_000 - 0.6) < 0.02 && Math.abs(n.update / 20_000 - 0.3) < 0.02 && Math.abs(n.delete / 20_000 - 0.1) < 0.01, JSON.stringify(n));
  const c = chooseOperation({ kind: 'weighted', weights: { update: 1 } }, rng, 0, 3, null);
  assert.deepEqual(c, { type: 'create', substitutedFor: 'update' });
});

test('churn fills to its size, then alternates create and delete, and shrinks a set above it', () => {
  const rng = createRng(1);
  const p = { kind: 'churn', size: 2 } as const;
  assert.equal(chooseOperation(p, rng, 1, 1, null).type, 'create');
  assert.equal(chooseOperation(p, rng, 2, 2, 'delete').type, 'create');
  assert.equal(chooseOperation(p, rng, 2, 2, 'create').type, 'delete');
  assert.equal(chooseOperation(p, rng, 3, 3, 'delete').type, 'delete');
  assert.deepEqual(chooseOperation(p, rng, 0, 3, 'create'), { type: 'create', substitutedFor: 'delete' });
});
