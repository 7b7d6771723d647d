/** @module Tests of the DNS prober attached to a run: records probed from their accepted create, rejected ones and zones not, then measured. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import dnsPacket from 'dns-packet';
import { DnsProbeHook } from './dns-probe-hook.js';
import type { CreatedEvent, RejectedEvent } from './burst.js';
import type { TrackedObject } from '../observe/watch-tracker.js';
import type { KubeObject } from '../observe/kube-client.js';
import { bindyApiVersion, zoneLabel } from '../model/kinds.js';
import { defaultProbeSpacing } from '../observe/probe-schedule.js';

const zone = 'zone-0.example.com';
function obj(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: bindyApiVersion, kind, metadata: { name, namespace: 'ns', labels: { [zoneLabel]: zone } }, spec };
}

function created(kind: string, name: string, intendedStart: number): CreatedEvent {
  return { type: 'created', key: `${kind}/ns/${name}`, kind, namespace: 'ns', name, uid: `uid-${name}`, generation: 1, index: 0, intendedStart, sent: intendedStart, received: intendedStart + 1 };
}

function tracked(kind: string, name: string, readyMs: number | null): TrackedObject {
  return {
    uid: `uid-${name}`,
    kind,
    namespace: 'ns',
    name,
    key: `${kind}/ns/${name}`,
    firstSeenMs: 0,
    firstStatusMs: null,
    created: { intendedStart: 0, sent: 0, received: 1, generation: 1 },
    readyMs,
    readyObservedBy: readyMs === null ? null : 'watch',
    lastCondition: null,
    readyWithoutObservedGeneration: false,
    deletedMs: null,
    deletedObservedBy: null,
  };
}

void test('a burst\'s records are probed from their accepted create; zones and rejected creates are not; the wait ends when every Ready one is answered', async (t) => {
  // named's stand-in: serves host-1's A, nothing else.
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  t.after(() => udp.close());
  const asked: string[] = [];
  udp.on('message', (m, rinfo) => {
    const q = dnsPacket.decode(m).questions?.[0];
    if (q === undefined) return;
    asked.push(`${q.name} ${q.type}`);
    const hit = q.name === `host-1.${zone}` && q.type === 'A';
    const answers = hit ? [{ type: 'A' as const, name: q.name, ttl: 300, data: '192.0.2.1' }] : [];
    udp.send(dnsPacket.encode({ type: 'response', id: dnsPacket.decode(m).id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER | (hit ? 0 : 3), questions: [q], answers }), rinfo.port, rinfo.address);
  });

  const now = (): number => performance.now();
  const hook = new DnsProbeHook({ servers: [{ host: '127.0.0.1', port: udp.address().port, name: 'primary-0' }], ratePerSecond: 200, maxInFlight: 8, timeoutMs: 5000, spacing: defaultProbeSpacing }, now);
  t.after(() => hook.stop());
  const input = [
    obj('DNSZone', 'zone-0', { zoneName: zone }),
    obj('ARecord', 'host-1', { name: 'host-1', ipv4Addresses: ['192.0.2.1'] }),
    obj('TXTRecord', 'host-2', { name: 'host-2', text: ['hello'] }),
  ];
  const passed = [...(hook.wrap(input) as Iterable<KubeObject>)];
  assert.deepEqual(passed, input, 'the objects pass through unchanged, in order');

  const t0 = now();
  hook.onEngineEvent(created('DNSZone', 'zone-0', t0));
  hook.onEngineEvent(created('ARecord', 'host-1', t0));
  const rejected: RejectedEvent = { type: 'rejected', key: 'TXTRecord/ns/host-2', kind: 'TXTRecord', status: 422, reason: 'Invalid', message: 'no', causes: [], index: 2, intendedStart: t0, sent: t0, received: t0 + 1 };
  hook.onEngineEvent(rejected);
  hook.onTrackerEvent({ type: 'ready', uid: 'uid-host-1', key: 'ARecord/ns/host-1', kind: 'ARecord', atMs: now(), observedBy: 'watch' });

  const out = await hook.finish([tracked('DNSZone', 'zone-0', now()), tracked('ARecord', 'host-1', now())], t0);
  assert.equal(out.wait, 'met');
  assert.deepEqual([...new Set(asked)], [`host-1.${zone} A`], 'only the accepted record was asked for');
  const m = out.measurement;
  assert.equal(m.counters['dns_probed']?.value, 1);
  assert.equal(m.counters['dns_answered']?.value, 1);
  assert.equal(m.latencies['create_to_resolvable']?.summary.count, 1);
  assert.equal(m.latencies['create_to_resolvable.primary-0']?.byKind?.['ARecord']?.summary.count, 1);
  assert.deepEqual(m.failures, []);
});
