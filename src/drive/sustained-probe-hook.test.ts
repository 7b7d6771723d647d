/** @module The sustained session's DNS prober against a scripted DNS server on loopback (real UDP). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import dnsPacket from 'dns-packet';
import { generateZoneRecords } from '../model/fixtures/generate.js';
import { resolveFixtureOptions } from '../model/fixtures/options.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { objectKeyOf } from '../model/operation.js';
import { recordObjectFqdn } from '../observe/dns-expectation.js';
import { defaultProbeSpacing } from '../observe/probe-schedule.js';
import { SustainedProbeHook } from './sustained-probe-hook.js';

test('an update is answered at its new TTL (the old one is stale, not wrong); a change replaced before DNS answered it is left out, not "Ready but not served"', async (t) => {
  const record = generateZoneRecords(resolveFixtureOptions({ zones: 1, recordsPerZone: 1, kinds: { ARecord: 1 }, seed: 5 }), 0).next().value as RecordObject;
  const fqdn = recordObjectFqdn(record);
  const address = record.kind === 'ARecord' ? (record.spec.ipv4Addresses[0] ?? '') : '';
  // What the server serves: nothing, then the record at a TTL.
  let servedTtl: number | null = null;
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  t.after(() => udp.close());
  udp.on('message', (m, rinfo) => {
    const msg = dnsPacket.decode(m);
    const q = msg.questions?.[0];
    if (q === undefined) return;
    const answers = servedTtl === null || q.name.toLowerCase() !== fqdn ? [] : [{ type: 'A' as const, name: q.name, ttl: servedTtl, data: address }];
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | (answers.length === 0 ? 3 : 0);
    udp.send(dnsPacket.encode({ type: 'response', id: msg.id ?? 0, flags, questions: [q], answers }), rinfo.port, rinfo.address);
  });
  const now = (): number => performance.now();
  const hook = new SustainedProbeHook(
    { servers: [{ host: '127.0.0.1', port: udp.address().port, name: 'primary-0' }], ratePerSecond: 500, maxInFlight: 8, timeoutMs: 5000, spacing: { ...defaultProbeSpacing, maxIntervalMs: 200 } },
    record.metadata.namespace,
    now,
    10_000,
  );
  t.after(() => hook.stop());
  const it = hook.wrap(() => [record][Symbol.iterator]())();
  assert.equal(it.next().value, record);
  const key = objectKeyOf(record.kind, record.metadata.namespace, record.metadata.name);
  const t0 = now();
  hook.onOperation({ phase: 'accepted', type: 'create', key, uid: 'u1', intendedMs: t0, acceptedMs: t0 });
  hook.onOperation({ phase: 'done', type: 'create', key, intendedMs: t0, atMs: t0 + 1 });
  // Replaced before DNS served anything: the create is cut short.
  const t1 = now();
  hook.onOperation({ phase: 'accepted', type: 'update', key, uid: 'u1', intendedMs: t1, acceptedMs: t1, ttl: 600 });
  hook.onOperation({ phase: 'done', type: 'update', key, intendedMs: t1, atMs: t1 + 1 });
  // The old TTL first (stale), then the new one.
  const oldTtl = record.spec.ttl ?? 300;
  assert.notEqual(oldTtl, 600);
  servedTtl = oldTtl;
  await new Promise((r) => setTimeout(r, 300));
  servedTtl = 600;
  const out = await hook.finish(t0);
  assert.equal(out.wait, 'met');
  const m = out.measurement;
  assert.equal(m.latencies['update_to_resolvable.primary-0']?.summary.count, 1);
  assert.ok((m.latencies['update_to_resolvable.primary-0']?.summary.min ?? 0) >= 300_000, 'answered only once the new TTL was served (µs)');
  assert.equal(m.latencies['create_to_resolvable'], undefined, 'the cut-short create is not a DNS figure');
  assert.equal(m.counters['dns_changes_superseded']?.value, 1);
  assert.equal(m.counters['ready_but_not_served']?.value ?? 0, 0);
  assert.equal(m.counters['served_wrong_data']?.value ?? 0, 0, 'the old TTL is stale, not wrong');
  assert.equal(m.failures.length, 0);
});
