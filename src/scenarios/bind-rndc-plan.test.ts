import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/defaults.js';
import type { Config } from '../config/index.js';
import type { RndcOptions } from '../config/types.js';
import { commandCycle, planBindRndc, recordIp, requestAt, writeIndices, zoneBody } from './bind-rndc-plan.js';
import { StormTally, bindcarCounts, classify, countDisagreements, routeOfPath, serverTimings, timingText } from './bind-rndc-figures.js';
import { isLoopbackHost, loopbackClientAddress } from '../drive/bindcar-client.js';

const runId = 'bind-rndc-20260101-000000-abcd';

function configOf(rndc: Partial<RndcOptions>): Config {
  return { ...defaultConfig, scenarios: { ...defaultConfig.scenarios, rndc: { ...defaultConfig.scenarios.rndc, ...rndc } } };
}

void test('reload: ceil(rate × duration) reloads, round-robin over the zones and the clients; zones named after the run id', () => {
  const plan = planBindRndc({ config: configOf({ mode: 'reload', rate: 10, duration: 1500, zones: 2, clients: 3 }), runId, interleave: false });
  const d = plan.data;
  assert.ok(d !== undefined);
  assert.equal(d.total, 15);
  assert.deepEqual(d.stormZones, [`s0.${runId}.test`, `s1.${runId}.test`]);
  assert.deepEqual(d.recordZones, []);
  const r = Array.from({ length: 4 }, (_, n) => requestAt(d, n));
  assert.deepEqual(r.map((x) => [x.command, x.zone, x.client]), [['reload', d.stormZones[0], 0], ['reload', d.stormZones[1], 1], ['reload', d.stormZones[0], 2], ['reload', d.stormZones[1], 0]]);
  assert.deepEqual(plan.kinds, [], 'nothing in Kubernetes');
  assert.throws(() => planBindRndc({ config: configOf({ rate: 0 }), runId, interleave: false }), /rate above 0/);
});

void test('the mixed cycle has the mix\'s proportions exactly and interleaves them', () => {
  const c = commandCycle({ status: 0.5, reload: 0.3, notify: 0.2 });
  assert.equal(c.length, 100);
  const count = (x: string): number => c.filter((y) => y === x).length;
  assert.deepEqual([count('status'), count('reload'), count('notify')], [50, 30, 20]);
  // Never a long run of one command: smooth weighted round robin spreads each.
  let longest = 0;
  for (let i = 0, run = 0; i < c.length; i++) {
    run = i > 0 && c[i] === c[i - 1] ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  assert.ok(longest <= 2, `longest run ${longest}`);
  // Thirds round by largest remainder to 100.
  const thirds = commandCycle({ status: 1 / 3, zone: 1 / 3, server: 1 / 3 });
  assert.equal(thirds.length, 100);
});

void test('mixed: record commands go to the zones with the update key, a remove names the latest add before it; server-wide routes name no zone', () => {
  const plan = planBindRndc({ config: configOf({ mode: 'mixed', mix: { 'record-add': 0.5, 'record-remove': 0.25, zones: 0.25 }, zones: 2 }), runId, interleave: false });
  const d = plan.data;
  assert.ok(d !== undefined);
  assert.equal(d.recordZones.length, 2);
  const reqs = Array.from({ length: 12 }, (_, n) => requestAt(d, n));
  for (const r of reqs) {
    if (r.command === 'zones') assert.equal(r.zone, null);
    else assert.ok(d.recordZones.includes(r.zone ?? ''), `${r.command} goes to a zone with dynamic updates`);
    if (r.command === 'record-add') assert.deepEqual(r.body, { name: `lt-${r.index}`, type: 'A', value: recordIp(r.index), ttl: 60 });
  }
  const remove = reqs.find((r) => r.command === 'record-remove' && r.index > 2);
  assert.ok(remove !== undefined);
  const name = (remove.body as { name: string }).name;
  const add = reqs.find((r) => r.command === 'record-add' && `lt-${r.index}` === name);
  assert.ok(add !== undefined && add.index < remove.index && add.zone === remove.zone, 'the remove undoes an earlier add, in its zone');
  // A mix without record commands creates no dynamic zone.
  assert.deepEqual(planBindRndc({ config: configOf({ mode: 'mixed', mix: { status: 1 } }), runId, interleave: false }).data?.recordZones, []);
});

void test('write-reload: the big writes spread evenly, each followed by reloads of it', () => {
  assert.deepEqual(writeIndices(20, 4), [0, 5, 10, 15]);
  assert.deepEqual(writeIndices(3, 5), [0, 1, 2]);
  const plan = planBindRndc({ config: configOf({ mode: 'write-reload', rate: 10, duration: 1000, writes: 2, records: 3 }), runId, interleave: false });
  const d = plan.data;
  assert.ok(d !== undefined);
  const reqs = Array.from({ length: d.total }, (_, n) => requestAt(d, n));
  assert.deepEqual(reqs.map((r) => (r.command === 'zone-create' ? `W${r.zone === d.writeZones[0] ? 0 : 1}` : `r${r.zone === d.writeZones[0] ? 0 : 1}`)).join(' '), 'W0 r0 r0 r0 r0 W1 r1 r1 r1 r1');
  assert.equal((reqs[0]?.body as { zoneConfig: { records: unknown[] } }).zoneConfig.records.length, 3);
});

void test('zone bodies: bindcar\'s create body, the update key only when given', () => {
  const b = zoneBody('z.test', 2, 'k');
  assert.equal(b['updateKeyName'], 'k');
  assert.deepEqual((b['zoneConfig'] as { records: unknown[] }).records, [{ name: 'r0', type: 'A', value: '10.0.0.0', ttl: 300 }, { name: 'r1', type: 'A', value: '10.0.0.1', ttl: 300 }]);
  assert.equal('updateKeyName' in zoneBody('z.test', 0), false);
});

void test('loopback clients: each its own 127.0.0.x from .2; only loopback hosts qualify', () => {
  assert.equal(loopbackClientAddress(0), '127.0.0.2');
  assert.equal(loopbackClientAddress(249), '127.0.0.251');
  assert.throws(() => loopbackClientAddress(253));
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('localhost'), true);
  assert.equal(isLoopbackHost('10.0.0.1'), false);
  assert.equal(isLoopbackHost('[::1]'), false, 'IPv6 loopback has one address: clients cannot look distinct there');
});

void test('the tally: 429 apart from errors, connection errors and timeouts apart, only served answers timed, per client', () => {
  assert.equal(classify({ kind: 'answered', status: 201, body: '' }), 'ok');
  assert.equal(classify({ kind: 'answered', status: 429, body: '' }), 'limited');
  assert.equal(classify({ kind: 'answered', status: 500, body: '' }), 'error');
  assert.equal(classify({ kind: 'connection-error', code: 'ECONNRESET' }), 'connection-error');
  assert.equal(classify({ kind: 'timeout' }), 'timeout');
  const t = new StormTally(2, 1000);
  t.record('reload', 0, 1000, 1010, 1030, { kind: 'answered', status: 200, body: '' });
  t.record('reload', 1, 1100, 1100, 1101, { kind: 'answered', status: 429, body: '' });
  t.record('reload', 1, 2100, 2100, 2200, { kind: 'answered', status: 500, body: '' });
  t.record('notify', 0, 2200, 2200, 2300, { kind: 'connection-error', code: 'ECONNREFUSED' });
  t.record('notify', 0, 2300, 2300, 2400, { kind: 'timeout' });
  t.dropped('notify');
  const f = t.figures();
  const c = (k: string): number | undefined => f.counters[k]?.value;
  assert.deepEqual([c('bindcar_ok'), c('bindcar_429'), c('bindcar_errors'), c('bindcar_connection_errors'), c('bindcar_timeouts'), c('bindcar_requests_dropped'), c('bindcar_requests_sent')], [1, 1, 1, 1, 1, 1, 5]);
  assert.deepEqual([c('bindcar_reload_status_200'), c('bindcar_reload_status_429'), c('bindcar_reload_status_500')], [1, 1, 1]);
  assert.deepEqual([c('bindcar_client_ok_min'), c('bindcar_client_ok_max'), c('bindcar_client_429_max')], [0, 1, 1]);
  // The 200 and the 500 are timed (bindcar served them); the 429 is not. 30 ms from the intended start, 20 from the send.
  assert.equal(f.latencies['bindcar_reload']?.summary.count, 2);
  assert.equal(f.latencies['bindcar_reload']?.summary.min, 30_000);
  assert.equal(f.latencies['bindcar_reload_service']?.summary.min, 20_000);
  assert.equal(f.latencies['bindcar_notify'], undefined, 'no notify was served');
  assert.deepEqual(f.timeSeries.find((s) => s.name === 'bindcar_failed_per_second')?.points, [{ t: 1000, value: 0 }, { t: 2000, value: 3 }]);
  assert.match(f.notes.join('\n'), /notify: connection errors ECONNREFUSED ×1/);
});

void test('the cross-check: bindcar\'s own request counter, per route and status, for the run\'s zones only', () => {
  const zones = new Set(['s0.r.test']);
  assert.equal(routeOfPath('POST', '/api/v1/zones/s0.r.test/reload', zones), 'reload');
  assert.equal(routeOfPath('GET', '/api/v1/zones/s0.r.test', zones), 'zone_get');
  assert.equal(routeOfPath('DELETE', '/api/v1/zones/s0.r.test', zones), undefined, 'teardown is not the storm');
  assert.equal(routeOfPath('DELETE', '/api/v1/zones/s0.r.test/records', zones), 'record_remove');
  assert.equal(routeOfPath('POST', '/api/v1/zones/other.test/reload', zones), undefined, 'another client\'s zone');
  assert.equal(routeOfPath('GET', '/api/v1/zones', zones), undefined);
  const s = (path: string, status: string, value: number): { labels: Record<string, string>; value: number } => ({ labels: { method: 'POST', path, status }, value });
  const before = [s('/api/v1/zones/s0.r.test/reload', '200', 3)];
  const after = [s('/api/v1/zones/s0.r.test/reload', '200', 10), s('/api/v1/zones/s0.r.test/reload', '429', 4), s('/api/v1/zones/x.test/reload', '200', 99)];
  const theirs = bindcarCounts(before, after, zones);
  assert.deepEqual([...theirs], [['reload 200', 7], ['reload 429', 4]]);
  assert.deepEqual(countDisagreements({ bindcar_reload_status_200: { value: 7 }, bindcar_reload_status_429: { value: 4 }, bindcar_zones_list_status_200: { value: 5 } }, theirs, ['reload']), []);
  assert.deepEqual(countDisagreements({ bindcar_reload_status_200: { value: 6 } }, theirs, ['reload']), ['reload 200: the tool 6, bindcar 7', 'reload 429: the tool 0, bindcar 4']);
});

void test('bindcar\'s own timings: a route\'s windows over the run\'s zones add up bucket by bucket; rndc per command', () => {
  const h = (name: string, labels: Record<string, string>, counts: readonly number[], sum: number): { name: string; labels: Record<string, string>; value: number }[] => {
    const les = ['0.1', '0.25', '+Inf'];
    return [...les.map((le, i) => ({ name: `${name}_bucket`, labels: { ...labels, le }, value: counts[i] ?? 0 })), { name: `${name}_sum`, labels, value: sum }, { name: `${name}_count`, labels, value: counts[2] ?? 0 }];
  };
  const http = 'bindcar_http_request_duration_seconds';
  const a = { method: 'POST', path: '/api/v1/zones/s0.r.test/reload' };
  const b = { method: 'POST', path: '/api/v1/zones/s1.r.test/reload' };
  const other = { method: 'POST', path: '/api/v1/zones/x.test/reload' };
  const before = [...h(http, a, [1, 1, 1], 0.05), ...h(http, b, [0, 0, 0], 0), ...h(http, other, [0, 0, 0], 0), ...h('bindcar_rndc_command_duration_seconds', { command: 'reload' }, [0, 0, 0], 0)];
  // Over the storm: s0 gets 2 more (both 0.1..0.25 s), s1 gets 2 (both ≤ 0.1 s); x.test is another client's.
  const after = [...h(http, a, [1, 3, 3], 0.05 + 0.4), ...h(http, b, [2, 2, 2], 0.1), ...h(http, other, [9, 9, 9], 0.9), ...h('bindcar_rndc_command_duration_seconds', { command: 'reload' }, [4, 4, 4], 0.2)];
  const t = serverTimings(before, after, new Set(['s0.r.test', 's1.r.test']));
  assert.equal(t.routes.length, 1);
  const r = t.routes[0];
  assert.ok(r !== undefined);
  assert.equal(r.count, 4);
  assert.ok(r.mean !== null && Math.abs(r.mean - 0.125) < 1e-9, 'exact mean: (0.4 + 0.1) / 4');
  // Rank 2 of 4 falls at the top of the first bucket (2 in ≤ 0.1): histogram_quantile gives 0.1.
  assert.ok(r.p50 !== null && Math.abs(r.p50 - 0.1) < 1e-9);
  assert.equal(t.rndc[0]?.name, 'reload');
  assert.equal(t.rndc[0]?.count, 4);
  assert.match(timingText(r), /^reload n=4 p50 ≈ 100\.0 ms p99 ≈ \d+\.\d ms mean 125\.0 ms$/);
});
