/** @module The flowcontrol.apiserver.k8s.io/v1 shapes the API twin's APF reads (after defaulting), and the request attributes it classifies. */
import type { UserInfo } from '../identities.js';

/** API group and version of FlowSchema and PriorityLevelConfiguration. */
export const flowcontrolGroup = 'flowcontrol.apiserver.k8s.io';
export const flowcontrolVersion = 'v1';

/** A FlowSchema subject (`kind` selects which of the other fields applies). */
export interface Subject {
  kind: string;
  user?: { name: string };
  group?: { name: string };
  serviceAccount?: { namespace: string; name: string };
}

/** A rule over resource requests. */
export interface ResourcePolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  clusterScope?: boolean;
  namespaces?: string[];
}

/** A rule over non-resource requests (discovery, /healthz, …). */
export interface NonResourcePolicyRule {
  verbs: string[];
  nonResourceURLs: string[];
}

/** Subjects and the rules that apply to them. */
export interface PolicyRulesWithSubjects {
  subjects: Subject[];
  resourceRules?: ResourcePolicyRule[];
  nonResourceRules?: NonResourcePolicyRule[];
}

/** FlowSchema `spec`, defaulted. */
export interface FlowSchemaSpec {
  priorityLevelConfiguration: { name: string };
  matchingPrecedence: number;
  distinguisherMethod?: { type: 'ByUser' | 'ByNamespace' };
  rules?: PolicyRulesWithSubjects[];
}

/** `limitResponse.queuing`, defaulted. */
export interface QueuingConfiguration {
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

/** `spec.limited`, defaulted. */
export interface LimitedPriorityLevelConfiguration {
  nominalConcurrencyShares: number;
  lendablePercent: number;
  borrowingLimitPercent?: number;
  limitResponse: { type: 'Queue' | 'Reject'; queuing?: QueuingConfiguration };
}

/** PriorityLevelConfiguration `spec`, defaulted. */
export interface PriorityLevelConfigurationSpec {
  type: 'Exempt' | 'Limited';
  limited?: LimitedPriorityLevelConfiguration;
  exempt?: { nominalConcurrencyShares?: number; lendablePercent?: number };
}

/** A stored FlowSchema as APF reads it. */
export interface FlowSchemaObject {
  metadata: { name: string; uid: string };
  spec: FlowSchemaSpec;
}

/** A stored PriorityLevelConfiguration as APF reads it. */
export interface PriorityLevelObject {
  metadata: { name: string; uid: string };
  spec: PriorityLevelConfigurationSpec;
}

/** What APF knows of a request: who sent it and what it asks (kube-apiserver's RequestDigest). */
export interface RequestDigest {
  user: UserInfo;
  /** A resource request (verb as in RBAC: get, list, watch, create, …) or a non-resource one (verb: the lower-case HTTP method). */
  resource?: { verb: string; apiGroup: string; resource: string; subresource: string; namespace: string };
  nonResource?: { verb: string; path: string };
}
