import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResult, serializeResult } from './result/index.js';
import { renderPrometheus } from './prometheus.js';
import { syntheticResult } from '../../test/helpers/rich-result.js';

/** Sample lines (not comments) as [name{labels}, value]. */
function samples(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

test('prometheus: run info, latency quantiles in seconds, objects, criteria, API requests, failures', async () => {
  const r = parseResult(serializeResult(syntheticResult({ records: 1000, failures: 3 })), 'synthetic');
  const text = await renderPrometheus(r);
  const s = samples(text);
  assert.equal(s.get('bindy_loadtest_run_info{run_id="lt-synthetic-0001",scenario="burst",profile="quick",target="sandbox",tool_version="0.1.0",status="failed"}'), '1');
  assert.equal(s.get('bindy_loadtest_run_duration_seconds'), '60');
  // A failed run: its verdict series is 1, the others 0.
  assert.deepEqual(['pass', 'fail', 'aborted'].map((o) => s.get(`bindy_loadtest_verdict{outcome="${o}"}`)), ['0', '1', '0']);
  const p99 = r.latencies.create_to_ready?.summary.p99 ?? 0;
  assert.equal(Number(s.get('bindy_loadtest_latency_seconds{operation="create_to_ready",kind="all",quantile="0.99"}')), p99 / 1e6);
  assert.ok(s.has('bindy_loadtest_latency_seconds{operation="api_create",kind="ARecord",quantile="0.5"}'));
  assert.equal(s.get('bindy_loadtest_latency_observations{operation="create_to_ready",kind="all"}'), '997');
  assert.equal(s.get('bindy_loadtest_latency_not_recorded{operation="create_to_ready",reason="invalid"}'), '1');
  // An empty histogram has a count of 0 and no quantiles (not measured is absent, never 0).
  assert.equal(s.get('bindy_loadtest_latency_observations{operation="delete_to_gone",kind="all"}'), '0');
  assert.ok(![...s.keys()].some((k) => k.startsWith('bindy_loadtest_latency_seconds{operation="delete_to_gone"')));
  assert.equal(s.get('bindy_loadtest_objects_total{state="ready"}'), '997');
  assert.equal(s.get('bindy_loadtest_objects_total{state="not_ready"}'), '3');
  assert.equal(s.get('bindy_loadtest_criteria_passed'), '0');
  assert.equal(s.get('bindy_loadtest_criteria{verdict="not-measured"}'), '1');
  assert.equal(s.get('bindy_loadtest_criterion_passed{metric="create_to_ready.p99"}'), '1');
  assert.ok(!s.has('bindy_loadtest_criterion_passed{metric="create_to_resolvable.p99"}'));
  assert.ok(!s.has('bindy_loadtest_criterion_observed{metric="create_to_resolvable.p99",unit="us"}'));
  assert.equal(s.get('bindy_loadtest_criterion_limit{metric="create_to_resolvable.p99",unit="us",comparison="<"}'), '30000000');
  assert.equal(s.get('bindy_loadtest_api_requests_total{verb="PATCH",resource="arecords.bindy.firestoned.io/status"}'), '2000');
  assert.equal(s.get('bindy_loadtest_api_requests_per_object'), '7');
  assert.equal(s.get('bindy_loadtest_failures_total{phase="create_to_ready",reason="NotReadyByTimeout"}'), '3');
  assert.equal(s.get('bindy_loadtest_operator_value{quantity="reconcile_duration",figure="p99",unit="s",labels="resource_type=ARecord"}'), '0.9');
  assert.match(text, /^# TYPE bindy_loadtest_objects_total counter$/m);
  assert.match(text, /^# TYPE bindy_loadtest_latency_seconds gauge$/m);
  assert.ok(text.endsWith('\n'));
  assert.equal(await renderPrometheus(r), text, 'pure: same result, same text');
});

test('prometheus: label values are escaped (backslash, double quote, newline) and no sample line breaks', async () => {
  const r = syntheticResult({ records: 4, failures: 1 });
  const f = r.failures[0];
  assert.ok(f !== undefined);
  f.reason = 'a"b\\c\nd';
  const text = await renderPrometheus(parseResult(serializeResult(r), 'x'));
  assert.ok(text.includes('bindy_loadtest_failures_total{phase="create_to_ready",reason="a\\"b\\\\c\\nd"} 1'), text);
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) assert.match(line, /^bindy_loadtest_[a-z_]+(\{.*\})? -?[0-9.e+-]+$/, line);
});
