/**
 * @module Validation of FlowSchema and PriorityLevelConfiguration as kube-apiserver validates them
 * (k8s.io/kubernetes pkg/apis/flowcontrol/validation/validation.go, v1.30+: zero shares allowed),
 * after v1 defaulting: each refusal is a cause of a 422 Invalid with the real field path and
 * message. Unknown fields are reported (a warning, or 400 under fieldValidation=Strict) and pruned.
 */
import type { ObjectValidator, FieldViolation, ValidationOutcome } from '../../../../model/schemas/types.js';
import { nameViolations } from '../names.js';
import { isObject, type JsonObject } from '../patch.js';
import { defaultFlowSchema, defaultPriorityLevel } from './defaults.js';

const supportedVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const maxMatchingPrecedence = 10000;
const maxQueues = 10_000_000;
// shufflesharding.MaxHashBits: a hand must be drawable from one 64-bit hash.
const maxHashBits = 60;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Go's %v of a field value, as apimachinery prints it in messages. */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? 'nil';
}

/** Collects violations and unknown fields while walking one object (shared by workload-validation.ts). */
export class Walk {
  readonly violations: FieldViolation[] = [];
  readonly unknownFields: string[] = [];

  invalid(field: string, value: unknown, detail: string): void {
    this.violations.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` });
  }
  required(field: string, detail: string): void {
    this.violations.push({ reason: 'FieldValueRequired', field, message: detail === '' ? 'Required value' : `Required value: ${detail}` });
  }
  forbidden(field: string, detail: string): void {
    this.violations.push({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
  }
  notSupported(field: string, value: unknown, supported: readonly string[]): void {
    this.violations.push({ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });
  }

  /** Reports and removes the keys of `o` outside `known`. */
  only(o: JsonObject, path: string, known: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (known.includes(k)) continue;
      this.unknownFields.push(path === '' ? k : `${path}.${k}`);
      delete o[k];
    }
  }

  /** The object at `o[key]` (undefined when absent); a non-object is a type violation. */
  obj(o: JsonObject, key: string, path: string): JsonObject | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (isObject(v)) return v;
    this.typeInvalid(path, v, 'object');
    return undefined;
  }
  /** The array at `o[key]` ([] when absent). */
  arr(o: JsonObject, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v;
    this.typeInvalid(path, v, 'array');
    return [];
  }
  /** The strings at `o[key]` ([] when absent). */
  strings(o: JsonObject, key: string, path: string): string[] {
    const a = this.arr(o, key, path);
    const out = a.filter((x): x is string => typeof x === 'string');
    if (out.length === a.length) return out;
    this.typeInvalid(path, a, 'array of strings');
    return [];
  }
  str(o: JsonObject, key: string, path: string): string {
    const v = o[key];
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    this.typeInvalid(path, v, 'string');
    return '';
  }
  /** The integer at `o[key]`, or undefined when absent (or not an integer: a violation). */
  int(o: JsonObject, key: string, path: string): number | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    this.typeInvalid(path, v, 'integer');
    return undefined;
  }
  private typeInvalid(field: string, v: unknown, type: string): void {
    this.violations.push({ reason: 'FieldValueTypeInvalid', field, message: `Invalid value: ${goValue(v)}: must be of type ${type}` });
  }

  /** DNS-1123 subdomain rule for a name held in `field`. */
  subdomain(field: string, name: string): void {
    for (const c of nameViolations(name, 'subdomain')) this.violations.push({ reason: c.reason ?? 'FieldValueInvalid', field, message: c.message ?? '' });
  }
  /** Namespace names are DNS-1123 labels of at most 63 characters. */
  namespaceName(field: string, name: string, intro = ''): void {
    if (name.length > 63) this.invalid(field, name, `${intro}must be no more than 63 characters`);
    if (!dnsLabel.test(name)) {
      this.invalid(
        field,
        name,
        `${intro}a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      );
    }
  }

  /** `verbs`: required; `*` alone; otherwise only the supported verbs. */
  verbs(o: JsonObject, path: string): void {
    const verbs = this.strings(o, 'verbs', `${path}.verbs`);
    if (verbs.length === 0) this.required(`${path}.verbs`, 'verbs must contain at least one value');
    else if (verbs.includes('*')) {
      if (verbs.length > 1) this.invalid(`${path}.verbs`, verbs, "if '*' is present, must not specify other verbs");
    } else if (!verbs.every((v) => supportedVerbs.includes(v))) this.notSupported(`${path}.verbs`, verbs, supportedVerbs);
  }

  outcome(pruned: JsonObject): ValidationOutcome {
    return { violations: this.violations, unknownFields: this.unknownFields, pruned };
  }
}

const topKeys = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

function subject(w: Walk, s: JsonObject, path: string): void {
  w.only(s, path, ['kind', 'user', 'group', 'serviceAccount']);
  const kind = w.str(s, 'kind', `${path}.kind`);
  const user = w.obj(s, 'user', `${path}.user`);
  const group = w.obj(s, 'group', `${path}.group`);
  const sa = w.obj(s, 'serviceAccount', `${path}.serviceAccount`);
  const notUser = (): void => void (user !== undefined && w.forbidden(`${path}.user`, "user is forbidden when subject kind is not 'User'"));
  const notGroup = (): void => void (group !== undefined && w.forbidden(`${path}.group`, "group is forbidden when subject kind is not 'Group'"));
  const notSa = (): void => void (sa !== undefined && w.forbidden(`${path}.serviceAccount`, "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"));
  switch (kind) {
    case 'ServiceAccount': {
      if (sa === undefined) w.required(`${path}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'");
      else {
        w.only(sa, `${path}.serviceAccount`, ['namespace', 'name']);
        const name = w.str(sa, 'name', `${path}.serviceAccount.name`);
        if (name === '') w.required(`${path}.serviceAccount.name`, '');
        else if (name !== '*') w.subdomain(`${path}.serviceAccount.name`, name);
        const ns = w.str(sa, 'namespace', `${path}.serviceAccount.namespace`);
        if (ns === '') w.required(`${path}.serviceAccount.namespace`, 'must specify namespace for service account');
        else w.namespaceName(`${path}.serviceAccount.namespace`, ns);
      }
      notUser();
      notGroup();
      break;
    }
    case 'User':
      if (user === undefined) w.required(`${path}.user`, "user is required when subject kind is 'User'");
      else {
        w.only(user, `${path}.user`, ['name']);
        if (w.str(user, 'name', `${path}.user.name`) === '') w.required(`${path}.user.name`, '');
      }
      notSa();
      notGroup();
      break;
    case 'Group':
      if (group === undefined) w.required(`${path}.group`, "group is required when subject kind is 'Group'");
      else {
        w.only(group, `${path}.group`, ['name']);
        if (w.str(group, 'name', `${path}.group.name`) === '') w.required(`${path}.group.name`, '');
      }
      notSa();
      notUser();
      break;
    default:
      w.notSupported(`${path}.kind`, kind, ['Group', 'ServiceAccount', 'User']);
  }
}

function resourceRule(w: Walk, r: JsonObject, path: string): void {
  w.only(r, path, ['verbs', 'apiGroups', 'resources', 'clusterScope', 'namespaces']);
  w.verbs(r, path);
  const groups = w.strings(r, 'apiGroups', `${path}.apiGroups`);
  if (groups.length === 0) w.required(`${path}.apiGroups`, 'resource rules must supply at least one api group');
  else if (groups.length > 1 && groups.includes('*')) w.invalid(`${path}.apiGroups`, groups, "if '*' is present, must not specify other api groups");
  const resources = w.strings(r, 'resources', `${path}.resources`);
  if (resources.length === 0) w.required(`${path}.resources`, 'resource rules must supply at least one resource');
  else if (resources.length > 1 && resources.includes('*')) w.invalid(`${path}.resources`, resources, "if '*' is present, must not specify other resources");
  const namespaces = w.strings(r, 'namespaces', `${path}.namespaces`);
  if (r.clusterScope !== undefined && typeof r.clusterScope !== 'boolean') w.invalid(`${path}.clusterScope`, r.clusterScope, 'must be of type boolean');
  if (namespaces.length === 0 && r.clusterScope !== true) w.required(`${path}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace');
  else if (namespaces.includes('*')) {
    if (namespaces.length > 1) w.invalid(`${path}.namespaces`, namespaces, "if '*' is present, must not specify other namespaces");
  } else namespaces.forEach((ns, i) => w.namespaceName(`${path}.namespaces[${i}]`, ns, "each member of this list must be '*' or a DNS-1123 label; "));
}

/** The non-resource URL rules: leading slash, no space, no `//`, `*` only as a `/*` suffix. */
function nonResourceUrlProblem(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p === '/') return undefined;
  if (!p.startsWith('/')) return 'must start with slash';
  if (p.includes(' ')) return 'must not contain white-space';
  if (p.includes('//')) return 'must not contain double slash';
  const stars = p.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !p.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function nonResourceRule(w: Walk, r: JsonObject, path: string): void {
  w.only(r, path, ['verbs', 'nonResourceURLs']);
  w.verbs(r, path);
  const urls = w.strings(r, 'nonResourceURLs', `${path}.nonResourceURLs`);
  if (urls.length === 0) w.required(`${path}.nonResourceURLs`, 'nonResourceURLs must contain at least one value');
  else if (urls.includes('*')) {
    if (urls.length > 1) w.invalid(`${path}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs");
  } else {
    urls.forEach((u, i) => {
      const why = nonResourceUrlProblem(u);
      if (why !== undefined) w.invalid(`${path}.nonResourceURLs[${i}]`, u, why);
    });
  }
}

function each(w: Walk, o: JsonObject, key: string, path: string, fn: (item: JsonObject, path: string) => void): number {
  const items = w.arr(o, key, path);
  items.forEach((item, i) => {
    if (isObject(item)) fn(item, `${path}[${i}]`);
    else w.invalid(`${path}[${i}]`, item, 'must be of type object');
  });
  return items.length;
}

/** Validates (and defaults) one FlowSchema body. */
export const validateFlowSchema: ObjectValidator = (input) => {
  const w = new Walk();
  const o = defaultFlowSchema(isObject(input) ? { ...input, spec: isObject(input.spec) ? input.spec : {} } : { spec: {} });
  w.only(o, '', topKeys);
  const spec = o.spec as JsonObject;
  const name = isObject(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '';
  w.only(spec, 'spec', ['priorityLevelConfiguration', 'matchingPrecedence', 'distinguisherMethod', 'rules']);
  const mp = w.int(spec, 'matchingPrecedence', 'spec.matchingPrecedence');
  if (mp !== undefined) {
    if (mp <= 0) w.invalid('spec.matchingPrecedence', mp, 'must be a positive value');
    if (mp > maxMatchingPrecedence) w.invalid('spec.matchingPrecedence', mp, `must not be greater than ${maxMatchingPrecedence}`);
    if (mp === 1 && name !== 'exempt') w.invalid('spec.matchingPrecedence', mp, "only the schema named 'exempt' may have matchingPrecedence 1");
  }
  const dm = w.obj(spec, 'distinguisherMethod', 'spec.distinguisherMethod');
  if (dm !== undefined) {
    w.only(dm, 'spec.distinguisherMethod', ['type']);
    const t = w.str(dm, 'type', 'spec.distinguisherMethod.type');
    if (t !== 'ByNamespace' && t !== 'ByUser') w.notSupported('spec.distinguisherMethod.type', t, ['ByNamespace', 'ByUser']);
  }
  const plRef = w.obj(spec, 'priorityLevelConfiguration', 'spec.priorityLevelConfiguration');
  if (plRef !== undefined) w.only(plRef, 'spec.priorityLevelConfiguration', ['name']);
  const plName = plRef === undefined ? '' : w.str(plRef, 'name', 'spec.priorityLevelConfiguration.name');
  if (plName === '') w.required('spec.priorityLevelConfiguration.name', 'must reference a priority level');
  else w.subdomain('spec.priorityLevelConfiguration.name', plName);
  each(w, spec, 'rules', 'spec.rules', (rule, path) => {
    w.only(rule, path, ['subjects', 'resourceRules', 'nonResourceRules']);
    if (each(w, rule, 'subjects', `${path}.subjects`, (s, p) => subject(w, s, p)) === 0) w.required(`${path}.subjects`, 'subjects must contain at least one value');
    const nRes = each(w, rule, 'resourceRules', `${path}.resourceRules`, (r, p) => resourceRule(w, r, p));
    const nNon = each(w, rule, 'nonResourceRules', `${path}.nonResourceRules`, (r, p) => nonResourceRule(w, r, p));
    if (nRes === 0 && nNon === 0) w.required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty');
  });
  return w.outcome(o);
};

function percent(w: Walk, o: JsonObject, path: string): void {
  const lp = w.int(o, 'lendablePercent', `${path}.lendablePercent`);
  if (lp !== undefined && (lp < 0 || lp > 100)) w.invalid(`${path}.lendablePercent`, lp, 'must be between 0 and 100, inclusive');
}

function queuing(w: Walk, q: JsonObject, path: string): void {
  w.only(q, path, ['queues', 'handSize', 'queueLengthLimit']);
  const qll = w.int(q, 'queueLengthLimit', `${path}.queueLengthLimit`) ?? 0;
  if (qll <= 0) w.invalid(`${path}.queueLengthLimit`, qll, 'must be positive');
  const queues = w.int(q, 'queues', `${path}.queues`) ?? 0;
  if (queues <= 0) w.invalid(`${path}.queues`, queues, 'must be positive');
  else if (queues > maxQueues) w.invalid(`${path}.queues`, queues, `must not be greater than ${maxQueues}`);
  const hand = w.int(q, 'handSize', `${path}.handSize`) ?? 0;
  if (hand <= 0) w.invalid(`${path}.handSize`, hand, 'must be positive');
  else if (hand > queues) w.invalid(`${path}.handSize`, hand, `should not be greater than queues (${queues})`);
  else if (Math.ceil(Math.log2(queues) * hand) > maxHashBits) {
    w.invalid(`${path}.handSize`, hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${maxHashBits}`);
  }
}

function limited(w: Walk, l: JsonObject, path: string): void {
  w.only(l, path, ['nominalConcurrencyShares', 'lendablePercent', 'borrowingLimitPercent', 'limitResponse']);
  const ncs = w.int(l, 'nominalConcurrencyShares', `${path}.nominalConcurrencyShares`);
  if (ncs !== undefined && ncs < 0) w.invalid(`${path}.nominalConcurrencyShares`, ncs, 'must be a non-negative integer');
  const lr = w.obj(l, 'limitResponse', `${path}.limitResponse`) ?? {};
  w.only(lr, `${path}.limitResponse`, ['type', 'queuing']);
  const t = w.str(lr, 'type', `${path}.limitResponse.type`);
  const q = w.obj(lr, 'queuing', `${path}.limitResponse.queuing`);
  if (t === 'Reject') {
    if (q !== undefined) w.forbidden(`${path}.limitResponse.queuing`, 'must be nil if limited.limitResponse.type is not Limited');
  } else if (t === 'Queue') {
    if (q === undefined) w.required(`${path}.limitResponse.queuing`, 'must not be empty if limited.limitResponse.type is Limited');
    else queuing(w, q, `${path}.limitResponse.queuing`);
  } else w.notSupported(`${path}.limitResponse.type`, t, ['Queue', 'Reject']);
  percent(w, l, path);
  const blp = w.int(l, 'borrowingLimitPercent', `${path}.borrowingLimitPercent`);
  if (blp !== undefined && blp < 0) w.invalid(`${path}.borrowingLimitPercent`, blp, 'if specified, must be a non-negative integer');
}

/** Validates (and defaults) one PriorityLevelConfiguration body. */
export const validatePriorityLevel: ObjectValidator = (input) => {
  const w = new Walk();
  const o = defaultPriorityLevel(isObject(input) ? { ...input, spec: isObject(input.spec) ? input.spec : {} } : { spec: {} });
  w.only(o, '', topKeys);
  const spec = o.spec as JsonObject;
  const name = isObject(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '';
  w.only(spec, 'spec', ['type', 'limited', 'exempt']);
  const type = w.str(spec, 'type', 'spec.type');
  if ((name === 'exempt') !== (type === 'Exempt')) w.invalid('spec.type', type, "type must be 'Exempt' if and only if name is 'exempt'");
  const lim = w.obj(spec, 'limited', 'spec.limited');
  const ex = w.obj(spec, 'exempt', 'spec.exempt');
  if (type === 'Exempt') {
    if (lim !== undefined) w.forbidden('spec.limited', 'must be nil if the type is not Limited');
    if (ex !== undefined) {
      w.only(ex, 'spec.exempt', ['nominalConcurrencyShares', 'lendablePercent']);
      const ncs = w.int(ex, 'nominalConcurrencyShares', 'spec.exempt.nominalConcurrencyShares');
      if (ncs !== undefined && ncs < 0) w.invalid('spec.exempt.nominalConcurrencyShares', ncs, 'must be a non-negative integer');
      percent(w, ex, 'spec.exempt');
    }
  } else if (type === 'Limited') {
    if (ex !== undefined) w.forbidden('spec.exempt', 'must be nil if the type is Limited');
    if (lim === undefined) w.required('spec.limited', 'must not be empty when type is Limited');
    else limited(w, lim, 'spec.limited');
  } else w.notSupported('spec.type', type, ['Exempt', 'Limited']);
  return w.outcome(o);
};
