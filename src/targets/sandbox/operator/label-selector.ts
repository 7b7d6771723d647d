/** @module Kubernetes LabelSelector matching (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist), pure. */
import { arr, isRecord, str } from './objects.js';

/** One matchExpressions requirement. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

const operators = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Reads a selector from untyped JSON; undefined when it is malformed (an unknown operator, In/NotIn
 * without values), which bindy treats as "selects nothing" rather than failing the zone.
 */
export function parseLabelSelector(v: unknown): LabelSelector | undefined {
  if (!isRecord(v)) return undefined;
  const matchLabels: Record<string, string> = {};
  if (v['matchLabels'] !== undefined) {
    if (!isRecord(v['matchLabels'])) return undefined;
    for (const [k, val] of Object.entries(v['matchLabels'])) {
      const s = str(val);
      if (s === undefined) return undefined;
      matchLabels[k] = s;
    }
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const e of arr(v['matchExpressions'])) {
    if (!isRecord(e)) return undefined;
    const key = str(e['key']);
    const operator = str(e['operator']);
    if (key === undefined || operator === undefined || !operators.has(operator)) return undefined;
    const values = arr(e['values']).map(str);
    if (values.some((x) => x === undefined)) return undefined;
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) return undefined;
    matchExpressions.push({ key, operator: operator as LabelSelectorRequirement['operator'], values: values as string[] });
  }
  return { matchLabels, matchExpressions };
}

/**
 * True when `labels` satisfy every requirement. An empty selector matches everything, as in
 * Kubernetes (metav1.LabelSelectorAsSelector): a zone with `selector: {}` selects every record.
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const value = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || value === undefined || !(e.values ?? []).includes(value)) return false;
        break;
      case 'NotIn':
        if (has && value !== undefined && (e.values ?? []).includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}
