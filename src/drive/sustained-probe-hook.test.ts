/** @module The sustained session's DNS prober against a scripted DNS server on loopback (real UDP). */
import { test, type TestContext } from 'node:test';
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

/** A DNS server on loopback (real UDP) answering `fqdn` A with what `served()` says now (null: NXDOMAIN); its port. */
async function scriptedDns(t: TestContext, fqdn: string, served: () => { ttl: number; addresses: readonly string[] } | null): Promise<number> {
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  t.after(() => udp.close());
  udp.on('message', (m, rinfo) => {
    const msg = dnsPacket.decode(m);
    const q = msg.questions?.[0];
    if (q === undefined) return;
    const now = q.name.toLowerCase() === fqdn ? served() : null;
    const answers = now === null ? [] : now.addresses.map((data) => ({ type: 'A' as const, name: q.name, ttl: now.ttl, data }));
    const flags = dnsPacket.AUTHORITATIVE_ANSWER | (answers.length === 0 ? 3 : 0);
    udp.send(dnsPacket.encode({ type: 'response', id: msg.id ?? 0, flags, questions: [q], answers }), rinfo.port, rinfo.address);
  });
  return udp.address().port;
}

/** A hook probing the server at `port` fast (500 queries/s, spacing up to 200 ms). */
function hookOn(t: TestContext, port: number, namespace: string, options: { perOperation?: boolean } = {}): SustainedProbeHook {
  const hook = new SustainedProbeHook({ servers: [{ host: '127.0.0.1', port, name: 'primary-0' }], ratePerSecond: 500, maxInFlight: 8, timeoutMs: 5000, spacing: { ...defaultProbeSpacing, maxIntervalMs: 200 } }, namespace, () => performance.now(), 10_000, options);
  t.after(() => hook.stop());
  return hook;
}

test('an update is answered at its new TTL (the old one is stale, not wrong); a change replaced before DNS answered it is left out, not "Ready but not served"', async (t) => {
  const record = generateZoneRecords(resolveFixtureOptions({ zones: 1, recordsPerZone: 1, kinds: { ARecord: 1 }, seed: 5 }), 0).next().value as RecordObject;
  const fqdn = recordObjectFqdn(record);
  const address = record.kind === 'ARecord' ? (record.spec.ipv4Addresses[0] ?? '') : '';
  // What the server serves: nothing, then the record at a TTL.
  let servedTtl: number | null = null;
  const port = await scriptedDns(t, fqdn, () => (servedTtl === null ? null : { ttl: servedTtl, addresses: [address] }));
  const now = (): number => performance.now();
  const hook = hookOn(t, port, record.metadata.namespace);
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

test('a change replaced after DNS answered it is timed with its own Ready, not the newer change\'s; it is not kept once folded', async (t) => {
  const record = generateZoneRecords(resolveFixtureOptions({ zones: 1, recordsPerZone: 1, kinds: { ARecord: 1 }, seed: 7 }), 0).next().value as RecordObject;
  const fqdn = recordObjectFqdn(record);
  const addresses = record.kind === 'ARecord' ? record.spec.ipv4Addresses : [];
  const oldTtl = record.spec.ttl ?? 300;
  let servedTtl = oldTtl;
  const port = await scriptedDns(t, fqdn, () => ({ ttl: servedTtl, addresses }));
  const now = (): number => performance.now();
  const hook = hookOn(t, port, record.metadata.namespace, { perOperation: true });
  hook.wrap(() => [record][Symbol.iterator]())().next();
  const key = objectKeyOf(record.kind, record.metadata.namespace, record.metadata.name);
  // The create is served at once; its Ready is stated 20 s after its start: DNS answered ~20 s before Ready.
  const t0 = now();
  hook.onOperation({ phase: 'accepted', type: 'create', key, uid: 'u1', intendedMs: t0, acceptedMs: t0 });
  hook.onOperation({ phase: 'done', type: 'create', key, intendedMs: t0, atMs: t0 + 20_000 });
  assert.equal(await hook.waitAnswered([key], 5000), 'met');
  // Then an update, served at its new TTL, its Ready stated at its start (before any answer can arrive).
  servedTtl = oldTtl === 600 ? 601 : 600;
  const t1 = now();
  hook.onOperation({ phase: 'accepted', type: 'update', key, uid: 'u1', intendedMs: t1, acceptedMs: t1, ttl: servedTtl });
  hook.onOperation({ phase: 'done', type: 'update', key, intendedMs: t1, atMs: t1 });
  const out = await hook.finish(t0);
  assert.equal(out.wait, 'met');
  const m = out.measurement;
  assert.equal(m.counters['dns_probed']?.value, 2);
  assert.equal(m.counters['dns_changes_superseded']?.value, 0);
  // The create, with its own Ready: answered before it by about 20 s (with the update's Ready it would be about 0).
  const before = m.latencies['resolvable_to_ready']?.summary;
  assert.equal(before?.count, 1);
  assert.ok((before?.min ?? 0) > 19_000_000 && (before?.max ?? Infinity) <= 20_100_000, `resolvable→Ready ${before?.min}–${before?.max} µs`);
  assert.equal(m.counters['answered_before_ready']?.value, 1);
  assert.equal(m.counters['answered_after_ready']?.value, 1, 'the update, with its own Ready');
  // Both operations' answer times, by operation.
  assert.equal(out.resolvable?.size, 2);
  assert.ok([...(out.resolvable?.values() ?? [])].every((v) => v !== null && v >= 0));
});

test('a deleted record is folded once DNS no longer answers it and gone, then nothing of it is held; its figures stay', async (t) => {
  const record = generateZoneRecords(resolveFixtureOptions({ zones: 1, recordsPerZone: 1, kinds: { ARecord: 1 }, seed: 9 }), 0).next().value as RecordObject;
  const fqdn = recordObjectFqdn(record);
  const addresses = record.kind === 'ARecord' ? record.spec.ipv4Addresses : [];
  let served = true;
  const port = await scriptedDns(t, fqdn, () => (served ? { ttl: record.spec.ttl ?? 300, addresses } : null));
  const now = (): number => performance.now();
  const hook = hookOn(t, port, record.metadata.namespace);
  hook.wrap(() => [record][Symbol.iterator]())().next();
  const key = objectKeyOf(record.kind, record.metadata.namespace, record.metadata.name);
  const t0 = now();
  hook.onOperation({ phase: 'accepted', type: 'create', key, uid: 'u1', intendedMs: t0, acceptedMs: t0 });
  hook.onOperation({ phase: 'done', type: 'create', key, intendedMs: t0, atMs: t0 });
  assert.equal(await hook.waitAnswered([key], 5000), 'met');
  assert.deepEqual(hook.held, { probed: 1, records: 1, effects: 1 }, 'the live record: its latest change and its data');
  served = false;
  const t1 = now();
  hook.onOperation({ phase: 'accepted', type: 'delete', key, uid: 'u1', intendedMs: t1, acceptedMs: t1 });
  hook.onOperation({ phase: 'done', type: 'delete', key, intendedMs: t1, atMs: t1 });
  assert.equal(await hook.waitAnswered([key], 5000), 'met');
  assert.deepEqual(hook.held, { probed: 0, records: 0, effects: 0 }, 'gone from DNS and from the API: nothing of it held');
  const out = await hook.finish(t0);
  const m = out.measurement;
  assert.equal(m.counters['dns_probed']?.value, 2);
  assert.equal(m.latencies['create_to_resolvable']?.summary.count, 1);
  assert.equal(m.latencies['delete_to_gone_from_dns']?.summary.count, 1);
  assert.equal(m.counters['ready_but_not_served']?.value, 0);
});
