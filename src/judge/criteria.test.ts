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
  assert.deepEqual(plan.notMeasured.map((n) => n.criterion).sort(), ['deleteToGoneP99', 'dnsQueryP99', 'maxDnsQueryLoss', 'maxQueueDepth', 'maxRetryRate', 'minDnsThroughputQps', 'minSustainedOpsPerSec', 'updateToReadyP99']);
  const dns = plan.notMeasured.find((n) => n.criterion === 'dnsQueryP99');
  assert.match(dns?.reason ?? '', /not measured by the burst scenario: the bind-query scenario measures/);
  // create→resolvable is measured by burst when the DNS prober runs.
  assert.deepEqual(plan.conditions.map((c) => c.criterion), ['e2ePropagationP99', 'maxMemoryGrowthMBPerHour']);
  assert.match(plan.conditions.find((c) => c.criterion === 'e2ePropagationP99')?.requires ?? '', /DNS prober/);
  assert.match(plan.conditions.find((c) => c.criterion === 'maxMemoryGrowthMBPerHour')?.requires ?? '', /at least 10 min/);
});

const refused: { name: string; key: CriterionKey; origin: ValueOrigin; message: RegExp }[] = [
  { name: 'flag', key: 'dnsQueryP99', origin: { kind: 'flag', flag: '--dns-p99' }, message: /^flag --dns-p99: criteria\.dnsQueryP99 cannot be measured by the burst scenario .*the bind-query scenario measures it/ },
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
