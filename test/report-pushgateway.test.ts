/**
 * @module Pushes a result to a real Pushgateway (Debian's prometheus-pushgateway) started on a free
 * loopback port with no persistence, reads the metrics back from its /metrics, and stops it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResult, serializeResult } from '../src/report/result/index.js';
import { pushResult } from '../src/report/pushgateway.js';
import { syntheticResult } from './helpers/rich-result.js';
import { pushgatewaySkip as skip, sampleValue as valueOf, startPushgateway } from './helpers/pushgateway.js';

test('pushgateway: a pushed result reads back from the gateway with its grouping labels', { skip, timeout: 60_000 }, async () => {
  const gw = await startPushgateway();
  const base = gw.url;
  try {
    const r = parseResult(serializeResult(syntheticResult({ records: 200, failures: 2 })), 'synthetic');
    const pushed = await pushResult(r, { url: base });
    assert.equal(pushed.status, 200);

    const text = await (await fetch(`${base}/metrics`)).text();
    // The gateway adds job and the grouping labels to every series.
    const group = { instance: 'lt-synthetic-0001', job: 'bindy_loadtest', profile: 'quick', scenario: 'burst' };
    assert.equal(valueOf(text, 'bindy_loadtest_objects_total', { ...group, state: 'ready' }), 198);
    assert.equal(valueOf(text, 'bindy_loadtest_criteria_passed', group), 0);
    assert.equal(valueOf(text, 'bindy_loadtest_run_info', { ...group, run_id: 'lt-synthetic-0001', status: 'failed', target: 'sandbox', tool_version: '0.1.0' }), 1);
    const p99 = (r.latencies.create_to_ready?.summary.p99 ?? 0) / 1e6;
    assert.equal(valueOf(text, 'bindy_loadtest_latency_seconds', { ...group, kind: 'all', operation: 'create_to_ready', quantile: '0.99' }), p99);
    assert.ok((valueOf(text, 'push_time_seconds', group) ?? 0) > 0);

    // PUT replaces the group: pushing again leaves one copy of each series.
    await pushResult(r, { url: base });
    const again = await (await fetch(`${base}/metrics`)).text();
    assert.equal(again.match(/^bindy_loadtest_run_info\{/gm)?.length, 1);
  } finally {
    await gw.stop();
  }
});
