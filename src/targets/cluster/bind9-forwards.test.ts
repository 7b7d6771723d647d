/** @module Which instances, pods and ports the DNS port-forwards go to (pure). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { dnsPodPort, forwardablePodOf, forwardOrder, sharedForwards } from './bind9-forwards.js';
import type { KubeObject } from '../../observe/kube-client.js';

const instance = (name: string, clusterRef: string, role: string): KubeObject => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name }, spec: { clusterRef, role } });

test('servers are named as on the sandbox: primaries then secondaries of the run\'s cluster, each by name', () => {
  const order = forwardOrder([instance('lt-secondary-0', 'lt', 'Secondary'), instance('lt-primary-1', 'lt', 'primary'), instance('lt-primary-0', 'lt', 'Primary'), instance('other-primary-0', 'other', 'primary')], 'lt');
  assert.deepEqual(order, [
    { instance: 'lt-primary-0', role: 'primary', label: 'primary-0' },
    { instance: 'lt-primary-1', role: 'primary', label: 'primary-1' },
    { instance: 'lt-secondary-0', role: 'secondary', label: 'secondary-0' },
  ]);
  assert.deepEqual(forwardOrder([instance('x', 'lt', 7 as unknown as string)], 'lt'), []);
});

test('the DNS port: the Service port 53\'s targetPort, a number or a container port\'s name; none without port 53', () => {
  const pod: V1Pod = { spec: { containers: [{ name: 'bind9', ports: [{ name: 'dns-tcp', containerPort: 5353 }] }, { name: 'api', ports: [{ name: 'http', containerPort: 8080 }] }] } };
  const svc = (ports: NonNullable<V1Service['spec']>['ports']): V1Service => ({ spec: { ports } });
  assert.equal(dnsPodPort(svc([{ port: 53, targetPort: 5353 }]), pod), 5353);
  assert.equal(dnsPodPort(svc([{ port: 53, protocol: 'UDP', targetPort: '1053' }, { port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }]), pod), 5353, 'the TCP port 53 first');
  assert.equal(dnsPodPort(svc([{ port: 53 }]), pod), 53, 'no targetPort: the port itself');
  assert.equal(dnsPodPort(svc([{ port: 80, targetPort: 'http' }]), pod), undefined);
  assert.equal(dnsPodPort(svc([{ port: 53, targetPort: 'nope' }]), pod), undefined);
});

test('a pod to forward to: Running, Ready, not being deleted; the first by name', () => {
  const p = (name: string, phase: string, ready: boolean, deleting = false): V1Pod => ({
    metadata: { name, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  assert.equal(forwardablePodOf([p('b', 'Running', true), p('a', 'Running', false), p('c', 'Pending', true), p('0', 'Running', true, true)])?.metadata?.name, 'b');
  assert.equal(forwardablePodOf([p('a', 'Running', false)]), undefined);
});

test('shared forwards: opened once for every holder, closed when the last one closes, opened again after; a failed open is not kept', async () => {
  let opened = 0;
  let closed = 0;
  let fail = false;
  const open = sharedForwards(() => {
    if (fail) return Promise.reject(new Error('no Ready pod'));
    opened++;
    return Promise.resolve({ forwards: [], describe: `set ${opened}`, close: () => Promise.resolve(void closed++) });
  });
  const [a, b] = await Promise.all([open(), open()]);
  assert.equal(opened, 1);
  assert.equal(a.describe, 'set 1');
  assert.equal(b.describe, 'set 1');
  await a.close();
  await a.close(); // twice by one holder counts once
  assert.equal(closed, 0, 'still held by the other');
  await b.close();
  assert.equal(closed, 1);
  const c = await open();
  assert.equal(c.describe, 'set 2');
  await c.close();
  fail = true;
  await assert.rejects(open(), /no Ready pod/);
  fail = false;
  const d = await open();
  assert.equal(d.describe, 'set 3');
  await d.close();
  assert.equal(closed, 3);
});
