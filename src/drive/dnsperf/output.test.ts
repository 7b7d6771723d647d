/** @module dnsperf's output as dnsperf 2.10 prints it (-v, -S 1, statistics) is read into the right figures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDnsperfLine, parseDnsperfStatistics } from './output.js';
import { DnsperfReader } from './measure.js';

// A run as dnsperf 2.10.0 prints it with -v -S 1 (latencies in seconds, six decimals).
const run = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 33913 -d q.txt -l 2 -Q 3 -v -S 1
[Status] Sending queries (to 127.0.0.1:33913)
[Status] Started at: Thu Dec  3 12:10:55 2026
[Status] Stopping after 2.000000 seconds
> NOERROR host-10.zone-0.example.com A 0.000237
> NXDOMAIN nx-1.zone-0.example.com A 0.000294
> NOERROR zone-0.example.com SOA 0.001284
1796299864.940271: 3.000000
> NXDOMAIN host-10.zone-0.example.com A 0.020000
> T nx-1.zone-0.example.com A
> SERVFAIL zone-0.example.com SOA 1.500001
1796299865.940410: 2.000000
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         6
  Queries completed:    5 (83.33%)
  Queries lost:         1 (16.67%)

  Response codes:       NOERROR 2 (40.00%), NXDOMAIN 2 (40.00%), SERVFAIL 1 (20.00%)
  Average packet size:  request 40, response 79
  Run time (s):         2.000348
  Queries per second:   2.499565

  Average Latency (s):  0.304363 (min 0.000237, max 1.500001)
  Latency StdDev (s):   0.598000
`;

test('each -v line becomes an answer (µs exact from the printed digits) or a loss; -S lines are intervals', () => {
  assert.deepEqual(parseDnsperfLine('> NOERROR a.example.com AAAA 0.000288'), { kind: 'answer', rcode: 'NOERROR', name: 'a.example.com', type: 'AAAA', latencyUs: 288 });
  assert.deepEqual(parseDnsperfLine('> SERVFAIL a.example.com A 1.500001'), { kind: 'answer', rcode: 'SERVFAIL', name: 'a.example.com', type: 'A', latencyUs: 1_500_001 });
  assert.deepEqual(parseDnsperfLine('> T a.example.com TXT'), { kind: 'lost', name: 'a.example.com', type: 'TXT' });
  // dnsperf echoes the input line as given: extra words (a user's file) stay out of name and type.
  assert.deepEqual(parseDnsperfLine('> REFUSED not a query 0.000334'), { kind: 'answer', rcode: 'REFUSED', name: 'not', type: 'a', latencyUs: 334 });
  assert.deepEqual(parseDnsperfLine('> T www.example.com A extra'), { kind: 'lost', name: 'www.example.com', type: 'A' });
  assert.deepEqual(parseDnsperfLine('1796299864.940271: 9.996201'), { kind: 'interval', wallS: 1796299864.940271, qps: 9.996201 });
  assert.deepEqual(parseDnsperfLine('Statistics:'), { kind: 'statistics' });
  assert.equal(parseDnsperfLine('[Status] Testing complete (time limit)').kind, 'other');
});

test("dnsperf's statistics block is read whole; a run that printed none gives null", () => {
  const s = parseDnsperfStatistics(run.slice(run.indexOf('Statistics:')));
  assert.deepEqual(s, {
    sent: 6, completed: 5, lost: 1, interrupted: 0,
    rcodes: { NOERROR: 2, NXDOMAIN: 2, SERVFAIL: 1 },
    runTimeS: 2.000348, qps: 2.499565,
    averageLatencyS: 0.304363, minLatencyS: 0.000237, maxLatencyS: 1.500001, stddevLatencyS: 0.598,
  });
  assert.equal(parseDnsperfStatistics('[Status] Sending queries'), null);
  const none = parseDnsperfStatistics('Statistics:\n  Queries sent: 3\n  Queries completed: 0 (0.00%)\n  Queries lost: 3 (100.00%)\n  Response codes:\n  Run time (s): 2.0\n  Queries per second: 0.000000\n  Average Latency (s):  0.000000 (min 0.000000, max 0.000000)\n');
  assert.equal(none?.averageLatencyS, null, 'no answer: no latency, not a latency of 0');
  assert.deepEqual(none?.rcodes, {});
});

test('the reader: every answer in the histogram, losses apart, rcodes checked against each query, intervals cut at -S lines', () => {
  const expect = new Map([['host-10.zone-0.example.com A', 'data'], ['nx-1.zone-0.example.com A', 'nxdomain'], ['zone-0.example.com SOA', 'data']] as const);
  const seen: number[] = [];
  const r = new DnsperfReader({ expect: (n, t) => expect.get(`${n} ${t}` as never), wallToRunMs: (w) => Math.round((w - 1796299864) * 1000), onInterval: (i) => seen.push(i.t) });
  for (const l of run.split('\n')) r.line(l);
  const m = r.measurement();
  assert.equal(m.answered, 5);
  assert.equal(m.lost, 1);
  assert.equal(m.latency.count, 5);
  assert.deepEqual(m.rcodes, { NOERROR: 2, NXDOMAIN: 2, SERVFAIL: 1 });
  // host-10 answered NXDOMAIN and the SOA answered SERVFAIL: two contradictions; nx-1's NXDOMAIN is right.
  assert.equal(m.unexpected.count, 2);
  assert.deepEqual(m.unexpected.examples.map((u) => `${u.name} ${u.rcode}`), ['host-10.zone-0.example.com NXDOMAIN', 'zone-0.example.com SERVFAIL']);
  assert.deepEqual(seen, [940, 1940]);
  assert.deepEqual(m.intervals.map((i) => [i.answered, i.lost, i.dnsperfQps, Math.round(i.answersPerSecond * 1000) / 1000]), [[3, 0, 3, 3], [2, 1, 2, 2]]);
  assert.ok(m.intervals[1]?.p99Us !== null && (m.intervals[1]?.p99Us ?? 0) >= 1_499_000, 'the second second holds the 1.5 s answer');
  assert.equal(m.latency.valueAt(0), 237);
  assert.equal(m.statistics?.completed, 5);
  assert.ok(m.messages.some((x) => x.startsWith('[Status] Testing complete')));
});

test('a query the tool did not generate (a user file) is never called unexpected', () => {
  const r = new DnsperfReader({ wallToRunMs: () => 0 });
  r.line('> SERVFAIL x.example. A 0.000100');
  assert.equal(r.measurement().unexpected.count, 0);
  assert.equal(r.measurement().statistics, null);
});

test('the stretch after the last -S line (dnsperf stamps none) becomes a last, shorter interval when the statistics come', () => {
  const r = new DnsperfReader({ wallToRunMs: (w) => Math.round((w - 100) * 1000), nowWallS: () => 101.5 });
  for (const l of ['> NOERROR a.example. A 0.000100', '100.000000: 1.000000', '> NOERROR a.example. A 0.000200', '> T a.example. A', 'Statistics:', '  Queries sent: 3']) r.line(l);
  const last = r.measurement().intervals.at(-1);
  assert.deepEqual(last && { t: last.t, answered: last.answered, lost: last.lost, dnsperfQps: last.dnsperfQps, perSecond: last.answersPerSecond }, { t: 1500, answered: 1, lost: 1, dnsperfQps: null, perSecond: 1 / 1.5 });
});
