import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config/index.js';
import { planBackpressure, throttlePrecedence } from './backpressure-plan.js';
import { backpressureScenario, pressureChecks, restartsOver, type PressureEvidence } from './backpressure.js';
import { throttleObjects } from './pressure-window.js';

async function config(flags: Record<string, string | boolean>): Promise<Parameters<typeof planBackpressure>[0]['config']> {
  const r = await resolveConfig({ cwd: process.cwd(), flags: Object.entries(flags).map(([key, raw]) => ({ flag: key, key: `scenarios.backpressure.${key}`, raw })) });
  return r.config;
}

test('step mode: one constant segment per step, the last at most maxRate, and no pressure', async () => {
  const c = await config({ mode: 'step', startRate: '2/s', stepRate: '2/s', maxRate: '7/s', stepDuration: '15s' });
  const plan = planBackpressure({ config: c, runId: 'bp-1', interleave: false });
  const d = plan.data;
  assert.deepEqual(d?.steps.map((s) => [s.rate, s.fromMs, s.toMs]), [[2, 0, 15_000], [4, 15_000, 30_000], [6, 30_000, 45_000]]);
  assert.equal(d?.pressure, null);
  // The schedule is the steps: 2·15 + 4·15 + 6·15 operations over 45 s.
  assert.equal(d?.load.schedule.durationMs, 45_000);
  assert.equal(d?.load.schedule.total, 180);
  assert.equal(d?.load.quietWindowMs, 0);
  assert.equal(plan.scenario, 'backpressure');
  assert.match(plan.describe.join('\n'), /3 steps of 15s: 2\/s, 4\/s, 6\/s/);
});

test('pressure modes: the window, its mechanism, and the load at --rate for --duration', async () => {
  const slow = planBackpressure({ config: await config({ mode: 'slow-sidecar', rate: '5/s', duration: '2m', pressureAt: '30s', pressureDuration: '45s', sidecarDelay: '1500ms' }), runId: 'bp-2', interleave: false });
  const p = slow.data?.pressure;
  assert.equal(p?.mode, 'slow-sidecar');
  if (p?.mode !== 'slow-sidecar') return;
  assert.deepEqual([p.atMs, p.durationMs, p.link, p.spec], [30_000, 45_000, 'operator-sidecar', { kind: 'latency', ms: 1500, direction: 'downstream' }]);
  assert.equal(slow.data?.load.ratePerSec, 5);
  assert.equal(slow.data?.load.durationMs, 120_000);
  const throttle = backpressureScenario.plan({ config: await config({ mode: 'api-throttle', throttleShares: '2' }), runId: 'bp-3', interleave: false });
  const t = throttle.data?.pressure;
  assert.equal(t?.mode, 'api-throttle');
  if (t?.mode !== 'api-throttle') return;
  assert.deepEqual(t.throttle, { name: 'bp-3-squeeze', shares: 2, matchingPrecedence: throttlePrecedence });
  // Cleanup lists the APF kinds first: the throttle goes before the operator has to finalise anything.
  assert.deepEqual(throttle.kinds.slice(0, 2), ['FlowSchema', 'PriorityLevelConfiguration']);
});

test('the throttle objects route every request of the ServiceAccount to a Reject level, labelled with the run', () => {
  const [level, schema] = throttleObjects({ name: 'r-squeeze', shares: 1, matchingPrecedence: 1000 }, { namespace: 'bindy-system', name: 'bindy' }, 'r');
  assert.deepEqual(level.spec, { type: 'Limited', limited: { nominalConcurrencyShares: 1, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } });
  const spec = schema.spec as { priorityLevelConfiguration: { name: string }; matchingPrecedence: number; rules: { subjects: unknown[] }[] };
  assert.equal(spec.priorityLevelConfiguration.name, 'r-squeeze');
  assert.deepEqual(spec.rules[0]?.subjects, [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'bindy-system', name: 'bindy' } }]);
  assert.equal(schema.metadata.labels?.['loadtest.bindy.firestoned.io/run-id'], 'r');
  // Its reconcile traffic only: the Lease (coordination.k8s.io) stays out, or the throttle would end its leadership.
  const rules = (schema.spec as { rules: { resourceRules: { apiGroups: string[] }[] }[] }).rules[0]?.resourceRules ?? [];
  assert.deepEqual(rules.map((r) => r.apiGroups), [['bindy.firestoned.io'], ['', 'events.k8s.io']]);
});

test('operator-limits plans the limits of its window: CPU, memory when given, the twin\'s workers', async () => {
  const plan = planBackpressure({ config: await config({ mode: 'operator-limits', limitCpu: '50m', limitMemory: '96Mi', limitWorkers: '2' }), runId: 'x', interleave: false });
  const p = plan.data?.pressure;
  assert.equal(p?.mode, 'operator-limits');
  assert.deepEqual(p?.mode === 'operator-limits' ? p.limits : null, { cpuCores: 0.05, memoryMiB: 96, workers: 2 });
  assert.match(p?.text ?? '', /CPU 50m, memory 96Mi/);
  const defaults = planBackpressure({ config: await config({ mode: 'operator-limits' }), runId: 'x', interleave: false }).data?.pressure;
  assert.deepEqual(defaults?.mode === 'operator-limits' ? defaults.limits : null, { cpuCores: 0.1, workers: 1 }, 'memory unchanged unless given');
  await assert.rejects(config({ mode: 'operator-limits', limitCpu: '0m' }), /limitCpu.*CPU quantity/);
  await assert.rejects(config({ mode: 'operator-limits', limitCpu: '1 core' }), /limitCpu.*CPU quantity/);
});

test('bad input is one usage error before anything runs: a pressure past the load, too many steps', async () => {
  await assert.rejects(config({ mode: 'slow-sidecar', duration: '1m', pressureAt: '30s', pressureDuration: '45s' }), /pressure ends at 1m15s/);
  await assert.rejects(async () => planBackpressure({ config: await config({ mode: 'step', startRate: '1/s', stepRate: '1/s', maxRate: '500/s' }), runId: 'x', interleave: false }), /500 steps, above 100/);
});

const evidence = (over: Partial<PressureEvidence> = {}): PressureEvidence => ({
  appliedMs: 60_000,
  liftedMs: 120_000,
  recoveredMs: 130_000,
  recoveryBoundMs: 60_000,
  lift: { lifted: true, evidence: 'link answers' },
  restarts: { restarts: 0, evidence: 'same process' },
  restartsWhyNot: '',
  reconciles: Array.from({ length: 140 }, (_, i) => ({ t: i * 1000, value: i < 60 ? 4 : 5 })),
  errors: undefined,
  backlog: Array.from({ length: 140 }, (_, i) => ({ t: i * 1000, value: i < 60 ? 5 : 40 })),
  conflicts: 0,
  throttled: 12,
  expectThrottled: true,
  maxQueueDepth: 1000,
  ...over,
});

test('pressure checks: all hold on a well-behaved run, with the recovery time and the backlog peak as observed figures', () => {
  const checks = pressureChecks(evidence());
  assert.deepEqual(checks.map((c) => `${c.name}: ${c.verdict}`), [
    'pressure lifted: pass',
    'no operator crash or restart: pass',
    'backoff, not a hot loop: pass',
    'no conflicting writes: pass',
    'backlog under pressure: pass',
    'recovered after the lift: pass',
    'pressure took effect: pass',
  ]);
  assert.equal(checks.find((c) => c.name === 'recovered after the lift')?.observed, 10);
  assert.equal(checks.find((c) => c.name === 'backlog under pressure')?.observed, 40);
  assert.equal(checks.find((c) => c.name === 'backoff, not a hot loop')?.observed, 1.25);
});

test('pressure checks fail on what they guard: a restart, a hot loop, a 409, no recovery, a throttle that never bit', () => {
  const hot = Array.from({ length: 140 }, (_, i) => ({ t: i * 1000, value: i < 60 ? 4 : 20 }));
  const checks = pressureChecks(evidence({ restarts: { restarts: 1, evidence: 'new process' }, reconciles: hot, conflicts: 3, recoveredMs: null, throttled: 0 }));
  const failed = checks.filter((c) => c.verdict === 'fail').map((c) => c.name);
  assert.deepEqual(failed, ['no operator crash or restart', 'backoff, not a hot loop', 'no conflicting writes', 'recovered after the lift', 'pressure took effect']);
  // Unknown is not a pass: no reconcile series → not measured, said so.
  const unknown = pressureChecks(evidence({ reconciles: undefined, restarts: null, restartsWhyNot: 'no metrics' }));
  assert.equal(unknown.find((c) => c.name === 'backoff, not a hot loop')?.verdict, 'not-measured');
  assert.match(unknown.find((c) => c.name === 'no operator crash or restart')?.evidence ?? '', /not measured: no metrics/);
});

test('restarts over spans: the tool\'s own restarts between spans are not counted, one while limited is, and an operator gone at a span\'s end counts', () => {
  const p = (start: number) => ({ processes: { process: start }, how: 'start-time' as const });
  // Limits applied (new process 200), lifted (new process 300): the jumps between spans are the tool's.
  assert.deepEqual(restartsOver([[p(200), p(200)], [p(300), p(300)]], '', 'x')?.restarts, 0);
  // An OOM kill while limited: a new process inside the first span.
  assert.equal(restartsOver([[p(200), p(250)], [p(300), p(300)]], '')?.restarts, 1);
  const gone = restartsOver([[p(200), null]], 'ECONNREFUSED');
  assert.equal(gone?.restarts, 1);
  assert.match(gone?.evidence ?? '', /ECONNREFUSED/);
  assert.equal(restartsOver([[null, p(1)]], 'no metrics'), null, 'nothing seen at the start: not judged');
});
