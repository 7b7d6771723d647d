import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJsonSchema } from './to-json-schema.js';
import { newAjv } from './validator.js';
import type { OpenApiSchema } from './openapi.js';

const schema: OpenApiSchema = {
  type: 'object',
  properties: {
    ttl: { type: 'integer', format: 'int32', nullable: true },
    serial: { type: 'integer', format: 'uint32' },
    size: { 'x-kubernetes-int-or-string': true },
    mode: { type: 'string', enum: ['a', 'b'], nullable: true },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
    nested: { type: 'object', properties: { x: { type: 'number', minimum: 0, exclusiveMinimum: true } } },
    bare: { type: 'object' },
    when: { type: 'string', format: 'date-time', description: 'ignored', 'x-kubernetes-validations': [{ rule: 'self != ""' }] },
  },
};

const cases: { name: string; value: Record<string, unknown>; strict: boolean; root?: boolean; valid: boolean }[] = [
  { name: 'nullable accepts null', value: { ttl: null, mode: null }, strict: true, valid: true },
  { name: 'int32 upper bound enforced', value: { ttl: 2147483648 }, strict: false, valid: false },
  { name: 'int32 lower bound enforced', value: { ttl: -2147483649 }, strict: false, valid: false },
  { name: 'uint32 rejects negatives', value: { serial: -1 }, strict: false, valid: false },
  { name: 'uint32 takes its maximum', value: { serial: 4294967295 }, strict: false, valid: true },
  { name: 'int-or-string takes a string', value: { size: '1Gi' }, strict: true, valid: true },
  { name: 'int-or-string takes an integer', value: { size: 5 }, strict: true, valid: true },
  { name: 'int-or-string rejects a boolean', value: { size: true }, strict: true, valid: false },
  { name: 'enum rejects other values', value: { mode: 'c' }, strict: false, valid: false },
  { name: 'map values typed', value: { labels: { a: 1 } }, strict: false, valid: false },
  { name: 'map keys free in strict mode', value: { labels: { anything: 'x' } }, strict: true, valid: true },
  { name: 'preserve keeps unknown in strict mode', value: { free: { other: 1 } }, strict: true, valid: true },
  { name: 'strict rejects unknown fields', value: { nested: { y: 1 } }, strict: true, valid: false },
  { name: 'non-strict tolerates unknown fields', value: { nested: { y: 1 } }, strict: false, valid: true },
  { name: 'strict rejects anything in a property-less object', value: { bare: { y: 1 } }, strict: true, valid: false },
  { name: 'boolean exclusiveMinimum becomes exclusive', value: { nested: { x: 0 } }, strict: false, valid: false },
  { name: 'exclusiveMinimum passes above', value: { nested: { x: 0.5 } }, strict: false, valid: true },
  { name: 'date-time format checked', value: { when: 'yesterday' }, strict: false, valid: false },
  { name: 'root allows apiVersion/kind/metadata', value: { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', x: {} } }, strict: true, root: true, valid: true },
  { name: 'without root, metadata is unknown', value: { metadata: {} }, strict: true, valid: false },
];

for (const c of cases) {
  test(`toJsonSchema: ${c.name}`, () => {
    const check = newAjv().compile(toJsonSchema(schema, { strict: c.strict, root: c.root === true }));
    assert.equal(check(c.value), c.valid, JSON.stringify(check.errors));
  });
}

test('toJsonSchema drops descriptions and x-kubernetes keywords', () => {
  const text = JSON.stringify(toJsonSchema(schema, { strict: true }));
  assert.ok(!text.includes('description'));
  assert.ok(!text.includes('x-kubernetes'));
});
