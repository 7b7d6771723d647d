import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config/index.js';
import { ConfigError, UsageError } from '../errors.js';
import { ArrivalSchedule } from '../drive/arrival-schedule.js';
import { recordKinds } from '../model/kinds.js';
import { churnSegments, drawPopulation, drawSpikes, maxRecordsPerZone, planE2e, populationStream } from './e2e-plan.js';

async function config(flags: Record<string, unknown> = {}, profile?: string): Promise<Parameters<typeof planE2e>[0]['config']> {
  const r = await resolveConfig({
    cwd: process.cwd(),
    flags: [
      ...(profile === undefined ? [] : [{ flag: '--profile', key: 'profile', raw: profile }]),
      ...Object.entries(flags).map(([key, raw]) => ({ flag: key, key: `scenarios.e2e.${key}`, raw: raw as string })),
    ],
  });
  return r.config;
}

test('the population draws each zone its own count from the range, the same for the same seed', () => {
  const a = drawPopulation(50, { min: 20, max: 100 }, 7);
  assert.equal(a.length, 50);
  assert.ok(a.every((n) => n >= 20 && n <= 100));
  assert.ok(new Set(a).size > 10, 'counts differ from zone to zone');
  assert.deepEqual(drawPopulation(50, { min: 20, max: 100 }, 7), a);
  assert.notDeepEqual(drawPopulation(50, { min: 20, max: 100 }, 8), a);
  assert.deepEqual(drawPopulation(3, { min: 5, max: 5 }, 1), [5, 5, 5]);
});

test('spikes: one draw per interval, inside it, as long as asked, cut at the end; none at 0 %', () => {
  const spikes = drawSpikes({ durationMs: 3_600_000, everyMs: 300_000, probability: 0.5, spikeMs: 30_000, ratePerSec: 50, seed: 3 });
  assert.ok(spikes.length > 0 && spikes.length <= 12);
  for (const s of spikes) {
    const interval = Math.floor(s.fromMs / 300_000);
    assert.ok(s.toMs <= (interval + 1) * 300_000 + 1000, 'a spike stays in its interval (start rounded to the second)');
    assert.equal(s.toMs - s.fromMs, 30_000);
    assert.equal(s.fromMs % 1000, 0, 'whole seconds');
    assert.equal(s.ratePerSec, 50);
  }
  assert.deepEqual(drawSpikes({ durationMs: 3_600_000, everyMs: 300_000, probability: 0, spikeMs: 30_000, ratePerSec: 50, seed: 3 }), []);
  const all = drawSpikes({ durationMs: 100_000, everyMs: 60_000, probability: 1, spikeMs: 50_000, ratePerSec: 5, seed: 3 });
  assert.equal(all.length, 2);
  assert.ok((all[1]?.toMs ?? 0) <= 100_000, 'the last spike is cut at the run\'s end');
});

test('the churn schedule runs the base rate with the spikes at theirs, and its operations add up', () => {
  const segments = churnSegments(60_000, 2, [{ fromMs: 10_000, toMs: 20_000, ratePerSec: 10 }]);
  assert.deepEqual(segments, [
    { durationMs: 10_000, fromPerSec: 2, toPerSec: 2 },
    { durationMs: 10_000, fromPerSec: 10, toPerSec: 10 },
    { durationMs: 40_000, fromPerSec: 2, toPerSec: 2 },
  ]);
  assert.equal(new ArrivalSchedule(segments).total, 20 + 100 + 80);
  assert.deepEqual(churnSegments(5000, 1, [{ fromMs: 0, toMs: 5000, ratePerSec: 3 }]), [{ durationMs: 5000, fromPerSec: 3, toPerSec: 3 }]);
});

test('the record stream gives each zone its population first, then the churn round-robin, with distinct names', async () => {
  const c = await config({ zones: '3', recordsPerZone: '2..6' });
  const plan = planE2e({ config: c, runId: 'e2e-1', interleave: false });
  const d = plan.data;
  assert.ok(d !== undefined);
  const population = d.population;
  const total = population.reduce((a, b) => a + b, 0);
  assert.equal(d.load.prefill, total, 'the working set is the population');
  const it = populationStream(d.load.fixtures, population);
  const first: string[] = [];
  for (let i = 0; i < total + 6; i++) {
    const r = it.next();
    assert.ok(r.done !== true);
    first.push(`${r.value.metadata.labels['bindy.firestoned.io/zone'] ?? ''} ${r.value.metadata.name}`);
  }
  const perZone = (names: string[]): number[] => d.load.zones.map((z) => names.filter((n) => n.startsWith(`${z.spec.zoneName} `)).length);
  assert.deepEqual(perZone(first.slice(0, total)), population, 'the population, zone by zone');
  assert.deepEqual(perZone(first.slice(total)), [2, 2, 2], 'then round-robin over every zone');
  assert.equal(new Set(first).size, first.length);
});

test('the plan: population, spikes and faults planned from the config; the sandbox runs the faults', async () => {
  const c = await config({ duration: '10m', churn: '120/m', spikeProbability: '100%', spikeEvery: '5m', spikeDuration: '30s', spikeMultiplier: '4', experiments: [{ kind: 'operator-kill', at: '2m', duration: '30s' }] as unknown as string });
  const plan = planE2e({ config: c, runId: 'e2e-1', interleave: false });
  const d = plan.data;
  assert.ok(d !== undefined);
  assert.equal(plan.scenario, 'e2e');
  assert.equal(d.spikes.length, 2);
  assert.ok(d.spikes.every((s) => s.ratePerSec === 8));
  assert.equal(d.churnPerSec, 2);
  assert.equal(d.load.durationMs, 600_000);
  // 2/s for 9 minutes and 8/s for 1 minute.
  assert.equal(plan.total, 2 * 540 + 8 * 60);
  assert.deepEqual(d.faults.map((f) => `${f.key} ${f.site} ${f.target} ${f.atMs}`), ['exp-0 part operator 120000']);
  assert.deepEqual(plan.kinds, ['DNSZone', ...recordKinds.filter((k) => d.load.recordKinds.includes(k))]);
  assert.ok(plan.describe.some((l) => l.includes('spikes') && l.includes('5m')), plan.describe.join('\n'));
});

test('bad input: a churn a zone cannot hold, a spike multiplier below 1, a fault past the end → one line naming the key', async () => {
  const c = await config({ duration: '1h', churn: '100/s', zones: '2' });
  assert.throws(() => planE2e({ config: c, runId: 'e2e-1', interleave: false }), (e: unknown) => e instanceof UsageError && e.message.startsWith('scenarios.e2e.churn:') && e.message.includes(maxRecordsPerZone.toLocaleString('en-US')));
  await assert.rejects(config({ spikeMultiplier: '0' }), (e: unknown) => e instanceof ConfigError && /spikeMultiplier/.test(e.message));
  await assert.rejects(config({ duration: '1m', experiments: [{ kind: 'operator-kill', at: '50s', duration: '30s' }] as unknown as string }), (e: unknown) => e instanceof ConfigError && /experiment 0 \(operator-kill\) ends at 1m20s/.test(e.message));
  await assert.rejects(config({ spikeDuration: '2m', spikeEvery: '1m' }), (e: unknown) => e instanceof ConfigError && /spikeDuration/.test(e.message));
});

test('the production profile: one hour, a population of thousands, spikes and three faults', async () => {
  const c = await config({}, 'production');
  const plan = planE2e({ config: c, runId: 'e2e-1', interleave: false });
  const d = plan.data;
  assert.ok(d !== undefined);
  assert.equal(d.load.durationMs, 3_600_000);
  assert.ok(d.load.prefill > 2500, String(d.load.prefill));
  assert.equal(d.faults.length, 3);
  assert.deepEqual(c.suite, ['e2e']);
});

test('examples/production.yaml loads and plans the hour it documents', async () => {
  const r = await resolveConfig({ cwd: process.cwd(), configFile: 'examples/production.yaml' });
  const plan = planE2e({ config: r.config, runId: 'e2e-1', interleave: false });
  assert.equal(plan.data?.load.durationMs, 3_600_000);
  assert.equal(plan.data?.faults.length, 3);
  assert.equal(r.config.profile, 'production');
});
