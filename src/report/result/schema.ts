/**
 * @module The run-result JSON Schema (schemas/run-result.v1.schema.json, shipped with the package),
 * loaded once and compiled with ajv; validation errors become ConfigIssues naming the JSON path.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigIssue } from '../../errors.js';
import { packageRoot } from '../../package-root.js';

/** Location of the schema file, under the package's root. */
export const resultSchemaUrl = pathToFileURL(join(packageRoot(), 'schemas', 'run-result.v1.schema.json'));

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(resultSchemaUrl, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true });
    addFormats.default(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * Compiles the schema now rather than at the first validation: a run calls it before its load, so
 * the compile's transient memory (about 10 MB, and as much again for the first validation's
 * warm-up) is not added to the end of the run, where a long run's result is being written.
 */
export function prepareResultValidator(): void {
  validator()({});
}

/** JSON Pointer `/latencies/x/summary/p99` or `/failures/0/uid` → `latencies.x.summary.p99` / `failures[0].uid`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '(document)';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function issueOf(e: ErrorObject, source: string): ConfigIssue {
  let key = pointerToPath(e.instancePath);
  let message = e.message ?? 'is invalid';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
    key = e.instancePath === '' ? params.missingProperty : `${key}.${params.missingProperty}`;
    message = 'is required';
  } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message = `must be ${JSON.stringify(params.allowedValue)}`;
  }
  return { source, key, message };
}

/** Every schema violation of `doc`, each naming `source` and the JSON path; empty when valid. */
export function resultSchemaIssues(doc: unknown, source: string): ConfigIssue[] {
  const validate = validator();
  if (validate(doc)) return [];
  const issues = (validate.errors ?? []).map((e) => issueOf(e, source));
  // oneOf/anyOf repeat their branches' errors; keep each (path, message) once.
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.key ?? ''}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
