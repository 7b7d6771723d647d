import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { ValueOrigin } from '../config/index.js';
import { UsageError } from '../errors.js';
import { burstMetrics, checkCriteriaMeasurable, criteriaTable } from './criteria.js';
import type { CriterionKey } from './criteria.js';

function origins(explicit: Partial<Record<CriterionKey, ValueOrigin>>): Map<string, ValueOrigin> {
  const m = new Map<string, ValueOrigin>();
  for (const key of Object.keys(criteriaTable)) m.set(`criteria.${key}`, { kind: 'profile', profile: 'quick' });
  for (const [key, o] of Object.entries(explicit)) m.set(`criteria.${key}`, o);
  return m;
}

test('burst with profile criteria: what it cannot measure is listed, not refused', () => {
  const plan = checkCriteriaMeasurable(defaultConfig.criteria, origins({}), burstMetrics);
  assert.deepEqual(plan.measured.sort(), [...burstMetrics.measures].sort());
  assert.deepEqual(plan.notMeasured.map((n) => n.criterion).sort(), ['deleteToGoneP99', 'dnsQueryP99', 'e2ePropagationP99', 'maxQueueDepth', 'maxRetryRate', 'minSustainedOpsPerSec', 'updateToReadyP99']);
  const e2e = plan.notMeasured.find((n) => n.criterion === 'e2ePropagationP99');
  assert.match(e2e?.reason ?? '', /not measured by the burst scenario: the e2e scenario measures/);
  assert.deepEqual(plan.conditions.map((c) => c.criterion), ['maxMemoryGrowthMBPerHour']);
  assert.match(plan.conditions[0]?.requires ?? '', /at least 10 min/);
});

const refused: { name: string; key: CriterionKey; origin: ValueOrigin; message: RegExp }[] = [
  { name: 'flag', key: 'e2ePropagationP99', origin: { kind: 'flag', flag: '--e2e-p99' }, message: /^flag --e2e-p99: criteria\.e2ePropagationP99 cannot be measured by the burst scenario .*the e2e scenario measures it/ },
  { name: 'file', key: 'minSustainedOpsPerSec', origin: { kind: 'file', file: 'lt.yaml', line: 4 }, message: /^file lt\.yaml:4: criteria\.minSustainedOpsPerSec .*the sustained scenario measures it/ },
  { name: 'file, retries', key: 'maxRetryRate', origin: { kind: 'file', file: 'lt.yaml' }, message: /maxRetryRate .*the sustained or chaos scenario/ },
];
for (const c of refused) {
  test(`an explicitly set unmeasurable criterion is a UsageError before load (${c.name})`, () => {
    assert.throws(
      () => checkCriteriaMeasurable(defaultConfig.criteria, origins({ [c.key]: c.origin }), burstMetrics),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && c.message.test(e.message),
    );
  });
}

test('an explicitly set criterion the scenario measures is accepted', () => {
  const plan = checkCriteriaMeasurable(defaultConfig.criteria, origins({ reconcileP99: { kind: 'flag', flag: '--reconcile-p99' } }), burstMetrics);
  assert.ok(plan.measured.includes('reconcileP99'));
});
