import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResperfEndedEarly, parseResperfPlot, parseResperfStatistics } from './resperf-output.js';

// resperf 2.10's output against the sandbox's named (ramp to 4000/s over 3 s).
const stdout = `DNS Resolution Performance Testing Tool
Version 2.10.0

[Status] Command line: resperf -s 127.0.0.1 -p 36391 -d /tmp/rq.txt -m 4000 -r 3 -L 1
[Status] Sending
[Status] Testing complete

Statistics:

  Queries sent:         5991
  Queries completed:    5989
  Queries lost:         2
  Response codes:       NOERROR 3994 (66.69%), NXDOMAIN 1995 (33.31%)
  Reconnection(s):      0
  Run time (s):         3.007995
  Maximum throughput:   2964.000000 qps
  Lost at that point:   0.50%
`;

void test('resperf statistics: counts, rcodes, maximum throughput and the loss at that point as a share', () => {
  assert.deepEqual(parseResperfStatistics(stdout), {
    sent: 5991,
    completed: 5989,
    lost: 2,
    rcodes: { NOERROR: 3994, NXDOMAIN: 1995 },
    runTimeS: 3.007995,
    maxThroughputQps: 2964,
    lostAtMax: 0.005,
  });
  assert.equal(parseResperfStatistics('[Status] Sending\n'), null, 'killed before its statistics');
});

void test('resperf plot file: one interval per line, the header skipped', () => {
  const plot = `# time target_qps actual_qps responses_per_sec failures_per_sec avg_latency connections conn_avg_latency
  0.250   333.33   332.00   332.00     0.00 0.000197     0.00 0.000000
  2.250  3000.00  2964.00  2960.00     4.00 0.000754     0.00 0.000000
garbage
`;
  assert.deepEqual(parseResperfPlot(plot), [
    { timeS: 0.25, targetQps: 333.33, actualQps: 332, responsesPerSecond: 332, failuresPerSecond: 0, meanLatencyS: 0.000197 },
    { timeS: 2.25, targetQps: 3000, actualQps: 2964, responsesPerSecond: 2960, failuresPerSecond: 4, meanLatencyS: 0.000754 },
  ]);
});

void test('resperf ending its ramp early is read from its status line: fell behind, or its outstanding limit reached', () => {
  assert.deepEqual(parseResperfEndedEarly('[Status] Sending\n[Status] Fell behind by 1010 queries, ending test at 3117 qps\n'), { reason: 'fell-behind', queries: 1010, atQps: 3117 });
  assert.deepEqual(parseResperfEndedEarly('[Status] Sending\n[Status] Reached 10 outstanding queries\n[Status] Waiting for more responses\n'), { reason: 'outstanding', outstanding: 10 });
  assert.equal(parseResperfEndedEarly(stdout), null);
});
