/**
 * @module Test support: the API server twin (in-process) set up as a cluster with bindy deployed
 * (a Deployment `bindy-system/bindy` with an available replica), a Ready Bind9Cluster `loadtest`
 * and the tool's managed namespace, with a kubeconfig for it: what `--target cluster` needs.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deploymentsResource, startSandbox, type TestSandbox } from './api-sandbox.js';
import { defaultResources } from '../../src/targets/sandbox/apiserver/default-resources.js';
import { bindyApiVersion, bindyGroup, runIdLabel } from '../../src/model/kinds.js';
import { shardJobKinds } from '../../src/model/object-kinds.js';
import { managedNamespaceLabel, managedNamespaceValue } from '../../src/targets/cluster/namespace.js';

/** The namespace the twin cluster's runs use. */
export const twinNamespace = 'bindy-loadtest';

/** A request to the twin that must succeed (merge patch when `merge`). */
export async function twinRequest(sb: TestSandbox, method: string, path: string, body: unknown, merge = false): Promise<void> {
  const r = await sb.server.request({ method, path, body, ...(merge ? { headers: { 'content-type': 'application/merge-patch+json' } } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
}

/** The twin as a cluster with bindy deployed, a Ready Bind9Cluster and the tool's namespace; a kubeconfig for it in `dir`. */
export async function twinCluster(dir: string): Promise<{ sb: TestSandbox; kubeconfig: string }> {
  const ns = twinNamespace;
  const sb = await startSandbox({ resources: [...defaultResources(), deploymentsResource] });
  await twinRequest(sb, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bindy-system' } });
  await twinRequest(sb, 'POST', '/apis/apps/v1/namespaces/bindy-system/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bindy', namespace: 'bindy-system', labels: { app: 'bindy' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'bindy' } }, template: { metadata: { labels: { app: 'bindy' } }, spec: { containers: [{ name: 'bindy', image: 'bindy' }] } } },
  });
  await twinRequest(sb, 'PATCH', '/apis/apps/v1/namespaces/bindy-system/deployments/bindy/status', { status: { replicas: 1, availableReplicas: 1 } }, true);
  await twinRequest(sb, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [managedNamespaceLabel]: managedNamespaceValue } } });
  const clusters = `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9clusters`;
  await twinRequest(sb, 'POST', clusters, { apiVersion: bindyApiVersion, kind: 'Bind9Cluster', metadata: { name: 'loadtest', namespace: ns }, spec: { version: '9.18', primary: { replicas: 1 }, secondary: { replicas: 0 } } });
  await twinRequest(sb, 'PATCH', `${clusters}/loadtest/status`, { status: { readyInstances: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'AllInstancesReady' }] } }, true);
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: twin, cluster: {server: "${sb.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: twin, user: {token: "${sb.server.token}"}}]\ncontexts: [{name: twin, context: {cluster: twin, user: twin}}]\ncurrent-context: twin\n`,
    { mode: 0o600 },
  );
  return { sb, kubeconfig };
}

/** What an in-cluster Job of run `runId` left in the twin namespace (its Job, ConfigMaps, RBAC), as `Kind/name`. */
export async function jobObjectsLeft(sb: TestSandbox, runId: string): Promise<string[]> {
  const left: string[] = [];
  for (const kind of shardJobKinds) {
    const l = await sb.client.list(kind, twinNamespace, `${runIdLabel}=${runId}`);
    assert.ok(l.ok, `${kind} list`);
    if (l.ok) left.push(...l.value.items.map((i) => `${kind}/${i.metadata.name ?? ''}`));
  }
  return left;
}
