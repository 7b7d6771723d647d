import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLatencyHistogram } from '../measure/index.js';
import { createRunResult, finishRunResult, hostInfo, latencyResult } from './result/index.js';
import { formatNumber, formatUs, renderMarkdown } from './markdown.js';
import { renderConsoleSummary } from './console-summary.js';

function result(): ReturnType<typeof createRunResult> {
  const r = createRunResult({
    toolVersion: '0.1.0',
    runId: 'burst-x',
    scenario: 'burst',
    profile: null,
    target: { kind: 'cluster', description: 'cluster https://k8s (context kind)' },
    startedAt: '2026-01-01T00:00:00.000Z',
    commandLine: ['burst', '--records', '3'],
    seed: 1,
    host: hostInfo(),
  });
  const h = createLatencyHistogram();
  for (const v of [100_000, 200_000, 300_000]) h.record(v);
  r.latencies.create_to_ready = latencyResult(h, 'first Ready=True watch event minus intended start', { byKind: { ARecord: h } });
  r.counters.objects_ready = { value: 3, unit: 'objects', description: 'created objects seen Ready' };
  r.failures.push({ kind: 'ARecord', name: 'a|b', namespace: 'lt', uid: null, phase: 'create', reason: 'Invalid', message: 'HTTP 422: bad', lastCondition: null });
  r.notes.push('a note');
  return finishRunResult(r, { status: 'failed', endedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000 });
}

test('markdown: what ran, counts, the percentile table per operation and per kind, failures, how it was measured', () => {
  const md = renderMarkdown(result());
  assert.match(md, /^\*\*FAIL\*\*: .*\n\n# bindy-loadtest burst: failed/, 'the verdict line first, then the title');
  assert.match(md, /\| run id \| `burst-x` \|/);
  assert.match(md, /\| latency \| count \| p50 \| p90 \| p95 \| p99 \| p99\.9 \| max \| mean \|/);
  assert.match(md, /\| create_to_ready \| 3 \| 200 ms \| 300 ms \| 300 ms \| 300 ms \| 300 ms \| 300 ms \| 200 ms \|/);
  assert.match(md, /### create_to_ready per kind[\s\S]*\| ARecord \| 3 \|/);
  assert.match(md, /\| objects_ready \| 3 \| objects \|/);
  assert.match(md, /## Failures \(1\)[\s\S]*ARecord lt\/a\\\|b/);
  assert.match(md, /\*\*create_to_ready\*\*: first Ready=True watch event minus intended start/);
  assert.match(md, /- a note/);
  assert.equal(renderMarkdown(result()), md, 'pure: same result, same text');
});

test('markdown: findings and recommendations with severity, id, text and evidence; no section when there are none', () => {
  const r = result();
  assert.doesNotMatch(renderMarkdown(r), /## Findings|## Recommendations/);
  r.findings.push({ id: 'backlog-grows-during-creates', severity: 'high', text: 'The operator cannot keep up at this rate', evidence: { backlog_growth_per_s: 40.25, create_rate_per_s: 50, note: null } });
  r.recommendations.push({ id: 'bindy-metric-queue-depth-missing', severity: 'medium', text: 'Expose a queue-depth gauge', evidence: { metric: 'queue_depth' } });
  const md = renderMarkdown(r);
  assert.match(md, /## Findings\n\n- \*\*high\*\* `backlog-grows-during-creates`: The operator cannot keep up at this rate _\(evidence: backlog_growth_per_s = 40\.3; create_rate_per_s = 50; note = —\)_\n/);
  assert.match(md, /## Recommendations\n\n- \*\*medium\*\* `bindy-metric-queue-depth-missing`: Expose a queue-depth gauge _\(evidence: metric = queue_depth\)_/);
  assert.ok(md.indexOf('## Findings') < md.indexOf('## Latencies'), 'findings come before the detail tables');
});

test('console summary and number formats', () => {
  const text = renderConsoleSummary(result(), { dir: '/out/burst-x' });
  assert.match(text, /^FAIL: .*\nburst burst-x: failed in 1\.0 s \(cluster\)/);
  assert.match(text, /create_to_ready +n=3 +p50 200 ms/);
  assert.match(text, /failed: ARecord a\|b: Invalid/);
  assert.deepEqual([formatUs(null), formatUs(850), formatUs(1500), formatUs(2_500_000), formatUs(208_345_000)], ['—', '850 µs', '1.5 ms', '2,500 ms', '208,345 ms'], 'latencies in ms, µs only below 1 ms');
  assert.deepEqual([formatNumber(3), formatNumber(2630.4), formatNumber(12.345)], ['3', '2630', '12.3']);
});

test('markdown: the units said once at the top; each operator row with its labels; memory in MB, latencies in ms', () => {
  const r = result();
  r.operator = [
    { name: 'reconcile_duration', bindyName: 'bindy_reconcile_seconds', state: 'present', unit: 's', method: 'bucket estimate', values: { count: 30, p50: 0.05, p99: 1.2 } },
    { name: 'reconcile_duration', bindyName: 'bindy_reconcile_seconds', state: 'present', unit: 's', method: 'bucket estimate', labels: { resource_type: 'ARecord', status: 'success' }, values: { count: 20, p50: 0.04, p99: 0.9 } },
    { name: 'reconcile_duration', bindyName: 'bindy_reconcile_seconds', state: 'present', unit: 's', method: 'bucket estimate', labels: { resource_type: 'DNSZone', status: 'error' }, values: { count: 10, p50: 0.2, p99: 1.2 } },
    { name: 'reconciles', bindyName: 'bindy_reconciles_total', state: 'present', unit: 'reconciles', method: 'increase', values: { count: 30, rate: 2.5 } },
  ];
  r.criteria = [{ metric: 'operator_memory_peak', observed: 100, limit: 512, comparison: '<=', unit: 'MiB', verdict: 'pass', reason: 'within limit', method: 'peak RSS' }];
  r.counters.tool_peak_rss = { value: 123.4, unit: 'MB', description: 'peak RSS' };
  r.counters.event_loop_lag_p99 = { value: 12_345, unit: 'us', description: 'event-loop delay' };
  const md = renderMarkdown(r);
  assert.match(md, /^\*\*FAIL\*\*.*\n\n# bindy-loadtest burst: failed\n\nUnits: latencies in ms \(µs below 1 ms\); memory in MB \(10\^6 bytes/);
  assert.equal(md.match(/Units:/g)?.length, 1, 'said once');
  assert.match(md, /\| quantity \| labels \| bindy metric \| state \| values \| method \|/);
  assert.match(md, /\| reconcile_duration \| all \| bindy_reconcile_seconds \| present \| count 30, p50 50 ms, p99 1,200 ms \|/);
  assert.match(md, /\| reconcile_duration \| resource_type=ARecord, status=success \| .* \| count 20, p50 40 ms, p99 900 ms \|/);
  assert.match(md, /\| reconcile_duration \| resource_type=DNSZone, status=error \|/);
  assert.match(md, /\| reconciles \| all \| .* \| count 30, rate 2\.5\/s \|/);
  // The memory limit is configured in MiB and shown in MB, with the configured figure beside it.
  assert.match(md, /\| operator_memory_peak \| 105 MB \| <= 537 MB \(configured 512 MiB\) \| pass \|/);
  assert.match(md, /\| tool_peak_rss \| 123 \| MB \|/);
  assert.match(md, /\| event_loop_lag_p99 \| 12\.3 \| ms \|/);
  const text = renderConsoleSummary(r, null);
  assert.match(text, /criterion pass operator_memory_peak: 105 MB \(limit <= 537 MB \(configured 512 MiB\)\)/);
});

test('markdown: a series that was 0 at every sample says so instead of a peak', () => {
  const r = result();
  r.timeSeries.push({ name: 'operator_errors_per_second', unit: '1/s', description: 'rate of errors', points: [{ t: 0, value: 0 }, { t: 1000, value: 0 }] });
  r.timeSeries.push({ name: 'operator_memory_rss', unit: 'bytes', description: 'operator RSS', points: [{ t: 0, value: 50e6 }, { t: 1000, value: 61.5e6 }] });
  const md = renderMarkdown(r);
  assert.match(md, /## operator_errors_per_second\n\nrate of errors\. Always 0 over the run \(2 samples\)\./);
  assert.match(md, /## operator_memory_rss\n\noperator RSS\. Peak 61\.5 MB; last 61\.5 MB at 1\.0 s; 2 samples\./);
});
