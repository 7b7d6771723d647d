/**
 * @module JSON text with sorted keys, as `JSON.stringify(value, null, 2)` of a key-sorted copy
 * would write it, produced in pieces: an hour's result (thousands of series points) is written
 * without a sorted copy of the whole result and without one string of all of it, the two biggest
 * parts of the tool's peak memory at the end of a long run.
 */

/** The pieces of `value`'s text at nesting `indent` (spaces); object keys in `keyOrder` when given (this level only), else sorted. */
export function* sortedJsonPieces(value: unknown, indent = '', keyOrder?: readonly string[]): Generator<string, void, undefined> {
  const v = jsonValue(value);
  if (v === null || typeof v !== 'object') {
    yield JSON.stringify(v ?? null);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const item: unknown = v[i];
      // As JSON.stringify: what JSON cannot hold is null inside an array.
      yield* sortedJsonPieces(representable(item) ? item : null, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  const obj = v as Record<string, unknown>;
  const keys = (keyOrder ?? Object.keys(obj).sort()).filter((k) => Object.hasOwn(obj, k) && representable(obj[k]));
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{';
  for (const [i, k] of keys.entries()) {
    yield `${i === 0 ? '' : ','}\n${inner}${JSON.stringify(k)}: `;
    yield* sortedJsonPieces(obj[k], inner);
  }
  yield `\n${indent}}`;
}

/** What JSON.stringify writes for `value`: its toJSON() where it has one. */
function jsonValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') return (value as { toJSON: () => unknown }).toJSON();
  return value;
}

/** False for what JSON.stringify leaves out of an object (undefined, functions, symbols). */
function representable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** The pieces gathered into chunks of about `size` characters: few writes, and never the whole text in memory. */
export function* chunked(pieces: Iterable<string>, size = 64 * 1024): Generator<string, void, undefined> {
  let buf = '';
  for (const p of pieces) {
    buf += p;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf !== '') yield buf;
}
