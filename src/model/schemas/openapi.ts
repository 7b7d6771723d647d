/** @module The subset of an openAPIV3Schema (as in a CRD's `schema.openAPIV3Schema`) that structural schemas use. */

/** One node of a structural openAPIV3Schema; the same shape bindy's CRDs declare, `x-kubernetes-*` extensions included. */
export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  title?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  nullable?: boolean;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  /** OpenAPI v3.0 style: a flag that makes `minimum` exclusive. */
  exclusiveMinimum?: boolean;
  /** OpenAPI v3.0 style: a flag that makes `maximum` exclusive. */
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  not?: OpenApiSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: unknown[];
}

/** True for a plain (non-array) object: the only thing a CRD schema node or a Kubernetes object can be. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Picks the openAPIV3Schema of the first (or the named) version out of a parsed
 * CustomResourceDefinition; throws a plain Error when the document is not one.
 */
export function openApiSchemaOfCrd(crd: unknown, version?: string): OpenApiSchema {
  if (!isPlainObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isPlainObject(crd.spec)) {
    throw new Error('not a CustomResourceDefinition');
  }
  const versions = crd.spec.versions;
  if (!Array.isArray(versions)) throw new Error('CRD has no spec.versions');
  const v: unknown = versions.find((x) => isPlainObject(x) && (version === undefined || x.name === version));
  if (!isPlainObject(v) || !isPlainObject(v.schema) || !isPlainObject(v.schema.openAPIV3Schema)) {
    throw new Error(`CRD has no openAPIV3Schema${version === undefined ? '' : ` for version ${version}`}`);
  }
  // A CRD's schema was checked by the API server when it was created; we trust its shape.
  return v.schema.openAPIV3Schema;
}
