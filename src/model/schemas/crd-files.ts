/** @module Reads CustomResourceDefinition YAML files (e.g. bindy's deploy/operator/crds) into openAPIV3Schemas by kind. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isPlainObject, openApiSchemaOfCrd } from './openapi.js';
import type { OpenApiSchema } from './openapi.js';

/** The openAPIV3Schema of every CRD in the `*.yaml` files of `dir`, keyed by `spec.names.kind`. */
export async function loadCrdSchemas(dir: string): Promise<Map<string, OpenApiSchema>> {
  const out = new Map<string, OpenApiSchema>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const crd: unknown = doc.toJS();
      if (!isPlainObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isPlainObject(crd.spec)) continue;
      const names = crd.spec.names;
      if (isPlainObject(names) && typeof names.kind === 'string') out.set(names.kind, openApiSchemaOfCrd(crd));
    }
  }
  return out;
}
