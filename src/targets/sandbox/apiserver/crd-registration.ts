/**
 * @module CustomResourceDefinitions applied at runtime (apiextensions.k8s.io/v1), as kube-apiserver
 * serves them: a CRD is checked (its name is `<plural>.<group>`, one storage version, a structural
 * schema for every served version), then each served version becomes a resource of this server,
 * validated and pruned against its openAPIV3Schema like bindy's kinds, with its `/status`
 * subresource when declared; the CRD's status says NamesAccepted and Established. Deleting the
 * CRD stops serving it and deletes its objects (kube-apiserver's finalizer does the same).
 */
import { compileValidator } from '../../../model/schemas/validator.js';
import { isPlainObject, type OpenApiSchema } from '../../../model/schemas/openapi.js';
import type { FieldViolation, ValidationOutcome } from '../../../model/schemas/types.js';
import { resourceDefinition, type ResourceDefinition } from './resources.js';

/** The API group of CRDs. */
export const apiextensionsGroup = 'apiextensions.k8s.io';

const dnsLabel = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Schema nodes whose type may be left out (structural schemas, kube-apiserver's rules). */
function typeMayBeOmitted(n: OpenApiSchema): boolean {
  return n['x-kubernetes-int-or-string'] === true || n['x-kubernetes-preserve-unknown-fields'] === true;
}

/** Where a schema is not structural: a node with properties, items or no type where one is needed (pure). */
function structuralViolations(n: OpenApiSchema, path: string, out: FieldViolation[], root: boolean): void {
  if (n.type === undefined && !typeMayBeOmitted(n) && !root) out.push({ reason: 'FieldValueRequired', field: `${path}.type`, message: 'Required value: must not be empty for specified object fields' });
  if (root && n.type !== 'object') out.push({ reason: 'FieldValueInvalid', field: `${path}.type`, message: `Invalid value: ${JSON.stringify(n.type ?? '')}: must be object at the root` });
  for (const [k, child] of Object.entries(n.properties ?? {})) structuralViolations(child, `${path}.properties[${k}]`, out, false);
  if (n.items !== undefined) structuralViolations(n.items, `${path}.items`, out, false);
  if (typeof n.additionalProperties === 'object') structuralViolations(n.additionalProperties, `${path}.additionalProperties`, out, false);
}

/** What kube-apiserver refuses in a CRD, as StatusCause-shaped violations (pure; the subset the tool's CRDs could get wrong). */
export function crdViolations(obj: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  const o = isPlainObject(obj) ? obj : {};
  const meta = isPlainObject(o.metadata) ? o.metadata : {};
  const spec = isPlainObject(o.spec) ? o.spec : {};
  const names = isPlainObject(spec.names) ? spec.names : {};
  const req = (field: string): void => void out.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = typeof names.plural === 'string' ? names.plural : '';
  if (group === '') req('spec.group');
  else if (!dnsSubdomain.test(group) || !group.includes('.')) out.push({ reason: 'FieldValueInvalid', field: 'spec.group', message: `Invalid value: ${JSON.stringify(group)}: should be a domain with at least one dot` });
  if (plural === '') req('spec.names.plural');
  else if (!dnsLabel.test(plural)) out.push({ reason: 'FieldValueInvalid', field: 'spec.names.plural', message: `Invalid value: ${JSON.stringify(plural)}: a lowercase RFC 1123 label` });
  if (typeof names.kind !== 'string' || names.kind === '') req('spec.names.kind');
  if (group !== '' && plural !== '' && meta.name !== `${plural}.${group}`) {
    out.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(meta.name ?? '')}: must be spec.names.plural+"."+spec.group` });
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') out.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isPlainObject) : [];
  if (versions.length === 0) req('spec.versions');
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1) out.push({ reason: 'FieldValueInvalid', field: 'spec.versions', message: `Invalid value: must have exactly one version marked as storage version (${storage} are)` });
  versions.forEach((v, i) => {
    if (typeof v.name !== 'string' || v.name === '') req(`spec.versions[${i}].name`);
    const schema = isPlainObject(v.schema) && isPlainObject(v.schema.openAPIV3Schema) ? (v.schema.openAPIV3Schema as OpenApiSchema) : undefined;
    if (schema === undefined) {
      if (v.served === true) out.push({ reason: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, message: 'Required value: schemas are required' });
      return;
    }
    structuralViolations(schema, `spec.versions[${i}].schema.openAPIV3Schema`, out, true);
  });
  return out;
}

/** Validates a CRD write (its violations; nothing is pruned: every field of a CRD is its own). */
export function validateCrd(obj: unknown): ValidationOutcome {
  return { violations: crdViolations(obj), unknownFields: [], pruned: obj };
}

/** The CRD resource itself (cluster-scoped, with status). */
export function apiextensionsResources(): ResourceDefinition[] {
  return [{ ...resourceDefinition(apiextensionsGroup, 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', { shortNames: ['crd', 'crds'], namespaced: false, status: true, generation: true }), validate: validateCrd }];
}

/** The resources a valid CRD serves: one per served version, validated and pruned against its schema (pure but for compiling the validators). */
export function resourcesOfCrd(crd: unknown): ResourceDefinition[] {
  if (!isPlainObject(crd) || !isPlainObject(crd.spec) || !isPlainObject(crd.spec.names)) return [];
  const spec = crd.spec;
  const names = crd.spec.names;
  const kind = String(names.kind);
  const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return (Array.isArray(spec.versions) ? spec.versions.filter(isPlainObject) : [])
    .filter((v) => v.served === true && isPlainObject(v.schema) && isPlainObject(v.schema.openAPIV3Schema))
    .map((v) => {
      const schema = (v.schema as Record<string, unknown>).openAPIV3Schema as OpenApiSchema;
      const categories = strs(names.categories);
      return {
        group: String(spec.group),
        version: String(v.name),
        kind,
        listKind: str(names.listKind, `${kind}List`),
        plural: String(names.plural),
        singular: str(names.singular, kind.toLowerCase()),
        shortNames: strs(names.shortNames),
        namespaced: spec.scope === 'Namespaced',
        statusSubresource: isPlainObject(v.subresources) && v.subresources.status !== undefined,
        tracksGeneration: true,
        custom: true,
        ...(categories.length > 0 ? { categories } : {}),
        schema,
        validate: compileValidator(schema),
      };
    });
}

/** The status kube-apiserver gives an accepted CRD: its names accepted, Established, its storage version stored (pure). */
export function establishedStatus(crd: unknown, now: string): Record<string, unknown> {
  const spec = isPlainObject(crd) && isPlainObject(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isPlainObject) : [];
  const condition = (type: string, reason: string, message: string): Record<string, unknown> => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  return {
    conditions: [condition('NamesAccepted', 'NoConflicts', 'no conflicts found'), condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
    acceptedNames: isPlainObject(spec.names) ? spec.names : {},
    storedVersions: versions.filter((v) => v.storage === true).map((v) => String(v.name)),
  };
}
