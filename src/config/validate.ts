/**
 * @module Validation of one configuration layer (a file, the flags, a profile): ajv checks the
 * structure against the JSON Schema (unknown keys, mappings, lists, experiment kinds), then every
 * leaf's own syntax is parsed into a typed value. Every problem is collected; nothing is mutated.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigIssue } from '../errors.js';
import type { ValueOrigin } from './origin.js';
import { configJsonSchema, configSpec } from './schema.js';
import type { Section, SpecNode } from './spec.js';
import { suggest } from './suggest.js';
import { show } from './values.js';

/** A place in the raw tree: keys and list indices. */
export type Path = readonly (string | number)[];

/** Shows a path as `scenarios.chaos.experiments[0].at`. */
export function keyOf(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

/** One raw layer and how to place its problems and values. */
export interface LayerSource {
  /** The raw tree (YAML → JS, or flags set at their keys). */
  raw: unknown;
  /** Builds an issue about the key itself or its value at `path`. */
  issue: (path: Path, message: string, at: 'key' | 'value') => ConfigIssue;
  /** Where the value at `path` was set. */
  origin: (path: Path) => ValueOrigin;
}

/** One converted value and where it came from. */
export interface LayerValue {
  value: unknown;
  origin: ValueOrigin;
}

/** A validated layer: converted values keyed by dotted leaf path, and every problem found. */
export interface Layer {
  values: ReadonlyMap<string, LayerValue>;
  issues: readonly ConfigIssue[];
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  // verbose: errors carry the offending data and parent schema (for messages and suggestions).
  compiled ??= new Ajv({ allErrors: true, verbose: true, discriminator: true, strict: true }).compile(configJsonSchema);
  return compiled;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function isMapping(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function withHint(message: string, word: string, known: readonly string[]): string {
  const hint = suggest(word, known);
  return hint === undefined ? message : `${message} (did you mean '${hint}'?)`;
}

/** Turns one ajv error into an issue and the path below which conversion is skipped. */
function fromAjv(e: ErrorObject, src: LayerSource): { issue: ConfigIssue; blocked: Path } {
  const path = pointerToPath(e.instancePath);
  const parentProps = isMapping(e.parentSchema) && isMapping(e.parentSchema.properties) ? Object.keys(e.parentSchema.properties) : [];
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const at = [...path, key];
      return { issue: src.issue(at, withHint(`unknown key '${key}'`, key, parentProps), 'key'), blocked: at };
    }
    case 'required':
      return { issue: src.issue(path, `missing key '${String(e.params.missingProperty)}'`, 'value'), blocked: path };
    case 'type': {
      const t = String(e.params.type);
      const what = t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t;
      return { issue: src.issue(path, `expected ${what}, got ${show(e.data)}`, 'value'), blocked: path };
    }
    case 'discriminator': {
      const kinds = Array.isArray(e.schema) ? [] : variantKindsAt(path);
      const tagValue: unknown = e.params.tagValue;
      const message = `expected kind one of ${kinds.join(', ')}, got ${show(tagValue)}`;
      return { issue: src.issue([...path, 'kind'], typeof tagValue === 'string' ? withHint(message, tagValue, kinds) : message, 'value'), blocked: path };
    }
    default:
      return { issue: src.issue(path, e.message ?? `invalid (${e.keyword})`, 'value'), blocked: path };
  }
}

/** The spec node at a raw path (list indices step into a variant list's items). */
function nodeAt(path: Path): SpecNode | undefined {
  let node: SpecNode | undefined = configSpec;
  for (const p of path) {
    if (node === undefined) return undefined;
    if (typeof p === 'number') continue;
    if (node.node === 'section') node = node.fields[p];
    else return undefined;
  }
  return node;
}

function variantKindsAt(itemPath: Path): string[] {
  const node = nodeAt(itemPath.slice(0, -1));
  return node?.node === 'variants' ? Object.keys(node.variants) : [];
}

function isBlocked(path: Path, blocked: ReadonlySet<string>): boolean {
  for (let i = 0; i <= path.length; i++) if (blocked.has(keyOf(path.slice(0, i)))) return true;
  return false;
}

interface Walk {
  src: LayerSource;
  blocked: ReadonlySet<string>;
  out: Map<string, LayerValue>;
  issues: ConfigIssue[];
}

function walk(node: SpecNode, raw: unknown, path: Path, w: Walk): void {
  if (isBlocked(path, w.blocked)) return;
  if (node.node === 'section') {
    if (!isMapping(raw)) return; // ajv has reported it
    for (const [k, child] of Object.entries(node.fields)) if (raw[k] !== undefined) walk(child, raw[k], [...path, k], w);
    return;
  }
  if (node.node === 'leaf') {
    const p = node.parse(raw);
    if (p.ok) w.out.set(keyOf(path), { value: p.value, origin: w.src.origin(path) });
    else w.issues.push(w.src.issue(path, p.message, 'value'));
    return;
  }
  if (!Array.isArray(raw)) return;
  const items: unknown[] = [];
  const before = w.issues.length;
  (raw as unknown[]).forEach((item, i) => {
    if (!isMapping(item) || typeof item.kind !== 'string') return;
    const variant = node.variants[item.kind];
    if (variant === undefined) return;
    const defaults = node.defaults?.[item.kind] ?? {};
    const withDefaults = { ...item, params: { ...defaults, ...(isMapping(item.params) ? item.params : {}) } };
    const local: Walk = { ...w, out: new Map() };
    walk(variant, withDefaults, [...path, i], local);
    items.push({ kind: item.kind, ...buildTree(variant, local.out, keyOf([...path, i])) });
  });
  if (w.issues.length === before && !isBlocked(path, w.blocked)) w.out.set(keyOf(path), { value: items, origin: w.src.origin(path) });
}

/** Builds the typed object of a section from converted leaf values (keys under `prefix`), adding its constants. */
export function buildTree(node: Section, values: ReadonlyMap<string, { value: unknown }>, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...node.constants };
  for (const [k, child] of Object.entries(node.fields)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (child.node === 'section') out[k] = buildTree(child, values, key);
    else if (values.has(key)) out[k] = values.get(key)?.value;
  }
  return out;
}

/** Validates and converts one layer; an empty document (null) is an empty layer. */
export function validateLayer(src: LayerSource): Layer {
  const raw = src.raw ?? {};
  const validate = validator();
  const issues: ConfigIssue[] = [];
  const blocked = new Set<string>();
  const seen = new Set<string>();
  if (!validate(raw)) {
    for (const e of validate.errors ?? []) {
      const { issue, blocked: b } = fromAjv(e, { ...src, raw });
      const text = JSON.stringify(issue);
      if (!seen.has(text)) issues.push(issue);
      seen.add(text);
      blocked.add(keyOf(b));
    }
  }
  const w: Walk = { src, blocked, out: new Map(), issues };
  walk(configSpec, raw, [], w);
  return { values: w.out, issues };
}
