import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindyGroup, runIdLabel } from '../model/kinds.js';
import type { CreatedEvent } from '../drive/burst.js';
import { objectKeyOf } from '../model/operation.js';
import { runBurstSession } from '../drive/burst-session.js';
import { aRecord, startFakeOperator, startSandbox, watchesEnded } from '../../test/helpers/api-sandbox.js';
import { WatchTracker } from './watch-tracker.js';
import type { TrackerEvent } from './watch-tracker.js';
import type { KubeObject } from './kube-client.js';
import { defaultResources } from '../targets/sandbox/apiserver/default-resources.js';

const ns = 'bindy-loadtest';

test('watches dropped mid-run (graceful and abrupt) are resumed: nothing lost, nothing counted twice', async () => {
  const sb = await startSandbox();
  const op = startFakeOperator(sb.server, { readyDelayMs: 20, kinds: ['ARecord'] });
  try {
    await sb.namespace(ns);
    let created = 0;
    let readyEvents = 0;
    let drops = 0;
    // A drop is asked for every 50 creates and done at the first create that finds a watch connected
    // (on a loaded machine the watch dropped last may still be reconnecting: a drop then finds none).
    let dropAsked: 'graceful' | 'abrupt' | null = null;
    const s = await runBurstSession({
      client: sb.client,
      runId: 'rd',
      namespace: ns,
      kinds: ['ARecord'],
      objects: Array.from({ length: 400 }, (_, i) => aRecord(`d-${i}`, ns, 'rd')),
      concurrency: 20,
      timeoutMs: 20_000,
      onEvent: (e) => {
        if (e.type === 'ready') readyEvents++;
        if (e.type !== 'created') return;
        // Not at the last creates: a watch dropped after the wait is met is never restarted (the tracker stops).
        if (++created % 50 === 0 && created <= 350) dropAsked = created % 100 === 0 ? 'abrupt' : 'graceful';
        if (dropAsked !== null) {
          const n = sb.server.dropWatches({ abrupt: dropAsked === 'abrupt' });
          if (n > 0) {
            drops += n;
            dropAsked = null;
          }
        }
      },
    });
    assert.ok(drops >= 3, `dropped ${drops} watches`);
    assert.equal(s.wait, 'met');
    assert.equal(s.measurement.counters.objects_ready?.value, 400);
    assert.equal(readyEvents, 400, 'one ready event per object');
    assert.equal(s.records.length, 400, 'one record per UID');
    assert.ok((s.measurement.counters.watch_restarts?.value ?? 0) >= drops);
    assert.equal(s.measurement.counters.objects_unconfirmed?.value, 0);
  } finally {
    op.stop();
    await sb.close();
  }
});

test('410 Gone: the tracker re-lists and labels what it missed (Ready, deleted, new) as observed at re-list', async () => {
  const sb = await startSandbox({ historySize: 5 });
  const tracker = new WatchTracker({ client: sb.client, kinds: ['ARecord'], namespace: ns, labelSelector: `${runIdLabel}=r410` });
  const events: TrackerEvent[] = [];
  tracker.on((e) => events.push(e));
  const resource = `${bindyGroup}/arecords`;
  const ready = (o: KubeObject): KubeObject => ({
    ...o,
    status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', observedGeneration: 1 }] },
  });
  try {
    await sb.namespace(ns);
    await tracker.start();
    for (let i = 0; i < 8; i++) {
      const r = await sb.client.create(aRecord(`g-${i}`, ns, 'r410'));
      assert.ok(r.ok);
      const m = r.value.metadata;
      const e: CreatedEvent = {
        type: 'created', key: objectKeyOf('ARecord', ns, `g-${i}`), kind: 'ARecord', namespace: ns, name: `g-${i}`,
        uid: m.uid ?? '', generation: m.generation ?? 0, index: i, intendedStart: r.sentMs, sent: r.sentMs, received: r.receivedMs,
      };
      tracker.recordCreated(e);
    }
    // Two become Ready while the watch is live.
    for (const name of ['g-0', 'g-1']) {
      await sb.server.request({
        method: 'PATCH', path: `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/arecords/${name}/status`,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: ready(aRecord(name, ns, 'r410')).status },
      });
    }
    assert.equal(await tracker.waitUntil((t) => t.counts().ready === 2 && t.counts().seen === 8, 5000), 'met');
    // In one synchronous step (before the client can reconnect): drop the watch, then make more
    // changes than the history keeps, so resuming from the last resourceVersion answers 410.
    sb.server.dropWatches();
    const store = sb.server.store;
    for (let i = 2; i < 8; i++) store.update(resource, ready(store.get(resource, ns, `g-${i}`) as KubeObject) as Parameters<typeof store.update>[1]);
    const g0 = store.get(resource, ns, 'g-0');
    assert.ok(g0);
    store.remove(resource, g0);
    store.create(resource, { ...aRecord('late', ns, 'r410'), metadata: { ...aRecord('late', ns, 'r410').metadata, name: 'late', uid: 'uid-late', resourceVersion: '', creationTimestamp: new Date().toISOString() } });
    assert.equal(await tracker.waitUntil((t) => t.counts().ready === 8 && t.counts().deleted === 1 && t.stats.relists === 1, 5000), 'met');
    const c = tracker.counts();
    assert.equal(c.readyAtRelist, 6);
    assert.equal(c.unconfirmed, 1, 'the object created while away is discovered, not claimed');
    const resync = events.filter((e) => e.type === 'resync');
    assert.deepEqual(resync.map((e) => e.type === 'resync' && [e.missedReady, e.missedDeleted, e.discovered]), [[6, 1, 1]]);
    assert.equal(events.filter((e) => e.type === 'ready').length, 8, 'each object Ready once');
    const deleted = tracker.records().find((r) => r.name === 'g-0');
    assert.equal(deleted?.deletedObservedBy, 'relist');
    assert.equal(deleted?.readyObservedBy, 'watch', 'a milestone set live is not overwritten by the re-list');
  } finally {
    tracker.stop();
    await sb.close();
  }
});

test('an event that arrives before the create response is matched by UID when the response comes', async () => {
  const sb = await startSandbox();
  const tracker = new WatchTracker({ client: sb.client, kinds: ['ARecord'], namespace: ns, labelSelector: `${runIdLabel}=rb` });
  try {
    await sb.namespace(ns);
    await tracker.start();
    const r = await sb.client.create(aRecord('early', ns, 'rb'));
    assert.ok(r.ok);
    await sb.server.request({
      method: 'PATCH', path: `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/arecords/early/status`,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded' }] } },
    });
    // The watch has seen it Ready, but the create response was not recorded yet: not counted.
    assert.equal(await tracker.waitUntil((t) => t.records()[0]?.lastCondition?.status === 'True', 5000), 'met');
    assert.equal(tracker.counts().ready, 0);
    assert.equal(tracker.counts().unconfirmed, 1);
    const readyAt = tracker.records()[0]?.lastCondition ? performance.now() : 0;
    tracker.recordCreated({
      key: objectKeyOf('ARecord', ns, 'early'), kind: 'ARecord', namespace: ns, name: 'early',
      uid: r.value.metadata.uid ?? '', generation: 1, index: 0, intendedStart: r.sentMs, sent: r.sentMs, received: r.receivedMs,
    });
    const rec = tracker.records()[0];
    assert.equal(tracker.counts().ready, 1);
    assert.ok(rec?.readyMs !== null && rec?.readyMs !== undefined && rec.readyMs <= readyAt, 'Ready keeps the time the event arrived');
  } finally {
    tracker.stop();
    await sb.close();
  }
});

test('an exception inside the tracker\'s own event handling is reported as an error event, and the watch goes on', async () => {
  const sb = await startSandbox();
  const tracker = new WatchTracker({ client: sb.client, kinds: ['ARecord'], namespace: ns, labelSelector: `${runIdLabel}=rx` });
  const errors: string[] = [];
  let thrown = 0;
  tracker.on((e) => {
    if (e.type === 'error') errors.push(e.message);
    // A faulty listener: it throws once, on the first condition it is told about.
    if (e.type === 'condition' && thrown++ === 0) throw new Error('listener fault');
  });
  const status = (reason: string, value: string): Record<string, unknown> => ({
    observedGeneration: 1,
    conditions: [{ type: 'Ready', status: value, reason, observedGeneration: 1 }],
  });
  try {
    await sb.namespace(ns);
    await tracker.start();
    const r = await sb.client.create(aRecord('x-0', ns, 'rx'));
    assert.ok(r.ok);
    tracker.recordCreated({
      key: objectKeyOf('ARecord', ns, 'x-0'), kind: 'ARecord', namespace: ns, name: 'x-0',
      uid: r.value.metadata.uid ?? '', generation: r.value.metadata.generation ?? 0, index: 0, intendedStart: r.sentMs, sent: r.sentMs, received: r.receivedMs,
    });
    for (const [reason, value] of [['NotSelected', 'False'], ['ReconcileSucceeded', 'True']] as const) {
      const r = await sb.server.request({
        method: 'PATCH', path: `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/arecords/x-0/status`,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: status(reason, value) },
      });
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(await tracker.waitUntil((t) => t.counts().ready === 1, 5000), 'met', 'the event after the fault is still handled');
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^watch ARecord: handling a MODIFIED event failed: listener fault$/);
    assert.equal(tracker.stats.errors, 1);
  } finally {
    tracker.stop();
    await sb.close();
  }
});

test('the first status the watch sees is the operator observing the object: one status-seen event, at the first write', async () => {
  const sb = await startSandbox();
  const tracker = new WatchTracker({ client: sb.client, kinds: ['ARecord'], namespace: ns, labelSelector: `${runIdLabel}=rs` });
  const seen: TrackerEvent[] = [];
  tracker.on((e) => {
    if (e.type === 'status-seen') seen.push(e);
  });
  try {
    await sb.namespace(ns);
    await tracker.start();
    const r = await sb.client.create(aRecord('obs', ns, 'rs'));
    assert.ok(r.ok);
    const patch = (status: Record<string, unknown>): Promise<unknown> =>
      sb.server.request({ method: 'PATCH', path: `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/arecords/obs/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: { status } });
    const firstSeen = new Promise<void>((resolve) => tracker.on((e) => void (e.type === 'status-seen' && resolve())));
    // The create alone carries no status: nothing is observed until the first status write.
    const before = performance.now();
    assert.equal(seen.length, 0);
    await patch({ zone: 'zone-0.example.com' });
    await firstSeen;
    const first = tracker.records()[0]?.firstStatusMs ?? 0;
    assert.ok(first >= before);
    await patch({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded' }] });
    assert.equal(await tracker.waitUntil((t) => t.records()[0]?.lastCondition?.status === 'True', 5000), 'met');
    assert.equal(tracker.records()[0]?.firstStatusMs, first, 'later status writes do not move it');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.type === 'status-seen' ? seen[0].key : '', objectKeyOf('ARecord', ns, 'obs'));
  } finally {
    tracker.stop();
    await sb.close();
  }
});


test("a kind the server does not serve (PTRRecord on bindy 0.6's CRDs): start fails naming it, closes the watches it had opened, and discovery leaves the kind out", async () => {
  const sb = await startSandbox({ resources: defaultResources('0.6') });
  try {
    await sb.namespace('ns');
    const tracker = new WatchTracker({ client: sb.client, kinds: ['DNSZone', 'ARecord', 'PTRRecord'], namespace: 'ns', labelSelector: `${runIdLabel}=x` });
    await assert.rejects(tracker.start(), /list PTRRecord: 404/);
    await watchesEnded(sb.server);
    assert.deepEqual(await sb.client.servedKinds(['DNSZone', 'PTRRecord', 'ARecord', 'Service']), ['DNSZone', 'ARecord', 'Service']);
  } finally {
    await sb.close();
  }
  const v08 = await startSandbox();
  try {
    assert.deepEqual(await v08.client.servedKinds(['PTRRecord', 'CAARecord']), ['PTRRecord', 'CAARecord']);
  } finally {
    await v08.close();
  }
});
