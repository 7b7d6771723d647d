/** @module The one converter from a Kubernetes structural openAPIV3Schema to a JSON Schema (draft-07) that ajv compiles. */
import type { OpenApiSchema } from './openapi.js';

/** How to convert. */
export interface ToJsonSchemaOptions {
  /**
   * Reject unknown fields: every object node without `x-kubernetes-preserve-unknown-fields` and
   * without `additionalProperties` gets `additionalProperties: false` (what a Kubernetes API server
   * would prune, or reject with `fieldValidation=Strict`).
   */
  strict?: boolean;
  /**
   * The node is the root of an object: allow `apiVersion`, `kind` and `metadata` (free-form), which
   * CRDs do not declare because the API server handles them itself.
   */
  root?: boolean;
}

/** Inclusive bounds the integer formats imply (int64 is left to JS numbers, which cannot exceed it exactly). */
const integerFormatBounds: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int8: [-128, 127],
  uint8: [0, 255],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** String formats ajv-formats checks; the API server ignores formats it does not know, so we drop the others. */
const knownStringFormats = new Set(['date-time', 'date', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'byte']);

/** A JSON Schema node as ajv takes it. */
export type JsonSchema = Record<string, unknown>;

/** The free-form metadata/apiVersion/kind an API server accepts at the root of every object. */
const rootProperties: Readonly<Record<string, OpenApiSchema>> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

/**
 * Converts one structural openAPIV3Schema into a JSON Schema: `nullable` becomes a `null` type,
 * integer formats become bounds, OpenAPI 3.0 boolean `exclusiveMinimum/Maximum` become draft-07
 * numbers, `x-kubernetes-int-or-string` becomes integer-or-string, and the other `x-kubernetes-*`
 * keywords, descriptions, examples and defaults (applied by the pruner, not ajv) are dropped.
 */
export function toJsonSchema(node: OpenApiSchema, options: ToJsonSchemaOptions = {}): JsonSchema {
  const withRoot: OpenApiSchema =
    options.root === true ? { ...node, properties: { ...rootProperties, ...(node.properties ?? {}) } } : node;
  return convert(withRoot, options.strict === true);
}

function convert(node: OpenApiSchema, strict: boolean): JsonSchema {
  const out: JsonSchema = {};
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const types: string[] = [];
  if (node['x-kubernetes-int-or-string'] === true) types.push('integer', 'string');
  else if (node.type !== undefined) types.push(node.type);
  if (types.length > 0 && node.nullable === true) types.push('null');
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.type = types;

  if (node.enum !== undefined) out.enum = node.nullable === true && !node.enum.includes(null) ? [...node.enum, null] : node.enum;
  if (node.pattern !== undefined) out.pattern = node.pattern;
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf'] as const) {
    if (node[k] !== undefined) out[k] = node[k];
  }
  if (node.uniqueItems === true) out.uniqueItems = true;

  let min = node.minimum;
  let max = node.maximum;
  const bounds = node.format === undefined ? undefined : integerFormatBounds[node.format];
  if (bounds !== undefined) {
    min = min === undefined ? bounds[0] : Math.max(min, bounds[0]);
    max = max === undefined ? bounds[1] : Math.min(max, bounds[1]);
  } else if (node.format !== undefined && knownStringFormats.has(node.format) && node.type === 'string') {
    out.format = node.format;
  }
  if (min !== undefined) out[node.exclusiveMinimum === true ? 'exclusiveMinimum' : 'minimum'] = min;
  if (max !== undefined) out[node.exclusiveMaximum === true ? 'exclusiveMaximum' : 'maximum'] = max;

  if (node.properties !== undefined) {
    const props: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(node.properties)) props[name] = convert(child, strict);
    out.properties = props;
  }
  if (node.required !== undefined && node.required.length > 0) out.required = node.required;
  if (node.items !== undefined) out.items = convert(node.items, strict);
  if (typeof node.additionalProperties === 'object') out.additionalProperties = convert(node.additionalProperties, strict);
  else if (node.additionalProperties !== undefined) out.additionalProperties = node.additionalProperties;
  else if (strict && node.type === 'object' && !preserve) {
    // An object node without properties keeps nothing in Kubernetes (everything is pruned), so strict rejects it all.
    out.additionalProperties = node['x-kubernetes-embedded-resource'] === true ? true : false;
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[k];
    if (list !== undefined) out[k] = list.map((s) => convert(s, strict));
  }
  if (node.not !== undefined) out.not = convert(node.not, strict);
  return out;
}
