/**
 * split-brain on a cluster, through the real Kubernetes API client against the API twin serving
 * apps/v1 Deployments (a stand-in for the Deployment controller reports each rollout done): bindy's
 * Deployment gets one more replica (and, without leader election, BINDY_ENABLE_LEADER_ELECTION=false),
 * journalled with the values of before; a killed run's change is put back exactly from its journal;
 * a Deployment edited meanwhile is never overwritten; without the user's consent nothing is changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindyDeploymentPath as path, bindyDeploymentSandbox } from './helpers/api-sandbox.js';
import { DeploymentReplicaMechanism } from '../src/faults/native/deployment-replica.js';
import { parseRevertDescriptor, type RevertDescriptor } from '../src/faults/fault.js';
import { revertFromDescriptor } from '../src/faults/revert.js';
import { revertDeadRunFaults } from './helpers/dead-run.js';
import { Journal } from '../src/observe/journal.js';

const rustLog = { name: 'RUST_LOG', value: 'info' };

interface DeploymentView {
  spec: { replicas: number; template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } };
}

test('split-brain on a cluster: one more replica (leader election off: BINDY_ENABLE_LEADER_ELECTION=false), journalled; a killed run\'s change put back exactly; an edited Deployment never overwritten; refused without consent', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-deploy-replica-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kc, deployment: get } = await bindyDeploymentSandbox(t, { image: 'ghcr.io/firestoned/bindy:v0.8.2', env: [rustLog] });
  const now = async (): Promise<{ replicas: number; env: unknown }> => {
    const d = (await get()) as DeploymentView;
    return { replicas: d.spec.replicas, env: d.spec.template.spec.containers[0]?.env };
  };
  const deployment = { namespace: 'bindy-system', name: 'bindy' };

  const refused = new DeploymentReplicaMechanism({ kubeConfig: kc, deployment, allowed: false, pollMs: 20, rolloutTimeoutMs: 10_000 });
  assert.match(refused.unsupportedReason('operator', { kind: 'replica', leaderElection: false }) ?? '', /^split-brain on a cluster scales bindy's Deployment bindy-system\/bindy by one replica and sets BINDY_ENABLE_LEADER_ELECTION=false on it, .*--allow-cluster-changes \(scenarios\.chaos\.allowClusterChanges\)/);
  await assert.rejects(refused.apply('operator', { kind: 'replica', leaderElection: false }), /--allow-cluster-changes/);
  assert.deepEqual(await now(), { replicas: 1, env: [rustLog] }, 'nothing changed without consent');
  assert.match(new DeploymentReplicaMechanism({ kubeConfig: kc, deployment: null, allowed: true }).unsupportedReason('operator', { kind: 'replica', leaderElection: true }) ?? '', /bindy's Deployment was not found/);

  const mech = new DeploymentReplicaMechanism({ kubeConfig: kc, deployment, allowed: true, pollMs: 20, rolloutTimeoutMs: 10_000 });
  // A run killed while its split-brain (leader election off) is in force: cleanup puts it back from the journal alone.
  const journalDir = join(dir, 'journal');
  const journal = new Journal(journalDir, 'split-1');
  let journalled: RevertDescriptor | null = null;
  const applied = await mech.apply('operator', { kind: 'replica', leaderElection: false }, {
    beforeApply: (d) => {
      journalled = d;
      journal.appendFaultApplying('exp-0', d);
    },
  });
  journal.close();
  assert.deepEqual(await now(), { replicas: 2, env: [rustLog, { name: 'BINDY_ENABLE_LEADER_ELECTION', value: 'false' }] });
  assert.deepEqual(journalled, {
    mechanism: 'deployment-replica',
    version: 1,
    server: sb.url,
    namespace: 'bindy-system',
    name: 'bindy',
    container: 'bindy',
    replicas: { original: 1, applied: 2 },
    leaderElection: { original: null, applied: { name: 'BINDY_ENABLE_LEADER_ELECTION', value: 'false' } },
  });
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(applied.descriptor))), applied.descriptor, 'the journalled descriptor reads back');
  const lines = await revertDeadRunFaults(journalDir, kc);
  assert.deepEqual(lines.map((l) => `${l.key} ${l.outcome}`), ['exp-0 reverted'], JSON.stringify(lines));
  assert.match(lines[0]?.what ?? '', /^Deployment bindy-system\/bindy on http:\/\/127\.0\.0\.1:\d+ \(replicas 1 → 2, leader election off\)/);
  assert.deepEqual(await now(), { replicas: 1, env: [rustLog] }, 'exactly as before');
  assert.equal((await applied.verifyReverted()).reverted, true);
  assert.equal((await applied.revert()).already, true, 'a second revert finds it already as before');

  // With leader election: replicas only. Someone scales bindy meanwhile: their change stands.
  const standby = await mech.apply('operator', { kind: 'replica', leaderElection: true });
  assert.deepEqual(await now(), { replicas: 2, env: [rustLog] });
  const edit = await sb.server.request({ method: 'PATCH', path, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { replicas: 3 } } });
  assert.equal(edit.status, 200, edit.text);
  const r = await standby.revert();
  assert.equal(r.reverted, false);
  assert.match(r.detail, /was edited after the run changed it \(replicas 3, .*the run set 2\): left as it is/);
  assert.equal((await now()).replicas, 3, 'their edit stands');
  assert.deepEqual(standby.observations?.() ?? {}, {}, "no pod to read (the twin runs no pods): the standby's reconciles are not counted, not invented");
  // A journal made on another cluster is not applied here.
  const elsewhere = await revertFromDescriptor({ ...standby.descriptor, server: 'https://10.0.0.1:6443' } as RevertDescriptor, { kubeConfig: kc });
  assert.equal(elsewhere.outcome.reverted, false);
  assert.match(elsewhere.outcome.detail, /made on https:\/\/10\.0\.0\.1:6443; this kubeconfig points at http:\/\/127\.0\.0\.1:\d+/);
});
