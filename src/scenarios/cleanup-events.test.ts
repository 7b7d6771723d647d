import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventsAbout, removeRunEvents } from './cleanup-events.js';
import { startSandbox } from '../../test/helpers/api-sandbox.js';
import type { KubeObject } from '../observe/kube-client.js';

const event = (name: string, involvedObject: unknown, namespace: string | null = 'ns'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, ...(namespace === null ? {} : { namespace }) },
  involvedObject,
});

test('Events are matched by their involvedObject UID only: one about another object of the same name stays', () => {
  const events = [
    event('a.1', { kind: 'ARecord', name: 'www', uid: 'u-run' }),
    event('a.2', { kind: 'ARecord', name: 'www', uid: 'u-other' }),
    event('b.1', { kind: 'DNSZone', name: 'z', uid: 'u-gone' }, 'ns2'),
    event('c.1', { kind: 'ARecord', name: 'no-uid' }),
    event('d.1', 'not an object'),
    event('e.1', { uid: 'u-run' }, null),
  ];
  assert.deepEqual(eventsAbout(events, new Set(['u-run', 'u-gone'])), [
    { namespace: 'ns', name: 'a.1' },
    { namespace: 'ns2', name: 'b.1' },
  ]);
  assert.deepEqual(eventsAbout(events, new Set()), []);
});

test('removeRunEvents deletes the run\'s Events page by page, past its own deletes expiring the list, and leaves every other Event', async () => {
  // A history of 50 events: a page's 500 deletes expire the list's continue token.
  const sb = await startSandbox({ historySize: 50 });
  const ns = 'ev';
  try {
    await sb.namespace(ns);
    for (let i = 0; i < 1300; i++) {
      // Every fourth is about an object that is not the run's.
      const uid = i % 4 === 3 ? 'u-other' : `u-run-${i % 7}`;
      const r = await sb.server.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/events`, body: { ...event(`e-${String(i).padStart(4, '0')}`, { kind: 'ARecord', name: 'www', uid }, ns) } });
      assert.equal(r.status, 201, r.text);
    }
    const uids = new Set(Array.from({ length: 7 }, (_, i) => `u-run-${i}`));
    const report = await removeRunEvents(sb.client, [ns], uids);
    assert.deepEqual(report.failures, []);
    assert.equal(report.found, 975);
    assert.equal(report.deleted, 975);
    assert.ok(report.resumedAfterExpiry >= 1, `the list was resumed after its token expired (${report.resumedAfterExpiry})`);
    const left = await sb.client.list('Event', ns, '');
    assert.ok(left.ok);
    assert.equal(left.value.items.length, 325);
    assert.ok(left.value.items.every((e) => (e.involvedObject as { uid: string }).uid === 'u-other'));
  } finally {
    await sb.close();
  }
});
