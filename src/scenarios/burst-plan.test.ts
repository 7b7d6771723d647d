import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { runToken } from '../model/fixtures/options.js';
import { runIdLabel } from '../model/kinds.js';
import { burstFixtureOptions, burstStream, countByKind, planBurst, recordsInZone } from './burst-plan.js';
import { generateRunId } from './scenario.js';

function config(burst: Partial<Config['scenarios']['burst']>): Config {
  return { ...defaultConfig, scenarios: { ...defaultConfig.scenarios, burst: { ...defaultConfig.scenarios.burst, ...burst } } };
}

test('burst plan: zones first then records round-robin; every object labelled with the run id; deterministic', () => {
  const plan = planBurst({ config: config({ records: 10, zones: 3 }), runId: 'r1', interleave: false });
  const objs = [...plan.objects()];
  assert.equal(plan.total, 13);
  assert.equal(objs.length, 13);
  assert.deepEqual(objs.slice(0, 3).map((o) => o.kind), ['DNSZone', 'DNSZone', 'DNSZone']);
  const zoneOf = objs.slice(3).map((o) => o.metadata.labels?.['bindy.firestoned.io/zone']);
  const t = runToken('r1');
  assert.match(t, /^[0-9a-f]{6}$/);
  assert.deepEqual(zoneOf.slice(0, 4), [`zone-0.${t}.example.com`, `zone-1.${t}.example.com`, `zone-2.${t}.example.com`, `zone-0.${t}.example.com`]);
  for (const o of objs) assert.equal(o.metadata.labels?.[runIdLabel], 'r1');
  assert.equal(new Set(objs.map((o) => `${o.kind}/${o.metadata.name ?? ''}`)).size, 13, 'names are unique');
  assert.deepEqual([...plan.objects()], objs, 'same config, same stream');
  assert.equal(plan.setup.cluster.metadata.name, defaultConfig.fixtures.clusterName);
});

test('burst plan: two runs never share a zone name (a zone deleted by one run is not re-created by the next)', () => {
  const zones = (runId: string): string[] => [...planBurst({ config: config({ records: 0, zones: 3 }), runId, interleave: false }).objects()].map((o) => String((o.spec as Record<string, unknown>)['zoneName']));
  const a = zones(generateRunId('burst', new Date(0), () => '0001'));
  const b = zones(generateRunId('burst', new Date(0), () => '0002'));
  assert.equal(new Set([...a, ...b]).size, 6);
  assert.deepEqual(zones('same'), zones('same'), 'the same run id, the same names');
});

test('burst plan --mixed: each zone followed by its records; the same objects as the default order', () => {
  const c = config({ records: 10, zones: 3 });
  const mixed = [...planBurst({ config: c, runId: 'r', interleave: true }).objects()];
  const plain = [...planBurst({ config: c, runId: 'r', interleave: false }).objects()];
  assert.deepEqual(mixed.map((o) => o.kind === 'DNSZone').map((z) => (z ? 'Z' : 'r')).join(''), 'ZrrrrZrrrZrrr');
  const key = (o: { kind: string; metadata: { name?: string } }): string => `${o.kind}/${o.metadata.name ?? ''}`;
  assert.deepEqual(mixed.map(key).sort(), plain.map(key).sort());
});

test('burst plan: kinds follow the mix; A=100 gives ARecords only', () => {
  const onlyA = countByKind(planBurst({ config: config({ records: 50, zones: 2, kinds: { ARecord: 1 } }), runId: 'r', interleave: false }).objects());
  assert.deepEqual([...onlyA], [['DNSZone', 2], ['ARecord', 50]]);
  const plan = planBurst({ config: config({ records: 400, zones: 2, kinds: { ARecord: 0.5, TXTRecord: 0.5 } }), runId: 'r', interleave: false });
  assert.deepEqual(plan.kinds, ['DNSZone', 'ARecord', 'TXTRecord']);
  const counts = countByKind(plan.objects());
  assert.equal((counts.get('ARecord') ?? 0) + (counts.get('TXTRecord') ?? 0), 400);
  assert.ok((counts.get('ARecord') ?? 0) > 150 && (counts.get('TXTRecord') ?? 0) > 150, JSON.stringify([...counts]));
});

test('burst plan: records spread evenly; uneven counts give the first zones one more', () => {
  assert.deepEqual([0, 1, 2].map((z) => recordsInZone(10, 3, z)), [4, 3, 3]);
  assert.deepEqual([0, 1, 2].map((z) => recordsInZone(2, 3, z)), [1, 1, 0]);
  const o = burstFixtureOptions(config({ records: 2, zones: 3 }), 'r');
  assert.equal([...burstStream(o, 2, false)].length, 5);
});

test('run ids: burst-YYYYMMDD-HHMMSS-xxxx in UTC', () => {
  assert.equal(generateRunId('burst', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), () => 'ab12'), 'burst-20260102-030405-ab12');
  assert.match(generateRunId('burst'), /^burst-\d{8}-\d{6}-[0-9a-f]{4}$/);
});
