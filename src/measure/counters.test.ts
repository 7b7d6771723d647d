/** @module Tests of named counters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from './counters.js';
import { UsageError } from '../errors.js';

void test('declared counters add up and serialise sorted by name with their units', () => {
  const c = new Counters();
  c.declare('writes', 'requests', 'API writes sent');
  c.declare('late_starts', 'operations', 'operations started after their intended time');
  c.add('writes');
  c.add('writes', 4);
  c.declare('writes', 'requests', 'declared twice with the same unit is harmless');
  assert.equal(c.get('writes'), 5);
  assert.equal(c.get('unknown'), undefined);
  const json = c.toJSON();
  assert.deepEqual(Object.keys(json), ['late_starts', 'writes']);
  assert.deepEqual(json.writes, { value: 5, unit: 'requests', description: 'API writes sent' });
});

void test('adding to an undeclared counter or redeclaring with another unit is an error', () => {
  const c = new Counters();
  assert.throws(() => c.add('nope'), UsageError);
  c.declare('bytes_sent', 'bytes', 'x');
  assert.throws(() => c.declare('bytes_sent', 'kB', 'x'), UsageError);
});
