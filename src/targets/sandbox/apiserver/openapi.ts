/**
 * @module The OpenAPI v3 description (`/openapi/v3` and one document per group version).
 * kubectl 1.32 downloads it before `apply` to learn whether the server validates fields itself
 * (a PATCH operation per kind that lists the `fieldValidation` query parameter); when it does,
 * kubectl skips client-side schema validation and sends `fieldValidation=Strict`, which this
 * server enforces. `kubectl explain` reads the schemas: CRD kinds carry their real schema (as in
 * the CRD, nullable kept), metadata by reference to ObjectMeta; built-in kinds are open objects.
 */
import { createHash } from 'node:crypto';
import { groupVersions } from './discovery.js';
import { gvPath, kindSchema, listMetaName, listMetaSchema, listSchema, objectMetaName, objectMetaSchema, schemaName, type Flavour, type Published } from './openapi-shared.js';
import type { ResourceDefinition } from './resources.js';

const v3: Flavour = {
  ref: (name) => ({ $ref: `#/components/schemas/${name}` }),
  metadataRef: (name) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }], default: {} }),
  convert: (node) => structuredClone(node) as Published,
};

const queryParams = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: name === 'force' ? { type: 'boolean' } : { type: 'string' },
  uniqueItems: true,
}));

/** The OpenAPI v3 document of one group version, or undefined when it is not served. */
export function openApiGroupVersion(resources: readonly ResourceDefinition[], group: string, version: string): unknown {
  const gv = groupVersions(resources).find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  if (gv.resources.some((r) => r.schema !== undefined)) {
    schemas[objectMetaName] = objectMetaSchema;
    schemas[listMetaName] = listMetaSchema;
  }
  for (const r of gv.resources) {
    const gvk = { group, version, kind: r.kind };
    const ref = { $ref: `#/components/schemas/${schemaName(r)}` };
    const body = { content: { 'application/json': { schema: ref } } };
    const patchBody = {
      content: Object.fromEntries(
        ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', ...(r.custom ? [] : ['application/strategic-merge-patch+json'])].map((t) => [
          t,
          { schema: { type: 'object' } },
        ]),
      ),
    };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const base = `/${gvPath(group, version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    const ext = { 'x-kubernetes-group-version-kind': gvk };
    paths[`${base}/{name}`] = {
      get: { operationId: `read${r.kind}`, responses: ok, 'x-kubernetes-action': 'get', ...ext },
      put: { operationId: `replace${r.kind}`, parameters: queryParams, requestBody: body, responses: ok, 'x-kubernetes-action': 'put', ...ext },
      patch: { operationId: `patch${r.kind}`, parameters: queryParams, requestBody: patchBody, responses: ok, 'x-kubernetes-action': 'patch', ...ext },
      delete: { operationId: `delete${r.kind}`, responses: ok, 'x-kubernetes-action': 'delete', ...ext },
    };
    paths[base] = {
      post: { operationId: `create${r.kind}`, parameters: queryParams, requestBody: body, responses: ok, 'x-kubernetes-action': 'post', ...ext },
    };
    if (r.schema !== undefined) {
      schemas[schemaName(r)] = kindSchema(r, r.schema, v3);
      schemas[schemaName(r, r.listKind)] = listSchema(r, v3);
    } else {
      // No x-kubernetes-group-version-kind here: kubectl would then compute strategic merge patches
      // from this open schema (and warn); without it, it uses its compiled-in types.
      schemas[schemaName(r)] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (bindy-loadtest sandbox)', version: 'v1.32.0' }, paths, components: { schemas } };
}

/** `/openapi/v3`: the group versions and where their documents are, with content hashes for client caches. */
export function openApiRoot(resources: readonly ResourceDefinition[]): unknown {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions(resources)) {
    const p = gvPath(gv.group, gv.version);
    const hash = createHash('sha512').update(JSON.stringify(openApiGroupVersion(resources, gv.group, gv.version))).digest('hex').toUpperCase();
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}
