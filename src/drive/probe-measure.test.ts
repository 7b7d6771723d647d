/** @module Tests of the probe measurement: per-server and slowest-server latencies, stages, and what DNS contradicted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureProbe } from './probe-measure.js';
import type { ProbedObjectState } from './probe-measure.js';
import type { ProbeRecord, ServerOutcome } from '../observe/dns-prober.js';

function server(name: string, o: Partial<ServerOutcome>): ServerOutcome {
  return { server: name, matchedMs: null, lastMissSentMs: null, lastAnswer: null, lastVerdict: null, lastAnswerMs: null, wrongSeen: false, wrongAnswer: null, queries: 1, lost: 0, gaveUp: false, ...o };
}

function rec(name: string, kind: string, intendedStartMs: number, servers: ServerOutcome[]): ProbeRecord {
  return {
    key: `${kind}/ns/${name}`,
    kind,
    fqdn: `${name}.zone.example`,
    rrType: kind === 'ARecord' ? 'A' : 'TXT',
    operation: 'create',
    intendedStartMs,
    expectedText: kind === 'ARecord' ? 'A 192.0.2.1' : 'TXT "hello"',
    servers,
    settled: servers.every((s) => s.matchedMs !== null),
  };
}

const settings = { ratePerSecond: 500, maxInFlight: 64, fastIntervalMs: 50, fastPhaseMs: 2000, maxIntervalMs: 1000 };

void test('per server and slowest server per object; Ready → answered stages; Ready but not served and wrong data apart, with what DNS said', () => {
  const records: ProbeRecord[] = [
    // Answered by both: the primary after 100 ms, the secondary after 300 ms; Ready seen at 80 ms.
    rec('both', 'ARecord', 1000, [server('primary-0', { matchedMs: 1100, lastMissSentMs: 1050 }), server('secondary-0', { matchedMs: 1300 })]),
    // Ready, never answered: NXDOMAIN to the end, asked after its Ready (1500).
    rec('missing', 'ARecord', 1000, [server('primary-0', { lastAnswer: 'NXDOMAIN', queries: 9, lost: 1, lastMissSentMs: 1900 }), server('secondary-0', { lastAnswer: 'NXDOMAIN', lastMissSentMs: 1400 })]),
    // Not answered, and Ready (2600) only after DNS was last asked (2400): not known to be unserved.
    rec('late', 'ARecord', 1000, [server('primary-0', { lastAnswer: 'NXDOMAIN', lastMissSentMs: 2400, gaveUp: true }), server('secondary-0', { lastAnswer: 'NXDOMAIN', lastMissSentMs: 2400, gaveUp: true })]),
    // Ready, the primary serves other data.
    rec('wrong', 'TXTRecord', 2000, [server('primary-0', { lastAnswer: 'NOERROR TXT ["bye"]', wrongSeen: true, wrongAnswer: 'NOERROR TXT ["bye"]' }), server('secondary-0', { matchedMs: 2500 })]),
    // Not Ready and not answered: a create_to_ready failure already says so; no DNS failure.
    rec('pending', 'ARecord', 3000, [server('primary-0', { lastAnswer: 'NXDOMAIN' }), server('secondary-0', { lastAnswer: 'NXDOMAIN' })]),
    // Answered by both 50 ms before its Ready was seen.
    rec('early', 'TXTRecord', 4000, [server('primary-0', { matchedMs: 4200 }), server('secondary-0', { matchedMs: 4250 })]),
  ];
  const states: Record<string, ProbedObjectState> = {
    'ARecord/ns/both': { uid: 'u1', readyMs: 1080 },
    'ARecord/ns/missing': { uid: 'u2', readyMs: 1500 },
    'ARecord/ns/late': { uid: 'u6', readyMs: 2600 },
    'TXTRecord/ns/wrong': { uid: 'u3', readyMs: 2100 },
    'ARecord/ns/pending': { uid: 'u4', readyMs: null },
    'TXTRecord/ns/early': { uid: 'u5', readyMs: 4300 },
  };
  const m = measureProbe({
    records,
    servers: ['primary-0', 'secondary-0'],
    stats: { sent: 120, answered: 118, lost: 2, truncated: 1, tcpConnections: 0, tcpErrors: {}, stray: 0, peakInFlight: 7, firstSentMs: 1000, lastSentMs: 3000 },
    objectState: (k) => states[k],
    runStartMs: 500,
    endedMs: 10_500,
    settings,
  });
  const l = m.latencies;
  // The slowest server per object, for objects every server answered.
  assert.equal(l['create_to_resolvable']?.summary.count, 2);
  assert.ok(Math.abs((l['create_to_resolvable']?.summary.max ?? 0) - 300_000) < 300, 'the secondary\'s 300 ms (HDR, 3 significant digits)');
  assert.equal(l['create_to_resolvable']?.byKind?.['TXTRecord']?.summary.count, 1);
  assert.match(l['create_to_resolvable']?.method ?? '', /slowest of the 2 DNS server\(s\) \(primary-0, secondary-0\)/);
  // Each server on its own: the primary answered 2 objects, the secondary 3.
  assert.equal(l['create_to_resolvable.primary-0']?.summary.count, 2);
  assert.equal(l['create_to_resolvable.secondary-0']?.summary.count, 3);
  assert.match(l['create_to_resolvable.secondary-0']?.method ?? '', /^DNS server secondary-0: the first answer matching/);
  // Stages: 'both' answered 220 ms after Ready; 'early' 50 ms before.
  assert.equal(l['ready_to_resolvable']?.summary.count, 1);
  assert.ok(Math.abs((l['ready_to_resolvable']?.summary.p50 ?? 0) - 220_000) < 300);
  assert.equal(l['resolvable_to_ready']?.summary.count, 1);
  assert.ok(Math.abs((l['resolvable_to_ready']?.summary.p50 ?? 0) - 50_000) < 100);
  // Uncertainty: 'both' on the primary was missing 50 ms before it matched.
  assert.ok(Math.abs((l['resolvable_uncertainty']?.summary.min ?? 0) - 50_000) < 100);

  const c = (n: string): number | undefined => m.counters[n]?.value;
  assert.equal(c('dns_probed'), 6);
  assert.equal(c('dns_answered'), 2);
  assert.equal(c('dns_not_answered'), 4);
  assert.equal(c('ready_but_not_served'), 1);
  assert.equal(c('dns_ready_after_probing'), 1);
  assert.ok(m.notes.some((n) => n.startsWith('1 changes became Ready only after DNS was last asked for them')), m.notes.join('\n'));
  assert.equal(c('served_wrong_data'), 1);
  assert.equal(c('answered_after_ready'), 1);
  assert.equal(c('answered_before_ready'), 1);
  assert.equal(c('probe_queries_sent'), 120);
  assert.equal(c('probe_query_rate'), 60);

  // The rate of records answered by every server accounts for each of them: Σ rate × window = 2.
  const series = m.timeSeries.find((x) => x.name === 'resolvable_per_second');
  assert.ok(series !== undefined && series.unit === '1/s');
  const total = series.points.reduce((n, p, i) => n + (p.value * (p.t - (i === 0 ? 0 : (series.points[i - 1]?.t ?? 0)))) / 1000, 0);
  assert.equal(Math.round(total), 2);

  assert.deepEqual(m.failures.map((f) => [f.name, f.reason, f.uid, f.phase]), [
    ['missing', 'ReadyButNotServed', 'u2', 'create_to_resolvable'],
    ['wrong', 'ServedWrongData', 'u3', 'create_to_resolvable'],
  ]);
  const [missing, wrong] = m.failures;
  assert.match(missing?.message ?? '', /^missing\.zone\.example A: desired A 192\.0\.2\.1; Ready after 0\.50 s; primary-0: never answered right \(9 queries, 1 lost\); last answer NXDOMAIN/);
  assert.match(wrong?.message ?? '', /primary-0: never answered right .*served wrong data: NOERROR TXT \["bye"\] \| secondary-0: answered right after 0\.50 s/);
  assert.equal(missing?.atMs, 10_000);
});

void test('nothing probed: no DNS latencies, zero counts', () => {
  const m = measureProbe({
    records: [],
    servers: ['primary-0'],
    stats: { sent: 0, answered: 0, lost: 0, truncated: 0, tcpConnections: 0, tcpErrors: {}, stray: 0, peakInFlight: 0, firstSentMs: null, lastSentMs: null },
    objectState: () => undefined,
    runStartMs: 0,
    endedMs: 0,
    settings,
  });
  assert.deepEqual(Object.keys(m.latencies), []);
  assert.deepEqual(m.timeSeries, []);
  assert.equal(m.counters['dns_probed']?.value, 0);
  assert.equal(m.counters['probe_query_rate'], undefined);
  assert.deepEqual(m.failures, []);
});

void test('a TCP connection that failed is named in a note, with what it means', () => {
  const m = measureProbe({
    records: [],
    servers: ['127.0.0.1:5353'],
    stats: { sent: 4, answered: 0, lost: 4, truncated: 0, tcpConnections: 2, tcpErrors: { '127.0.0.1:5353': 'connect ECONNREFUSED 127.0.0.1:5353' }, stray: 0, peakInFlight: 1, firstSentMs: 0, lastSentMs: 1000 },
    objectState: () => undefined,
    runStartMs: 0,
    endedMs: 2000,
    settings,
  });
  assert.equal(m.counters['probe_tcp_connections']?.value, 2);
  assert.ok(m.notes.includes("the DNS prober's TCP connection to 127.0.0.1:5353 failed (last: connect ECONNREFUSED 127.0.0.1:5353); queries sent meanwhile were lost and asked again (a port-forward that is not running refuses every connection)"), m.notes.join('\n'));
});
