import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nofileArg, nofileOf } from './fd-limit.js';

test('RLIMIT_NOFILE read from /proc/PID/limits and written back as prlimit takes it, unlimited as -1', () => {
  const text = ['Limit                     Soft Limit           Hard Limit           Units     ', 'Max processes             63704                63704                processes ', 'Max open files            1024                 524288               files     ', ''].join('\n');
  assert.deepEqual(nofileOf(text), { soft: 1024, hard: 524288 });
  assert.deepEqual(nofileOf('Max open files            unlimited            unlimited            files\n'), { soft: -1, hard: -1 });
  assert.equal(nofileOf('Max processes 1 1 processes\n'), null);
  assert.equal(nofileArg(36, 20000), '--nofile=36:20000');
  assert.equal(nofileArg(-1, -1), '--nofile=unlimited:unlimited');
});
