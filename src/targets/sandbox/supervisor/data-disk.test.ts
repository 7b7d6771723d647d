import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountPointsOf, mountsUnder } from './data-disk.js';

test('mount points come from /proc/self/mounts with octal escapes decoded; those under a sandbox folder are unmounted deepest first, never the folder\'s siblings', () => {
  const text = [
    '/dev/vda / ext4 rw 0 0',
    'bindy-loadtest-named /tmp/sb/run-1/named tmpfs rw,size=262144k 0 0',
    'tmpfs /tmp/sb/run-1/named/deep tmpfs rw 0 0',
    'tmpfs /tmp/sb/run-10/named tmpfs rw 0 0',
    'tmpfs /tmp/with\\040space tmpfs rw 0 0',
    '',
  ].join('\n');
  const points = mountPointsOf(text);
  assert.ok(points.includes('/tmp/with space'));
  assert.deepEqual(mountsUnder(points, '/tmp/sb/run-1'), ['/tmp/sb/run-1/named/deep', '/tmp/sb/run-1/named']);
  assert.deepEqual(mountsUnder(points, '/tmp/sb/run-1/'), ['/tmp/sb/run-1/named/deep', '/tmp/sb/run-1/named']);
  assert.deepEqual(mountsUnder(points, '/tmp/sb/run-2'), []);
});
