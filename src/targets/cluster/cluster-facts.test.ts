import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operatorFact, operatorVersionText } from './cluster-facts.js';
import type { OperatorFact } from './cluster-facts.js';

const op: OperatorFact = { namespace: 'bindy-system', name: 'bindy', available: 1, desired: 2, images: ['ghcr.io/firestoned/bindy:v0.6.2'], imageIds: [], serviceAccountName: 'bindy' };

test('operatorVersionText: the image asked for, and the digests that ran (each once, sorted)', () => {
  assert.equal(operatorVersionText(op), 'bindy ghcr.io/firestoned/bindy:v0.6.2');
  const a = 'ghcr.io/firestoned/bindy@sha256:aaaa';
  const b = 'ghcr.io/firestoned/bindy@sha256:bbbb';
  // two replicas on one digest, and a rollout caught half-way on two
  assert.equal(operatorVersionText({ ...op, imageIds: [a, a] }), `bindy ghcr.io/firestoned/bindy:v0.6.2 (running ${a})`);
  assert.equal(operatorVersionText({ ...op, imageIds: [b, a] }), `bindy ghcr.io/firestoned/bindy:v0.6.2 (running ${a}, ${b})`);
  assert.equal(operatorVersionText({ ...op, images: [] }), 'bindy image unknown');
  assert.equal(operatorVersionText(null), 'bindy not found');
});

test("operatorFact: the pod template's serviceAccountName, `default` when unset (whom bindy's requests authenticate as)", () => {
  const d = (spec: Record<string, unknown>): Parameters<typeof operatorFact>[0] => ({ metadata: { namespace: 'bindy-system', name: 'bindy' }, spec: { selector: {}, template: { spec: { containers: [], ...spec } } } });
  assert.equal(operatorFact(d({ serviceAccountName: 'bindy' })).serviceAccountName, 'bindy');
  assert.equal(operatorFact(d({})).serviceAccountName, 'default');
});
