/** @module Building blocks shared by the built-in schemas: integer ranges, DNS name patterns, selectors, conditions, the object root. */
import type { OpenApiSchema } from './openapi.js';

/** One DNS label (RFC 1123): letters, digits and inner hyphens, at most 63 characters. */
const label = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';

/** A fully qualified name written with its trailing dot (`ns1.example.com.`), as SOA and NS fields require. */
export const fqdnWithDotPattern = `^(?:${label}\\.)+$`;
/** A zone name without trailing dot (`example.com`); a single label is allowed. */
export const zoneNamePattern = `^${label}(?:\\.${label})*$`;
/** A dotted-quad IPv4 address (octet values are not range-checked, as in bindy's CRD). */
export const ipv4Pattern = '^[0-9]{1,3}(?:\\.[0-9]{1,3}){3}$';
/** A DNSSEC policy name as bindy accepts it. */
export const dnssecPolicyPattern = '^[A-Za-z0-9][-A-Za-z0-9_]{0,62}$';

/**
 * An IPv6 address in full or `::`-compressed hex form (no embedded IPv4): k groups before the
 * `::` and m after, with k + m ≤ 7. Built from that rule rather than written out by hand.
 */
export const ipv6Pattern = ((): string => {
  const h = '[0-9a-fA-F]{1,4}';
  const alternatives = [`(?:${h}:){7}${h}`];
  for (let k = 0; k <= 7; k++) {
    const before = k === 0 ? ':' : `(?:${h}:){${k}}`;
    const maxAfter = 7 - k;
    alternatives.push(maxAfter === 0 ? `${before}:` : `${before}:(?:${h}(?::${h}){0,${maxAfter - 1}})?`);
  }
  return `^(?:${alternatives.join('|')})$`;
})();

/** A required int32 in [min, max]. */
export function int32(min: number, max = 2147483647): OpenApiSchema {
  return { type: 'integer', format: 'int32', minimum: min, maximum: max };
}

/** The optional, nullable record/zone TTL in seconds. */
export const ttlSchema: OpenApiSchema = { ...int32(0), nullable: true };

/** A nullable string field. */
export const optString: OpenApiSchema = { type: 'string', nullable: true };

/** A nullable list of strings. */
export const optStringList: OpenApiSchema = { type: 'array', nullable: true, items: { type: 'string' } };

/** A map of string to string (labels, annotations). */
export const stringMap: OpenApiSchema = { type: 'object', nullable: true, additionalProperties: { type: 'string' } };

/** A subtree we accept as is (pod-template-like parts that the load test never sets). */
export const freeForm: OpenApiSchema = { type: 'object', nullable: true, 'x-kubernetes-preserve-unknown-fields': true };

/** A Kubernetes LabelSelector. */
export const labelSelector: OpenApiSchema = {
  type: 'object',
  properties: {
    matchLabels: stringMap,
    matchExpressions: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: { key: { type: 'string' }, operator: { type: 'string' }, values: optStringList },
      },
    },
  },
};

/** `[{selector}]`, as in `bind9InstancesFrom` and `recordsFrom`. */
export const selectorList: OpenApiSchema = {
  type: 'array',
  nullable: true,
  items: { type: 'object', required: ['selector'], properties: { selector: labelSelector } },
};

/** The root of an object of one kind: apiVersion, kind, free-form metadata, the given spec (required) and status. */
export function objectRoot(spec: OpenApiSchema, status: OpenApiSchema): OpenApiSchema {
  return {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      spec,
      status,
    },
  };
}
