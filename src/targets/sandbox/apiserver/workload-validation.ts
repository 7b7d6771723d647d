/**
 * @module The built-in kinds a sharded run's Job machinery writes, validated and defaulted as
 * kube-apiserver does the parts that matter to it (k8s.io/kubernetes pkg/apis/batch/validation,
 * pkg/apis/rbac/validation, pkg/apis/core/validation ValidateConfigMap): batch/v1 Jobs
 * (completionMode, Indexed needs completions, non-negative counts, restartPolicy Never or
 * OnFailure, a container needs a name and an image, no hand-written selector, a name that fits
 * the pods' job-name label), ConfigMaps (valid keys, none in both data and binaryData, at most
 * 1 MiB), Roles (verbs, api groups and resources of each rule) and RoleBindings (roleRef and
 * subjects). Each refusal is a cause of a 422 Invalid with the real field path and message.
 * v1 Pods (for the objects a test writes: BIND9's pods, whose portforward the twin serves) get the
 * same container checks. Not checked (the twin runs no pods): the rest of the pod spec;
 * immutability of a Job's template, of a Pod's spec and of a RoleBinding's roleRef on update.
 */
import type { ObjectValidator } from '../../../model/schemas/types.js';
import { goValue, Walk } from './flowcontrol/validate.js';
import { isObject, type JsonObject } from './patch.js';

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const configKey = /^[-._a-zA-Z0-9]+$/;
// corev1.MaxSecretSize: a ConfigMap's data and binaryData together.
const maxConfigMapBytes = 1024 * 1024;
// batch validation: maxParallelismForIndexedJob.
const maxParallelismIndexed = 100_000;
const rbacGroup = 'rbac.authorization.k8s.io';

function clone(obj: unknown): JsonObject {
  return isObject(obj) ? structuredClone<JsonObject>(obj) : {};
}

function nonNegative(w: Walk, spec: JsonObject, key: string, path: string): number | undefined {
  const v = w.int(spec, key, `${path}.${key}`);
  if (v !== undefined && v < 0) w.invalid(`${path}.${key}`, v, 'must be greater than or equal to 0');
  return v;
}

function containers(w: Walk, podSpec: JsonObject, path: string): void {
  const list = w.arr(podSpec, 'containers', `${path}.containers`);
  if (list.length === 0) w.required(`${path}.containers`, '');
  const names = new Set<string>();
  list.forEach((c, i) => {
    const at = `${path}.containers[${i}]`;
    if (!isObject(c)) return w.invalid(at, c, 'must be of type object');
    const name = w.str(c, 'name', `${at}.name`);
    if (name === '') w.required(`${at}.name`, '');
    else if (name.length > 63 || !dnsLabel.test(name)) {
      w.invalid(`${at}.name`, name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
    } else if (names.has(name)) w.violations.push({ reason: 'FieldValueDuplicate', field: `${at}.name`, message: `Duplicate value: ${goValue(name)}` });
    names.add(name);
    // An image is required for containers of a pod template too (ValidatePodTemplateSpec).
    if (w.str(c, 'image', `${at}.image`).trim() === '') w.required(`${at}.image`, '');
  });
}

/** batch/v1 Job: validated after v1 defaulting, as kube-apiserver does. */
export const validateJob: ObjectValidator = (input) => {
  const obj = clone(input);
  const w = new Walk();
  const name = isObject(obj['metadata']) && typeof obj['metadata']['name'] === 'string' ? obj['metadata']['name'] : '';
  const spec = isObject(obj['spec']) ? obj['spec'] : (obj['spec'] = {});
  const path = 'spec';
  // Defaults (pkg/apis/batch/v1/defaults.go).
  if (spec['completions'] == null && spec['parallelism'] == null) spec['completions'] = 1;
  spec['parallelism'] ??= 1;
  spec['backoffLimit'] ??= 6;
  spec['completionMode'] ??= 'NonIndexed';
  spec['suspend'] ??= false;
  const completions = nonNegative(w, spec, 'completions', path);
  const parallelism = nonNegative(w, spec, 'parallelism', path);
  for (const k of ['activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) nonNegative(w, spec, k, path);
  const mode = w.str(spec, 'completionMode', `${path}.completionMode`);
  if (mode !== 'NonIndexed' && mode !== 'Indexed') w.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']);
  if (mode === 'Indexed') {
    if (completions === undefined) w.required(`${path}.completions`, 'when completion mode is Indexed');
    if (parallelism !== undefined && parallelism > maxParallelismIndexed) w.invalid(`${path}.parallelism`, parallelism, `must be less than or equal to ${maxParallelismIndexed} when completion mode is Indexed`);
  }
  // The controller generates the selector; one written by hand needs manualSelector (ValidateGeneratedSelector).
  if (spec['selector'] != null && spec['manualSelector'] !== true) w.invalid(`${path}.selector`, spec['selector'], '`selector` will be auto-generated');
  const template = w.obj(spec, 'template', `${path}.template`) ?? {};
  const meta = isObject(template['metadata']) ? template['metadata'] : (template['metadata'] = {});
  const labels = isObject(meta['labels']) ? meta['labels'] : (meta['labels'] = {});
  // Every pod carries the Job's name as a label: a name longer than a label value is refused there.
  labels['batch.kubernetes.io/job-name'] = name;
  labels['job-name'] = name;
  if (name.length > 63) w.invalid(`${path}.template.labels`, name, 'must be no more than 63 characters');
  const podSpec = w.obj(template, 'spec', `${path}.template.spec`) ?? {};
  containers(w, podSpec, `${path}.template.spec`);
  const restart = w.str(podSpec, 'restartPolicy', `${path}.template.spec.restartPolicy`);
  if (restart === '' || restart === 'Always') w.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"');
  else if (restart !== 'OnFailure' && restart !== 'Never') w.notSupported(`${path}.template.spec.restartPolicy`, restart, ['OnFailure', 'Never']);
  return w.outcome(obj);
};

/** v1 Pod: its containers (a name and an image each, names unique), and `restartPolicy` one of Always (the default), OnFailure, Never. The rest of the spec is not checked. */
export const validatePod: ObjectValidator = (input) => {
  const obj = clone(input);
  const w = new Walk();
  const spec = w.obj(obj, 'spec', 'spec') ?? (obj['spec'] = {});
  containers(w, spec, 'spec');
  spec['restartPolicy'] ??= 'Always';
  const restart = w.str(spec, 'restartPolicy', 'spec.restartPolicy');
  if (restart !== 'Always' && restart !== 'OnFailure' && restart !== 'Never') w.notSupported('spec.restartPolicy', restart, ['Always', 'OnFailure', 'Never']);
  return w.outcome(obj);
};

/** v1 ConfigMap: keys, no key in both maps, at most 1 MiB of values. */
export const validateConfigMap: ObjectValidator = (input) => {
  const obj = clone(input);
  const w = new Walk();
  const data = w.obj(obj, 'data', 'data') ?? {};
  const binary = w.obj(obj, 'binaryData', 'binaryData') ?? {};
  let total = 0;
  const key = (field: string, k: string): void => {
    if (k.length > 253) w.invalid(`${field}[${k}]`, k, 'must be no more than 253 characters');
    if (!configKey.test(k)) w.invalid(`${field}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  };
  for (const [k, v] of Object.entries(data)) {
    key('data', k);
    total += typeof v === 'string' ? Buffer.byteLength(v) : 0;
  }
  for (const [k, v] of Object.entries(binary)) {
    key('binaryData', k);
    if (k in data) w.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData');
    // The limit counts the decoded bytes (binaryData travels as base64).
    total += typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
  }
  if (total > maxConfigMapBytes) w.violations.push({ reason: 'FieldValueTooLong', field: '', message: `Too long: may not be more than ${maxConfigMapBytes} bytes` });
  return w.outcome(obj);
};

/** rbac/v1 Role: each rule names verbs and, for resources, api groups and resources (a namespaced rule has no non-resource URLs). */
export const validateRole: ObjectValidator = (input) => {
  const obj = clone(input);
  const w = new Walk();
  w.arr(obj, 'rules', 'rules').forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!isObject(r)) return w.invalid(at, r, 'must be of type object');
    if (w.strings(r, 'verbs', `${at}.verbs`).length === 0) w.required(`${at}.verbs`, 'verbs must contain at least one value');
    const urls = w.strings(r, 'nonResourceURLs', `${at}.nonResourceURLs`);
    if (urls.length > 0) {
      w.invalid(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs');
      return;
    }
    if (w.strings(r, 'apiGroups', `${at}.apiGroups`).length === 0) w.required(`${at}.apiGroups`, 'resource rules must supply at least one api group');
    if (w.strings(r, 'resources', `${at}.resources`).length === 0) w.required(`${at}.resources`, 'resource rules must supply at least one resource');
  });
  return w.outcome(obj);
};

/** rbac/v1 RoleBinding: a roleRef to a Role or ClusterRole of rbac.authorization.k8s.io, and subjects of a known kind. */
export const validateRoleBinding: ObjectValidator = (input) => {
  const obj = clone(input);
  const w = new Walk();
  const ref = w.obj(obj, 'roleRef', 'roleRef') ?? {};
  // v1 defaulting: roleRef.apiGroup, and a User's or Group's apiGroup, default to rbac.authorization.k8s.io.
  if (ref['apiGroup'] == null || ref['apiGroup'] === '') ref['apiGroup'] = rbacGroup;
  const group = w.str(ref, 'apiGroup', 'roleRef.apiGroup');
  if (group !== rbacGroup) w.notSupported('roleRef.apiGroup', group, [rbacGroup]);
  const kind = w.str(ref, 'kind', 'roleRef.kind');
  if (kind !== 'Role' && kind !== 'ClusterRole') w.notSupported('roleRef.kind', kind, ['Role', 'ClusterRole']);
  if (w.str(ref, 'name', 'roleRef.name') === '') w.required('roleRef.name', '');
  w.arr(obj, 'subjects', 'subjects').forEach((s, i) => {
    const at = `subjects[${i}]`;
    if (!isObject(s)) return w.invalid(at, s, 'must be of type object');
    const k = w.str(s, 'kind', `${at}.kind`);
    if ((k === 'User' || k === 'Group') && (s['apiGroup'] == null || s['apiGroup'] === '')) s['apiGroup'] = rbacGroup;
    if (w.str(s, 'name', `${at}.name`) === '') w.required(`${at}.name`, '');
    const g = w.str(s, 'apiGroup', `${at}.apiGroup`);
    if (k === 'ServiceAccount') {
      if (g !== '') w.notSupported(`${at}.apiGroup`, g, ['']);
    } else if (k === 'User' || k === 'Group') {
      if (g !== rbacGroup) w.notSupported(`${at}.apiGroup`, g, [rbacGroup]);
    } else w.notSupported(`${at}.kind`, k, ['ServiceAccount', 'User', 'Group']);
  });
  return w.outcome(obj);
};
