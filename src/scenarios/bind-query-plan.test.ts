/** @module The bind query plan asks DNS for exactly the records it creates (plus the NXDOMAIN share), or creates nothing with a user's file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { kindInfo, type BindyKind } from '../model/kinds.js';
import { recordFqdn } from '../model/fixtures/queries.js';
import { planBindQuery } from './bind-query-plan.js';

function config(bind: Partial<Config['scenarios']['bind']>, nxdomainShare = 0.2): Config {
  return { ...defaultConfig, fixtures: { ...defaultConfig.fixtures, nxdomainShare }, scenarios: { ...defaultConfig.scenarios, bind: { ...defaultConfig.scenarios.bind, ...bind } } };
}

test('one data query per created record (its name and type), the NXDOMAIN share on top, nothing for a record not created', () => {
  const plan = planBindQuery({ config: config({ records: 25, zones: 3 }), runId: 'r1', interleave: false });
  const objs = [...plan.objects()];
  assert.equal(plan.total, 28);
  assert.equal(objs.length, 28);
  const zones = new Map(objs.filter((o) => o.kind === 'DNSZone').map((z) => [(z.spec as { zoneName: string }).zoneName, z]));
  const wanted = objs
    .filter((o) => o.kind !== 'DNSZone')
    .map((r) => {
      const zone = r.metadata.labels?.['bindy.firestoned.io/zone'] ?? '';
      assert.ok(zones.has(zone));
      return `${recordFqdn(zone, (r.spec as { name: string }).name)} ${kindInfo[r.kind as BindyKind].rrType ?? ''}`;
    })
    .sort();
  const queries = [...(plan.data?.queries?.() ?? [])];
  const data = queries.filter((q) => q.expect === 'data').map((q) => `${q.name} ${q.type}`).sort();
  assert.deepEqual(data, wanted, 'the data queries are exactly the created records');
  const nx = queries.filter((q) => q.expect === 'nxdomain');
  // 0.2 / 0.8 = one NXDOMAIN name per 4 records, up to rounding per zone.
  assert.ok(Math.abs(nx.length - 25 / 4) <= 3, `${nx.length} NXDOMAIN queries`);
  for (const q of nx) assert.ok(!wanted.some((w) => w.startsWith(`${q.name} `)), `${q.name} is not a created name`);
  assert.equal(plan.data?.queryCount, queries.length);
  assert.deepEqual(plan.kinds[0], 'DNSZone');
});

test('with a query file nothing is created and the plan says so; dnsperf options come from the bind section', () => {
  const plan = planBindQuery({ config: config({ queryFile: 'q.txt', qps: 300, duration: 3000, clients: 2, maxOutstanding: 50, queryTimeout: 1000 }), runId: 'r2', interleave: false });
  assert.equal(plan.total, 0);
  assert.deepEqual([...plan.objects()], []);
  assert.equal(plan.data?.queries, null);
  assert.equal(plan.dnsProbe, null);
  assert.deepEqual(plan.data?.dnsperf, { qps: 300, durationMs: 3000, clients: 2, maxOutstanding: 50, timeoutMs: 1000 });
  assert.match(plan.describe.join('\n'), /nothing created: the queries come from q\.txt/);
});
