import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/defaults.js';
import type { Config } from '../config/index.js';
import { changedIp, planBindTransfer, transferChanges, type TransferRecord } from './bind-transfer-plan.js';
import type { Target } from '../targets/target.js';
import { changeFigures, serialDifference, serialLag, statsDelta, transferStatsOf } from './bind-transfer-figures.js';

const records: TransferRecord[] = [
  { name: 'a', fqdn: 'a.z.test', zone: 'z.test', initial: ['192.0.2.1'] },
  { name: 'b', fqdn: 'b.z.test', zone: 'z.test', initial: ['192.0.2.2', '192.0.2.3'] },
];

void test('changes: floor(rate × duration), due at n/rate, round-robin, each replacing what the one before it on that record published', () => {
  const c = transferChanges(records, 4, 1250);
  assert.deepEqual(c.map((x) => [x.index, x.record, x.offsetMs]), [[0, 0, 0], [1, 1, 250], [2, 0, 500], [3, 1, 750], [4, 0, 1000]]);
  assert.deepEqual(c[0]?.previous, ['192.0.2.1']);
  assert.deepEqual(c[1]?.previous, ['192.0.2.2', '192.0.2.3']);
  assert.deepEqual(c[2]?.previous, [c[0]?.ip]);
  assert.notEqual(c[2]?.ip, c[0]?.ip);
  assert.equal(transferChanges([], 10, 10_000).length, 0);
  // Consecutive changes of one record always differ, and never land in the fixtures' documentation ranges.
  for (let k = 1; k < 200; k++) assert.notEqual(changedIp(k, 7), changedIp(k - 1, 7));
  assert.match(changedIp(3, 300), /^100\.67\.1\.44$/);
});

void test('the plan creates zones and ARecords only, and changes them at the configured rate', () => {
  const config: Config = { ...defaultConfig, scenarios: { ...defaultConfig.scenarios, transfer: { ...defaultConfig.scenarios.transfer, zones: 2, records: 6, rate: 3, duration: 2000 } } };
  const plan = planBindTransfer({ config, runId: 'bind-transfer-20260101-000000-abcd', interleave: false });
  const objs = [...plan.objects()];
  assert.deepEqual([objs.filter((o) => o.kind === 'DNSZone').length, objs.filter((o) => o.kind === 'ARecord').length, objs.length], [2, 6, 8]);
  assert.equal(plan.data?.records.length, 6);
  assert.equal(plan.data?.zones.length, 2);
  assert.equal(plan.data?.changes.length, 6);
  assert.equal(plan.scenario, 'bind-transfer');
  assert.notEqual(plan.dnsProbe, null, 'the population is probed: every record answered by every server before the changes');
});

const roles = [{ name: 'primary-0', role: 'primary' as const }, { name: 'secondary-0', role: 'secondary' as const }];

void test('change figures: primary→secondary from the two first answers; unanswered changes are never seen, unless a later change of the record got there', () => {
  const f = changeFigures(
    [
      { index: 0, record: 0, intendedMs: 1000, matchedMs: [1010, 1030] },
      { index: 1, record: 1, intendedMs: 1100, matchedMs: [1120, 1115] },
      { index: 2, record: 0, intendedMs: 1200, matchedMs: [1210, null] },
      { index: 3, record: 1, intendedMs: 1300, matchedMs: [1310, null] },
      { index: 4, record: 0, intendedMs: 1400, matchedMs: [1405, 1450] },
    ],
    roles,
  );
  assert.deepEqual(f.perServer.map((s) => [s.name, s.answered, s.never, s.superseded]), [['primary-0', 5, 0, 0], ['secondary-0', 3, 1, 1]]);
  assert.equal(f.secondaryFirst, 1);
  assert.equal(f.primaryToSecondary.count, 2);
  assert.ok(Math.abs((f.primaryToSecondary.valueAt(0) ?? 0) - 20_000) <= 20, 'the fastest propagation: 20 ms, in µs (3 significant digits)');
  assert.ok(Math.abs((f.primaryToSecondary.valueAt(100) ?? 0) - 45_000) <= 45, 'the slowest: 45 ms');
  assert.deepEqual([f.changeToPrimary.count, f.changeToSecondary.count], [5, 3]);
});

void test('serial lag: RFC 1982 differences, the worst secondary and zone per sample; no answer is left out', () => {
  assert.equal(serialDifference(5, 3), 2);
  assert.equal(serialDifference(1, 0xffffffff), 2);
  assert.equal(serialDifference(3, 5), -2);
  const lag = serialLag(
    [
      { atMs: 0, serials: new Map([['a', [5, 5]], ['b', [9, 9]]]) },
      { atMs: 500, serials: new Map([['a', [7, 5]], ['b', [9, null]]]) },
      { atMs: 1000, serials: new Map([['a', [null, 5]]]) },
    ],
    roles,
  );
  assert.deepEqual(lag, { points: [{ t: 0, value: 0 }, { t: 500, value: 2 }, { t: 1000, value: 0 }], max: 2, lagging: 1 });
});

void test('BIND9 9.18 statistics: server-wide zonestats, the run zones\' XfrReqDone, and their deltas', () => {
  // Shapes as BIND 9.18.49 printed them in a sandbox run (a secondary, then a primary).
  const secondary = { nsstats: { Requestv4: 263 }, zonestats: { NotifyInv4: 1, SOAOutv4: 10, AXFRReqv4: 10, XfrSuccess: 10 } };
  const primaryZones = { views: { _default: { zones: [{ name: 'a.test', rcodes: { XfrReqDone: 10, UpdateDone: 24 } }, { name: 'other.test', rcodes: { XfrReqDone: 99 } }] } } };
  const s = transferStatsOf(secondary, { views: {} }, new Set(['a.test']));
  assert.deepEqual(s, { axfrRequested: 10, ixfrRequested: 0, xfrSuccess: 10, xfrFail: 0, notifyIn: 1, notifyOut: 0, transfersServed: 0, transfersRejected: 0 });
  const p = transferStatsOf({ nsstats: { XfrRej: 1 }, zonestats: { NotifyOutv4: 7 } }, primaryZones, new Set(['a.test']));
  assert.deepEqual([p.transfersServed, p.notifyOut, p.transfersRejected], [10, 7, 1]);
  assert.equal(transferStatsOf(undefined, null, new Set()).transfersServed, 0);
  assert.deepEqual(statsDelta(s, { ...s, ixfrRequested: 5, xfrSuccess: 15 }), { axfrRequested: 0, ixfrRequested: 5, xfrSuccess: 5, xfrFail: 0, notifyIn: 0, notifyOut: 0, transfersServed: 0, transfersRejected: 0 });
});

void test('bind transfer refuses, before any load, a target without a secondary, and says how to get one', async () => {
  const { bindTransferScenario } = await import('./bind-transfer.js');
  const withServers = (dnsServers: Target['dnsServers']): Target => ({ dnsServers }) as Target;
  assert.equal(bindTransferScenario.checkTarget(withServers([{ host: '127.0.0.1', port: 1, name: 'primary-0', role: 'primary' }, { host: '127.0.0.1', port: 2, name: 'secondary-0', role: 'secondary' }])), undefined);
  assert.match(bindTransferScenario.checkTarget(withServers([{ host: '127.0.0.1', port: 1, name: 'primary-0', role: 'primary' }])) ?? '', /no secondary.*--secondaries 1/);
  assert.match(bindTransferScenario.checkTarget(withServers([])) ?? '', /no BIND9 server reachable from here, and cannot open port-forwards/);
  // A cluster: reached through port-forwards the run opens (its roles are checked then, exit 3 without a secondary).
  assert.equal(bindTransferScenario.checkTarget({ dnsServers: [], openDnsForwards: () => Promise.reject(new Error('not here')) } as unknown as Target), undefined);
  assert.equal(bindTransferScenario.minSecondaries, 1, 'a sandbox started for it runs a secondary');
});
