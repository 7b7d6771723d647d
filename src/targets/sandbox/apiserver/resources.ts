/** @module The resources the sandbox API server serves: names, scope and semantics of each (bindy kinds and the core kinds the scenarios touch). */
import { bindyGroup, bindyKinds, bindyVersion, kindInfo, kindsOfLine, type BindyLine } from '../../../model/kinds.js';
import type { ObjectValidator } from '../../../model/schemas/types.js';
import type { OpenApiSchema } from '../../../model/schemas/openapi.js';
import { builtinSchemas } from '../../../model/schemas/builtin.js';
import { validateFlowSchema, validatePriorityLevel } from './flowcontrol/validate.js';
import { flowcontrolGroup, flowcontrolVersion } from './flowcontrol/types.js';
import { validateConfigMap, validateJob, validatePod, validateRole, validateRoleBinding } from './workload-validation.js';

/** Everything the server needs to know to serve one resource. */
export interface ResourceDefinition {
  /** API group, `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  /** Has a `/status` subresource: the main resource ignores status, `/status` changes only status. */
  statusSubresource: boolean;
  /** Keeps `metadata.generation` (1 on create, +1 on changes outside metadata and status). */
  tracksGeneration: boolean;
  /** A custom resource (CRD): a real server rejects strategic merge patch for these with 415. */
  custom: boolean;
  categories?: readonly string[];
  /** Field selector paths beyond `metadata.name` and `metadata.namespace` (dotted, as the real server accepts them). */
  selectableFields?: readonly string[];
  /** Schema validation; absent means every object is accepted as sent. */
  validate?: ObjectValidator;
  /** The kind's openAPIV3Schema as its CRD declares it, published in /openapi/v2 and v3; absent: an open object. */
  schema?: OpenApiSchema;
}

/** `apiVersion` of a resource's objects (`v1` or `group/version`). */
export function apiVersionOf(r: ResourceDefinition): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/**
 * The bindy kinds, as their CRDs declare them (with their schemas, for OpenAPI); `validators`
 * supplies schema validation per kind; `line` installs that release line's CRDs only (0.6: 12,
 * 0.8: 13 with PTRRecord; absent: all the tool knows).
 */
export function bindyResources(validators: (kind: (typeof bindyKinds)[number]) => ObjectValidator | undefined = () => undefined, line?: BindyLine): ResourceDefinition[] {
  return (line === undefined ? bindyKinds : kindsOfLine(line)).map((k) => {
    const i = kindInfo[k];
    const validate = validators(k);
    return {
      group: bindyGroup,
      version: bindyVersion,
      kind: i.kind,
      listKind: i.listKind,
      plural: i.plural,
      singular: i.singular,
      shortNames: i.shortNames,
      namespaced: i.namespaced,
      statusSubresource: true,
      tracksGeneration: true,
      custom: true,
      schema: builtinSchemas[k],
      ...(validate === undefined ? {} : { validate }),
    };
  });
}

/** A built-in resource's definition (scope, status subresource, generation, short names, categories, field selectors). */
export function resourceDefinition(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: {
    shortNames?: string[];
    namespaced?: boolean;
    status?: boolean;
    generation?: boolean;
    categories?: string[];
    fields?: string[];
  } = {},
): ResourceDefinition {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: opts.shortNames ?? [],
    namespaced: opts.namespaced ?? true,
    statusSubresource: opts.status ?? false,
    tracksGeneration: opts.generation ?? false,
    custom: false,
    ...(opts.categories === undefined ? {} : { categories: opts.categories }),
    ...(opts.fields === undefined ? {} : { selectableFields: opts.fields }),
  };
}

// The field selectors kube-apiserver supports for core/v1 events (pkg/registry/core/event).
const eventFields = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

/** The built-in kinds the scenarios and the operator twin touch. */
export function coreResources(): ResourceDefinition[] {
  return [
    resourceDefinition('', 'v1', 'Namespace', 'namespaces', { shortNames: ['ns'], namespaced: false, status: true, fields: ['status.phase'] }),
    resourceDefinition('', 'v1', 'Event', 'events', { shortNames: ['ev'], fields: eventFields }),
    resourceDefinition('', 'v1', 'Service', 'services', { shortNames: ['svc'], status: true, categories: ['all'] }),
    resourceDefinition('', 'v1', 'Endpoints', 'endpoints', { shortNames: ['ep'] }),
    { ...resourceDefinition('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }), validate: validateConfigMap },
    resourceDefinition('', 'v1', 'Secret', 'secrets', { fields: ['type'] }),
    resourceDefinition('', 'v1', 'ResourceQuota', 'resourcequotas', { shortNames: ['quota'], status: true }),
    resourceDefinition('coordination.k8s.io', 'v1', 'Lease', 'leases'),
    resourceDefinition('networking.k8s.io', 'v1', 'Ingress', 'ingresses', { shortNames: ['ing'], status: true, generation: true }),
  ];
}

/** API Priority and Fairness' kinds (flowcontrol.apiserver.k8s.io/v1, cluster-scoped), validated and defaulted as kube-apiserver does. */
export function flowcontrolResources(): ResourceDefinition[] {
  const opts = { namespaced: false, status: true, generation: true } as const;
  return [
    { ...resourceDefinition(flowcontrolGroup, flowcontrolVersion, 'FlowSchema', 'flowschemas', opts), validate: validateFlowSchema },
    { ...resourceDefinition(flowcontrolGroup, flowcontrolVersion, 'PriorityLevelConfiguration', 'prioritylevelconfigurations', opts), validate: validatePriorityLevel },
  ];
}

/** The kinds a sharded run's Job machinery writes besides ConfigMaps: batch/v1 Jobs (status subresource), ServiceAccounts, Roles and RoleBindings, validated as kube-apiserver does; and Pods as objects (a cluster's BIND9 pods in tests, whose portforward the twin serves). */
export function workloadResources(): ResourceDefinition[] {
  const rbac = 'rbac.authorization.k8s.io';
  return [
    { ...resourceDefinition('batch', 'v1', 'Job', 'jobs', { status: true, generation: true, categories: ['all'] }), validate: validateJob },
    resourceDefinition('', 'v1', 'ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
    // Pods as objects only (the twin runs none): their portforward reaches where status.podIP says.
    { ...resourceDefinition('', 'v1', 'Pod', 'pods', { shortNames: ['po'], status: true, categories: ['all'], fields: ['spec.nodeName', 'status.phase', 'status.podIP'] }), validate: validatePod },
    { ...resourceDefinition(rbac, 'v1', 'Role', 'roles'), validate: validateRole },
    { ...resourceDefinition(rbac, 'v1', 'RoleBinding', 'rolebindings'), validate: validateRoleBinding },
  ];
}
