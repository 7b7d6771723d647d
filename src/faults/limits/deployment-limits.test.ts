import { test } from 'node:test';
import assert from 'node:assert/strict';
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { limitedResources, quantityValue, resourcesPatch, rolloutDone } from './deployment-limits.js';

test('quantities: decimal and binary suffixes, millis and exponents; anything else is not one', () => {
  assert.equal(quantityValue('100m'), 0.1);
  assert.equal(quantityValue('2'), 2);
  assert.equal(quantityValue(0.5), 0.5);
  assert.equal(quantityValue('128Mi'), 128 * 2 ** 20);
  assert.equal(quantityValue('1G'), 1e9);
  assert.equal(quantityValue('1e3'), 1000);
  for (const bad of ['', '1 core', 'Mi', '1mi', null]) assert.equal(quantityValue(bad), null, String(bad));
});

test('limited resources: the new limits, requests lowered to them where above (Kubernetes refuses requests above limits), the rest kept', () => {
  const bindy = { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } };
  assert.deepEqual(limitedResources(bindy, { cpuCores: 0.2 }), { limits: { cpu: '200m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  assert.deepEqual(limitedResources(bindy, { cpuCores: 0.05, memoryMiB: 64 }), { limits: { cpu: '50m', memory: '64Mi' }, requests: { cpu: '50m', memory: '64Mi' } });
  assert.deepEqual(limitedResources(null, { cpuCores: 1 }), { limits: { cpu: '1' } }, 'a container without resources gets limits only');
  assert.deepEqual(bindy.requests, { cpu: '100m', memory: '128Mi' }, 'the original is not mutated');
});

test('the resources patch sets them only on the container and resources it read: a Deployment edited meanwhile fails the test op', () => {
  const deployment = { spec: { template: { spec: { containers: [{ name: 'bindy', image: 'b', resources: { limits: { cpu: '500m' } } }] } } } };
  const to = { limits: { cpu: '100m' } };
  const ops = resourcesPatch(0, 'bindy', { limits: { cpu: '500m' } }, to) as Operation[];
  const after = fastJsonPatch.applyPatch(structuredClone(deployment), ops, true, false).newDocument;
  assert.deepEqual(after.spec.template.spec.containers[0]?.resources, to);
  const back = fastJsonPatch.applyPatch(structuredClone(after), resourcesPatch(0, 'bindy', to, { limits: { cpu: '500m' } }) as Operation[], true, false).newDocument;
  assert.deepEqual(back, deployment, 'patched back exactly');
  // Someone changed the limits in between: the restore must not overwrite their change.
  const edited = structuredClone(after);
  (edited.spec.template.spec.containers[0] as { resources: unknown }).resources = { limits: { cpu: '300m' } };
  assert.throws(() => fastJsonPatch.applyPatch(edited, resourcesPatch(0, 'bindy', to, null) as Operation[], true, false), /Test operation failed/);
  // A container that had no resources gets them added, and removed again on restore.
  const bare = { spec: { template: { spec: { containers: [{ name: 'bindy' }] } } } };
  const added = fastJsonPatch.applyPatch(structuredClone(bare), resourcesPatch(0, 'bindy', null, to) as Operation[], true, false).newDocument;
  assert.deepEqual(fastJsonPatch.applyPatch(added, resourcesPatch(0, 'bindy', to, null) as Operation[], true, false).newDocument, bare);
});

test('a rollout is done when the controller saw the newest generation and every replica is updated and available, with no old one left', () => {
  const d = (status: object, generation = 2): Parameters<typeof rolloutDone>[0] => ({ metadata: { generation }, spec: { replicas: 1, selector: {}, template: {} }, status });
  assert.equal(rolloutDone(d({ observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 })).done, true);
  assert.equal(rolloutDone(d({ observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 })).done, false, 'the controller has not seen the patch yet');
  assert.equal(rolloutDone(d({ observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 })).done, false, 'the old pod still runs');
  assert.match(rolloutDone(d({ observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 0 })).text, /0\/1 available/);
});
