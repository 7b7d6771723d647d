import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicaArgs } from './replica.js';
import { parseFaultSpec, parseRevertDescriptor, describeFault } from '../fault.js';

test('the replica starts as the operator does, on its own metrics port, marked, and without the Lease only when asked', () => {
  const operator = ['--kubeconfig', '/s/operator.kubeconfig', '--dns', '127.0.0.1:53', '--workers', '4', '--metrics-port', '40123'];
  assert.deepEqual(replicaArgs(operator, { replicaId: 'r0011aabb', metricsPort: 40999, leaderElection: false }), [
    '--kubeconfig', '/s/operator.kubeconfig', '--dns', '127.0.0.1:53', '--workers', '4', '--metrics-port', '40999', '--replica', 'r0011aabb', '--no-leader-election',
  ]);
  // An operator started without the Lease: the replica with leader election takes part again.
  assert.deepEqual(replicaArgs([...operator, '--no-leader-election'], { replicaId: 'r0011aabb', metricsPort: 1, leaderElection: true }).slice(-4), ['--metrics-port', '1', '--replica', 'r0011aabb']);
});

test('a replica fault and its descriptor round-trip; a descriptor whose marker is not ours is refused', () => {
  assert.deepEqual(parseFaultSpec({ kind: 'replica', leaderElection: true }), { kind: 'replica', leaderElection: true });
  assert.throws(() => parseFaultSpec({ kind: 'replica', leaderElection: 'yes' }), /replica.leaderElection must be true or false/);
  assert.equal(describeFault({ kind: 'replica', leaderElection: false }), 'a second operator replica without leader election (both reconcile: split brain)');
  const d = { mechanism: 'sandbox-replica', version: 1, home: '/tmp/h', replicaId: 'r0011aabb' } as const;
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(d))), d);
  assert.throws(() => parseRevertDescriptor({ ...d, replicaId: '.*' }), /replicaId must be r and 8 hex digits/);
});
