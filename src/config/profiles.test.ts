import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profiles } from './profiles.js';
import { resolveConfig } from './resolve.js';
import { profileNames, type ProfileName } from './types.js';

// The targets bindy's maintainers set for a load test (TARGET.md, last section).
const maintainerTargets: Array<[ProfileName, { reconcileP99: number; e2eP99: number; errors: number; growth: number; ops: number }]> = [
  ['quick', { reconcileP99: 10_000, e2eP99: 30_000, errors: 0.01, growth: 100, ops: 10 }],
  ['standard', { reconcileP99: 5000, e2eP99: 15_000, errors: 0.005, growth: 50, ops: 50 }],
  ['extended', { reconcileP99: 3000, e2eP99: 10_000, errors: 0.001, growth: 20, ops: 100 }],
];

test('every profile validates against the schema and resolves', async () => {
  assert.deepEqual(Object.keys(profiles).sort(), [...profileNames].sort());
  for (const name of profileNames) {
    const r = await resolveConfig({ cwd: process.cwd(), flags: [{ flag: '--profile', key: 'profile', raw: name }] });
    assert.equal(r.config.profile, name);
    assert.equal(r.origins.get('criteria.reconcileP99')?.kind, 'profile', `${name} sets its own criteria`);
  }
});

for (const [name, t] of maintainerTargets) {
  test(`profile ${name} uses the maintainers' criteria`, async () => {
    const { config } = await resolveConfig({ cwd: process.cwd(), flags: [{ flag: '--profile', key: 'profile', raw: name }] });
    assert.equal(config.criteria.reconcileP99, t.reconcileP99);
    assert.equal(config.criteria.e2ePropagationP99, t.e2eP99);
    // A scenario's headline latencies take the create→DNS target (Ready follows the DNS update by one status write).
    assert.equal(config.criteria.createToReadyP99, t.e2eP99);
    assert.equal(config.criteria.updateToReadyP99, t.e2eP99);
    assert.equal(config.criteria.deleteToGoneP99, t.e2eP99);
    assert.equal(config.criteria.maxErrorRate, t.errors);
    assert.equal(config.criteria.maxMemoryGrowthMBPerHour, t.growth);
    assert.equal(config.criteria.minSustainedOpsPerSec, t.ops);
    assert.equal(config.scenarios.sustained.rate >= t.ops, true, 'the load offered can reach the minimum demanded');
  });
}

test('profile lengths grow: quick < standard < chaos < extended (sustained or chaos phase)', async () => {
  const length = async (name: ProfileName): Promise<number> => {
    const { config } = await resolveConfig({ cwd: process.cwd(), flags: [{ flag: '--profile', key: 'profile', raw: name }] });
    return Math.max(config.scenarios.sustained.duration, config.scenarios.chaos.duration);
  };
  const [q, s, c, e] = await Promise.all((['quick', 'standard', 'chaos', 'extended'] as const).map(length));
  assert.ok(q! <= 5 * 60_000 && q! < s! && s! < c! && c! < e!, `${q} ${s} ${c} ${e}`);
});
