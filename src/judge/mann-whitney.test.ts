import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mannWhitney } from './mann-whitney.js';
import type { Bucket } from './histogram-buckets.js';

function buckets(values: number[]): Bucket[] {
  const m = new Map<number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([value, count]) => ({ value, count }));
}

// U counted by brute force over all pairs (y > x counts 1, ties ½): the bucket formula must agree.
function bruteU(a: number[], b: number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += y > x ? 1 : y === x ? 0.5 : 0;
  return u;
}

const cases: { name: string; a: number[]; b: number[] }[] = [
  { name: 'no ties', a: [1, 3, 5, 7], b: [2, 4, 6, 8, 10] },
  { name: 'ties across samples', a: [1, 2, 2, 3, 3, 3], b: [2, 3, 3, 4] },
  { name: 'identical', a: [5, 5, 6], b: [5, 6, 6] },
  { name: 'with end buckets', a: [0, 1, 2], b: [2, Infinity] },
];

for (const c of cases) {
  test(`U from buckets equals the pairwise count: ${c.name}`, () => {
    assert.equal(mannWhitney(buckets(c.a), buckets(c.b)).u, bruteU(c.a, c.b));
  });
}

test('a clear upward shift is significant one way only', () => {
  const a = Array.from({ length: 200 }, (_, i) => 100 + (i % 50));
  const b = a.map((x) => x + 20);
  const r = mannWhitney(buckets(a), buckets(b));
  assert.ok(r.pLarger < 1e-6, `pLarger ${r.pLarger}`);
  assert.ok(r.pSmaller > 0.99);
  assert.ok(r.probabilityOfSuperiority > 0.6);
});

test('every value tied: no variance, no significance', () => {
  const r = mannWhitney([{ value: 7, count: 10 }], [{ value: 7, count: 12 }]);
  assert.equal(r.z, null);
  assert.equal(r.pLarger, 1);
});
