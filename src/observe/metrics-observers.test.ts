/** @module Tests of createRunObservers against the sandbox API server twin and in-test bindy/bindcar metric endpoints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { aRecord, startSandbox } from '../../test/helpers/api-sandbox.js';
import { createOperatorMetrics } from '../targets/sandbox/operator/metrics.js';
import { createSidecarMetrics } from '../targets/sandbox/sidecar/metrics.js';
import { createRunResult, hostInfo, serializeResult, validateResult } from '../report/result/index.js';
import { toolVersion } from '../version.js';
import { createRunObservers } from './metrics-observers.js';

/** Serves a prom-client registry at /metrics on 127.0.0.1. */
async function serve(registry: Registry): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

void test('start, write, stop: the operator and apiAmplification sections are filled and schema-valid', async () => {
  const sb = await startSandbox();
  const op = createOperatorMetrics();
  const sc = createSidecarMetrics();
  const opEp = await serve(op.registry);
  const scEp = await serve(sc.registry);
  try {
    await sb.namespace('obs');
    let t = 0;
    // Every sampler that ticks registers here; the test ticks them all at once.
    const ticks = new Set<() => void>();
    const observers = createRunObservers({
      now: () => (t += 500),
      intervalMs: 500,
      operatorMetricsUrl: opEp.url,
      apiServerMetricsUrl: `${sb.url}/metrics`,
      sidecarMetricsUrl: scEp.url,
      operatorPid: process.pid,
      every: (_ms, fn) => {
        ticks.add(fn);
        return () => ticks.delete(fn);
      },
    });
    await observers.start();
    assert.equal(ticks.size, 3, 'operator, sidecar and process tick; the API server does not');
    const n = 5;
    for (let i = 0; i < n; i++) {
      assert.ok((await sb.client.create(aRecord(`o-${i}`, 'obs', 'run-obs'))).ok);
      // What bindy would record for each reconcile: 0.2 s each, and one rndc addzone.
      op.reconciliations.inc({ resource_type: 'ARecord', status: 'success' });
      op.duration.observe({ resource_type: 'ARecord' }, 0.2);
      sc.rndcCommands.inc({ command: 'addzone', result: 'success' });
      sc.zonesManaged.inc();
      for (const tick of ticks) tick();
    }
    op.errors.inc({ resource_type: 'ARecord', error_type: 'bindcar' });
    const out = await observers.stop({ objectsCreated: n });
    assert.equal(ticks.size, 0, 'stop cancels the intervals');
    const attempts = Object.fromEntries(out.scrapes.map((x) => [x.role, x.attempts + x.skipped]));
    assert.deepEqual(attempts, { operator: n + 2, apiserver: 2, sidecar: n + 2, process: n + 2 }, 'the API server is scraped at start and stop only');

    const post = out.apiAmplification?.requests.find((r) => r.verb === 'POST' && r.resource === 'arecords.bindy.firestoned.io');
    assert.equal(post?.count, n);
    assert.equal(out.amplificationHighlights.find((r) => r.verb === 'POST')?.perObject, 1);
    const dur = out.operator.find((m) => m.name === 'reconcile_duration' && m.labels?.resource_type === 'ARecord');
    assert.equal(dur?.state, 'present');
    assert.equal(dur?.values.count, n);
    // All observations in (0.1, 0.5]: p50 = 0.1 + 0.4 · 2.5/5 = 0.3.
    assert.ok(Math.abs((dur?.values.p50 ?? NaN) - 0.3) < 1e-9);
    const byName = (name: string) => out.operator.find((m) => m.name === name && m.labels === undefined);
    assert.equal(byName('errors')?.values.count, 1);
    assert.equal(byName('rndc_operation_total')?.values.count, n);
    assert.deepEqual(byName('managed_zones')?.values, { first: 0, last: n, peak: n });
    assert.equal(byName('queue_depth')?.state, 'missing');
    assert.equal(byName('process_memory')?.state, 'present');
    assert.ok(out.timeSeries.some((s) => s.name === 'operator_memory_rss' && s.points.length >= 2));
    assert.ok(out.scrapes.every((s) => s.failures === 0 && s.successes >= 2), JSON.stringify(out.scrapes));

    const result = createRunResult({
      toolVersion, runId: 'run-obs', scenario: 'burst', profile: null, target: { kind: 'sandbox', description: 'test' },
      startedAt: new Date().toISOString(), commandLine: [], seed: 1, host: hostInfo(),
    });
    result.operator = out.operator;
    result.apiAmplification = out.apiAmplification;
    result.timeSeries = out.timeSeries;
    result.notes = out.notes;
    validateResult(result, 'observers');
    assert.ok(serializeResult(result).includes('"reconcile_duration"'));
  } finally {
    await Promise.all([opEp.close(), scEp.close(), sb.close()]);
  }
});

void test('an unreachable operator endpoint is recorded as failed scrapes, and its rows say “not observed”', async () => {
  const observers = createRunObservers({ now: () => 0, intervalMs: 1000, operatorMetricsUrl: 'http://127.0.0.1:1/metrics', every: () => () => undefined });
  await observers.start();
  const out = await observers.stop({ objectsCreated: 0 });
  assert.equal(out.scrapes[0]?.failures, 2);
  assert.equal(out.apiAmplification, null);
  assert.match(out.notes.join('\n'), /operator metrics: 2 of 2 scrapes .* failed/);
  assert.match(out.notes.join('\n'), /API amplification not measured/);
  const row = out.operator.find((m) => m.name === 'reconcile_duration');
  assert.equal(row?.state, 'missing');
  assert.match(row?.method ?? '', /^not observed/);
});
