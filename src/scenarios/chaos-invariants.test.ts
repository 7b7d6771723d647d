import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quietBound, quietWindowOfExperiment, quotaInvariants, replicaInvariants, restartInvariant, verifyChaos } from './chaos.js';
import { quietWindowText } from '../report/chaos-text.js';
import type { RunResult } from '../report/result/index.js';
import { syntheticResult } from '../../test/helpers/synthetic-result.js';
import type { OperatorLife } from '../observe/operator-life.js';

const answers = (list: [number, boolean][]): { atMs: number; byQuota: boolean }[] => list.map(([atMs, byQuota]) => ({ atMs, byQuota }));

test('a quota fault took effect when a create answered while it held was refused, and is gone when none is refused from 1 s after the lift', () => {
  const ok = quotaInvariants(answers([[50, false], [120, true], [150, false], [310, true], [1400, false]]), 100, 300, 350);
  assert.deepEqual(ok.map((i) => `${i.name}:${i.observed}:${i.verdict}`), ['the quota took effect:1:pass', 'creates accepted again after the lift:0:pass']);
  // Refused in the grace second after the lift (a create answered while the delete was in flight): not held against it.
  const stuck = quotaInvariants(answers([[120, true], [1000, true], [1400, true]]), 100, 300, 350);
  assert.deepEqual(stuck.map((i) => `${i.name}:${i.observed}:${i.verdict}`), ['the quota took effect:1:pass', 'creates accepted again after the lift:1:fail']);
  const idle = quotaInvariants(answers([[120, false]]), 100, 300, 350);
  assert.deepEqual(idle.map((i) => `${i.name}:${i.verdict}`), ['the quota took effect:fail', 'creates accepted again after the lift:not-measured']);
  assert.deepEqual(quotaInvariants([], 100, 300, 350).map((i) => i.verdict), ['not-measured', 'not-measured']);
});

test('a second replica with leader election must not reconcile; without it, reconciling is the split brain taking effect', () => {
  assert.deepEqual(replicaInvariants(true, 0).map((i) => `${i.name}:${i.verdict}`), ['the standby replica did not reconcile:pass']);
  assert.deepEqual(replicaInvariants(true, 3).map((i) => i.verdict), ['fail']);
  assert.deepEqual(replicaInvariants(false, 44).map((i) => `${i.name}:${i.verdict}`), ['both replicas reconciled (split brain):pass']);
  assert.deepEqual(replicaInvariants(false, 0).map((i) => i.verdict), ['fail']);
  assert.deepEqual(replicaInvariants(false, null).map((i) => i.verdict), ['not-measured']);
});

test('the quiet window bound follows the bindy line measured: 3 per 60 s on 0.8, the 300 s requeues on 0.6.2, not judged otherwise', () => {
  assert.equal(quietBound('bindy 0.8, bindcar 0.9.0 (sandbox twins)', 60, 500).limit, 3);
  assert.equal(quietBound('bindy v0.8.0-rc.7 (image ghcr.io/firestoned/bindy:v0.8.0-rc.7)', 20, 500).limit, 1);
  // 0.6.2: 300 objects over 60 s → 60 expected, 75 with a quarter more, plus 3.
  assert.equal(quietBound('bindy 0.6.2, bindcar 0.7.3 (sandbox twins)', 60, 300).limit, 78);
  const unknown = quietBound('bindy outside the cluster (metrics URL; version not known to the tool)', 60, 300);
  assert.equal(unknown.limit, null);
  assert.match(unknown.text, /^quiet window not judged: the bindy line measured is not known/);
});

test("an experiment's quiet window: judged against the line's bound, not judged for an unknown line, not measured without the counter; its sentence", () => {
  const w = { fromMono: 11_000, toMono: 17_000, reconciles: 2, apiWrites: 5, topWrites: [], objects: 40, settle: { waitedMs: 4_200, reconciles: 7, rested: true }, notes: [] };
  const v8 = quietWindowOfExperiment('bindy 0.8, bindcar 0.9.0 (sandbox twins)', w, 1_000);
  assert.deepEqual({ ...v8.field, bound: '' }, { fromMs: 10_000, toMs: 16_000, settleMs: 4_200, rested: true, objects: 40, reconciles: 2, apiWrites: 5, limit: 1, bound: '' });
  assert.deepEqual(v8.invariants.map((i) => [i.name, i.observed, i.limit, i.verdict]), [['quiet window after convergence', 2, 1, 'fail']]);
  // 0.6.2 over 40 objects and 6 s: 0.8 expected, ceil(1.0) + 3 = 4.
  assert.deepEqual(quietWindowOfExperiment('bindy 0.6.2, bindcar 0.7.3 (sandbox twins)', w, 1_000).invariants.map((i) => [i.limit, i.verdict]), [[4, 'pass']]);
  assert.match(quietWindowText({ ...v8.field, rested: false }), /after 4\.2 s waiting for the operator to rest, which it never did for 5 s: the window opened anyway\)/);
  const unknown = quietWindowOfExperiment(undefined, w, 1_000);
  assert.deepEqual(unknown.invariants, []);
  assert.equal(unknown.field.limit, null);
  assert.deepEqual(quietWindowOfExperiment('bindy 0.8', { ...w, reconciles: null, notes: ['quiet window: operator metrics: connection refused'] }, 1_000).invariants.map((i) => i.verdict), ['not-measured']);
  assert.equal(
    quietWindowText(v8.field),
    `Quiet window after convergence, the background load held: 2 reconciles and 5 API writes in 6 s at rest over 40 objects (10 s to 16 s after the load started, after 4.2 s waiting for the operator to rest); at most 1: ${v8.field.bound}.`,
  );
});

test('operator restarts over an experiment: none under a fault elsewhere, at least one under operator-kill, counted under a memory limit, not judged for split-brain', () => {
  const at = (start: number): OperatorLife => ({ processes: { process: start }, how: 'start-time' });
  const pods = (p: Record<string, number>): OperatorLife => ({ processes: p, how: 'pods' });
  const latency = { experiment: 'network-delay', target: 'operator-bind', spec: { kind: 'latency', ms: 500, direction: 'upstream' } } as const;
  const kill = { experiment: 'operator-kill', target: 'operator', spec: { kind: 'kill', signal: 'SIGKILL' } } as const;
  const oom = { experiment: 'memory-pressure', target: 'operator', spec: { kind: 'memory-limit', mib: 32 } } as const;
  const brain = { experiment: 'split-brain', target: 'operator', spec: { kind: 'replica', leaderElection: false } } as const;
  const show = (l: ReturnType<typeof restartInvariant>): string[] => l.map((i) => `${i.name}:${i.observed}:${i.verdict}`);
  assert.deepEqual(show(restartInvariant(latency, at(100), at(100), '')), ['the operator did not restart:0:pass']);
  assert.deepEqual(show(restartInvariant(latency, at(100), at(160), '')), ['the operator did not restart:1:fail']);
  assert.deepEqual(show(restartInvariant(kill, at(100), at(160), '')), ['the operator was restarted:1:pass']);
  assert.deepEqual(show(restartInvariant(kill, at(100), at(100), '')), ['the operator was restarted:0:fail'], 'a kill that did not take effect');
  assert.deepEqual(show(restartInvariant(kill, pods({ a: 0 }), pods({ b: 0 }), '')), ['the operator was restarted:1:pass'], 'a replaced pod');
  assert.deepEqual(show(restartInvariant(oom, at(100), at(160), '')), ['operator restarts (an OOM kill allowed):1:pass']);
  assert.deepEqual(restartInvariant(brain, at(100), at(100), ''), []);
  const gone = restartInvariant(latency, pods({ a: 2 }), null, 'no pod with label x in y');
  assert.deepEqual(show(gone), ['the operator did not restart:1:fail']);
  assert.match(gone[0]?.evidence ?? '', /answered before the fault and not after .*no pod with label x in y/);
  const unseen = restartInvariant(latency, null, null, 'connect ECONNREFUSED');
  assert.deepEqual(show(unseen), ['the operator did not restart:null:not-measured']);
  assert.match(unseen[0]?.evidence ?? '', /did not answer before the fault \(connect ECONNREFUSED\)/);
});

test('the end state names data loss (acknowledged writes DNS does not serve) apart from a mere orphan', () => {
  const at = (final: NonNullable<NonNullable<RunResult['chaos']>['final']>): string[] => {
    const r = syntheticResult({ seed: 7 });
    r.chaos = { experiments: [], final, dnsProbe: [] };
    return verifyChaos(r).problems;
  };
  const base = { objects: 10, ready: 10, untruthful: 0, mismatches: [] };
  assert.deepEqual(at({ ...base, auditClean: true, audit: 'primary-0: 10 match', lostWrites: 0 }), []);
  assert.deepEqual(at({ ...base, auditClean: false, audit: 'primary-0: 9 match, 0 missing, 0 wrong, 1 stale', lostWrites: 1 }), [
    'end state: data loss: 1 acknowledged writes not served by DNS (missing, older data, or still served after their delete): primary-0: 9 match, 0 missing, 0 wrong, 1 stale',
  ]);
  assert.deepEqual(at({ ...base, auditClean: false, audit: 'primary-0: 10 match, 1 orphaned', lostWrites: 0 }), ['end state: DNS does not serve what the CRs say: primary-0: 10 match, 1 orphaned']);
});
