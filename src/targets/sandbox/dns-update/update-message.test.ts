import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { buildUpdate, updateFlags } from './update-message.js';
import { readName, recordSpans } from './wire.js';

/** RRset deletions (class ANY, empty RDATA) as [name, type, class, ttl, rdlength]. */
function deletions(wire: Buffer): [string, number, number, number, number][] {
  return recordSpans(wire)
    .records.filter((r) => wire.readUInt16BE(r.rdata - 8) === 255)
    .map((r) => [readName(wire, r.start), r.type, 255, wire.readUInt32BE(r.rdata - 6), r.rdlength]);
}

/** The message without its deletions, which dns-packet's decoder misreads (it assumes A RDATA is 4 bytes). */
function additionsOnly(wire: Buffer): Buffer {
  const { records } = recordSpans(wire);
  const kept = records.filter((r) => wire.readUInt16BE(r.rdata - 8) !== 255);
  const first = records[0]?.start ?? wire.length;
  const out = Buffer.concat([wire.subarray(0, first), ...kept.map((r) => wire.subarray(r.start, r.end))]);
  out.writeUInt16BE(kept.length, 8);
  return out;
}

test('an UPDATE has opcode 5, the zone as its SOA question and the deletion before the additions', () => {
  const wire = buildUpdate('example.test', [
    { op: 'replace', rrset: { name: 'www.example.test', type: 'A', ttl: 300, records: [{ type: 'A', data: '192.0.2.1' }, { type: 'A', data: '192.0.2.2' }] } },
    { op: 'delete', name: 'old.example.test', type: 'TXT' },
  ], 0x1234);
  const p = dnsPacket.decode(additionsOnly(wire));
  assert.equal(p.id, 0x1234);
  assert.equal((wire.readUInt16BE(2) >> 11) & 0xf, 5);
  assert.equal(wire.readUInt16BE(2), updateFlags);
  assert.deepEqual(p.questions, [{ name: 'example.test', type: 'SOA', class: 'IN' }]);
  assert.equal(wire.readUInt16BE(6), 0, 'no prerequisites');
  assert.equal(wire.readUInt16BE(8), 4, 'two deletions and two additions');
  const spans = recordSpans(wire).records;
  assert.deepEqual(spans.map((r) => readName(wire, r.start)), ['www.example.test', 'old.example.test', 'www.example.test', 'www.example.test']);
  assert.deepEqual(deletions(wire), [
    ['www.example.test', 1, 255, 0, 0],
    ['old.example.test', 16, 255, 0, 0],
  ]);
  const upd = p.authorities ?? [];
  assert.deepEqual(upd.map((r) => [r.name, r.type, 'class' in r ? r.class : undefined, 'data' in r ? r.data : undefined]), [
    ['www.example.test', 'A', 'IN', '192.0.2.1'],
    ['www.example.test', 'A', 'IN', '192.0.2.2'],
  ]);
});

const kinds = [
  { rr: { type: 'MX', data: { preference: 10, exchange: 'mail.example.test' } }, expect: { preference: 10, exchange: 'mail.example.test' } },
  { rr: { type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 'svc.example.test' } }, expect: { priority: 1, weight: 2, port: 443, target: 'svc.example.test' } },
  { rr: { type: 'CAA', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } }, expect: { flags: 0, tag: 'issue', value: 'letsencrypt.org', issuerCritical: false } },
  { rr: { type: 'CNAME', data: 'target.example.test' }, expect: 'target.example.test' },
] as const;
for (const k of kinds) {
  test(`a ${k.rr.type} RRset round-trips through the wire format`, () => {
    const wire = buildUpdate('example.test', [{ op: 'replace', rrset: { name: 'x.example.test', type: k.rr.type, ttl: 60, records: [k.rr] } }], 1);
    const added = (dnsPacket.decode(additionsOnly(wire)).authorities ?? [])[0];
    assert.ok(added && 'data' in added);
    assert.equal(added.ttl, 60);
    assert.deepEqual(added.data, k.expect);
  });
}

test('a record of another type in an RRset is refused', () => {
  assert.throws(() => buildUpdate('example.test', [{ op: 'replace', rrset: { name: 'x.example.test', type: 'A', ttl: 1, records: [{ type: 'AAAA', data: '::1' }] } }], 1), RangeError);
});
