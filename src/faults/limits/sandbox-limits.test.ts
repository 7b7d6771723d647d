import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWorkers, workersOf } from './sandbox-limits.js';
import { changeTargetText, parseChangeDescriptor } from './change.js';

test('the twin\'s arguments get one --workers, replacing any it had; the workers read back (4 when absent, the twin\'s default)', () => {
  assert.deepEqual(withWorkers(['--workers', '4', '--capacity', '8/s'], 1), ['--capacity', '8/s', '--workers', '1']);
  assert.deepEqual(withWorkers(['--leak', '1Mi/m'], 2), ['--leak', '1Mi/m', '--workers', '2']);
  assert.deepEqual(withWorkers(['--workers', '4'], undefined), ['--workers', '4']);
  assert.equal(workersOf(['--capacity', '8/s', '--workers', '1']), 1);
  assert.equal(workersOf([]), 4);
});

test('change descriptors read back from the journal as written, and anything else is refused', () => {
  const sandbox = { change: 'sandbox-operator-limits', version: 1, home: '/h', sandboxDir: '/h/run-1', originalArgs: ['--workers', '4'], cgroups: ['/sys/fs/cgroup/cpu/x'] };
  assert.deepEqual(parseChangeDescriptor(JSON.parse(JSON.stringify(sandbox))), sandbox);
  const deployment = { change: 'deployment-resources', version: 1, server: 'https://k:6443', namespace: 'bindy-system', name: 'bindy', container: 'bindy', original: null, applied: { limits: { cpu: '100m' } } };
  assert.deepEqual(parseChangeDescriptor(deployment), deployment);
  assert.match(changeTargetText(parseChangeDescriptor(deployment)), /container bindy of Deployment bindy-system\/bindy/);
  assert.throws(() => parseChangeDescriptor({ ...sandbox, version: 2 }), /version 1/);
  assert.throws(() => parseChangeDescriptor({ ...sandbox, sandboxDir: undefined }), /needs home, sandboxDir/);
  assert.throws(() => parseChangeDescriptor({ ...deployment, original: 'x' }), /needs server/);
  assert.throws(() => parseChangeDescriptor({ change: 'node-drain', version: 1 }), /unknown change/);
});
