/**
 * The sustained session against the API server twin and a fake operator that makes every new
 * generation Ready after a known delay: the measured create→Ready and update→Ready recover that
 * delay, every operation is accounted for, and the API server's own request counts agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aRecord, startFakeOperator, startSandbox } from '../../test/helpers/api-sandbox.js';
import { parsePrometheusText } from '../observe/prometheus-text.js';
import { bindyApiVersion } from '../model/kinds.js';
import type { DnsZoneObject, RecordObject } from '../model/fixtures/objects.js';
import { ArrivalSchedule } from './arrival-schedule.js';
import { runSustainedSession, whyNotReady } from './sustained-session.js';
import { measureSustained } from './sustained-measure.js';
import { TargetNotReadyError } from '../errors.js';

const ns = 'bindy-loadtest';

function* records(runId: string): Generator<RecordObject> {
  for (let i = 0; ; i++) {
    const r = aRecord(`s-${i}`, ns, runId);
    yield { ...r, kind: 'ARecord', metadata: { ...r.metadata, name: `s-${i}`, namespace: ns, labels: { ...r.metadata.labels } }, spec: { name: `s-${i}`, ttl: 300, ipv4Addresses: ['192.0.2.1'] } };
  }
}

const zone: DnsZoneObject = {
  apiVersion: bindyApiVersion,
  kind: 'DNSZone',
  metadata: { name: 'example-com', namespace: ns, labels: { 'loadtest.bindy.firestoned.io/run-id': 'sus' } },
  spec: {
    zoneName: 'example.com',
    ttl: 300,
    soaRecord: { primaryNs: 'ns1.example.com.', adminEmail: 'admin.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
    nameServers: [{ hostname: 'ns1.example.com.', ipv4Address: '192.0.2.53' }],
    bind9InstancesFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/cluster': 'loadtest' } } }],
    recordsFrom: [{ selector: { matchLabels: { 'loadtest.bindy.firestoned.io/run-id': 'sus' } } }],
  },
};

test('sustained session: create and update latencies recover a known Ready delay; every operation is accounted for and the API server agrees', { timeout: 60_000 }, async () => {
  const sb = await startSandbox();
  const delay = 150;
  const op = startFakeOperator(sb.server, { readyDelayMs: delay, kinds: ['DNSZone', 'ARecord'] });
  try {
    await sb.namespace(ns);
    const schedule = new ArrivalSchedule([{ durationMs: 3_000, fromPerSec: 40, toPerSec: 40 }]);
    const s = await runSustainedSession({
      client: sb.client,
      runId: 'sus',
      namespace: ns,
      recordKinds: ['ARecord'],
      zones: [zone],
      records: () => records('sus'),
      schedule,
      rampUpMs: 0,
      policy: { kind: 'weighted', weights: { create: 0.5, update: 0.4, delete: 0.1 } },
      prefill: 20,
      maxInFlight: 200,
      timeoutMs: 10_000,
      ttl: { min: 60, max: 3600 },
      seed: 3,
      maxRetries: 0,
    });
    assert.equal(s.settled, 'all');
    assert.equal(s.setup.prefillReady, 20);
    const m = measureSustained({ ledger: s.ledger, engine: s.engine, ratePerSec: 40, rampUpMs: 0, durationMs: 3_000, settled: s.settled, timeoutMs: 10_000, tracker: s.tracker, toolPeakRssBytes: 0 });
    const c = (n: string): number => m.counters[n]?.value ?? NaN;
    assert.equal(c('operations_due'), schedule.total);
    assert.equal(c('operations_attempted') + c('operations_dropped'), c('operations_due'));
    assert.equal(c('operations_succeeded') + c('operations_failed') + c('operations_abandoned'), c('operations_attempted'));
    assert.equal(c('operations_failed'), 0);
    assert.ok(c('updates_done') > 20 && c('deletes_done') > 0 && c('creates_done') > 20, JSON.stringify(m.counters));
    // Ready can never come before the injected delay: the minimum is above it and the median near it.
    for (const name of ['create_to_ready', 'update_to_ready']) {
      const l = m.latencies[name]?.summary;
      assert.ok(l !== undefined && l.min !== null && l.p50 !== null, name);
      assert.ok(l.min >= delay * 1000, `${name} min ${l.min} µs is below the injected ${delay} ms`);
      assert.ok(l.p50 <= (delay + 150) * 1000, `${name} p50 ${l.p50} µs is far above the injected ${delay} ms`);
      const fromSend = m.latencies[`${name}_from_send`]?.summary.p50 ?? Infinity;
      assert.ok(fromSend <= l.p50, `${name}: the service time (${fromSend}) cannot exceed the time from the intended start (${l.p50})`);
    }
    // The API server counted exactly the writes the engine sent (no retries here).
    const metrics = await sb.server.request({ method: 'GET', path: '/metrics' });
    const samples = parsePrometheusText(metrics.text).samples.filter((x) => x.name === 'apiserver_request_total' && x.labels.resource === 'arecords' && (x.labels.subresource ?? '') === '');
    const count = (verb: string): number => samples.filter((x) => x.labels.verb === verb).reduce((a, x) => a + x.value, 0);
    assert.equal(count('POST'), c('creates_started') + 20, 'POSTs: the measured creates plus the prefill');
    assert.equal(count('APPLY'), c('updates_started'));
    assert.equal(count('DELETE'), c('deletes_started'));
    // A backlog that only ever holds operations waiting out the fixed delay is stable.
    assert.notEqual(m.stability.verdict, 'growing');
  } finally {
    op.stop();
    await sb.close();
  }
});

test('a zone name already taken by another run is a target-not-ready error (exit 3) naming it and how to clean up, before anything is measured', async () => {
  const sb = await startSandbox();
  try {
    await sb.namespace(ns);
    const taken = await sb.client.create({ ...zone, metadata: { ...zone.metadata, labels: { 'loadtest.bindy.firestoned.io/run-id': 'other' } } });
    assert.ok(taken.ok);
    let measured = false;
    await assert.rejects(
      runSustainedSession({
        client: sb.client,
        runId: 'sus',
        namespace: ns,
        recordKinds: ['ARecord'],
        zones: [zone],
        records: () => records('sus'),
        schedule: new ArrivalSchedule([{ durationMs: 1_000, fromPerSec: 10, toPerSec: 10 }]),
        rampUpMs: 0,
        policy: { kind: 'weighted', weights: { create: 1 } },
        prefill: 0,
        maxInFlight: 10,
        timeoutMs: 5_000,
        ttl: { min: 60, max: 3600 },
        seed: 1,
        maxRetries: 0,
        beforeMeasured: () => {
          measured = true;
          return Promise.resolve();
        },
      }),
      (e: unknown) => e instanceof TargetNotReadyError && e.exitCode === 3 && /create DNSZone example-com: HTTP 409 AlreadyExists/.test(e.message) && /cleanup --run-id/.test(e.hint ?? ''),
    );
    assert.equal(measured, false, 'nothing measured was started');
  } finally {
    await sb.close();
  }
});

test('a setup that timed out says what the zones last said, most common first', () => {
  const failed = { type: 'Ready', status: 'False', reason: 'PrimaryFailed', message: 'Failed to configure zone on primary servers: POST /api/v1/zones/z/notify answered 429: Too Many Requests' };
  assert.equal(
    whyNotReady([failed, null, failed, { type: 'Ready', status: 'False', reason: 'Progressing' }, failed]),
    '3 said PrimaryFailed: "Failed to configure zone on primary servers: POST /api/v1/zones/z/notify answered 429: Too Many Requests"; 1 had no Ready condition yet; 1 said Progressing',
  );
  assert.match(whyNotReady([{ type: 'Ready', status: 'False', reason: 'X', message: 'm'.repeat(300) }]), /^1 said X: "m{159}…"$/);
});
