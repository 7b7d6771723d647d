/** @module Label and field selectors: parsing the query-string syntax of the Kubernetes API and matching objects against it. */
import { badRequest } from './status.js';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

/** One requirement of a field selector (`path=value` or `path!=value`). */
export interface FieldRequirement {
  path: string;
  op: '=' | '!=';
  value: string;
}

/** Splits on commas outside parentheses (commas inside `in (a,b)` belong to the value list). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

// Label keys: optional DNS-subdomain prefix and a 63-char name; values: 63 chars, alphanumeric ends.
const keyRe = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const valueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function checkKey(key: string, raw: string): string {
  if (!keyRe.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${raw}"`);
  return key;
}

function checkValue(value: string, raw: string): string {
  if (!valueRe.test(value)) throw badRequest(`unable to parse requirement: invalid label value: "${value}" in "${raw}"`);
  return value;
}

/**
 * Parses a `labelSelector` (`a=b,c!=d,e in (f,g),h notin (i),j,!k,l>3`). Throws a 400 Status on a
 * syntax error, as a real server does.
 */
export function parseLabelSelector(s: string | null | undefined): LabelRequirement[] {
  if (s === null || s === undefined || s.trim() === '') return [];
  return splitTopLevel(s).map((raw): LabelRequirement => {
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(raw);
    if (set) {
      const values = (set[3] ?? '').split(',').map((v) => checkValue(v.trim(), raw));
      return { key: checkKey(set[1] ?? '', raw), op: set[2] === 'in' ? 'in' : 'notin', values };
    }
    if (raw.startsWith('!')) return { key: checkKey(raw.slice(1).trim(), raw), op: '!' };
    const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(raw);
    if (cmp) {
      const key = checkKey(cmp[1] ?? '', raw);
      const value = (cmp[3] ?? '').trim();
      const op = cmp[2];
      if (op === '>' || op === '<') {
        const n = Number(value);
        if (!/^-?\d+$/.test(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        return { key, op: op === '>' ? 'gt' : 'lt', value: n };
      }
      return { key, op: op === '!=' ? '!=' : '=', value: checkValue(value, raw) };
    }
    return { key: checkKey(raw, raw), op: 'exists' };
  });
}

/** True when `labels` satisfy every requirement (an empty selector matches everything). */
export function matchLabels(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
      case '=':
        if (v !== r.value) return false;
        break;
      case '!=':
        // A missing label satisfies `!=`, as in apimachinery.
        if (has && v === r.value) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        if (r.op === 'gt' ? !(n > r.value) : !(n < r.value)) return false;
        break;
      }
    }
  }
  return true;
}

/**
 * Parses a `fieldSelector` (`metadata.name=x,metadata.namespace!=y`). Only `metadata.name`,
 * `metadata.namespace` and the resource's `extra` fields are accepted; anything else is a 400
 * `field label not supported`, as for a custom resource on a real server.
 */
export function parseFieldSelector(s: string | null | undefined, extra: readonly string[] = []): FieldRequirement[] {
  if (s === null || s === undefined || s.trim() === '') return [];
  return splitTopLevel(s).map((raw) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(raw);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${raw}'`);
    const path = m[1] ?? '';
    if (path !== 'metadata.name' && path !== 'metadata.namespace' && !extra.includes(path)) {
      throw badRequest(`field label not supported: ${path}`);
    }
    return { path, op: m[2] === '!=' ? '!=' : '=', value: (m[3] ?? '').trim() };
  });
}

// The real events registry exposes `source` as the component that reported the event.
const fieldAliases: Readonly<Record<string, string>> = { source: 'source.component' };

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of (fieldAliases[path] ?? path).split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string' || typeof cur === 'number' || typeof cur === 'boolean' ? String(cur) : '';
}

/** True when the object satisfies every field requirement (missing fields compare as ""). */
export function matchFields(reqs: readonly FieldRequirement[], obj: unknown): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.path);
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
