/**
 * @module A minimal block-style YAML emitter for plain JSON data (objects, arrays, strings, finite
 * numbers, booleans, null). The `yaml` library takes ~55 µs per small object, too slow for 100,000
 * records in a few seconds; plain JSON data needs no anchors, tags or comments, so this emits it
 * directly: every string that is not obviously plain is written JSON-quoted, which is a valid YAML
 * double-quoted scalar. Tests round-trip the output through the `yaml` library.
 */

/** Strings safe to write unquoted: start with a letter, only simple characters, not a YAML 1.1 keyword. */
const plainSafe = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const yamlKeywords = /^(?:y|n|yes|no|on|off|true|false|null|nan|inf)$/i;

function scalar(v: string | number | boolean | null): string {
  if (typeof v === 'string') return plainSafe.test(v) && !yamlKeywords.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot emit ${v} as YAML`);
    return String(v);
  }
  return String(v);
}

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isScalar(item)) out.push(`${indent}- ${scalar(item)}\n`);
      else if (isEmpty(item)) out.push(`${indent}- ${emptyOf(item)}\n`);
      else {
        // The first key of a mapping item shares the dash line, the rest align under it.
        const inner: string[] = [];
        emit(item, `${indent}  `, inner);
        const first = inner[0] ?? '';
        inner[0] = `${indent}- ${first.slice(indent.length + 2)}`;
        out.push(...inner);
      }
    }
    return;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, child] of Object.entries(v)) {
      if (child === undefined) continue;
      const key = scalar(k);
      if (isScalar(child)) out.push(`${indent}${key}: ${scalar(child)}\n`);
      else if (isEmpty(child)) out.push(`${indent}${key}: ${emptyOf(child)}\n`);
      else {
        out.push(`${indent}${key}:\n`);
        emit(child, Array.isArray(child) ? indent : `${indent}  `, out);
      }
    }
    return;
  }
  throw new TypeError(`cannot emit a ${typeof v} as YAML`);
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function emptyOf(v: unknown): string {
  return Array.isArray(v) ? '[]' : '{}';
}

/** One YAML document (without the `---` line) for a plain JSON object. */
export function toYamlDocument(obj: object): string {
  const out: string[] = [];
  emit(obj, '', out);
  return out.join('');
}
