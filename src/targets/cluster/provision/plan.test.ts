import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../../../errors.js';
import { chaosMeshRelease, kindVersion, kustomizationForVersion, loadtestCluster, monitoringRelease, pinnedBindyVersion, pushgatewayRelease } from './facts.js';
import { readPlanInputs, toolRoot } from './inputs.js';
import { clusterOptions, clusterPlan, shellLine, undoOrder, type ClusterFlags, type ClusterPlan } from './plan.js';

const root = toolRoot();
const inputs = readPlanInputs(root, '/work-dir');
const pinned = pinnedBindyVersion(inputs.kustomization);

function plan(f: ClusterFlags, current?: string): ClusterPlan {
  return clusterPlan(clusterOptions(f, pinned, () => current), inputs);
}
const ids = (p: ClusterPlan): string[] => p.steps.map((s) => s.id);
const dashboardIds = inputs.dashboards.map((d) => `dashboard-${d.replace(/\.json$/, '')}`);

test('the pinned release is read from deploy/loadtest/bindy (v0.6.2 today), and the repository has four dashboards', () => {
  assert.match(pinned, /^v\d+\.\d+\.\d+$/);
  assert.equal(pinned, 'v0.6.2');
  assert.equal(inputs.dashboards.length, 4);
});

test('kind, defaults: the cluster from kind-config.yaml, bindy, its rollout, the BIND9 cluster, its exporters, Ready; only the cluster has an undo', () => {
  const p = plan({});
  assert.deepEqual(ids(p), ['cluster', 'bindy', 'bindy-rollout', 'bind9-cluster', 'bind9-exporter', 'bind9-ready']);
  assert.deepEqual(p.tools, ['kind', 'kubectl']);
  assert.deepEqual(p.files, [], 'three workers: the repository file itself');
  assert.equal(shellLine(p.steps[0]?.run ?? []), `kind create cluster --name bindy-loadtest --config deploy/loadtest/kind-config.yaml --wait 120s`);
  assert.equal(shellLine(p.steps[1]?.run ?? []), 'kubectl --context kind-bindy-loadtest apply --server-side -k deploy/loadtest/bindy');
  assert.equal(shellLine(p.steps[2]?.run ?? []), 'kubectl --context kind-bindy-loadtest -n bindy-system rollout status deployment/bindy --timeout=10m');
  assert.equal(shellLine(p.steps[3]?.run ?? []), 'kubectl --context kind-bindy-loadtest apply -f deploy/loadtest/bind9-cluster.yaml');
  assert.equal(shellLine(p.steps[4]?.run ?? []), 'kubectl --context kind-bindy-loadtest apply -f deploy/loadtest/bind9-exporter.yaml');
  assert.equal(shellLine(p.steps[5]?.run ?? []), 'kubectl --context kind-bindy-loadtest -n bindy-loadtest wait bind9cluster/loadtest --for=condition=Ready --timeout=10m');
  assert.deepEqual(undoOrder(p.steps).map((s) => shellLine(s.undo ?? [])), ['kind delete cluster --name bindy-loadtest']);
  assert.ok(p.steps.every((s) => s.present === undefined), 'a new cluster has nothing to probe');
  assert.deepEqual(p.ready, { context: 'kind-bindy-loadtest', kubeconfig: null, namespace: 'bindy-loadtest', clusterName: 'loadtest', timeoutMs: 600_000 });
  assert.deepEqual(p.env, {});
});

test('kind with --monitoring --chaos: Chaos Mesh annotation, monitoring namespace, both releases, dashboards, Chaos Mesh, then the BIND9 cluster', () => {
  const p = plan({ monitoring: true, chaos: true, name: 'perf', timeout: '3m', kubeconfig: '/k/config' });
  assert.deepEqual(ids(p), [
    'cluster', 'bindy', 'bindy-rollout', 'chaos-annotate',
    'namespace-monitoring', 'monitoring', 'pushgateway', ...dashboardIds, 'dashboards-label',
    'namespace-chaos-mesh', 'chaos-mesh',
    'bind9-cluster', 'bind9-exporter', 'bind9-ready',
  ]);
  assert.deepEqual(p.tools, ['kind', 'kubectl', 'helm']);
  assert.deepEqual(p.env, { KUBECONFIG: '/k/config' });
  const byId = (id: string): string => shellLine(p.steps.find((s) => s.id === id)?.run ?? []);
  assert.equal(
    byId('monitoring'),
    `helm --kube-context kind-perf install monitoring kube-prometheus-stack --repo ${monitoringRelease.repo} --version ${monitoringRelease.version} -n monitoring -f deploy/loadtest/prometheus-values.yaml --wait --atomic --timeout 3m`,
  );
  assert.match(byId('pushgateway'), /install pushgateway prometheus-pushgateway .*--version 2\.15\.0 -n monitoring --set fullnameOverride=prometheus-pushgateway --wait --atomic --timeout 3m$/);
  assert.match(byId('chaos-mesh'), /install chaos-mesh chaos-mesh --repo https:\/\/charts\.chaos-mesh\.org --version 2\.7\.2 -n chaos-mesh -f deploy\/loadtest\/chaos-mesh-values\.yaml --wait/);
  assert.doesNotMatch(byId('chaos-mesh'), /socketPath/, 'kind: the values file already names containerd\'s socket');
  assert.equal(byId('chaos-annotate'), 'kubectl --context kind-perf annotate namespace bindy-system chaos-mesh.org/inject=enabled --overwrite');
  assert.match(byId('dashboards-label'), new RegExp(`label configmap ${dashboardIds.join(' ')} grafana_dashboard=1 --overwrite$`));
  assert.equal(shellLine(p.steps[0]?.run ?? []), 'kind create cluster --name perf --config deploy/loadtest/kind-config.yaml --wait 120s');
  assert.deepEqual(undoOrder(p.steps).map((s) => s.id), ['cluster'], 'everything else goes with the cluster');
});

test('kind --workers 2: a generated kind config (in the work dir) with the control plane and two workers, pools dns and tools', () => {
  const p = plan({ workers: '2', name: 'two' });
  assert.equal(p.files.length, 1);
  const file = p.files[0];
  assert.equal(file?.path, join('/work-dir', 'kind-config.yaml'));
  assert.deepEqual(p.steps[0]?.run.slice(0, 7), ['kind', 'create', 'cluster', '--name', 'two', '--config', join('/work-dir', 'kind-config.yaml')]);
  const config = parse(file?.content ?? '') as { name: string; nodes: { role: string; labels?: Record<string, string> }[]; networking: unknown; containerdConfigPatches: unknown };
  const original = parse(inputs.kindConfig) as typeof config;
  assert.equal(config.name, 'two');
  assert.deepEqual(config.nodes.map((n) => [n.role, n.labels?.['loadtest.bindy.firestoned.io/pool']]), [['control-plane', undefined], ['worker', 'dns'], ['worker', 'tools']]);
  assert.deepEqual(config.networking, original.networking, 'the rest of the file is kept');
  assert.deepEqual(config.containerdConfigPatches, original.containerdConfigPatches);
  const one = parse(plan({ workers: '1' }).files[0]?.content ?? '') as typeof config;
  assert.deepEqual(one.nodes.map((n) => n.labels?.['loadtest.bindy.firestoned.io/pool']), [undefined, 'dns']);
});

test('k3d: agents with the same pools, context k3d-NAME, Chaos Mesh pointed at k3s\'s containerd socket', () => {
  const p = plan({ provider: 'k3d', workers: '2', chaos: true });
  assert.equal(p.options.context, 'k3d-bindy-loadtest');
  assert.equal(
    shellLine(p.steps[0]?.run ?? []),
    'k3d cluster create bindy-loadtest --agents 2 --k3s-node-label loadtest.bindy.firestoned.io/pool=dns@agent:0 --k3s-node-label loadtest.bindy.firestoned.io/pool=tools@agent:1 --k3s-arg --disable=traefik@server:0 --wait --timeout 10m',
  );
  assert.deepEqual(p.steps[0]?.undo, ['k3d', 'cluster', 'delete', 'bindy-loadtest']);
  assert.ok(p.steps.find((s) => s.id === 'chaos-mesh')?.run.includes('chaosDaemon.socketPath=/run/k3s/containerd/containerd.sock'));
  assert.deepEqual(p.tools, ['k3d', 'kubectl', 'helm']);
});

test('existing: no cluster step; every step that makes something has a probe and an undo, and down undoes them last first', () => {
  const p = plan({ provider: 'existing', monitoring: true, chaos: true }, 'prod-like');
  assert.equal(p.options.context, 'prod-like', 'the current context when --context is not given');
  assert.equal(ids(p)[0], 'bindy');
  assert.ok(!ids(p).includes('cluster'));
  const makers = p.steps.filter((s) => s.undo !== null);
  const waits = p.steps.filter((s) => s.undo === null).map((s) => s.id);
  assert.deepEqual(waits, ['bindy-rollout', 'dashboards-label', 'bind9-ready']);
  for (const s of makers) assert.ok(s.present !== undefined, `${s.id} has a probe`);
  assert.deepEqual(undoOrder(p.steps).map((s) => s.id), makers.map((s) => s.id).reverse());
  // Each undo removes what its step made.
  const pairs: Array<[RegExp, RegExp]> = [
    [/ apply --server-side -k (\S+)$/, / delete -k (\S+) --ignore-not-found/],
    [/ apply -f (\S+)$/, / delete -f (\S+) --ignore-not-found/],
    [/ install (\S+) /, / uninstall (\S+) /],
    [/ create namespace (\S+)$/, / delete namespace (\S+) /],
    [/ create configmap (\S+) /, / delete configmap (\S+) /],
    [/ annotate namespace (\S+) chaos-mesh\.org\/inject=enabled/, / annotate namespace (\S+) chaos-mesh\.org\/inject-$/],
  ];
  for (const s of makers) {
    const run = shellLine(s.run);
    const undo = shellLine(s.undo ?? []);
    const pair = pairs.find(([r]) => r.test(run));
    assert.ok(pair !== undefined, `a known kind of step: ${run}`);
    assert.equal(pair[1].exec(undo)?.[1], pair[0].exec(run)?.[1], `${s.id}: ${undo} undoes ${run}`);
    assert.ok(s.run.slice(0, 3).join(' ') === s.undo?.slice(0, 3).join(' '), `${s.id}: the undo reaches the same context`);
  }
  assert.deepEqual(plan({ provider: 'existing', context: 'lab' }, 'other').options.context, 'lab');
});

test('--bindy-version: another release is a generated kustomization, every URL and the image at that tag', () => {
  const p = plan({ bindyVersion: 'v0.7.0' });
  const file = p.files.find((f) => f.path === join('/work-dir', 'bindy', 'kustomization.yaml'));
  assert.ok(file !== undefined);
  assert.deepEqual(p.steps[1]?.run.slice(-2), ['-k', join('/work-dir', 'bindy')]);
  assert.match(p.steps[1]?.title ?? '', /bindy v0\.7\.0/);
  const k = parse(file.content) as { resources: string[]; images: { name: string; newTag: string }[] };
  const original = parse(inputs.kustomization) as typeof k;
  assert.equal(k.resources.length, original.resources.length);
  assert.ok(k.resources.every((r) => r.includes('/firestoned/bindy/v0.7.0/')), 'every URL moved');
  assert.deepEqual(k.images, [{ name: 'ghcr.io/firestoned/bindy', newTag: 'v0.7.0' }]);
  assert.deepEqual(plan({ bindyVersion: pinned }).files, [], 'the pinned release: the repository file itself');
  assert.throws(() => kustomizationForVersion(inputs.kustomization, 'main'), UsageError);
});

test('bad input: one line naming the flag, as a UsageError', () => {
  const bad: Array<[ClusterFlags, RegExp, string?]> = [
    [{ provider: 'minikube' }, /^--provider: expected one of kind, k3d, existing, got 'minikube'$/],
    [{ workers: '0' }, /^--workers: expected a whole number from 1 to 10/],
    [{ workers: '11' }, /^--workers: expected a whole number from 1 to 10/],
    [{ workers: 'three' }, /^--workers: .*got 'three'$/],
    [{ name: 'Bad_Name' }, /^--name: expected a cluster name/],
    [{ bindyVersion: 'latest' }, /^--bindy-version: expected a bindy release tag like v0\.6\.2, got 'latest'/],
    [{ bindyVersion: 'main' }, /^--bindy-version: .*got 'main'/],
    [{ bindyVersion: '0.6.2' }, /^--bindy-version: .*got '0\.6\.2'/],
    [{ timeout: 'soon' }, /^--timeout: expected a duration/],
    [{ timeout: '0' }, /^--timeout: must be above 0/],
    [{ context: 'kind-x' }, /^--context: only with --provider existing/],
    [{ provider: 'existing', name: 'x' }, /^--name: only with --provider kind or k3d/],
    [{ provider: 'existing', workers: '2', context: 'c' }, /^--workers: only with --provider kind or k3d/],
    [{ provider: 'existing' }, /^--provider existing: give --context NAME/],
  ];
  for (const [flags, re] of bad) {
    assert.throws(
      () => clusterOptions(flags, pinned, () => undefined),
      (e: unknown) => e instanceof UsageError && re.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(flags),
    );
  }
});

test('the facts are those of the workflow, docs/cluster.md and deploy/loadtest (defined once here, checked against each)', () => {
  const workflow = readFileSync(join(root, '.github/workflows/load-tests.yaml'), 'utf8');
  const docs = readFileSync(join(root, 'docs/cluster.md'), 'utf8');
  assert.match(workflow, new RegExp(`KIND_VERSION: ${kindVersion}\\b`));
  for (const r of [monitoringRelease, pushgatewayRelease, chaosMeshRelease]) {
    for (const text of [workflow, docs]) {
      assert.ok(text.includes(`helm install ${r.release} `) && text.includes(`${r.chart} --version ${r.version}`), `${r.release} ${r.chart} ${r.version}`);
      assert.ok(text.includes(r.repo), r.repo);
    }
  }
  const bind9 = readFileSync(join(root, 'deploy/loadtest/bind9-cluster.yaml'), 'utf8');
  assert.match(bind9, new RegExp(`kind: Bind9Cluster\\nmetadata:\\n  name: ${loadtestCluster.name}\\n  namespace: ${loadtestCluster.namespace}\\n`));
  assert.match(readFileSync(join(root, 'deploy/loadtest/kind-config.yaml'), 'utf8'), /^name: bindy-loadtest$/m);
});
