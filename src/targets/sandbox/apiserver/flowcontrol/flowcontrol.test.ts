import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, matchingOrder } from './classify.js';
import { bootstrapFlowSchemas, bootstrapPriorityLevels } from './defaults.js';
import { FlowControl, type Admitted, type Rejected } from './dispatcher.js';
import { RetryAfterTracker } from './retry-after.js';
import { nominalLimits } from './seats.js';
import type { FlowSchemaObject, FlowSchemaSpec, PriorityLevelConfigurationSpec, PriorityLevelObject, RequestDigest } from './types.js';
import { validateFlowSchema, validatePriorityLevel } from './validate.js';
import { bindyServiceAccount, sandboxAdmin, serviceAccountUser } from '../identities.js';

const fsObj = (name: string, spec: FlowSchemaSpec): FlowSchemaObject => ({ metadata: { name, uid: `uid-${name}` }, spec });
const plObj = (name: string, spec: PriorityLevelConfigurationSpec): PriorityLevelObject => ({ metadata: { name, uid: `uid-${name}` }, spec });
const bootFs = (): FlowSchemaObject[] => Object.entries(bootstrapFlowSchemas).map(([n, s]) => fsObj(n, s));
const bootPl = (): PriorityLevelObject[] => Object.entries(bootstrapPriorityLevels).map(([n, s]) => plObj(n, s));
const operator = serviceAccountUser(bindyServiceAccount);
const get = (user: RequestDigest['user'], resource = 'arecords', namespace = 'lt', verb = 'get', apiGroup = 'bindy.firestoned.io'): RequestDigest => ({ user, resource: { verb, apiGroup, resource, subresource: '', namespace } });
const bindyFs = (precedence: number, pl = 'bindy-throttle', subjects: FlowSchemaSpec['rules'] = undefined): FlowSchemaObject =>
  fsObj('bindy', {
    priorityLevelConfiguration: { name: pl },
    matchingPrecedence: precedence,
    distinguisherMethod: { type: 'ByUser' },
    rules: subjects ?? [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system', name: 'bindy' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }] }],
  });
const rejectPl = (shares: number): PriorityLevelObject => plObj('bindy-throttle', { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent: 0, limitResponse: { type: 'Reject' } } });

test('classification: the bootstrap FlowSchemas put the admin in exempt, ServiceAccounts in service-accounts, other users in global-default, probes in probes', () => {
  const ordered = matchingOrder(bootFs());
  const exists = (): boolean => true;
  assert.equal(classify(ordered, get(sandboxAdmin), exists)?.metadata.name, 'exempt');
  assert.equal(classify(ordered, get(operator), exists)?.metadata.name, 'service-accounts');
  assert.equal(classify(ordered, get({ username: 'alice', groups: ['system:authenticated'] }), exists)?.metadata.name, 'global-default');
  assert.equal(classify(ordered, { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, nonResource: { verb: 'get', path: '/healthz' } }, exists)?.metadata.name, 'probes');
  // A kube-system ServiceAccount's lease writes are leader election; its other requests workload-high.
  const ksa = serviceAccountUser({ namespace: 'kube-system', name: 'x' });
  assert.equal(classify(ordered, get(ksa, 'leases', 'kube-system', 'update', 'coordination.k8s.io'), exists)?.metadata.name, 'system-leader-election');
  assert.equal(classify(ordered, get(ksa), exists)?.metadata.name, 'kube-system-service-accounts');
});

test('classification: lowest matchingPrecedence wins, a tie goes to the smaller name; a FlowSchema whose level is missing is skipped', () => {
  const a = { ...bindyFs(500), metadata: { name: 'b-second', uid: '1' } };
  const b = { ...bindyFs(500), metadata: { name: 'a-first', uid: '2' } };
  const ordered = matchingOrder([...bootFs(), a, b]);
  assert.equal(classify(ordered, get(operator), () => true)?.metadata.name, 'a-first');
  assert.equal(classify(ordered, get(operator), (pl) => pl !== 'bindy-throttle')?.metadata.name, 'service-accounts');
  // Precedence 9500 comes after service-accounts (9000): never reached.
  assert.equal(classify(matchingOrder([...bootFs(), bindyFs(9500)]), get(operator), () => true)?.metadata.name, 'service-accounts');
});

test('classification: subjects (User, Group, ServiceAccount with * name) and rules (verbs, groups, resources/subresource, namespaces, clusterScope, non-resource prefixes)', () => {
  const rule = (r: NonNullable<FlowSchemaSpec['rules']>[number]): FlowSchemaObject[] => [bindyFs(100, 'p', [r])];
  const yes = (fs: FlowSchemaObject[], d: RequestDigest): void => assert.equal(classify(fs, d, () => true)?.metadata.name, 'bindy', JSON.stringify(d));
  const no = (fs: FlowSchemaObject[], d: RequestDigest): void => assert.equal(classify(fs, d, () => true), undefined, JSON.stringify(d));
  const all = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }];
  yes(rule({ subjects: [{ kind: 'User', user: { name: operator.username } }], resourceRules: all }), get(operator));
  no(rule({ subjects: [{ kind: 'User', user: { name: 'someone' } }], resourceRules: all }), get(operator));
  yes(rule({ subjects: [{ kind: 'Group', group: { name: 'system:serviceaccounts:bindy-system' } }], resourceRules: all }), get(operator));
  yes(rule({ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system', name: '*' } }], resourceRules: all }), get(operator));
  no(rule({ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'other', name: '*' } }], resourceRules: all }), get(operator));
  no(rule({ subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system', name: 'bindy' } }], resourceRules: all }), get(sandboxAdmin));
  const sa = [{ kind: 'Group', group: { name: '*' } }];
  const narrow = rule({ subjects: sa, resourceRules: [{ verbs: ['patch'], apiGroups: ['bindy.firestoned.io'], resources: ['arecords/status'], namespaces: ['lt'] }] });
  yes(narrow, { user: operator, resource: { verb: 'patch', apiGroup: 'bindy.firestoned.io', resource: 'arecords', subresource: 'status', namespace: 'lt' } });
  no(narrow, { user: operator, resource: { verb: 'patch', apiGroup: 'bindy.firestoned.io', resource: 'arecords', subresource: '', namespace: 'lt' } });
  no(narrow, { user: operator, resource: { verb: 'patch', apiGroup: 'bindy.firestoned.io', resource: 'arecords', subresource: 'status', namespace: 'other' } });
  no(narrow, { user: operator, resource: { verb: 'get', apiGroup: 'bindy.firestoned.io', resource: 'arecords', subresource: 'status', namespace: 'lt' } });
  // A list across all namespaces has no namespace: only clusterScope rules match it.
  const nsOnly = rule({ subjects: sa, resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] }] });
  yes(nsOnly, get(operator));
  no(nsOnly, get(operator, 'arecords', '', 'list'));
  const nonRes = rule({ subjects: sa, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/apis/*', '/version'] }] });
  yes(nonRes, { user: operator, nonResource: { verb: 'get', path: '/apis/bindy.firestoned.io/v1beta1' } });
  yes(nonRes, { user: operator, nonResource: { verb: 'get', path: '/version' } });
  no(nonRes, { user: operator, nonResource: { verb: 'get', path: '/api' } });
  no(nonRes, get(operator));
});

test('seats: NominalCL = ceil(600 × shares / Σ shares) over the bootstrap levels (Σ 245), and with a level added', () => {
  const boot = nominalLimits(bootPl());
  assert.deepEqual(Object.fromEntries(boot), { 'catch-all': 13, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49 });
  const withOne = nominalLimits([...bootPl(), rejectPl(1)]);
  assert.equal(withOne.get('bindy-throttle'), 3); // ceil(600 × 1 / 246)
  assert.equal(withOne.get('workload-low'), 244); // ceil(600 × 100 / 246)
  assert.equal(nominalLimits([...bootPl(), rejectPl(0)]).get('bindy-throttle'), 0);
  assert.equal(nominalLimits(bootPl(), 60).get('workload-low'), 25);
});

function control(levels: PriorityLevelObject[], schemas: FlowSchemaObject[], waitMs = 15_000): FlowControl {
  return new FlowControl({ source: () => ({ flowSchemas: schemas, priorityLevels: levels }), queueWaitLimitMs: waitMs });
}

test('dispatch, ground truth: N requests at once over a Reject level of S seats get exactly N − S rejections (concurrency-limit); the admin is never limited', async () => {
  for (const [shares, seats] of [[1, 3], [0, 1], [5, 12]] as const) {
    const fc = control([...bootPl(), rejectPl(shares)], [...bootFs(), bindyFs(500)]);
    assert.equal(fc.limits().get('bindy-throttle'), shares === 0 ? 0 : seats);
    const n = 20;
    const results = await Promise.all(Array.from({ length: n }, () => fc.admit(get(operator))));
    const rejected = results.filter((r): r is Rejected => !r.ok);
    assert.equal(rejected.length, n - seats, `shares ${shares}`);
    assert.ok(rejected.every((r) => r.reason === 'concurrency-limit' && r.flowSchema.name === 'bindy' && r.priorityLevel.name === 'bindy-throttle'));
    const admin = await Promise.all(Array.from({ length: 50 }, () => fc.admit(get(sandboxAdmin))));
    assert.ok(admin.every((r) => r.ok && r.flowSchema?.name === 'exempt'));
    // Released seats admit again.
    for (const r of results) if (r.ok) r.release();
    assert.equal((await fc.admit(get(operator))).ok, true);
  }
});

test('dispatch: a Queue level queues FIFO beyond its seats, refuses past handSize × queueLengthLimit per flow (queue-full), and times out a waiter (time-out)', async () => {
  const queuePl = plObj('bindy-throttle', { type: 'Limited', limited: { nominalConcurrencyShares: 0, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 2, queueLengthLimit: 2 } } } });
  const fc = control([...bootPl(), queuePl], [...bootFs(), bindyFs(500)], 200);
  const first = (await fc.admit(get(operator))) as Admitted;
  assert.equal(first.ok, true);
  const order: number[] = [];
  const waiting = [1, 2, 3, 4].map((i) => fc.admit(get(operator)).then((r) => (order.push(i), r)));
  const full = await fc.admit(get(operator));
  assert.equal(full.ok ? 'admitted' : full.reason, 'queue-full');
  first.release();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [1]);
  const second = (await waiting[0]) as Admitted;
  second.release();
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(order, [1, 2]);
  // 3 and 4 wait behind 2 (still executing) until the 200 ms limit.
  const late = await Promise.all(waiting.slice(2));
  assert.deepEqual(late.map((r) => (r.ok ? 'ok' : r.reason)), ['time-out', 'time-out']);
  ((await waiting[1]) as Admitted).release();
});

test('dispatch: deleting the FlowSchema ends the throttling; raising the shares admits the queued', async () => {
  let schemas = [...bootFs(), bindyFs(500)];
  const fc = new FlowControl({ source: () => ({ flowSchemas: schemas, priorityLevels: [...bootPl(), rejectPl(0)] }) });
  const held = (await fc.admit(get(operator))) as Admitted;
  assert.equal((await fc.admit(get(operator))).ok, false);
  schemas = bootFs();
  fc.invalidate();
  const r = await fc.admit(get(operator));
  assert.equal(r.ok && r.flowSchema?.name, 'service-accounts');
  held.release();
});

test('Retry-After: 1 s at first, doubled under sustained rejections (≥ 3×retryAfter in the last retryAfter s), at most 32, lowered when they stop', () => {
  let t = 1_000_000;
  const tr = new RetryAfterTracker(() => t);
  tr.recordRejection('p');
  assert.equal(tr.retryAfter('p'), 1);
  for (let s = 0; s < 3; s++) for (let i = 0; i < 3; i++) tr.recordRejection('p');
  t += 1000;
  tr.recordRejection('p');
  assert.equal(tr.retryAfter('p'), 2);
  for (let s = 0; s < 30; s++) {
    t += 1000;
    for (let i = 0; i < 200; i++) tr.recordRejection('p');
  }
  assert.equal(tr.retryAfter('p'), 32);
  t += 100_000;
  tr.recordRejection('p');
  assert.equal(tr.retryAfter('p'), 31);
  assert.equal(tr.retryAfter('other'), 1);
});

/** The causes of validating `obj`, as `field: message`. */
function causes(v: typeof validateFlowSchema, obj: unknown): string[] {
  return v(obj).violations.map((c) => `${c.field}: ${c.message}`);
}
const fsBody = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name }, spec });
const plBody = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name }, spec });
const okRule = { subjects: [{ kind: 'Group', group: { name: 'g' } }], resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['*'] }] };

test('validation: every bootstrap object is valid and unchanged by defaulting', () => {
  for (const [name, spec] of Object.entries(bootstrapFlowSchemas)) {
    const out = validateFlowSchema(fsBody(name, spec as unknown as Record<string, unknown>));
    assert.deepEqual(out.violations, [], name);
    assert.deepEqual((out.pruned as { spec: unknown }).spec, spec, name);
  }
  for (const [name, spec] of Object.entries(bootstrapPriorityLevels)) {
    const out = validatePriorityLevel(plBody(name, spec as unknown as Record<string, unknown>));
    assert.deepEqual(out.violations, [], name);
    assert.deepEqual((out.pruned as { spec: unknown }).spec, spec, name);
  }
});

test('validation: FlowSchema refusals with kube-apiserver\'s fields and messages', () => {
  const fs = (spec: Record<string, unknown>, name = 'x'): string[] => causes(validateFlowSchema, fsBody(name, { priorityLevelConfiguration: { name: 'p' }, rules: [okRule], ...spec }));
  assert.deepEqual(fs({}), []);
  assert.deepEqual(fs({ matchingPrecedence: -3 }), ['spec.matchingPrecedence: Invalid value: -3: must be a positive value']);
  assert.deepEqual(fs({ matchingPrecedence: 10001 }), ['spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000']);
  assert.deepEqual(fs({ matchingPrecedence: 1 }), ["spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1"]);
  assert.deepEqual(fs({ priorityLevelConfiguration: {} }), ['spec.priorityLevelConfiguration.name: Required value: must reference a priority level']);
  assert.match(fs({ priorityLevelConfiguration: { name: 'Bad_Name' } })[0] ?? '', /^spec\.priorityLevelConfiguration\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  assert.deepEqual(fs({ distinguisherMethod: { type: 'ByPod' } }), ['spec.distinguisherMethod.type: Unsupported value: "ByPod": supported values: "ByNamespace", "ByUser"']);
  const r = (rule: Record<string, unknown>): string[] => fs({ rules: [rule] });
  assert.deepEqual(r({ resourceRules: okRule.resourceRules }), ['spec.rules[0].subjects: Required value: subjects must contain at least one value']);
  assert.deepEqual(r({ subjects: okRule.subjects }), ['spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty']);
  const subj = (s: Record<string, unknown>): string[] => r({ ...okRule, subjects: [s] });
  assert.deepEqual(subj({ kind: 'Robot' }), ['spec.rules[0].subjects[0].kind: Unsupported value: "Robot": supported values: "Group", "ServiceAccount", "User"']);
  assert.deepEqual(subj({ kind: 'User' }), ["spec.rules[0].subjects[0].user: Required value: user is required when subject kind is 'User'"]);
  assert.deepEqual(subj({ kind: 'User', user: { name: '' } }), ['spec.rules[0].subjects[0].user.name: Required value']);
  assert.deepEqual(subj({ kind: 'Group', group: { name: 'g' }, user: { name: 'u' } }), ["spec.rules[0].subjects[0].user: Forbidden: user is forbidden when subject kind is not 'User'"]);
  assert.deepEqual(subj({ kind: 'ServiceAccount' }), ["spec.rules[0].subjects[0].serviceAccount: Required value: serviceAccount is required when subject kind is 'ServiceAccount'"]);
  assert.deepEqual(subj({ kind: 'ServiceAccount', serviceAccount: { name: 'bindy' } }), ['spec.rules[0].subjects[0].serviceAccount.namespace: Required value: must specify namespace for service account']);
  assert.deepEqual(subj({ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system' } }), ['spec.rules[0].subjects[0].serviceAccount.name: Required value']);
  assert.deepEqual(subj({ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system', name: '*' }, group: { name: 'g' } }), ["spec.rules[0].subjects[0].group: Forbidden: group is forbidden when subject kind is not 'Group'"]);
  const res = (rr: Record<string, unknown>): string[] => r({ subjects: okRule.subjects, resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['*'], ...rr }] });
  assert.deepEqual(res({ verbs: [] }), ['spec.rules[0].resourceRules[0].verbs: Required value: verbs must contain at least one value']);
  assert.deepEqual(res({ verbs: ['*', 'get'] }), ['spec.rules[0].resourceRules[0].verbs: Invalid value: []string{"*", "get"}: if \'*\' is present, must not specify other verbs']);
  assert.deepEqual(res({ verbs: ['eat'] }), ['spec.rules[0].resourceRules[0].verbs: Unsupported value: []string{"eat"}: supported values: "create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"']);
  assert.deepEqual(res({ apiGroups: [] }), ['spec.rules[0].resourceRules[0].apiGroups: Required value: resource rules must supply at least one api group']);
  assert.deepEqual(res({ apiGroups: ['*', 'apps'] }), ['spec.rules[0].resourceRules[0].apiGroups: Invalid value: []string{"*", "apps"}: if \'*\' is present, must not specify other api groups']);
  assert.deepEqual(res({ resources: [] }), ['spec.rules[0].resourceRules[0].resources: Required value: resource rules must supply at least one resource']);
  assert.deepEqual(res({ resources: ['pods', '*'] }), ['spec.rules[0].resourceRules[0].resources: Invalid value: []string{"pods", "*"}: if \'*\' is present, must not specify other resources']);
  assert.deepEqual(res({ namespaces: [] }), ['spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace']);
  assert.deepEqual(res({ namespaces: [], clusterScope: true }), []);
  assert.deepEqual(res({ namespaces: ['*', 'a'] }), ['spec.rules[0].resourceRules[0].namespaces: Invalid value: []string{"*", "a"}: if \'*\' is present, must not specify other namespaces']);
  assert.match(res({ namespaces: ['Bad'] })[0] ?? '', /^spec\.rules\[0\]\.resourceRules\[0\]\.namespaces\[0\]: Invalid value: "Bad": each member of this list must be '\*' or a DNS-1123 label; a lowercase RFC 1123 label/);
  const nr = (u: string[], verbs = ['get']): string[] => r({ subjects: okRule.subjects, nonResourceRules: [{ verbs, nonResourceURLs: u }] });
  assert.deepEqual(nr(['/healthz', '/apis/*']), []);
  assert.deepEqual(nr([]), ['spec.rules[0].nonResourceRules[0].nonResourceURLs: Required value: nonResourceURLs must contain at least one value']);
  assert.deepEqual(nr(['*', '/x']), ['spec.rules[0].nonResourceRules[0].nonResourceURLs: Invalid value: []string{"*", "/x"}: if \'*\' is present, must not specify other non-resource URLs']);
  assert.deepEqual(nr(['x']), ['spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "x": must start with slash']);
  assert.deepEqual(nr(['/a b']), ['spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "/a b": must not contain white-space']);
  assert.deepEqual(nr(['/a//b']), ['spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "/a//b": must not contain double slash']);
  assert.deepEqual(nr(['/a*']), ['spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "/a*": wildcard can only do suffix matching']);
  // Defaulting: an absent matchingPrecedence is 1000; unknown fields are reported and pruned.
  const out = validateFlowSchema(fsBody('x', { priorityLevelConfiguration: { name: 'p' }, rules: [okRule], bogus: 1 }));
  assert.equal((out.pruned as { spec: { matchingPrecedence: number } }).spec.matchingPrecedence, 1000);
  assert.deepEqual(out.unknownFields, ['spec.bogus']);
});

test('validation: PriorityLevelConfiguration refusals with kube-apiserver\'s fields and messages, after v1 defaulting', () => {
  const pl = (spec: Record<string, unknown>, name = 'p'): string[] => causes(validatePriorityLevel, plBody(name, spec));
  const lim = (l: Record<string, unknown>): string[] => pl({ type: 'Limited', limited: { limitResponse: { type: 'Reject' }, ...l } });
  assert.deepEqual(lim({}), []);
  assert.deepEqual(pl({ type: 'Exempt' }), ["spec.type: Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'"]);
  assert.deepEqual(pl({ type: 'Limited', limited: { limitResponse: { type: 'Reject' } } }, 'exempt'), ["spec.type: Invalid value: \"Limited\": type must be 'Exempt' if and only if name is 'exempt'"]);
  assert.deepEqual(pl({ type: 'Sometimes' }), ['spec.type: Unsupported value: "Sometimes": supported values: "Exempt", "Limited"']);
  assert.deepEqual(pl({ type: 'Limited' }), ['spec.limited: Required value: must not be empty when type is Limited']);
  assert.deepEqual(pl({ type: 'Limited', limited: { limitResponse: { type: 'Reject' } }, exempt: {} }), ['spec.exempt: Forbidden: must be nil if the type is Limited']);
  assert.deepEqual(pl({ type: 'Exempt', limited: { limitResponse: { type: 'Reject' } } }, 'exempt'), ['spec.limited: Forbidden: must be nil if the type is not Limited']);
  assert.deepEqual(pl({ type: 'Exempt', exempt: { nominalConcurrencyShares: -1, lendablePercent: 101 } }, 'exempt'), [
    'spec.exempt.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer',
    'spec.exempt.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive',
  ]);
  assert.deepEqual(lim({ nominalConcurrencyShares: -1 }), ['spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer']);
  assert.deepEqual(lim({ nominalConcurrencyShares: 0 }), []);
  assert.deepEqual(lim({ lendablePercent: -1 }), ['spec.limited.lendablePercent: Invalid value: -1: must be between 0 and 100, inclusive']);
  assert.deepEqual(lim({ borrowingLimitPercent: -5 }), ['spec.limited.borrowingLimitPercent: Invalid value: -5: if specified, must be a non-negative integer']);
  assert.deepEqual(lim({ borrowingLimitPercent: 300 }), []);
  assert.deepEqual(lim({ limitResponse: { type: 'Drop' } }), ['spec.limited.limitResponse.type: Unsupported value: "Drop": supported values: "Queue", "Reject"']);
  assert.deepEqual(lim({ limitResponse: { type: 'Reject', queuing: {} } }), ['spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited']);
  assert.deepEqual(lim({ limitResponse: { type: 'Queue' } }), ['spec.limited.limitResponse.queuing: Required value: must not be empty if limited.limitResponse.type is Limited']);
  const q = (queuing: Record<string, unknown>): string[] => lim({ limitResponse: { type: 'Queue', queuing } });
  assert.deepEqual(q({}), []); // defaulted to 64 queues, hand 8, length 50
  assert.deepEqual(q({ queueLengthLimit: -1 }), ['spec.limited.limitResponse.queuing.queueLengthLimit: Invalid value: -1: must be positive']);
  assert.deepEqual(q({ queues: -2, handSize: 1 }), ['spec.limited.limitResponse.queuing.queues: Invalid value: -2: must be positive', 'spec.limited.limitResponse.queuing.handSize: Invalid value: 1: should not be greater than queues (-2)']);
  assert.deepEqual(q({ queues: 10_000_001, handSize: 1 }), ['spec.limited.limitResponse.queuing.queues: Invalid value: 10000001: must not be greater than 10000000']);
  assert.deepEqual(q({ handSize: -1 }), ['spec.limited.limitResponse.queuing.handSize: Invalid value: -1: must be positive']);
  assert.deepEqual(q({ queues: 4 }), ['spec.limited.limitResponse.queuing.handSize: Invalid value: 8: should not be greater than queues (4)']);
  assert.deepEqual(q({ queues: 128, handSize: 9 }), ['spec.limited.limitResponse.queuing.handSize: Invalid value: 9: required entropy bits of deckSize 128 and handSize 9 should not be greater than 60']);
  const out = validatePriorityLevel(plBody('p', { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } }));
  assert.deepEqual((out.pruned as { spec: unknown }).spec, { type: 'Limited', limited: { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } } });
});
