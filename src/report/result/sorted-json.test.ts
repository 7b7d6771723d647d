/** @module The piecewise sorted JSON against JSON.stringify of a key-sorted copy: the same text, byte for byte. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { chunked, sortedJsonPieces } from './sorted-json.js';

/** The reference: JSON.stringify with every object's keys sorted. */
function reference(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]])) : v),
    2,
  );
}

const text = (v: unknown, order?: readonly string[]): string => [...sortedJsonPieces(v, '', order)].join('');

void test('the same text as JSON.stringify(sorted, null, 2): nesting, empty containers, what JSON leaves out or turns into null, toJSON, escapes', () => {
  const values: unknown[] = [
    0, -0, 1e21, 1.5e-7, NaN, Infinity, null, true, 'plain', 'quote " backslash \\ newline \n tab \t é ☃ \u2028',
    [], {}, [[]], [{}], { a: [] }, { b: {} },
    { z: 1, a: { y: [1, 2, { d: 4, c: 3 }], x: 'x' }, m: [[1, [2, [3]]]] },
    { kept: 1, gone: undefined, fn: () => 1, sym: Symbol('s') },
    [undefined, () => 1, Symbol('s'), 2],
    { when: new Date(Date.UTC(2026, 0, 2)), custom: { toJSON: () => ({ b: 2, a: 1 }) } },
    { 'key with "quotes"': 1, 'ключ': 2, '': 3 },
  ];
  for (const v of values) assert.equal(text(v), reference(v), JSON.stringify(v) ?? String(v));
});

void test('a given key order at the top level only; keys absent or undefined are left out', () => {
  const v = { b: { y: 1, x: 2 }, a: 1, c: undefined };
  assert.equal(text(v, ['c', 'b', 'missing', 'a']), '{\n  "b": {\n    "x": 2,\n    "y": 1\n  },\n  "a": 1\n}');
});

void test('a real result reads the same, whatever the chunk size', async () => {
  const v: unknown = JSON.parse(await readFile(join(packageRoot(), 'examples', 'result.example.json'), 'utf8'));
  const whole = reference(v);
  assert.equal(text(v), whole);
  for (const size of [1, 100, 64 * 1024]) {
    const chunks = [...chunked(sortedJsonPieces(v), size)];
    assert.equal(chunks.join(''), whole);
    assert.ok(chunks.slice(0, -1).every((c) => c.length >= size), 'every chunk but the last is at least the size');
  }
});
