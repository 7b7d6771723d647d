import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterFacts } from './cluster-facts.js';
import { assertPreflight, preflightProblems } from './preflight.js';
import type { PreflightOptions } from './preflight.js';
import { TargetNotReadyError } from '../../errors.js';
import { managedNamespaceLabel, managedNamespaceValue } from './namespace.js';

const ready: ClusterFacts = {
  server: 'https://k8s:6443',
  context: 'kind-bindy',
  unreachable: null,
  bindyResources: ['arecords', 'bind9clusters', 'dnszones'],
  operator: { namespace: 'bindy-system', name: 'bindy', available: 1, desired: 1, images: ['bindy:v1'], imageIds: [], serviceAccountName: 'bindy' },
  namespace: { name: 'lt', labels: { [managedNamespaceLabel]: managedNamespaceValue } },
  cluster: { name: 'loadtest', readyInstances: 1, ready: 'True', labels: {} },
};
const opts: PreflightOptions = { namespace: 'lt', clusterName: 'loadtest', resources: ['dnszones', 'arecords'], createCluster: false, allowExistingNamespace: false };

test('preflight: a ready cluster has no problems; each missing piece is named with its fix', () => {
  assert.deepEqual(preflightProblems(ready, opts), []);
  const cases: [string, Partial<ClusterFacts>, Partial<PreflightOptions>, RegExp | null][] = [
    ['unreachable', { unreachable: 'ECONNREFUSED' }, {}, /not reachable: ECONNREFUSED/],
    ['no CRDs', { bindyResources: null }, {}, /CRDs are not installed/],
    ['a kind missing', {}, { resources: ['dnszones', 'caarecords'] }, /does not serve caarecords/],
    ['no operator', { operator: null }, {}, /operator is not deployed/],
    ['no operator in the cluster, one outside it (--operator-metrics)', { operator: null }, { operatorMetrics: 'http://192.0.2.7:8080/metrics' }, null],
    ['operator unavailable', { operator: { namespace: 'bindy-system', name: 'bindy', available: 0, desired: 1, images: ['bindy:v1'], imageIds: [], serviceAccountName: 'bindy' } }, {}, /0\/1 replicas available/],
    ['foreign namespace', { namespace: { name: 'lt', labels: {} } }, {}, /not created by bindy-loadtest/],
    ['foreign namespace, allowed', { namespace: { name: 'lt', labels: {} } }, { allowExistingNamespace: true }, null],
    ['absent namespace is created later', { namespace: null, cluster: null }, { createCluster: true }, null],
    ['no cluster', { cluster: null }, {}, /no Bind9Cluster loadtest in namespace lt[\s\S]*/],
    ['no cluster, --create-cluster', { cluster: null }, { createCluster: true }, null],
    ['cluster not ready', { cluster: { name: 'loadtest', readyInstances: 0, ready: 'False', labels: {} } }, {}, /no ready instances/],
    ['cluster ready by instances only', { cluster: { name: 'loadtest', readyInstances: 2, ready: null, labels: {} } }, {}, null],
  ];
  for (const [name, facts, o, pattern] of cases) {
    const problems = preflightProblems({ ...ready, ...facts }, { ...opts, ...o });
    if (pattern === null) assert.deepEqual(problems, [], name);
    else {
      assert.equal(problems.length, 1, `${name}: ${JSON.stringify(problems)}`);
      assert.match(problems[0]?.what ?? '', pattern, name);
      assert.ok((problems[0]?.fix ?? '') !== '', `${name} has a fix`);
    }
  }
});

test('preflight: every problem at once, in one exit-3 error', () => {
  const problems = preflightProblems({ ...ready, bindyResources: null, operator: null }, opts);
  assert.equal(problems.length, 2);
  assert.throws(() => assertPreflight(problems), (e: unknown) => e instanceof TargetNotReadyError && e.exitCode === 3 && /\(1\)[\s\S]*\(2\)/.test(e.message));
  assert.doesNotThrow(() => assertPreflight([]));
});
