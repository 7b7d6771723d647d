/**
 * @module What a cluster offers for faults (read-only I/O, and the pure judgement of it): whether
 * Chaos Mesh's CRDs are served (chaos-mesh.org/v1alpha1), whether this user may create its
 * experiments in the run's namespace (a SelfSubjectAccessReview, when the API server has one),
 * and where the operator reaches the API server (Service default/kubernetes and its endpoints).
 */
import { ApiException, AuthorizationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

/** The Chaos Mesh kinds the tool uses, by plural. */
const neededPlurals = ['networkchaos', 'podchaos'] as const;

/** What the cluster offers for faults. */
export interface ChaosFacts {
  /** Plurals served under chaos-mesh.org/v1alpha1; null: Chaos Mesh is not installed. */
  readonly chaosMeshResources: readonly string[] | null;
  /** May this user create NetworkChaos and PodChaos in the run's namespace; null: not checkable here. */
  readonly mayCreate: boolean | null;
  /** May this user create pods/exec in the run's namespace (zone-corruption); null: not checkable here. */
  readonly mayExec: boolean | null;
  /** The `kubernetes` Service's ClusterIP and the API server's endpoint addresses. */
  readonly apiServerAddresses: readonly string[];
}

function quiet(e: unknown): boolean {
  return e instanceof ApiException && (e.code === 404 || e.code === 403 || e.code === 405);
}

/** Whether this user may do what `attrs` names (a SelfSubjectAccessReview). */
async function mayI(auth: AuthorizationV1Api, attrs: { group?: string; resource: string; subresource?: string; verb: string; namespace: string }): Promise<boolean> {
  const review = await auth.createSelfSubjectAccessReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } } });
  return review.status?.allowed === true;
}

/** Reads the facts (every read tolerates a 404/403: a twin or a restricted user has less to say). */
export async function gatherChaosFacts(kc: KubeConfig, namespace: string): Promise<ChaosFacts> {
  let chaosMeshResources: string[] | null = null;
  try {
    const list = await kc.makeApiClient(CustomObjectsApi).getAPIResources({ group: 'chaos-mesh.org', version: 'v1alpha1' });
    chaosMeshResources = list.resources.filter((r) => !r.name.includes('/')).map((r) => r.name).sort();
  } catch (e) {
    if (!quiet(e)) throw e;
  }
  const auth = kc.makeApiClient(AuthorizationV1Api);
  let mayCreate: boolean | null = null;
  if (chaosMeshResources !== null) {
    try {
      const answers = await Promise.all(neededPlurals.map((resource) => mayI(auth, { group: 'chaos-mesh.org', resource, verb: 'create', namespace })));
      mayCreate = answers.every((a) => a);
    } catch (e) {
      if (!quiet(e)) throw e;
    }
  }
  let mayExec: boolean | null = null;
  try {
    mayExec = await mayI(auth, { resource: 'pods', subresource: 'exec', verb: 'create', namespace });
  } catch (e) {
    if (!quiet(e)) throw e;
  }
  const addresses: string[] = [];
  const core = kc.makeApiClient(CoreV1Api);
  try {
    const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP === undefined ? [] : [svc.spec.clusterIP])) if (ip !== 'None' && ip !== '') addresses.push(ip);
  } catch (e) {
    if (!quiet(e)) throw e;
  }
  try {
    const ep = await core.readNamespacedEndpoints({ name: 'kubernetes', namespace: 'default' });
    for (const s of ep.subsets ?? []) for (const a of s.addresses ?? []) addresses.push(a.ip);
  } catch (e) {
    if (!quiet(e)) throw e;
  }
  return { chaosMeshResources, mayCreate, mayExec, apiServerAddresses: [...new Set(addresses)] };
}

/** Which fault mechanism the cluster gets, and one line saying what it can run (pure). */
export function chaosCapability(f: ChaosFacts): { readonly mechanism: 'chaos-mesh' | 'cluster-native'; readonly text: string } {
  const served = f.chaosMeshResources;
  if (served !== null && neededPlurals.every((p) => served.includes(p))) {
    const rbac = f.mayCreate === null ? 'RBAC not checkable here' : f.mayCreate ? 'this user may create them' : 'this user may NOT create them in the run\'s namespace';
    return { mechanism: 'chaos-mesh', text: `Chaos Mesh is installed (${served.filter((p) => p.endsWith('chaos')).join(', ')}; ${rbac}): network faults (delay, loss, bandwidth, partition) and kills by Chaos Mesh; zone-corruption through pods/exec` };
  }
  return { mechanism: 'cluster-native', text: `Chaos Mesh is not installed${served === null ? '' : ` (chaos-mesh.org/v1alpha1 serves only ${served.join(', ') || 'nothing'})`}: only kills of whole pods (operator-kill; bind9-crash with zoneData=lose) by pod delete, and zone-corruption through pods/exec; every other experiment is refused` };
}
