/**
 * @module Validation of one object against a structural schema, answered the way a Kubernetes API
 * server does: StatusCause-shaped violations, the unknown fields it would prune, the pruned and
 * defaulted copy it would store.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { BindyKind } from '../kinds.js';
import type { FieldViolation, ObjectValidator, ValidationOutcome } from './types.js';
import type { OpenApiSchema } from './openapi.js';
import { isPlainObject } from './openapi.js';
import { toJsonSchema } from './to-json-schema.js';
import { builtinSchemas } from './builtin.js';

/** A fresh ajv configured like every validator here: all errors, the failing value attached, formats known. */
export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
  // ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
  addFormats.default(ajv);
  return ajv;
}

/** Renders a value as the API server does in `Invalid value: …`. */
function render(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return Array.isArray(v) ? '"array"' : '"object"';
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** `/spec/ipv4Addresses/0` → `spec.ipv4Addresses[0]`. */
export function pointerToFieldPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function joinField(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** Maps one ajv error to a StatusCause-shaped violation with the API server's wording. */
function toViolation(e: ErrorObject): FieldViolation {
  const field = pointerToFieldPath(e.instancePath);
  const data: unknown = e.data;
  const p = e.params as Record<string, unknown>;
  const invalid = (text: string): FieldViolation => ({
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${render(data)}: ${field} in body ${text}`,
  });
  switch (e.keyword) {
    case 'required':
      return { reason: 'FieldValueRequired', field: joinField(field, String(p.missingProperty)), message: 'Required value' };
    case 'type': {
      const expected = String(p.type).split(',').filter((t) => t !== 'null').join(' or ');
      const actual = typeName(data);
      return {
        reason: 'FieldValueTypeInvalid',
        field,
        message: `Invalid value: "${actual}": ${field} in body must be of type ${expected}: "${actual}"`,
      };
    }
    case 'enum': {
      const allowed = (Array.isArray(p.allowedValues) ? p.allowedValues : []).filter((x) => x !== null).map(render);
      return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${render(data)}: supported values: ${allowed.join(', ')}` };
    }
    case 'pattern':
      return invalid(`should match '${String(p.pattern)}'`);
    case 'maximum':
      return invalid(`should be less than or equal to ${String(p.limit)}`);
    case 'exclusiveMaximum':
      return invalid(`should be less than ${String(p.limit)}`);
    case 'minimum':
      return invalid(`should be greater than or equal to ${String(p.limit)}`);
    case 'exclusiveMinimum':
      return invalid(`should be greater than ${String(p.limit)}`);
    case 'minItems':
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${Array.isArray(data) ? data.length : 0}: ${field} in body should have at least ${String(p.limit)} items` };
    case 'maxItems':
      return { reason: 'FieldValueTooMany', field, message: `Too many: ${Array.isArray(data) ? data.length : 0}: must have at most ${String(p.limit)} items` };
    case 'minLength':
      return invalid(`should be at least ${String(p.limit)} chars long`);
    case 'maxLength':
      return { reason: 'FieldValueTooLong', field, message: `Too long: may not be longer than ${String(p.limit)}` };
    case 'uniqueItems':
      return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${render(data)}` };
    case 'format':
      return invalid(`must be of type ${String(p.format)}: ${render(data)}`);
    default:
      return invalid(e.message ?? `failed ${e.keyword}`);
  }
}

/**
 * Copies `value` keeping only what `node` declares (or preserves), applying `default`s of missing
 * properties, and records the dotted path of every dropped field in `unknown`.
 */
export function pruneAndDefault(node: OpenApiSchema, value: unknown, path: string, unknown: string[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = node.items;
    return items === undefined ? structuredClone(value) : value.map((v, i) => pruneAndDefault(items, v, `${path}[${i}]`, unknown));
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  if (node.properties !== undefined) {
    for (const [k, v] of Object.entries(src)) {
      const child = node.properties[k];
      if (child !== undefined) out[k] = pruneAndDefault(child, v, joinField(path, k), unknown);
      else if (preserve) out[k] = structuredClone(v);
      else unknown.push(joinField(path, k));
    }
    for (const [k, child] of Object.entries(node.properties)) {
      if (!(k in out) && child.default !== undefined && !(k in src)) out[k] = structuredClone(child.default);
    }
    return out;
  }
  const ap = node.additionalProperties;
  if (typeof ap === 'object') {
    for (const [k, v] of Object.entries(src)) out[k] = pruneAndDefault(ap, v, joinField(path, k), unknown);
    return out;
  }
  if (preserve || ap === true || node.type !== 'object') return structuredClone(src);
  // A declared object with no properties keeps nothing, as on a real API server.
  for (const k of Object.keys(src)) unknown.push(joinField(path, k));
  return out;
}

/** Builds a validator for an arbitrary structural schema (compiled once, here). */
export function compileValidator(schema: OpenApiSchema): ObjectValidator {
  const check: ValidateFunction = newAjv().compile(toJsonSchema(schema, { root: true }));
  return (obj: unknown): ValidationOutcome => {
    const violations: FieldViolation[] = [];
    if (!check(obj)) {
      const seen = new Set<string>();
      for (const e of check.errors ?? []) {
        const v = toViolation(e);
        const key = `${v.field}\u0000${v.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          violations.push(v);
        }
      }
    }
    const unknownFields: string[] = [];
    const pruned = isPlainObject(obj) ? pruneAndDefault(schema, obj, '', unknownFields) : obj;
    return { violations, unknownFields, pruned };
  };
}

const cache = new Map<BindyKind, ObjectValidator>();

/** The validator of one bindy kind against its built-in schema; compiled on first use and cached. */
export function validatorFor(kind: BindyKind): ObjectValidator {
  let v = cache.get(kind);
  if (v === undefined) {
    v = compileValidator(builtinSchemas[kind]);
    cache.set(kind, v);
  }
  return v;
}
