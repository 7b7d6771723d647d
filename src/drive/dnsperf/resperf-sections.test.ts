import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resperfProblems, resperfSections, type ResperfAsked } from './resperf-sections.js';
import type { ResperfInterval, ResperfStatistics } from './resperf-output.js';

const asked: ResperfAsked = { server: '127.0.0.1:53', maxQps: 4000, rampMs: 4000, maxLoss: 0.01, clients: 2, maxOutstanding: 10, timeoutMs: 5000, queries: 'q', ownQueries: true };
const exit = { argv: ['resperf'], code: 0, signal: null, stoppedEarly: false, killedOverdue: false, stderr: [] };
const interval = (timeS: number, target: number, answers: number, latencyS: number): ResperfInterval => ({ timeS, targetQps: target, actualQps: answers, responsesPerSecond: answers, failuresPerSecond: 0, meanLatencyS: latencyS });
const stats = (max: number, rcodes: Record<string, number>): ResperfStatistics => ({ sent: 100, completed: 100, lost: 0, rcodes, runTimeS: 2, maxThroughputQps: max, lostAtMax: 0 });

void test('resperf sections: the maximum throughput and where it was reached, the ramp as series on the run clock', () => {
  const s = resperfSections(stats(480, { NOERROR: 60, NXDOMAIN: 40 }), [interval(0.25, 250, 240, 0.001), interval(0.75, 750, 480, 0.002)], null, exit, asked, 10_000);
  assert.equal(s.counters['resperf_max_throughput']?.value, 480);
  assert.equal(s.counters['resperf_ended_early']?.value, 0);
  assert.equal(s.counters['dns_answers_unexpected_rcode']?.value, 0);
  assert.deepEqual(s.timeSeries.find((x) => x.name === 'dns_target_qps')?.points, [{ t: 10_250, value: 250 }, { t: 10_750, value: 750 }]);
  assert.ok(s.notes.some((n) => n.includes('maximum throughput 480 answers/s') && n.includes('reached 0.8 s into the ramp at 750/s asked')), s.notes.join('\n'));
  assert.deepEqual(resperfProblems(s.counters), []);
});

void test('resperf that ended its ramp early: the figure is a lower bound, and the outstanding limit is named when latency × rate explains it', () => {
  const s = resperfSections(stats(480, { NOERROR: 100 }), [interval(0.25, 250, 240, 0.02), interval(0.75, 750, 480, 0.02)], { reason: 'fell-behind', queries: 1000, atQps: 600 }, exit, asked, 0);
  assert.equal(s.counters['resperf_ended_early']?.value, 1);
  assert.ok(s.notes.some((n) => /fell behind its schedule by 1000 queries at 600\/s.*lower bound.*at most 10 outstanding with the last interval's mean latency of 20\.0 ms allows about 500\/s/.test(n)), s.notes.join('\n'));
  assert.ok(!s.notes.some((n) => n.includes('kept up to the top')), 'never said to have kept up');
  const capped = resperfSections(stats(136, { NOERROR: 68 }), [interval(0.25, 250, 136, 0.024)], { reason: 'outstanding', outstanding: 10 }, exit, asked, 0);
  assert.ok(capped.notes.some((n) => /reached its limit of 10 outstanding queries.*allows about 417\/s \(raise --max-outstanding/.test(n)), capped.notes.join('\n'));
});

void test('resperf: a server that kept up to the top of the ramp is said to be faster; SERVFAIL on own queries is a problem; missing statistics too', () => {
  const kept = resperfSections(stats(3900, { NOERROR: 90, SERVFAIL: 10 }), [interval(3.75, 4000, 3900, 0.001)], null, exit, asked, 0);
  assert.ok(kept.notes.some((n) => n.includes('kept up to the top of the ramp (4000/s asked')));
  assert.equal(kept.counters['dns_answers_unexpected_rcode']?.value, 10);
  assert.deepEqual(resperfProblems(kept.counters), ['10 DNS answers were neither NOERROR nor NXDOMAIN']);
  const user = resperfSections(stats(3900, { SERVFAIL: 10 }), [], null, exit, { ...asked, ownQueries: false }, 0);
  assert.equal(user.counters['dns_answers_unexpected_rcode']?.value, 0, "a user's file has no expectations");
  const none = resperfSections(null, [], null, { ...exit, killedOverdue: true }, asked, 0);
  assert.match(resperfProblems(none.counters)[0] ?? '', /resperf printed no statistics/);
});
