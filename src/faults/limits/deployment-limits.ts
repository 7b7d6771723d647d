/**
 * @module operator-limits on a cluster: bindy's Deployment gets lower CPU (and memory) limits on its
 * container (a JSON patch that first tests the container's name and resources, so a Deployment
 * edited meanwhile is never overwritten), the rollout is waited for, and the resources of before
 * are patched back the same way, only from exactly what the run set. The descriptor holds both and
 * the API server, so `cleanup` restores a killed run's change on that cluster only.
 */
import { isDeepStrictEqual } from 'node:util';
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { formatCpuCores } from '../../config/values.js';
import type { AppliedChange, DeploymentLimitsDescriptor, OperatorLimits, OperatorLimitsMechanism, RestoreOutcome } from './change.js';

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

const suffixes: Record<string, number> = {
  m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity (`100m`, `128Mi`, `1e3`, `0.5`) as a number of base units, or null when it is not one (pure). */
export function quantityValue(q: unknown): number | null {
  if (typeof q === 'number') return Number.isFinite(q) ? q : null;
  if (typeof q !== 'string') return null;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(q.trim());
  if (m === null) return null;
  const n = Number(m[1]);
  if (m[2] !== undefined) return n * 10 ** Number(m[2].slice(1));
  return n * (suffixes[m[3] ?? ''] ?? 1);
}

/** A container's resources with the new limits (a CPU or memory limit left out stays as it was), requests lowered to them where above (Kubernetes refuses requests above limits) (pure). */
export function limitedResources(original: Readonly<Record<string, unknown>> | null, l: Pick<OperatorLimits, 'memoryMiB'> & { cpuCores?: number }): Record<string, unknown> {
  const asMap = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {});
  const limits = asMap(original?.limits);
  const requests = asMap(original?.requests);
  if (l.cpuCores !== undefined) limits.cpu = formatCpuCores(l.cpuCores);
  if (l.memoryMiB !== undefined) limits.memory = `${l.memoryMiB}Mi`;
  const cpuReq = quantityValue(requests.cpu);
  if (l.cpuCores !== undefined && cpuReq !== null && cpuReq > l.cpuCores) requests.cpu = limits.cpu;
  const memReq = quantityValue(requests.memory);
  if (l.memoryMiB !== undefined && memReq !== null && memReq > l.memoryMiB * 2 ** 20) requests.memory = limits.memory;
  return { ...(original ?? {}), limits, ...(Object.keys(requests).length > 0 ? { requests } : {}) };
}

/** The JSON patch that sets container `index`'s resources from `from` to `to` (pure): it tests the name and the resources of now first. */
export function resourcesPatch(index: number, container: string, from: Readonly<Record<string, unknown>> | null, to: Readonly<Record<string, unknown>> | null): object[] {
  const path = `/spec/template/spec/containers/${index}`;
  return [
    { op: 'test', path: `${path}/name`, value: container },
    ...(from === null ? [] : [{ op: 'test', path: `${path}/resources`, value: from }]),
    ...(to === null ? (from === null ? [] : [{ op: 'remove', path: `${path}/resources` }]) : [{ op: from === null ? 'add' : 'replace', path: `${path}/resources`, value: to }]),
  ];
}

/** Whether a Deployment's rollout is done: the controller saw the newest spec and every replica is updated and available (pure). */
export function rolloutDone(d: V1Deployment): { done: boolean; text: string } {
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const seen = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const total = s.replicas ?? 0;
  const done = seen && updated >= want && available >= want && total <= want;
  return { done, text: `generation ${d.metadata?.generation ?? '?'} ${seen ? 'observed' : 'not yet observed'}, ${updated}/${want} updated, ${available}/${want} available, ${total} in all` };
}

/** Where bindy's Deployment is. */
export interface DeploymentRef {
  namespace: string;
  name: string;
}

/** Options of {@link DeploymentOperatorLimits}. */
export interface DeploymentLimitsOptions {
  /** Bound on each rollout, ms (default 5 min). */
  rolloutTimeoutMs?: number;
  /** Between two looks at the rollout, ms (default 1 s). */
  pollMs?: number;
}

/** bindy's container in its Deployment (the only one, or the one named like the Deployment; or `name`), with its index and resources (pure). */
export function containerOf(d: V1Deployment, name?: string): { index: number; name: string; resources: Record<string, unknown> | null } | undefined {
  const list = d.spec?.template.spec?.containers ?? [];
  // bindy's pod has one container; with more, the one named like the Deployment.
  const index = name !== undefined ? list.findIndex((c) => c.name === name) : list.length === 1 ? 0 : list.findIndex((c) => c.name === d.metadata?.name);
  const c = list[index];
  if (c === undefined) return undefined;
  const resources = c.resources === undefined ? null : (JSON.parse(JSON.stringify(c.resources)) as Record<string, unknown>);
  return { index, name: c.name, resources: resources !== null && Object.keys(resources).length === 0 ? null : resources };
}

/** Waits (bounded) until the Deployment's rollout is done; its last state as text. */
export async function waitRollout(api: AppsV1Api, ref: DeploymentRef, o: DeploymentLimitsOptions): Promise<string> {
  const deadline = Date.now() + (o.rolloutTimeoutMs ?? 300_000);
  let last = '';
  for (;;) {
    const d = await api.readNamespacedDeployment(ref);
    const r = rolloutDone(d);
    last = r.text;
    if (r.done) return `rollout done (${last})`;
    if (Date.now() > deadline) throw new Error(`the rollout of Deployment ${ref.namespace}/${ref.name} did not finish within ${Math.round((o.rolloutTimeoutMs ?? 300_000) / 1000)} s: ${last}`);
    await new Promise((r2) => setTimeout(r2, o.pollMs ?? 1000));
  }
}

/** Patches the resources of before back (idempotent), waits for the rollout and proves them; refuses another API server than the journalled one. */
export async function restoreDeploymentLimits(d: DeploymentLimitsDescriptor, kubeConfig: KubeConfig, o: DeploymentLimitsOptions = {}): Promise<RestoreOutcome> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server !== d.server) return { restored: false, already: false, evidence: `the change was made on ${d.server}; this kubeconfig points at ${server || '(none)'}: run cleanup with the context of that cluster` };
  const api = kubeConfig.makeApiClient(AppsV1Api);
  const ref = { namespace: d.namespace, name: d.name };
  const now = await api.readNamespacedDeployment(ref);
  const c = containerOf(now, d.container);
  if (c === undefined) return { restored: false, already: false, evidence: `Deployment ${d.namespace}/${d.name} has no container ${d.container} any more` };
  const already = isDeepStrictEqual(c.resources, d.original);
  if (!already && !isDeepStrictEqual(c.resources, d.applied)) {
    // Someone changed them after the run did: theirs stands; saying so is all a restore may do.
    return {
      restored: false,
      already: false,
      evidence: `container ${d.container} of Deployment ${d.namespace}/${d.name} was edited after the run set its resources: now ${JSON.stringify(c.resources)}, the run set ${JSON.stringify(d.applied)}; left as it is (the resources of before were ${JSON.stringify(d.original)})`,
    };
  }
  // The test ops make the server refuse if they change between this read and the patch.
  if (!already) await api.patchNamespacedDeployment({ ...ref, body: resourcesPatch(c.index, c.name, d.applied, d.original) }, jsonPatch);
  const rollout = await waitRollout(api, ref, o);
  const after = containerOf(await api.readNamespacedDeployment(ref), d.container);
  const restored = after !== undefined && isDeepStrictEqual(after.resources, d.original);
  return {
    restored,
    already,
    evidence: `${already ? 'resources already as before' : 'resources patched back'}: ${JSON.stringify(after?.resources ?? null)}${restored ? '' : ` (expected ${JSON.stringify(d.original)})`}; ${rollout}`,
  };
}

/** operator-limits on bindy's Deployment. */
export class DeploymentOperatorLimits implements OperatorLimitsMechanism {
  readonly name = 'deployment-resources' as const;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly ref: DeploymentRef,
    private readonly options: DeploymentLimitsOptions = {},
  ) {}

  unsupportedReason(): string | undefined {
    return undefined;
  }

  async apply(limits: OperatorLimits, _key: string, journal: (d: DeploymentLimitsDescriptor) => void): Promise<AppliedChange> {
    const api = this.kubeConfig.makeApiClient(AppsV1Api);
    const d = await api.readNamespacedDeployment(this.ref);
    const c = containerOf(d);
    if (c === undefined) throw new Error(`Deployment ${this.ref.namespace}/${this.ref.name} has ${d.spec?.template.spec?.containers.length ?? 0} containers and none named ${this.ref.name}: which one is bindy's is unclear`);
    const next = limitedResources(c.resources, limits);
    const descriptor: DeploymentLimitsDescriptor = {
      change: 'deployment-resources',
      version: 1,
      server: this.kubeConfig.getCurrentCluster()?.server ?? '',
      namespace: this.ref.namespace,
      name: this.ref.name,
      container: c.name,
      original: c.resources,
      applied: next,
    };
    journal(descriptor);
    await api.patchNamespacedDeployment({ ...this.ref, body: resourcesPatch(c.index, c.name, c.resources, next) }, jsonPatch);
    const rollout = await waitRollout(api, this.ref, this.options);
    const text = `Deployment ${this.ref.namespace}/${this.ref.name} container ${c.name}: resources ${JSON.stringify(c.resources)} → ${JSON.stringify(next)}; ${rollout}`;
    return { appliedAt: new Date().toISOString(), descriptor, text, restore: () => restoreDeploymentLimits(descriptor, this.kubeConfig, this.options) };
  }
}
