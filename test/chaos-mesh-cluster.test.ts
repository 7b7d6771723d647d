/**
 * Chaos Mesh on a cluster, over real sockets: the API server twin learns Chaos Mesh's own CRDs
 * (applied from ../shared/chaos-mesh/crds/ as kubectl would), a tiny stand-in for Chaos Mesh's
 * controller sets status and the `chaos-mesh/records` finalizer as Chaos Mesh does, and the
 * mechanism applies (journalled first), waits for "injected", deletes and proves the object gone;
 * then a fault whose run died is reverted from its journal alone, as `cleanup` does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, CustomObjectsApi, KubeConfig, KubernetesObjectApi, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { runApiServer } from '../src/targets/sandbox/apiserver/run.js';
import { needsSharedData, sharedPath } from '../src/model/schemas/shared-data.js';
import { ChaosMeshMechanism } from '../src/faults/chaos-mesh/mechanism.js';
import type { ClusterSiteFacts } from '../src/faults/chaos-mesh/sites.js';
import type { RevertDescriptor } from '../src/faults/fault.js';
import { revertFromDescriptor } from '../src/faults/revert.js';
import { revertDeadRunFaults } from './helpers/dead-run.js';
import { Journal, readJournals } from '../src/observe/journal.js';

const crds = sharedPath('chaos-mesh', 'crds');
const ns = 'bindy-loadtest';
const facts: ClusterSiteFacts = { operator: { namespace: 'bindy-system', labels: { app: 'bindy' } }, namespace: ns, clusterName: 'loadtest', apiServerAddresses: ['10.96.0.1'] };

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/**
 * Chaos Mesh's controller, as far as a client sees it: a new experiment gets the finalizer
 * `chaos-mesh/records` and one record per target, Injected, with AllInjected=True; a deleted one
 * gets its records recovered (AllRecovered=True), then loses the finalizer and is gone.
 */
async function fakeChaosController(kc: KubeConfig, plural: string, hasStatusSubresource: boolean, seen: string[]): Promise<{ stop: () => void }> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const base = { group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural };
  const record = (phase: string, recovered: number): Record<string, unknown> => ({ id: `${ns}/bind9-primary-0`, selectorKey: '.', phase, injectedCount: 1, recoveredCount: recovered, events: [{ type: 'Succeeded', operation: recovered > 0 ? 'Recover' : 'Apply', timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] });
  const status = (injected: boolean): Record<string, unknown> => ({
    conditions: [
      { type: 'Selected', status: 'True' },
      { type: 'AllInjected', status: injected ? 'True' : 'False' },
      { type: 'AllRecovered', status: injected ? 'False' : 'True' },
    ],
    experiment: { desiredPhase: injected ? 'Run' : 'Stop', containerRecords: [record(injected ? 'Injected' : 'Not Injected', injected ? 0 : 1)] },
  });
  const writeStatus = async (o: Obj, injected: boolean): Promise<Obj> => {
    const body = { ...o, status: status(injected) };
    const name = o.metadata?.name ?? '';
    return (hasStatusSubresource ? await api.replaceNamespacedCustomObjectStatus({ ...base, name, body }) : await api.replaceNamespacedCustomObject({ ...base, name, body })) as Obj;
  };
  const busy = new Set<string>();
  const handle = async (type: string, o: Obj): Promise<void> => {
    const name = o.metadata?.name ?? '';
    if (busy.has(name) || type === 'DELETED') return;
    busy.add(name);
    try {
      if (o.metadata?.deletionTimestamp === undefined && !(o.metadata?.finalizers ?? []).includes('chaos-mesh/records')) {
        const withFinalizer = (await api.replaceNamespacedCustomObject({ ...base, name, body: { ...o, metadata: { ...o.metadata, finalizers: ['chaos-mesh/records'] } } })) as Obj;
        await writeStatus(withFinalizer, true);
        seen.push(`${plural} ${name} injected`);
      } else if (o.metadata?.deletionTimestamp !== undefined && (o.metadata.finalizers ?? []).includes('chaos-mesh/records')) {
        const recovered = await writeStatus(o, false);
        seen.push(`${plural} ${name} recovered`);
        await api.replaceNamespacedCustomObject({ ...base, name, body: { ...recovered, metadata: { ...recovered.metadata, finalizers: [] } } });
      }
    } catch (e) {
      // A conflict with our own previous write: the next event brings the fresh object.
      if (!(e instanceof ApiException && e.code === 409)) throw e;
    } finally {
      busy.delete(name);
    }
  };
  const req = await new Watch(kc).watch(`/apis/chaos-mesh.org/v1alpha1/namespaces/${ns}/${plural}`, {}, (type: string, o: Obj) => void handle(type, o), () => undefined);
  return { stop: () => req.abort() };
}

void test('Chaos Mesh CRs are applied, reported injected, deleted and proven gone through the API; a killed run\'s CR is removed from its journal', needsSharedData(crds), async () => {
  assert.ok(existsSync(crds), `Chaos Mesh's CRDs are needed at ${crds}`);
  const dir = await mkdtemp(join(tmpdir(), 'chaos-mesh-'));
  const running = await runApiServer({ kubeconfigPath: join(dir, 'kubeconfig'), namespace: ns, tls: true });
  const stops: (() => void)[] = [];
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }).catch((e: unknown) => {
      if (!(e instanceof ApiException && e.code === 409)) throw e;
    });
    // The real CRDs, sent as written (as kubectl sends them; client-node's typed create would drop
    // `enum` and the x-kubernetes-* keys of a plain object); the twin serves them once Established.
    const api = kc.makeApiClient(CustomObjectsApi);
    const crdApi = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
    for (const f of ['networkchaos', 'podchaos']) {
      const crd = parse(await readFile(join(crds, `${f}.crd.yaml`), 'utf8')) as Obj;
      await api.createClusterCustomObject({ ...crdApi, body: crd });
      const got = (await api.getClusterCustomObject({ ...crdApi, name: crd.metadata?.name ?? '' })) as Obj;
      const conds = (got.status?.conditions ?? []) as { type: string; status: string }[];
      assert.ok(conds.some((c) => c.type === 'Established' && c.status === 'True'), `${f}: Established`);
    }
    // The twin refuses what kube-apiserver refuses: a CRD named unlike its plural.group, and a CR its schema rejects.
    await assert.rejects(
      objects.create({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wrong.chaos-mesh.org' }, spec: { group: 'chaos-mesh.org', names: { kind: 'X', plural: 'xs' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] } } as KubernetesObject),
      (e: unknown) => e instanceof ApiException && e.code === 422 && String(e.body).includes('must be spec.names.plural+\\".\\"+spec.group'),
    );
    await assert.rejects(
      api.createNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'networkchaos', body: { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name: 'bad' }, spec: { action: 'explode', mode: 'all', selector: {} } } }),
      (e: unknown) => e instanceof ApiException && e.code === 422 && String(e.body).includes('spec.action'),
    );
    // Unknown fields are pruned, as a structural schema prunes them.
    const pruned = (await api.createNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'podchaos', body: { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'pruned' }, spec: { action: 'pod-kill', mode: 'one', selector: {}, port: 53 } } })) as Obj;
    assert.equal(pruned.spec?.port, undefined);
    await api.deleteNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'podchaos', name: 'pruned' });

    const seen: string[] = [];
    // Neither kind has a status subresource in Chaos Mesh's CRDs (`subresources: {}`): status is written with the object.
    for (const [plural, sub] of [['networkchaos', false], ['podchaos', false]] as const) {
      const controller = await fakeChaosController(kc, plural, sub, seen);
      stops.push(() => controller.stop());
    }

    // Apply → journalled first → injected → revert → gone.
    const mechanism = new ChaosMeshMechanism({ kubeConfig: kc, namespace: ns, runId: 'chaos-1', facts, injectTimeoutMs: 10_000, recoverTimeoutMs: 10_000 });
    let journalled: RevertDescriptor | null = null;
    let existedWhenJournalled: boolean | null = null;
    const applied = await mechanism.apply('operator-bind', { kind: 'loss', share: 0.2, direction: 'both', durationMs: 90_000 }, {
      beforeApply: async (d) => {
        journalled = d;
        if (d.mechanism !== 'chaos-mesh') return;
        existedWhenJournalled = await api.getNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'networkchaos', name: d.name }).then(() => true, () => false);
      },
    });
    assert.equal(existedWhenJournalled, false, 'journalled before the object existed');
    assert.deepEqual(journalled, applied.descriptor);
    const d = applied.descriptor;
    assert.ok(d.mechanism === 'chaos-mesh' && d.kind === 'NetworkChaos' && d.namespace === ns && d.server === running.url);
    assert.deepEqual(seen, [`networkchaos ${d.name} injected`], 'apply returned only once Chaos Mesh said injected');
    const live = (await api.getNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'networkchaos', name: d.name })) as Obj;
    assert.equal(live.metadata?.labels?.['loadtest.bindy.firestoned.io/run-id'], 'chaos-1');
    assert.equal(live.spec?.duration, '90s');
    assert.ok(applied.expiresAt !== undefined);
    const outcome = await applied.revert();
    assert.deepEqual({ reverted: outcome.reverted, already: outcome.already }, { reverted: true, already: false }, outcome.detail);
    assert.match(outcome.detail, /deleted and gone \(last seen: .*AllRecovered=True/);
    const proof = await applied.verifyReverted();
    assert.equal(proof.reverted, true, proof.evidence);
    assert.match(proof.evidence, /is gone from the API/);
    assert.deepEqual(seen.slice(1), [`networkchaos ${d.name} recovered`]);
    assert.equal((await applied.revert()).already, true, 'a second revert finds it already gone');

    // A run killed while its PodChaos is in force: cleanup reverts it from the journal alone.
    const journalDir = join(dir, 'journal');
    const journal = new Journal(journalDir, 'chaos-2');
    const killed = new ChaosMeshMechanism({ kubeConfig: kc, namespace: ns, runId: 'chaos-2', facts, injectTimeoutMs: 10_000 });
    const left = await killed.apply('named', { kind: 'kill', durationMs: 60_000 }, { beforeApply: (desc) => journal.appendFaultApplying('exp-0', desc) });
    journal.close();
    assert.equal(left.descriptor.mechanism === 'chaos-mesh' ? left.descriptor.kind : '', 'PodChaos');
    const lines = await revertDeadRunFaults(journalDir, kc, (desc) => desc.mechanism !== 'chaos-mesh');
    assert.deepEqual(lines.map((l) => `${l.key} ${l.outcome}`), ['exp-0 reverted'], JSON.stringify(lines));
    assert.match(lines[0]?.what ?? '', /^PodChaos bindy-loadtest\/lt-chaos-2-named-/);
    assert.deepEqual(readJournals(journalDir).flatMap((j) => j.faults), [], 'the journal says it is reverted');
    const listed = (await api.listNamespacedCustomObject({ group: 'chaos-mesh.org', version: 'v1alpha1', namespace: ns, plural: 'podchaos', labelSelector: 'loadtest.bindy.firestoned.io/run-id' })) as { items: Obj[] };
    assert.deepEqual(listed.items, [], 'nothing of any run left in the API');
    // Without the cluster's kubeconfig, a cluster descriptor is not touched and says what it needs.
    const away = await revertFromDescriptor(left.descriptor);
    assert.equal(away.outcome.reverted, false);
    assert.match(away.outcome.detail, /needs the cluster it was made on/);
  } finally {
    for (const s of stops) s();
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
