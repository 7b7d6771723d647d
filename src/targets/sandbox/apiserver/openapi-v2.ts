/**
 * @module `/openapi/v2`: the Swagger 2.0 document kube-apiserver serves, for the served resources.
 * kubectl up to 1.26 reads it for client-side validation (`apply -f`, also of a `kind: List`) and
 * `explain`; newer ones still use it as a fallback. CRD kinds carry their schema converted as
 * kube-apiserver converts structural schemas to v2 (nullable and preserve-unknown-fields nodes
 * lose their type and children, which v2 clients cannot express); built-in kinds are open objects
 * without a group-version-kind, so kubectl keeps using its compiled-in types for them.
 */
import type { OpenApiSchema } from '../../../model/schemas/openapi.js';
import { groupVersions } from './discovery.js';
import { gvkList, gvPath, kindSchema, listMetaName, listMetaSchema, listSchema, objectMetaName, objectMetaSchema, schemaName, type Flavour, type Published } from './openapi-shared.js';
import type { ResourceDefinition } from './resources.js';

/**
 * A structural schema node as kube-apiserver publishes it in v2: no nullable (a nullable node
 * becomes untyped, without properties or items, and leaves its parent's required list), no
 * properties or items under x-kubernetes-preserve-unknown-fields, no untyped-item arrays, no
 * allOf/anyOf/oneOf/not.
 */
export function toV2Schema(node: OpenApiSchema): Published {
  const { nullable, allOf: _a, anyOf: _o, oneOf: _n, not: _x, properties, items, additionalProperties, required, ...rest } = node;
  const out: Published = { ...rest };
  const keepChildren = nullable !== true && node['x-kubernetes-preserve-unknown-fields'] !== true;
  if (nullable === true) delete out.type;
  if (keepChildren && properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toV2Schema(v)]));
    const req = (required ?? []).filter((k) => properties[k]?.nullable !== true);
    if (req.length > 0) out.required = req;
  } else if (required !== undefined && required.length > 0 && nullable !== true) out.required = required;
  if (keepChildren && items !== undefined) out.items = toV2Schema(items);
  if (out.type === 'array' && out.items === undefined) delete out.type;
  if (typeof additionalProperties === 'object') out.additionalProperties = toV2Schema(additionalProperties);
  else if (additionalProperties !== undefined) out.additionalProperties = additionalProperties;
  return out;
}

const v2: Flavour = {
  ref: (name) => ({ $ref: `#/definitions/${name}` }),
  metadataRef: (name) => ({ $ref: `#/definitions/${name}` }),
  convert: toV2Schema,
};

const jsonTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function query(name: string, description: string, type = 'string'): Published {
  return { uniqueItems: true, type, description, name, in: 'query' };
}

const writeParams = [
  query('dryRun', 'When present (All), the write is validated but not persisted.'),
  query('fieldManager', 'Name of the actor making the change.'),
  query('fieldValidation', 'Ignore, Warn (default) or Strict: what to do with unknown fields.'),
];

/** The path items of one resource (collection and object), with the operations and extensions kubectl reads. */
function pathsOf(r: ResourceDefinition, gv: string): Record<string, Published> {
  const ext = (action: string): Published => ({ 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvkList(r)[0] });
  const ok = (ref: string): Published => ({ '200': { description: 'OK', schema: { $ref: `#/definitions/${ref}` } }, '401': { description: 'Unauthorized' } });
  const op = (verb: string, action: string, extra: Published = {}): Published => ({
    description: `${verb} ${r.kind}`,
    operationId: `${verb}${r.kind}`,
    consumes: ['*/*'],
    produces: jsonTypes,
    schemes: ['https'],
    responses: ok(schemaName(r)),
    ...ext(action),
    ...extra,
  });
  const body = { name: 'body', in: 'body', required: true, schema: { $ref: `#/definitions/${schemaName(r)}` } };
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', ...(r.custom ? [] : ['application/strategic-merge-patch+json'])];
  const base = `/${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
  const params = [
    { uniqueItems: true, type: 'string', description: 'name of the object', name: 'name', in: 'path', required: true },
    ...(r.namespaced ? [{ uniqueItems: true, type: 'string', description: 'object name and auth scope, such as for teams and projects', name: 'namespace', in: 'path', required: true }] : []),
  ];
  return {
    [base]: {
      get: op('list', 'list', { responses: ok(schemaName(r, r.listKind)), parameters: [query('labelSelector', 'A selector on labels.'), query('fieldSelector', 'A selector on fields.')] }),
      post: op('create', 'post', { parameters: [body, ...writeParams] }),
      ...(r.namespaced ? { parameters: params.slice(1) } : {}),
    },
    [`${base}/{name}`]: {
      get: op('read', 'get'),
      put: op('replace', 'put', { parameters: [body, ...writeParams] }),
      patch: op('patch', 'patch', { consumes: patchTypes, parameters: [{ name: 'body', in: 'body', required: true, schema: { type: 'object' } }, ...writeParams, query('force', 'Force an apply that conflicts.', 'boolean')] }),
      delete: op('delete', 'delete', { parameters: [query('dryRun', 'When present (All), nothing is deleted.')] }),
      parameters: params,
    },
  };
}

/** The whole `/openapi/v2` document of the served resources. */
export function openApiV2(resources: readonly ResourceDefinition[]): Published {
  const paths: Record<string, Published> = {};
  const definitions: Record<string, Published> = { [objectMetaName]: toV2Schema(objectMetaSchema), [listMetaName]: toV2Schema(listMetaSchema) };
  for (const gv of groupVersions(resources)) {
    for (const r of gv.resources) {
      Object.assign(paths, pathsOf(r, gvPath(gv.group, gv.version)));
      if (r.schema !== undefined) {
        definitions[schemaName(r)] = kindSchema(r, r.schema, v2);
        definitions[schemaName(r, r.listKind)] = listSchema(r, v2);
      } else {
        // Built-in kinds: open, and without a group-version-kind so kubectl keeps its compiled-in types.
        definitions[schemaName(r)] = { type: 'object', description: `${r.kind} (built-in; not described by the sandbox)`, 'x-kubernetes-preserve-unknown-fields': true };
        definitions[schemaName(r, r.listKind)] = { type: 'object', description: `A list of ${r.kind}.`, 'x-kubernetes-preserve-unknown-fields': true };
      }
    }
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
