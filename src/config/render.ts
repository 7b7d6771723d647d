/** @module The effective configuration as text for `config show`: an aligned table or JSON, secrets redacted. */
import { formatOrigin } from './origin.js';
import type { ResolvedConfig } from './resolve.js';
import { flattenConfig } from './resolve.js';
import { configSpec } from './schema.js';
import type { Leaf, SpecNode, VariantList } from './spec.js';
import { buildTree } from './validate.js';

/** What a secret is shown as. */
export const redacted = '<redacted>';

/** One line of `config show`. */
export interface ConfigRow {
  key: string;
  /** In the file's value syntax (`90s`, `50/s`, `1%`), `(unset)`, or `<redacted>`. */
  value: string;
  /** `default`, `profile quick`, `file loadtest.yaml:12`, `flag --seed`… */
  source: string;
}

/** Every leaf of a spec subtree, in declaration order, with its dotted key. */
export function* leaves(node: SpecNode, prefix = ''): Generator<[string, Leaf | VariantList]> {
  if (node.node !== 'section') {
    yield [prefix, node];
    return;
  }
  for (const [k, child] of Object.entries(node.fields)) yield* leaves(child, prefix === '' ? k : `${prefix}.${k}`);
}

/** One row per key, in the order of the docs. */
export function configRows(resolved: ResolvedConfig): ConfigRow[] {
  const values = flattenConfig(configSpec, resolved.config);
  const rows: ConfigRow[] = [];
  for (const [key, node] of leaves(configSpec)) {
    const origin = resolved.origins.get(key);
    const source = origin === undefined ? 'default' : formatOrigin(origin);
    if (!values.has(key)) rows.push({ key, value: '(unset)', source });
    else if (node.node === 'leaf' && node.secret === true) rows.push({ key, value: redacted, source });
    else if (node.node === 'variants' && Array.isArray(values.get(key)) && (values.get(key) as unknown[]).length > 0) {
      // One row per list item keeps the table readable.
      (values.get(key) as unknown[]).forEach((item, i) => rows.push({ key: `${key}[${i}]`, value: node.format([item]), source }));
    } else rows.push({ key, value: node.format(values.get(key)), source });
  }
  return rows;
}

/** Rows as a table with aligned columns and a header. */
export function renderTable(rows: readonly ConfigRow[]): string {
  const all = [{ key: 'KEY', value: 'VALUE', source: 'SOURCE' }, ...rows];
  const wKey = Math.max(...all.map((r) => r.key.length));
  const wValue = Math.max(...all.map((r) => r.value.length));
  return all.map((r) => `${r.key.padEnd(wKey)}  ${r.value.padEnd(wValue)}  ${r.source}`.trimEnd()).join('\n') + '\n';
}

/** `{config, origins}` with secrets redacted; numbers keep their units (ms, per second, fractions, MiB). */
export function configJson(resolved: ResolvedConfig): { config: unknown; origins: Record<string, string> } {
  const values = flattenConfig(configSpec, resolved.config);
  const secret = new Set([...leaves(configSpec)].filter(([, n]) => n.node === 'leaf' && n.secret === true).map(([k]) => k));
  const shown = new Map([...values].map(([k, v]) => [k, { value: secret.has(k) ? redacted : v }]));
  return {
    config: buildTree(configSpec, shown, ''),
    origins: Object.fromEntries([...resolved.origins].map(([k, o]) => [k, formatOrigin(o)])),
  };
}
