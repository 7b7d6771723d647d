/** @module A dnsperf run's figures as result sections: cross-checks, saturation and problems are said, never hidden. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsperfReader } from './measure.js';
import { dnsperfProblems, dnsperfSections, type DnsperfAsked } from './sections.js';
import type { DnsperfExit } from './process.js';

const exit: DnsperfExit = { argv: ['dnsperf'], code: 0, signal: null, stoppedEarly: false, killedOverdue: false, stderr: [] };
const asked: DnsperfAsked = { server: '127.0.0.1:53', qps: 1000, clients: 1, maxOutstanding: 10, timeoutMs: 5000, durationMs: 1000, outstandingSetting: 'scenarios.bind.maxOutstanding', queries: 'test queries' };

function read(lines: string[]): DnsperfReader {
  const r = new DnsperfReader({ wallToRunMs: () => 0, expect: () => 'data' });
  for (const l of lines) r.line(l);
  return r;
}

const stats = (sent: number, completed: number, lost: number, qps: number): string[] => [
  'Statistics:',
  `  Queries sent:         ${sent}`,
  `  Queries completed:    ${completed} (100.00%)`,
  `  Queries lost:         ${lost} (0.00%)`,
  `  Response codes:       NOERROR ${completed} (100.00%)`,
  '  Run time (s):         1.000000',
  `  Queries per second:   ${qps}`,
  '  Average Latency (s):  0.020000 (min 0.020000, max 0.020000)',
  '  Latency StdDev (s):   0.000000',
];

test('counts that agree with dnsperf: no problem; its own average beside the histogram; a rate short of the asked one is explained', () => {
  const answers = Array.from({ length: 500 }, () => '> NOERROR a.example. A 0.020000');
  const s = dnsperfSections(read([...answers, ...stats(500, 500, 0, 500)]).measurement(), exit, asked);
  assert.equal(s.counters['dns_queries_answered']?.value, 500);
  assert.equal(s.counters['dnsperf_count_disagreements']?.value, 0);
  assert.equal(s.counters['dnsperf_latency_average']?.value, 20_000);
  assert.equal(s.latencies['dns_query']?.summary.count, 500);
  assert.deepEqual(dnsperfProblems(s.counters), []);
  // 10 outstanding at 20 ms each allow 500/s: the note names the cause and the knob.
  assert.ok(s.notes.some((n) => /sent 500\/s of the 1000\/s asked: at most 10 outstanding with a p50 of 20\.0 ms allows about 500\/s \(raise scenarios\.bind\.maxOutstanding\)/.test(n)), s.notes.join('\n'));
});

test('a -v count that disagrees with dnsperf, missing statistics and wrong rcodes are problems', () => {
  const short = dnsperfSections(read(['> NOERROR a.example. A 0.000100', ...stats(2, 2, 0, 2)]).measurement(), exit, asked);
  assert.equal(short.counters['dnsperf_count_disagreements']?.value, 1);
  assert.match(dnsperfProblems(short.counters).join('\n'), /disagrees with dnsperf's own statistics/);
  const dead = dnsperfSections(read(['> NXDOMAIN a.example. A 0.000100']).measurement(), { ...exit, killedOverdue: true }, asked);
  const problems = dnsperfProblems(dead.counters).join('\n');
  assert.match(problems, /printed no statistics/);
  assert.match(problems, /1 DNS answers had an unexpected rcode/);
  assert.ok(dead.notes.some((n) => /a\.example\. A → NXDOMAIN \(expected NOERROR\)/.test(n)));
  assert.ok(dead.notes.some((n) => /killed/.test(n)));
});
