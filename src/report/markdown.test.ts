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
  assert.deepEqual([formatUs(null), formatUs(850), formatUs(1500), formatUs(2_500_000)], ['—', '850 µs', '1.5 ms', '2.5 s']);
  assert.deepEqual([formatNumber(3), formatNumber(2630.4), formatNumber(12.345)], ['3', '2630', '12.3']);
});
