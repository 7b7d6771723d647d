/**
 * @module What the OpenAPI v2 and v3 documents share: definition names as kube-apiserver gives them,
 * the ObjectMeta and ListMeta schemas, and the published root schema of a kind (apiVersion, kind,
 * metadata by reference, the kind's own spec and status, its group-version-kind).
 */
import type { OpenApiSchema } from '../../../model/schemas/openapi.js';
import type { ResourceDefinition } from './resources.js';
import { describe, fieldDescriptions } from './field-descriptions.js';

/** `api/v1` or `apis/<group>/<version>`. */
export function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The definition name of a kind: `io.firestoned.bindy.v1beta1.DNSZone` for a CRD, `io.k8s.api.core.v1.Namespace` for a built-in kind. */
export function schemaName(r: ResourceDefinition, kind = r.kind): string {
  const prefix = r.custom ? r.group.split('.').reverse().join('.') : `io.k8s.api.${r.group === '' ? 'core' : (r.group.split('.')[0] ?? '')}`;
  return `${prefix}.${r.version}.${kind}`;
}

/** Definition names of the shared metadata schemas. */
export const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export const listMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

const str = (description: string): OpenApiSchema => ({ type: 'string', description });
const int64 = (description: string): OpenApiSchema => ({ type: 'integer', format: 'int64', description });
const time = (description: string): OpenApiSchema => ({ type: 'string', format: 'date-time', description });
const stringMap = (description: string): OpenApiSchema => ({ type: 'object', additionalProperties: { type: 'string' }, description });

/** metav1.ObjectMeta, every field a client may send (so client-side validation accepts real manifests). */
export const objectMetaSchema: OpenApiSchema = {
  type: 'object',
  description: 'Metadata every persisted object has: name, namespace, labels, annotations and what the server maintains.',
  properties: {
    annotations: stringMap('Unstructured key-value data kept with the object.'),
    creationTimestamp: time('When the server created the object (RFC 3339, set by the server).'),
    deletionGracePeriodSeconds: int64('Seconds allowed for graceful termination (set by the server).'),
    deletionTimestamp: time('When deletion was requested; the object goes once its finalizers are empty (set by the server).'),
    finalizers: { type: 'array', items: { type: 'string' }, description: 'What must happen before the object is deleted.' },
    generateName: str('Prefix of a name the server generates when name is empty.'),
    generation: int64('Sequence number of the desired state (set by the server).'),
    labels: stringMap('Key-value pairs that selectors match.'),
    managedFields: {
      type: 'array',
      description: 'Which manager owns which fields (set by the server).',
      items: {
        type: 'object',
        properties: {
          apiVersion: str('Version of the fields.'),
          fieldsType: str('Format of fieldsV1.'),
          fieldsV1: { type: 'object', description: 'The owned fields.' },
          manager: str('The manager that owns them.'),
          operation: str('Apply or Update.'),
          subresource: str('Subresource written, e.g. status.'),
          time: time('When the manager last changed them.'),
        },
      },
    },
    name: str('Name, unique within the namespace.'),
    namespace: str('Namespace of the object; empty for cluster-scoped kinds.'),
    ownerReferences: {
      type: 'array',
      description: 'Objects this one depends on.',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: {
          apiVersion: str('API version of the owner.'),
          blockOwnerDeletion: { type: 'boolean', description: 'Whether the owner waits for this object on foreground deletion.' },
          controller: { type: 'boolean', description: 'Whether the owner is the managing controller.' },
          kind: str('Kind of the owner.'),
          name: str('Name of the owner.'),
          uid: str('UID of the owner.'),
        },
      },
    },
    resourceVersion: str('Version of the object for optimistic concurrency and watches (set by the server).'),
    selfLink: str('Deprecated; never set.'),
    uid: str('Unique identifier (set by the server).'),
  },
};

/** metav1.ListMeta. */
export const listMetaSchema: OpenApiSchema = {
  type: 'object',
  description: 'Metadata of a list: its resourceVersion and the continue token of the next page.',
  properties: {
    continue: str('Token of the next page, when the list is paginated.'),
    remainingItemCount: int64('Items after this page, when the server can count them.'),
    resourceVersion: str('Revision the list was read at.'),
    selfLink: str('Deprecated; never set.'),
  },
};

/** One line on what each bindy kind is, for `kubectl explain`. */
const kindDescriptions: Readonly<Record<string, string>> = {
  DNSZone: 'A DNS zone bindy creates on the BIND9 instances its bind9InstancesFrom selectors pick, holding the records its recordsFrom selectors pick.',
  Bind9Cluster: 'A group of BIND9 instances (primaries and secondaries) that bindy creates and keeps.',
  ClusterBind9Provider: 'A cluster-scoped Bind9Cluster template whose instances live in spec.namespace.',
  Bind9Instance: 'One BIND9 server (named with its bindcar sidecar) of a cluster.',
};

/** The description of a kind: the table's, or the record kinds' shared one. */
export function kindDescription(r: ResourceDefinition): string {
  return kindDescriptions[r.kind] ?? (r.kind.endsWith('Record') ? `A DNS ${r.kind.slice(0, -'Record'.length)} record bindy publishes in the zone whose recordsFrom selects it.` : `${r.kind} (${r.group === '' ? 'core' : r.group}/${r.version}).`);
}

/** The `x-kubernetes-group-version-kind` value of a kind's definition (a list, as kube-apiserver publishes it). */
export function gvkList(r: ResourceDefinition, kind = r.kind): { group: string; kind: string; version: string }[] {
  return [{ group: r.group, kind, version: r.version }];
}

/** A schema node as published (may hold `$ref`s, which CRD schemas never do). */
export type Published = Record<string, unknown>;

/** How one OpenAPI version references a definition and converts a CRD schema node. */
export interface Flavour {
  ref(name: string): Published;
  /** metadata: a plain reference (v2) or an allOf of one (v3, as kube-apiserver publishes it). */
  metadataRef(name: string): Published;
  convert(node: OpenApiSchema): Published;
}

const apiVersionField = str('The versioned schema of this representation of an object (group/version).');
const kindField = str('The kind of object this is (CamelCase).');

/** The published schema of a kind with a schema (a CRD kind): the CRD's spec and status under apiVersion, kind and metadata. */
export function kindSchema(r: ResourceDefinition, crdSchema: OpenApiSchema, f: Flavour): Published {
  const schema = describe(crdSchema, fieldDescriptions(r.kind));
  const own = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata').map(([k, v]) => [k, f.convert(v)]));
  return {
    ...f.convert({ ...schema, properties: {} }),
    type: 'object',
    description: kindDescription(r),
    properties: { apiVersion: apiVersionField, kind: kindField, metadata: f.metadataRef(objectMetaName), ...own },
    'x-kubernetes-group-version-kind': gvkList(r),
  };
}

/** The published schema of a kind's list. */
export function listSchema(r: ResourceDefinition, f: Flavour): Published {
  return {
    type: 'object',
    description: `A list of ${r.kind}.`,
    required: ['items'],
    properties: {
      apiVersion: apiVersionField,
      items: { type: 'array', description: `The ${r.kind} objects.`, items: f.ref(schemaName(r)) },
      kind: kindField,
      metadata: f.metadataRef(listMetaName),
    },
    'x-kubernetes-group-version-kind': gvkList(r, r.listKind),
  };
}
