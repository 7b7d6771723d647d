import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayEnd, parseWatchLine, parseWithoutUnreadArrays, withoutUnreadArrays } from './watch-line.js';

const zoneEvent = (records: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'MODIFIED',
  object: {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'DNSZone',
    metadata: { name: 'z', uid: 'u1', generation: 2, annotations: { note: 'a "records":[1] lookalike in a value', other: 'x]}' } },
    spec: { zoneName: 'example.com', recordsFrom: [{ selector: { matchLabels: { a: 'b' } } }] },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', observedGeneration: 2 }], records: records, observedGeneration: 2, ...extra },
  },
});

const line = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test('the records array is left out; everything the tracker reads is intact', () => {
  const records = [{ kind: 'ARecord', name: 'r]1', message: 'a \\"quoted\\" [text] {x}' }, { kind: 'TXTRecord', name: 'r2', text: ['"records":[', ']]'] }];
  const ev = parseWatchLine(line(zoneEvent(records)));
  const want = zoneEvent([]);
  const status = (want['object'] as { status: Record<string, unknown> }).status;
  delete status['records'];
  assert.deepEqual(ev, want);
});

test('records as the last, the only, or an empty member; several arrays; no records at all', () => {
  const last = { type: 'ADDED', object: { kind: 'DNSZone', metadata: { uid: 'u' }, status: { observedGeneration: 1, records: [{ a: [1, [2]] }] } } };
  assert.deepEqual(parseWatchLine(line(last)), { type: 'ADDED', object: { kind: 'DNSZone', metadata: { uid: 'u' }, status: { observedGeneration: 1 } } });
  const only = { type: 'ADDED', object: { kind: 'DNSZone', metadata: { uid: 'u' }, status: { records: [] } } };
  assert.deepEqual(parseWatchLine(line(only)), { type: 'ADDED', object: { kind: 'DNSZone', metadata: { uid: 'u' }, status: {} } });
  const two = { type: 'ADDED', object: { spec: { records: [1] }, status: { records: [2], x: 1 } } };
  assert.deepEqual(parseWatchLine(line(two)), { type: 'ADDED', object: { spec: {}, status: { x: 1 } } });
  const plain = { type: 'DELETED', object: { kind: 'ARecord', metadata: { uid: 'v' } } };
  const bytes = line(plain);
  assert.equal(withoutUnreadArrays(bytes), bytes, 'nothing to cut: the same buffer, no copy');
  assert.deepEqual(parseWatchLine(bytes), plain);
});

test('an escaped lookalike inside a string is not cut; a line that is not an event is null', () => {
  const tricky = { type: 'ADDED', object: { metadata: { annotations: { a: 'x\\"records":[1,2]' } } } };
  assert.deepEqual(parseWatchLine(line(tricky)), tricky);
  assert.equal(parseWatchLine(Buffer.from('not json')), null);
  assert.equal(parseWatchLine(Buffer.from('{"kind":"Status"}')), null);
  assert.equal(parseWatchLine(Buffer.from('{"type":"ADDED","object":{"status":{"records":[1,2')), null, 'unterminated: neither the cut nor the whole line parses');
});

test('arrayEnd finds the matching bracket past strings, escapes and nesting', () => {
  const b = Buffer.from('[1,"]",["\\"]"],{"k":"}"}]tail');
  assert.equal(b.toString()[arrayEnd(b, 0)], ']');
  assert.equal(b.toString().slice(arrayEnd(b, 0) + 1), 'tail');
  assert.equal(arrayEnd(Buffer.from('[1,[2]'), 0), -1);
});

test('managedFields are left out too, wherever they sit in metadata; the rest of metadata is intact', () => {
  const managed = [{ manager: 'bindy', operation: 'Update', subresource: 'status', fieldsV1: { 'f:status': { 'f:records': {} } } }];
  const first = { type: 'MODIFIED', object: { kind: 'ARecord', metadata: { managedFields: managed, uid: 'u', generation: 3 }, status: { observedGeneration: 3 } } };
  assert.deepEqual(parseWatchLine(line(first)), { type: 'MODIFIED', object: { kind: 'ARecord', metadata: { uid: 'u', generation: 3 }, status: { observedGeneration: 3 } } });
  const lastWithRecords = { type: 'ADDED', object: { metadata: { name: 'z', managedFields: managed }, status: { records: [{ name: 'r' }], recordsCount: 1 } } };
  assert.deepEqual(parseWatchLine(line(lastWithRecords)), { type: 'ADDED', object: { metadata: { name: 'z' }, status: { recordsCount: 1 } } });
  const list = Buffer.from(JSON.stringify({ kind: 'ARecordList', metadata: { resourceVersion: '7' }, items: [first.object, first.object] }));
  assert.deepEqual(parseWithoutUnreadArrays(list), { kind: 'ARecordList', metadata: { resourceVersion: '7' }, items: [1, 2].map(() => ({ kind: 'ARecord', metadata: { uid: 'u', generation: 3 }, status: { observedGeneration: 3 } })) });
  assert.equal(parseWithoutUnreadArrays(Buffer.from('{"a":')), undefined);
});
