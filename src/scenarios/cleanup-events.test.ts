import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventsAbout } from './cleanup-events.js';
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
