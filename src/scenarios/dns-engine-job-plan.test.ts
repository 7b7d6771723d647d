import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEngineSpecSize, inClusterDnsServer, maxEngineSpecBytes, onRunClock, parseEngineResult } from './dns-engine-job-plan.js';
import type { KubeObject } from '../observe/kube-client.js';

const instance = (name: string, clusterRef: string, role: string): KubeObject => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', metadata: { name, namespace: 'ns' }, spec: { clusterRef, role } });

test('the pod asks the first primary instance of the run\'s cluster, by its Service name, port 53', () => {
  const list = [instance('lt-secondary-0', 'lt', 'secondary'), instance('lt-primary-1', 'lt', 'Primary'), instance('other-primary-0', 'other', 'primary'), instance('lt-primary-0', 'lt', 'primary')];
  assert.deepEqual(inClusterDnsServer(list, 'lt', 'ns'), { host: 'lt-primary-0.ns.svc.cluster.local', port: 53, instance: 'lt-primary-0' });
  assert.equal(inClusterDnsServer(list.filter((i) => i.metadata.name !== 'lt-primary-0' && i.metadata.name !== 'lt-primary-1'), 'lt', 'ns'), undefined);
});

test('a spec over the ConfigMap\'s room is refused, naming its size and what to change', () => {
  assert.doesNotThrow(() => checkEngineSpecSize('x'.repeat(maxEngineSpecBytes), 'q'));
  assert.throws(() => checkEngineSpecSize('é'.repeat(maxEngineSpecBytes / 2 + 1), 'the 90000 queries of the run'), (e: Error) => {
    assert.match(e.message, /spec is 1000002 bytes with the 90000 queries of the run; .*\(--records\), or .*\(--server host:port\)$/);
    return true;
  });
});

test('the pod\'s series move onto the run\'s clock; counters and histograms are untouched', () => {
  const s = { latencies: {}, counters: { dnsperf_sent: { value: 5, unit: 'queries', description: 'd' } }, timeSeries: [{ name: 'qps', unit: '1/s', description: 'd', points: [{ t: 0, value: 1 }, { t: 1000, value: 2 }] }], notes: ['n'] };
  const moved = onRunClock(s, 2500);
  assert.deepEqual(moved.timeSeries[0]?.points, [{ t: 2500, value: 1 }, { t: 3500, value: 2 }]);
  assert.equal(moved.counters, s.counters);
  assert.deepEqual(s.timeSeries[0]?.points[0], { t: 0, value: 1 }, 'the input is not changed');
});

test('a result without its sections is an error that says so', () => {
  assert.throws(() => parseEngineResult('nope'), /not JSON/);
  assert.throws(() => parseEngineResult('{"sections":{"latencies":{}}}'), /without its sections/);
  assert.deepEqual(parseEngineResult('{"sections":{"latencies":{},"counters":{},"timeSeries":[],"notes":[]}}').notes, []);
});
