/** @module Which servers bind transfer watches: the target's, or a cluster's instances through port-forwards, with their roles. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetNotReadyError } from '../errors.js';
import type { Bind9Forwards } from '../targets/cluster/bind9-forwards.js';
import type { OpenPortForward } from '../observe/port-forward.js';
import { transferReach } from './bind-transfer.js';

/** Port-forwards as openBind9Forwards gives them (nothing listens: no question is asked here). */
function forwards(roles: ('primary' | 'secondary')[], closed: { n: number }): Bind9Forwards {
  const count = { primary: 0, secondary: 0 };
  return {
    forwards: roles.map((role, i) => ({
      server: { host: '127.0.0.1', port: 1 + i, name: `${role}-${count[role]++}`, role },
      pod: `pod-${i}`,
      podPort: 53,
      forward: { pods: [`pod-${i}`], connections: 0, lastError: null } as unknown as OpenPortForward,
    })),
    describe: 'test forwards',
    close: () => Promise.resolve(void closed.n++),
  };
}

void test('a cluster: every instance through a port-forward, roles kept, TCP; without a secondary exit 3 and the forwards closed', async () => {
  const closed = { n: 0 };
  const both = await transferReach({ dnsServers: [], openDnsForwards: () => Promise.resolve(forwards(['primary', 'secondary'], closed)) } as never);
  assert.equal(both.forwarded, true);
  assert.deepEqual(both.servers.map((s) => `${s.name}/${s.role}`), ['primary-0/primary', 'secondary-0/secondary']);
  assert.ok(both.query !== undefined, 'questions go over the forwards');
  await both.close();
  assert.equal(closed.n, 1);
  await assert.rejects(
    transferReach({ dnsServers: [], openDnsForwards: () => Promise.resolve(forwards(['primary'], closed)) } as never),
    (e: unknown) => e instanceof TargetNotReadyError && /needs a primary and a secondary BIND9 server; found primary-0 \(primary\)/.test(e.message) && /secondary\.replicas/.test(e.hint ?? ''),
  );
  assert.equal(closed.n, 2, 'the forwards opened for nothing are closed');
});

void test('the sandbox: its own servers over UDP, no forward', async () => {
  const reach = await transferReach({ dnsServers: [{ host: '127.0.0.1', port: 5300, name: 'primary-0', role: 'primary' }, { host: '127.0.0.1', port: 5301, name: 'secondary-0', role: 'secondary' }] } as never);
  assert.equal(reach.forwarded, false);
  assert.equal(reach.query, undefined);
  assert.deepEqual(reach.servers.map((s) => s.name), ['primary-0', 'secondary-0']);
});
