/**
 * @module APF classification: which FlowSchema a request matches, by kube-apiserver's rules
 * (k8s.io/apiserver pkg/util/flowcontrol/rule.go): the FlowSchemas are tried by ascending
 * matchingPrecedence, then name; the first with a rule whose subjects name the user and whose
 * resource or non-resource rule covers the request wins. A FlowSchema whose priority level does not
 * exist is skipped, as a real server marks it Dangling and ignores it.
 */
import { serviceAccountOf } from '../identities.js';
import type { FlowSchemaObject, NonResourcePolicyRule, PolicyRulesWithSubjects, RequestDigest, ResourcePolicyRule, Subject } from './types.js';

const all = '*';

/** FlowSchemas in matching order: matchingPrecedence ascending, then name. */
export function matchingOrder<T extends FlowSchemaObject>(schemas: readonly T[]): T[] {
  return [...schemas].sort((a, b) => a.spec.matchingPrecedence - b.spec.matchingPrecedence || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** True when the subject names the request's user (by name, group, or ServiceAccount; `*` names any). */
export function subjectMatches(s: Subject, d: RequestDigest): boolean {
  switch (s.kind) {
    case 'User':
      return s.user !== undefined && (s.user.name === all || s.user.name === d.user.username);
    case 'Group':
      return s.group !== undefined && (s.group.name === all || d.user.groups.includes(s.group.name));
    case 'ServiceAccount': {
      const sa = serviceAccountOf(d.user.username);
      if (s.serviceAccount === undefined || sa === undefined || sa.namespace !== s.serviceAccount.namespace) return false;
      return s.serviceAccount.name === all || s.serviceAccount.name === sa.name;
    }
    default:
      return false;
  }
}

function has(list: readonly string[] | undefined, v: string): boolean {
  return (list ?? []).some((x) => x === all || x === v);
}

/** True when a resource rule covers the request; a request without a namespace (cluster-scoped, or across all namespaces) needs `clusterScope`. */
export function resourceRuleMatches(r: ResourcePolicyRule, req: NonNullable<RequestDigest['resource']>): boolean {
  if (!has(r.verbs, req.verb) || !has(r.apiGroups, req.apiGroup)) return false;
  if (!has(r.resources, req.subresource === '' ? req.resource : `${req.resource}/${req.subresource}`)) return false;
  return req.namespace === '' ? r.clusterScope === true : has(r.namespaces, req.namespace);
}

/** True when a non-resource rule covers the request; `/prefix/*` matches everything under the prefix. */
export function nonResourceRuleMatches(r: NonResourcePolicyRule, req: NonNullable<RequestDigest['nonResource']>): boolean {
  if (!has(r.verbs, req.verb)) return false;
  return r.nonResourceURLs.some((u) => {
    if (u === all || u === req.path) return true;
    if (!u.endsWith('*')) return false;
    const prefix = u.slice(0, -1).endsWith('/') ? u.slice(0, -1) : `${u.slice(0, -1)}/`;
    return req.path.startsWith(prefix);
  });
}

/** True when one member of a FlowSchema's `rules` matches the request. */
export function ruleMatches(rule: PolicyRulesWithSubjects, d: RequestDigest): boolean {
  if (!rule.subjects.some((s) => subjectMatches(s, d))) return false;
  const { resource, nonResource } = d;
  if (resource !== undefined) return (rule.resourceRules ?? []).some((r) => resourceRuleMatches(r, resource));
  if (nonResource !== undefined) return (rule.nonResourceRules ?? []).some((r) => nonResourceRuleMatches(r, nonResource));
  return false;
}

/** The FlowSchema the request is classified by, among those (already in matching order) whose priority level `exists`; undefined when none matches. */
export function classify<T extends FlowSchemaObject>(ordered: readonly T[], d: RequestDigest, exists: (priorityLevel: string) => boolean): T | undefined {
  return ordered.find((fs) => exists(fs.spec.priorityLevelConfiguration.name) && (fs.spec.rules ?? []).some((r) => ruleMatches(r, d)));
}

/** The flow within a priority level: the FlowSchema and its distinguisher (the user or the namespace, or none). */
export function flowKey(fs: FlowSchemaObject, d: RequestDigest): string {
  const by = fs.spec.distinguisherMethod?.type;
  const distinguisher = by === 'ByUser' ? d.user.username : by === 'ByNamespace' ? (d.resource?.namespace ?? '') : '';
  return `${fs.metadata.name}\u0000${distinguisher}`;
}
