import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { settleHeapEvery } from './heap-settle.js';

test('heap settling exposes V8\'s full collection at run time and stops cleanly', () => {
  const stop = settleHeapEvery(60_000);
  try {
    assert.equal(typeof runInNewContext('typeof gc'), 'string');
    assert.equal(runInNewContext('typeof gc'), 'function', 'a context made after the flag has gc');
  } finally {
    stop();
  }
  stop();
});
