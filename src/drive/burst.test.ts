import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFixtureOptions } from '../model/fixtures/options.js';
import { generateZoneRecords } from '../model/fixtures/generate.js';
import { recordKinds } from '../model/kinds.js';
import type { KubeObject } from '../observe/kube-client.js';
import { createRunResult, hostInfo, serializeResult, histogramOf } from '../report/result/index.js';
import { BurstEngine } from './burst.js';
import type { BurstEvent, CreatedEvent } from './burst.js';
import { rateSeries, runBurstSession } from './burst-session.js';
import type { TrackedObject } from '../observe/watch-tracker.js';
import { aRecord, startFakeOperator, startSandbox } from '../../test/helpers/api-sandbox.js';

const ns = 'bindy-loadtest';

function records(runId: string, n: number): Generator<KubeObject> {
  return generateZoneRecords({ ...defaultFixtureOptions, runId, namespace: ns, recordsPerZone: n }, 0);
}

test('1,000 mixed records: all created and Ready, per-kind counts right, create→Ready ≈ the injected delay', async () => {
  const sb = await startSandbox();
  const delay = 150;
  const op = startFakeOperator(sb.server, { readyDelayMs: delay });
  try {
    await sb.namespace(ns);
    const rssBefore = process.memoryUsage().rss;
    const s = await runBurstSession({
      client: sb.client,
      runId: 'r1000',
      namespace: ns,
      kinds: recordKinds,
      objects: records('r1000', 1000),
      concurrency: 50,
      timeoutMs: 30_000,
      backlogIntervalMs: 50,
    });
    assert.equal(s.wait, 'met');
    assert.equal(s.engine.created, 1000);
    const m = s.measurement;
    assert.equal(m.counters.objects_ready?.value, 1000);
    assert.equal(m.counters.objects_not_ready?.value, 0);
    assert.equal(m.failures.length, 0);
    // Per kind: what the generator yields for this seed, counted independently.
    const expected = new Map<string, number>();
    for (const o of records('r1000', 1000)) expected.set(o.kind, (expected.get(o.kind) ?? 0) + 1);
    const byKind = m.latencies.create_to_ready?.byKind ?? {};
    assert.ok(expected.size >= 5, 'the mix has several kinds');
    for (const [kind, n] of expected) assert.equal(byKind[kind]?.summary.count, n, kind);
    // Measured from the intended start: never below the operator's delay, and close above it.
    const sum = m.latencies.create_to_ready?.summary;
    // Bounds are loose on purpose: this test shares 2 cores with the rest of the suite. The accuracy
    // test against a no-delay baseline (issue 4) is what checks the figures closely.
    assert.ok(sum?.min !== null && sum?.min !== undefined && sum.min >= delay * 1000 * 0.99, `min ${sum?.min} µs`);
    assert.ok(sum.p50 !== null && sum.p50 < (delay + 1000) * 1000, `p50 ${sum.p50} µs`);
    // p99 is about the time 1,000 creates take through 50 slots of an in-process API twin: 3.98 s once
    // in CI with other tests' processes busy on both cores; the bound is for gross errors (a wrong start).
    assert.ok(sum.p99 !== null && sum.p99 < (delay + 8000) * 1000, `p99 ${sum.p99} µs`);
    assert.equal(m.latencies.api_create?.summary.count, 1000);
    assert.ok((m.counters.create_rate?.value ?? 0) > 0 && (m.counters.ready_rate?.value ?? 0) > 0);
    assert.ok((m.counters.first_create_to_last_ready?.value ?? 0) >= delay);
    // The tool's own peak RSS, in MB: never below what this process already held before the burst.
    const peak = m.counters.tool_peak_rss;
    assert.equal(peak?.unit, 'MB');
    assert.ok((peak?.value ?? 0) * 1e6 >= rssBefore, `tool_peak_rss ${peak?.value} MB, RSS before ${rssBefore / 1e6} MB`);
    // The backlog rose while writes outran readiness, and drained to 0.
    assert.ok(Math.max(...s.backlog.points.map((p) => p.value)) > 0);
    assert.equal(s.backlog.points.at(-1)?.value, 0);
    // The sections make a schema-valid result whose histograms decode to the same counts.
    const result = createRunResult({
      toolVersion: '0', runId: 'r1000', scenario: 'burst', profile: null, target: { kind: 'sandbox', description: 'test' },
      startedAt: new Date().toISOString(), commandLine: [], seed: 1, host: hostInfo(),
    });
    Object.assign(result, { latencies: m.latencies, counters: m.counters, failures: m.failures, notes: m.notes, timeSeries: [s.backlog] });
    const text = serializeResult(result);
    assert.ok(text.includes('create_to_ready'));
    assert.equal(histogramOf(m.latencies.create_to_ready!).count, 1000);
  } finally {
    op.stop();
    await sb.close();
  }
});

test('a 422 reject is reported with the server message and its cause; the rest of the burst goes on', async () => {
  const sb = await startSandbox();
  const op = startFakeOperator(sb.server, { readyDelayMs: 10, neverReadyPrefix: 'never' });
  try {
    await sb.namespace(ns);
    const bad: KubeObject = { ...aRecord('bad', ns, 'rj'), spec: { name: 'bad' } };
    const s = await runBurstSession({
      client: sb.client,
      runId: 'rj',
      namespace: ns,
      kinds: ['ARecord'],
      objects: [aRecord('good', ns, 'rj'), bad, aRecord('never-1', ns, 'rj')],
      concurrency: 2,
      timeoutMs: 500,
    });
    assert.equal(s.wait, 'timeout', 'never-1 never becomes Ready');
    assert.equal(s.rejected.length, 1);
    const r = s.rejected[0]!;
    assert.equal(r.status, 422);
    assert.equal(r.reason, 'Invalid');
    assert.match(r.message, /ARecord\.bindy\.firestoned\.io "bad" is invalid/);
    assert.ok(r.causes.some((c) => (c.field ?? '').includes('ipv4Addresses') || (c.message ?? '').includes('ipv4Addresses')), JSON.stringify(r.causes));
    const f = s.measurement.failures;
    const reject = f.find((x) => x.phase === 'create');
    assert.equal(reject?.name, 'bad');
    assert.match(reject?.message ?? '', /HTTP 422: .*is invalid.*causes: .*ipv4Addresses/);
    const never = f.find((x) => x.phase === 'create_to_ready');
    assert.equal(never?.name, 'never-1');
    assert.equal(never?.reason, 'NotReadyByTimeout');
    assert.equal(never?.lastCondition?.reason, 'ZoneNotFound');
    assert.equal(s.measurement.counters.objects_ready?.value, 1);
    assert.equal(s.measurement.counters.creates_rejected?.value, 1);
  } finally {
    op.stop();
    await sb.close();
  }
});

test('qps pacing: intended starts are exactly n/qps apart and no create is sent before its time', async () => {
  const sb = await startSandbox();
  try {
    await sb.namespace(ns);
    const qps = 100;
    const objects = Array.from({ length: 30 }, (_, i) => aRecord(`p-${i}`, ns, 'rq'));
    // A slot for every object: however slow this machine is, no operation waits for one.
    const engine = new BurstEngine({ objects, creator: sb.client, concurrency: 30, qps, now: () => sb.client.now() });
    const created: CreatedEvent[] = [];
    engine.on((e: BurstEvent) => {
      if (e.type === 'created') created.push(e);
    });
    const summary = await engine.run();
    assert.equal(created.length, 30);
    for (const e of created) {
      // t0 + n/qps, in floating point: equal to well under a nanosecond.
      assert.ok(Math.abs(e.intendedStart - summary.startedMs - (e.index * 1000) / qps) < 1e-6, `op ${e.index}: intended ${e.intendedStart - summary.startedMs}`);
      assert.ok(e.sent >= e.intendedStart, `op ${e.index} sent ${e.sent - e.intendedStart} ms early`);
    }
    // The burst spans at least the schedule: 29 intervals of 10 ms.
    const lastSent = Math.max(...created.map((e) => e.sent));
    assert.ok(lastSent - summary.startedMs >= 290);
    assert.equal(summary.lateNoSlot, 0);
  } finally {
    await sb.close();
  }
});

test('no coordinated omission: with a slow API and one slot, latency runs from the due time, and lateness is counted', async () => {
  const sb = await startSandbox({ faults: { latencyMs: 30 } });
  const op = startFakeOperator(sb.server, { readyDelayMs: 5, kinds: ['ARecord'] });
  try {
    await sb.namespace(ns);
    const n = 10;
    const s = await runBurstSession({
      client: sb.client,
      runId: 'rco',
      namespace: ns,
      kinds: ['ARecord'],
      objects: Array.from({ length: n }, (_, i) => aRecord(`co-${i}`, ns, 'rco')),
      concurrency: 1,
      qps: 100, // due every 10 ms, but each create takes ≥ 30 ms: the schedule falls behind
      timeoutMs: 10_000,
    });
    assert.equal(s.measurement.counters.objects_ready?.value, n);
    assert.ok(s.engine.lateNoSlot >= n - 2, `late ${s.engine.lateNoSlot}`);
    // The last op is due at 90 ms but cannot be sent before ~9 × 30 ms: its slip is ≥ 150 ms,
    // and its create→Ready includes that wait (a closed-loop measurement would hide it).
    const slipMax = s.measurement.latencies.schedule_slip?.summary.max ?? 0;
    assert.ok(slipMax >= 150_000, `slip max ${slipMax} µs`);
    const readyMax = s.measurement.latencies.create_to_ready?.summary.max ?? 0;
    assert.ok(readyMax >= slipMax + 30_000 * 0.9, `ready max ${readyMax} µs vs slip ${slipMax} µs`);
  } finally {
    op.stop();
    await sb.close();
  }
});

test('stopStarting stops new creates, lets those in flight finish, and releases every slot', async () => {
  const stop = new AbortController();
  let calls = 0;
  const creator = {
    create(obj: KubeObject) {
      calls++;
      if (calls === 3) stop.abort();
      const t = performance.now();
      return Promise.resolve({ ok: true as const, value: { ...obj, metadata: { ...obj.metadata, uid: `u${calls}`, generation: 1 } }, sentMs: t, receivedMs: t });
    },
  };
  function* endless(): Generator<KubeObject> {
    for (let i = 0; ; i++) yield aRecord(`s-${i}`, ns, 'rs');
  }
  const summary = await new BurstEngine({ objects: endless(), creator, concurrency: 2, stopStarting: stop.signal }).run();
  assert.equal(summary.stoppedBy, 'stopStarting');
  assert.equal(summary.started, summary.created);
  assert.ok(summary.started >= 3 && summary.started <= 4, `started ${summary.started}`);
});

test('rate series: creates by response time and Ready by first Ready, only for objects this run created', () => {
  const rec = (created: number | null, ready: number | null): TrackedObject => ({
    uid: `u${created}-${ready}`, kind: 'ARecord', namespace: 'ns', name: 'n', key: 'k', firstSeenMs: 0, firstStatusMs: null,
    created: created === null ? null : { intendedStart: created - 5, sent: created - 2, received: created, generation: 1 },
    readyMs: ready, readyObservedBy: ready === null ? null : 'watch', lastCondition: null, readyWithoutObservedGeneration: false, deletedMs: null, deletedObservedBy: null,
  });
  // Session started at 100 ms on the monotonic clock; the wait ended at 2,100 ms.
  const [creates, ready] = rateSeries([rec(150, 900), rec(600, 1300), rec(1200, null), rec(null, 400)], 100, 2100);
  assert.equal(creates?.name, 'creates_per_second');
  assert.deepEqual(creates?.points, [{ t: 1000, value: 2 }, { t: 2000, value: 1 }]);
  assert.equal(ready?.name, 'ready_per_second');
  assert.deepEqual(ready?.points, [{ t: 1000, value: 1 }, { t: 2000, value: 1 }], 'the never-Ready object adds nothing; the one we did not create is not counted');
});
