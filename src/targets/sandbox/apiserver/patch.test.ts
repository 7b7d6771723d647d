import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, mergePatch } from './patch.js';
import { ApiStatusError } from './status.js';

test('merge patch follows RFC 7386', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 } }, { a: 1, b: { d: 3, e: 4 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, { a: null }, {}],
    [{ a: 1 }, 'x', 'x'],
    [undefined, { a: { b: 1 } }, { a: { b: 1 } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(mergePatch(target, patch), want);
});

test('JSON patch applies, and a failed test operation is a 422 while a non-list is a 400', () => {
  const doc = { spec: { ttl: 300, list: ['a'] } };
  assert.deepEqual(jsonPatch(doc, [{ op: 'replace', path: '/spec/ttl', value: 60 }, { op: 'add', path: '/spec/list/-', value: 'b' }]), { spec: { ttl: 60, list: ['a', 'b'] } });
  assert.deepEqual(doc, { spec: { ttl: 300, list: ['a'] } }, 'the input is not mutated');
  assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/spec/ttl', value: 1 }]), (e: unknown) => e instanceof ApiStatusError && e.status.code === 422);
  assert.throws(() => jsonPatch(doc, { op: 'add' }), (e: unknown) => e instanceof ApiStatusError && e.status.code === 400);
});
