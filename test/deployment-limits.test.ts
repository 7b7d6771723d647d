/**
 * operator-limits on a cluster, through the real Kubernetes API client against the API twin serving
 * apps/v1 Deployments (a stand-in for the Deployment controller reports each rollout done): bindy's
 * container limits are lowered (requests with them), journalled with the values of before, and a
 * killed run's change is restored by `cleanup --target cluster` exactly; a Deployment someone
 * edited meanwhile is never overwritten, and a journal from another cluster is not applied here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { bindyDeploymentPath as path, bindyDeploymentSandbox } from './helpers/api-sandbox.js';
import { DeploymentOperatorLimits, restoreDeploymentLimits } from '../src/faults/limits/deployment-limits.js';
import type { ChangeDescriptor } from '../src/faults/limits/change.js';

/** bindy's Deployment's resources (TARGET.md). */
const bindyResources = { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } };

test('operator-limits on a cluster: limits (and requests) lowered and rolled out; a killed run\'s change restored exactly by cleanup; an edited Deployment never overwritten; another cluster\'s journal refused', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-deploy-limits-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kc, deployment } = await bindyDeploymentSandbox(t, { image: 'ghcr.io/firestoned/bindy:v0.6.2', resources: bindyResources }, ['bindy-loadtest']);
  const resourcesNow = async (): Promise<unknown> => ((await deployment()) as { spec: { template: { spec: { containers: { resources?: unknown }[] } } } }).spec.template.spec.containers[0]?.resources;
  const mech = new DeploymentOperatorLimits(kc, { namespace: 'bindy-system', name: 'bindy' }, { pollMs: 20, rolloutTimeoutMs: 10_000 });

  let journalled: ChangeDescriptor | null = null;
  const applied = await mech.apply({ cpuCores: 0.05, memoryMiB: 64 }, 'k', (d) => {
    journalled = d;
  });
  assert.deepEqual(await resourcesNow(), { limits: { cpu: '50m', memory: '64Mi' }, requests: { cpu: '50m', memory: '64Mi' } });
  const lowered = { limits: { cpu: '50m', memory: '64Mi' }, requests: { cpu: '50m', memory: '64Mi' } };
  assert.deepEqual(journalled, { change: 'deployment-resources', version: 1, server: sb.url, namespace: 'bindy-system', name: 'bindy', container: 'bindy', original: bindyResources, applied: lowered });
  assert.match(applied.text, /rollout done/);

  // The run is killed here: its journal names a process that is gone; cleanup restores from it.
  const dead = spawn(process.execPath, ['-e', '']);
  const deadPid = await new Promise<number>((resolve) => dead.once('exit', () => resolve(dead.pid ?? 0)));
  const out = join(dir, 'results');
  await mkdir(join(out, 'journal'), { recursive: true });
  const journal = join(out, 'journal', 'run-limits-k.jsonl');
  await writeFile(journal, `${JSON.stringify({ type: 'change', runId: 'limits-k', key: 'pressure', state: 'applying', ownerPid: deadPid, descriptor: journalled })}\n`);
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    ['apiVersion: v1', 'kind: Config', 'clusters:', `- name: twin`, '  cluster:', `    server: ${sb.url}`, '    insecure-skip-tls-verify: true', 'users:', '- name: twin', '  user:', `    token: ${sb.server.token}`, 'contexts:', '- name: twin', '  context: {cluster: twin, user: twin}', 'current-context: twin', ''].join('\n'),
    { mode: 0o600 },
  );
  const c = await runCli(['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', out, 'cleanup', '--run-id', 'limits-k'], { env: {} });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /cleanup: change pressure of run limits-k to container bindy of Deployment bindy-system\/bindy: restored: resources patched back/);
  assert.deepEqual(await resourcesNow(), bindyResources, 'exactly the resources of before');
  assert.equal(existsSync(journal), false, 'the journal is removed once everything is undone');

  // Someone edits the limits while they are lowered: the restore refuses to overwrite their change.
  const again = await mech.apply({ cpuCores: 0.1 }, 'k2', () => undefined);
  const edit = await sb.server.request({ method: 'PATCH', path, headers: { 'content-type': 'application/merge-patch+json' }, body: { spec: { template: { spec: { containers: [{ name: 'bindy', image: 'ghcr.io/firestoned/bindy:v0.6.2', resources: { limits: { cpu: '300m' } } }] } } } } });
  assert.equal(edit.status, 200, edit.text);
  const refused = await again.restore();
  assert.equal(refused.restored, false);
  assert.match(refused.evidence, /was edited after the run set its resources: now \{"limits":\{"cpu":"300m"\}\}.*left as it is/);
  assert.deepEqual(await resourcesNow(), { limits: { cpu: '300m' } }, 'their edit stands');

  // A journal made on another cluster is not restored against this one.
  const elsewhere = await restoreDeploymentLimits({ ...again.descriptor, server: 'https://10.0.0.1:6443' } as Extract<ChangeDescriptor, { change: 'deployment-resources' }>, kc);
  assert.equal(elsewhere.restored, false);
  assert.match(elsewhere.evidence, /made on https:\/\/10\.0\.0\.1:6443; this kubeconfig points at http:\/\/127\.0\.0\.1:\d+/);
});
