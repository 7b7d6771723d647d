/**
 * @module The FlowSchemas and PriorityLevelConfigurations a kube-apiserver (v1.29+) creates at
 * start-up (mandatory: exempt, catch-all; suggested: system, node-high, leader-election,
 * workload-high, workload-low, global-default and their FlowSchemas, with their real shares and
 * queuing), and v1's defaulting of what clients send. Facts from k8s.io/apiserver
 * pkg/apis/flowcontrol/bootstrap/default.go and pkg/apis/flowcontrol/v1/defaults.go.
 */
import { isObject, type JsonObject } from '../patch.js';
import type { FlowSchemaSpec, PolicyRulesWithSubjects, PriorityLevelConfigurationSpec, ResourcePolicyRule, Subject } from './types.js';
import { flowcontrolGroup, flowcontrolVersion } from './types.js';

/** The annotation the real server puts on the objects it maintains. */
export const autoUpdateAnnotation = 'apf.kubernetes.io/autoupdate-spec';

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemSAs = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));
const everything = (subjects: Subject[]): PolicyRulesWithSubjects => ({
  subjects,
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
});
const rule = (verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourcePolicyRule => ({
  verbs,
  apiGroups,
  resources,
  namespaces,
  ...(clusterScope ? { clusterScope } : {}),
});
const kcm = 'system:kube-controller-manager';
const scheduler = 'system:kube-scheduler';
const unauthenticated = 'system:unauthenticated';
const authenticated = 'system:authenticated';

const queued = (shares: number, lendablePercent: number, queues: number, handSize: number): PriorityLevelConfigurationSpec => ({
  type: 'Limited',
  limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } } },
});

/** The bootstrap priority levels: name → spec (mandatory first). */
export const bootstrapPriorityLevels: Readonly<Record<string, PriorityLevelConfigurationSpec>> = {
  exempt: { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } },
  'catch-all': { type: 'Limited', limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } } },
  system: queued(30, 33, 64, 6),
  'node-high': queued(40, 25, 64, 6),
  'leader-election': queued(10, 0, 16, 4),
  'workload-high': queued(40, 50, 128, 6),
  'workload-low': queued(100, 90, 128, 6),
  'global-default': queued(20, 50, 128, 6),
};

const fs = (priorityLevel: string, matchingPrecedence: number, distinguisher: 'ByUser' | 'ByNamespace' | undefined, ...rules: PolicyRulesWithSubjects[]): FlowSchemaSpec => ({
  priorityLevelConfiguration: { name: priorityLevel },
  matchingPrecedence,
  ...(distinguisher === undefined ? {} : { distinguisherMethod: { type: distinguisher } }),
  rules,
});

/** The bootstrap FlowSchemas: name → spec. */
export const bootstrapFlowSchemas: Readonly<Record<string, FlowSchemaSpec>> = {
  exempt: fs('exempt', 1, undefined, everything(groups('system:masters'))),
  'catch-all': fs('catch-all', 10000, 'ByUser', everything(groups(unauthenticated, authenticated))),
  probes: fs('exempt', 2, undefined, { subjects: groups(unauthenticated, authenticated), nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }] }),
  'system-leader-election': fs('leader-election', 100, 'ByUser', {
    subjects: [...users(kcm, scheduler), ...kubeSystemSAs('*')],
    resourceRules: [rule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }),
  'endpoint-controller': fs('workload-high', 150, 'ByUser', {
    subjects: [...users(kcm), ...kubeSystemSAs('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [rule(['get', 'create', 'update'], [''], ['endpoints'], ['*'], false)],
  }),
  'workload-leader-election': fs('leader-election', 200, 'ByUser', {
    subjects: kubeSystemSAs('*'),
    resourceRules: [rule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], ['*'], false), rule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }),
  'system-node-high': fs('node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [rule(['*'], [''], ['nodes', 'nodes/status'], ['*'], true), rule(['*'], ['coordination.k8s.io'], ['leases'], ['*'], false)],
  }),
  'system-nodes': fs('system', 500, 'ByUser', everything(groups('system:nodes'))),
  'kube-controller-manager': fs('workload-high', 800, 'ByNamespace', everything(users(kcm))),
  'kube-scheduler': fs('workload-high', 800, 'ByNamespace', everything(users(scheduler))),
  'kube-system-service-accounts': fs('workload-high', 900, 'ByNamespace', everything(kubeSystemSAs('*'))),
  'service-accounts': fs('workload-low', 9000, 'ByUser', everything(groups('system:serviceaccounts'))),
  'global-default': fs('global-default', 9900, 'ByUser', everything(groups(unauthenticated, authenticated))),
};

/** The bootstrap objects as create bodies: priority levels first, then FlowSchemas. */
export function bootstrapObjects(): { plural: 'prioritylevelconfigurations' | 'flowschemas'; body: JsonObject }[] {
  const meta = (name: string): JsonObject => ({ name, annotations: { [autoUpdateAnnotation]: 'true' } });
  const apiVersion = `${flowcontrolGroup}/${flowcontrolVersion}`;
  return [
    ...Object.entries(bootstrapPriorityLevels).map(([name, spec]) => ({
      plural: 'prioritylevelconfigurations' as const,
      body: { apiVersion, kind: 'PriorityLevelConfiguration', metadata: meta(name), spec: structuredClone(spec) as unknown as JsonObject },
    })),
    ...Object.entries(bootstrapFlowSchemas).map(([name, spec]) => ({
      plural: 'flowschemas' as const,
      body: { apiVersion, kind: 'FlowSchema', metadata: meta(name), spec: structuredClone(spec) as unknown as JsonObject },
    })),
  ];
}

/** v1 defaulting of a FlowSchema body (a copy): matchingPrecedence 0 or absent → 1000. */
export function defaultFlowSchema(obj: JsonObject): JsonObject {
  const out = structuredClone(obj);
  if (isObject(out.spec) && (out.spec.matchingPrecedence === undefined || out.spec.matchingPrecedence === 0)) out.spec.matchingPrecedence = 1000;
  return out;
}

/**
 * v1 defaulting of a PriorityLevelConfiguration body (a copy): limited.nominalConcurrencyShares
 * absent → 30 (an explicit 0 stays, v1.30+), lendablePercent absent → 0, queuing's zero or absent
 * handSize → 8, queues → 64, queueLengthLimit → 50; exempt's absent fields → 0.
 */
export function defaultPriorityLevel(obj: JsonObject): JsonObject {
  const out = structuredClone(obj);
  const spec = out.spec;
  if (!isObject(spec)) return out;
  const limited = spec.limited;
  if (isObject(limited)) {
    limited.nominalConcurrencyShares ??= 30;
    limited.lendablePercent ??= 0;
    const lr = limited.limitResponse;
    if (isObject(lr) && isObject(lr.queuing)) {
      const q = lr.queuing;
      if (q.handSize === undefined || q.handSize === 0) q.handSize = 8;
      if (q.queues === undefined || q.queues === 0) q.queues = 64;
      if (q.queueLengthLimit === undefined || q.queueLengthLimit === 0) q.queueLengthLimit = 50;
    }
  }
  if (isObject(spec.exempt)) {
    spec.exempt.nominalConcurrencyShares ??= 0;
    spec.exempt.lendablePercent ??= 0;
  }
  return out;
}
