import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { toYamlDocument } from './yaml-emit.js';
import { yamlDocuments } from './yaml-writer.js';
import { resolveFixtureOptions } from '../fixtures/options.js';
import { generateAll } from '../fixtures/generate.js';

const tricky = {
  plain: 'host-1',
  keywords: ['yes', 'No', 'on', 'null', 'true', '~', 'y', '.inf', 'NaN'],
  numbersAsStrings: ['9.18', '0x1F', '1e3', '192.0.2.1', '007', '-1'],
  punctuation: ['@', '*', '- x', 'a: b', '#c', '"q"', "it's", 'back\\slash', '{x}', '[y]', '&a', '!t', '%p', '|', '>', '', ' lead', 'trail '],
  unicode: 'héllo \u2028 \u0000 \t tab\nnewline',
  numbers: [0, -5, 2147483647, 1.5],
  bools: [true, false],
  nothing: null,
  empty: { list: [], map: {} },
  nested: [[1, [2]], [{ a: 1, b: [{ c: 'd' }] }], { 'key with space': 1, 'bindy.firestoned.io/zone': 'z', '123': 'num key' }],
};

test('toYamlDocument round-trips awkward values through the yaml library', () => {
  const docs = parseAllDocuments(toYamlDocument(tricky));
  assert.equal(docs.length, 1);
  assert.deepEqual(docs[0]?.errors, []);
  assert.deepEqual(docs[0]?.toJS(), tricky);
});

test('generated multi-document YAML parses back to the same objects, in order', () => {
  const o = resolveFixtureOptions({ seed: 21, zones: 3, recordsPerZone: 300 });
  const objects = [...generateAll(o)];
  const text = [...yamlDocuments(objects)].join('');
  const docs = parseAllDocuments(text);
  assert.equal(docs.length, objects.length);
  for (const d of docs) assert.deepEqual(d.errors, []);
  assert.deepEqual(docs.map((d) => d.toJS() as unknown), objects);
});

test('non-finite numbers are refused rather than written wrong', () => {
  assert.throws(() => toYamlDocument({ x: Number.NaN }), RangeError);
});
