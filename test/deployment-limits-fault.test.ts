/**
 * cpu-throttle and memory-pressure of the operator on a cluster, through the real Kubernetes API
 * client against the API twin serving apps/v1 Deployments (a stand-in for the Deployment controller
 * reports each rollout done): bindy's container gets the limit (its other resources kept),
 * journalled with the resources of before; a killed run's change is put back exactly from its
 * journal; a container edited meanwhile is never overwritten; without the user's consent, or on a
 * part bindy manages itself, nothing is changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindyDeploymentPath as path, bindyDeploymentSandbox } from './helpers/api-sandbox.js';
import { DeploymentLimitsFaultMechanism } from '../src/faults/native/deployment-limits-fault.js';
import { parseRevertDescriptor, type RevertDescriptor } from '../src/faults/fault.js';
import { revertFromDescriptor } from '../src/faults/revert.js';
import { revertDeadRunFaults } from './helpers/dead-run.js';
import { Journal } from '../src/observe/journal.js';

const before = { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '200m', memory: '128Mi' } };

test('cpu-throttle and memory-pressure of the operator on a cluster: the limit on bindy\'s container, journalled; a killed run\'s change put back exactly; an edited container never overwritten; refused without consent or on a part bindy manages', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-deploy-limits-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kc, deployment: get } = await bindyDeploymentSandbox(t, { image: 'ghcr.io/firestoned/bindy:v0.8.2', resources: before });
  const resources = async (): Promise<unknown> => ((await get()) as { spec: { template: { spec: { containers: { resources?: unknown }[] } } } }).spec.template.spec.containers[0]?.resources;
  const deployment = { namespace: 'bindy-system', name: 'bindy' };

  const refused = new DeploymentLimitsFaultMechanism({ kubeConfig: kc, deployment, allowed: false, pollMs: 20, rolloutTimeoutMs: 10_000 });
  assert.match(refused.unsupportedReason('operator', { kind: 'cpu-limit', cores: 0.05 }) ?? '', /^cpu-limit on a cluster sets the CPU limit 0\.05 cores on bindy's Deployment bindy-system\/bindy .*--allow-cluster-changes/);
  await assert.rejects(refused.apply('operator', { kind: 'cpu-limit', cores: 0.05 }), /--allow-cluster-changes/);
  const mech = new DeploymentLimitsFaultMechanism({ kubeConfig: kc, deployment, allowed: true, pollMs: 20, rolloutTimeoutMs: 10_000 });
  assert.match(mech.unsupportedReason('named', { kind: 'memory-limit', mib: 32 }) ?? '', /its pods are bindy's own .* bindy would undo a patch/);
  assert.match(mech.unsupportedReason('operator', { kind: 'fd-limit', spare: 0 }) ?? '', /not a CPU or memory limit/);
  assert.deepEqual(await resources(), before, 'nothing changed');

  // A run killed while its cpu-throttle is in force: cleanup puts it back from the journal alone.
  const journalDir = join(dir, 'journal');
  const journal = new Journal(journalDir, 'limits-1');
  let journalled: RevertDescriptor | null = null;
  const applied = await mech.apply('operator', { kind: 'cpu-limit', cores: 0.05 }, {
    beforeApply: (d) => {
      journalled = d;
      journal.appendFaultApplying('exp-0', d);
    },
  });
  journal.close();
  const throttled = { limits: { cpu: '50m', memory: '512Mi' }, requests: { cpu: '50m', memory: '128Mi' } };
  assert.deepEqual(await resources(), throttled, 'the CPU limit set, the request lowered to it, memory kept');
  assert.deepEqual(journalled, { mechanism: 'deployment-limits', version: 1, server: sb.url, namespace: 'bindy-system', name: 'bindy', container: 'bindy', original: before, applied: throttled });
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(applied.descriptor))), applied.descriptor, 'the journalled descriptor reads back');
  const lines = await revertDeadRunFaults(journalDir, kc);
  assert.deepEqual(lines.map((l) => `${l.key} ${l.outcome}`), ['exp-0 reverted'], JSON.stringify(lines));
  assert.match(lines[0]?.what ?? '', /^Deployment bindy-system\/bindy on http:\/\/127\.0\.0\.1:\d+ \(container bindy's resources /);
  assert.deepEqual(await resources(), before, 'exactly as before');
  assert.equal((await applied.verifyReverted()).reverted, true);
  assert.equal((await applied.revert()).already, true, 'a second revert finds it already as before');

  // memory-pressure: the memory limit only. Someone edits the container meanwhile: their change stands.
  const squeezed = await mech.apply('operator', { kind: 'memory-limit', mib: 32 });
  assert.deepEqual(await resources(), { limits: { cpu: '500m', memory: '32Mi' }, requests: { cpu: '200m', memory: '32Mi' } });
  const edit = await sb.server.request({ method: 'PATCH', path, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: { spec: { template: { spec: { containers: [{ name: 'bindy', resources: { limits: { memory: '64Mi' } } }] } } } } });
  assert.equal(edit.status, 200, edit.text);
  const r = await squeezed.revert();
  assert.equal(r.reverted, false);
  assert.match(r.detail, /was edited after the run set its resources: .*left as it is/);
  assert.equal(((await resources()) as { limits: { memory: string } }).limits.memory, '64Mi', 'their edit stands');
  // A journal made on another cluster is not applied here.
  const elsewhere = await revertFromDescriptor({ ...squeezed.descriptor, server: 'https://10.0.0.1:6443' } as RevertDescriptor, { kubeConfig: kc });
  assert.equal(elsewhere.outcome.reverted, false);
  assert.match(elsewhere.outcome.detail, /made on https:\/\/10\.0\.0\.1:6443; this kubeconfig points at http:\/\/127\.0\.0\.1:\d+/);
});
