/** @module Tests of the desired DNS data per record kind and of comparing real wire answers with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import { bindyApiVersion, zoneLabel } from '../model/kinds.js';
import type { RecordData, RecordObject } from '../model/fixtures/objects.js';
import type { RecordKind } from '../model/kinds.js';
import { coveredBySignature, expectedDataOf, judgeAnswer, readAnswer, recordFqdn, recordObjectFqdn } from './dns-expectation.js';
import type { ProbeRrType } from './dns-expectation.js';

function record<K extends RecordKind>(kind: K, name: string, data: RecordData[K]): RecordObject {
  return {
    apiVersion: bindyApiVersion,
    kind,
    metadata: { name: `r-${kind.toLowerCase()}`, namespace: 'ns', labels: { [zoneLabel]: 'zone-0.example.com' } },
    spec: { name, ttl: 300, ...data },
  } as RecordObject;
}

/** A response as named would send it, through the real wire format (encode, then decode). */
function response(rcode: number, answers: Answer[], authorities: Answer[] = []): DecodedPacket {
  const buf = dnsPacket.encode({ type: 'response', id: 7, flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode, questions: [{ type: 'A', name: 'q.example' }], answers, authorities });
  return dnsPacket.decode(buf);
}

const owner = 'host-1.zone-0.example.com';

void test('owner names: relative name under the zone, @ is the apex, case and trailing dots ignored', () => {
  assert.equal(recordFqdn('host-1', 'Zone-0.Example.com.'), 'host-1.zone-0.example.com');
  assert.equal(recordFqdn('@', 'zone-0.example.com'), 'zone-0.example.com');
  assert.equal(recordFqdn('', 'zone-0.example.com'), 'zone-0.example.com');
  assert.equal(recordObjectFqdn(record('SRVRecord', '_sip._tcp.host-1', { priority: 1, weight: 2, port: 5060, target: 't.example.org.' })), `_sip._tcp.${owner}`);
  const unlabelled = { ...record('ARecord', 'x', { ipv4Addresses: ['192.0.2.1'] }), metadata: { name: 'x', namespace: 'ns', labels: {} } };
  assert.throws(() => recordObjectFqdn(unlabelled), /no bindy\.firestoned\.io\/zone label/);
});

interface Case {
  name: string;
  obj: RecordObject;
  rrType: ProbeRrType;
  /** RRs that are the desired data (any order, any case), in each accepted shape. */
  right: Answer[][];
  /** RRs that are other data at the name. */
  wrong: Answer[][];
}

const ttl = 300;
const cases: Case[] = [
  {
    name: 'A: the address set, order free',
    obj: record('ARecord', 'host-1', { ipv4Addresses: ['192.0.2.1', '198.51.100.7'] }),
    rrType: 'A',
    right: [[{ type: 'A', name: owner, ttl, data: '198.51.100.7' }, { type: 'A', name: owner.toUpperCase(), ttl, data: '192.0.2.1' }]],
    wrong: [[{ type: 'A', name: owner, ttl, data: '192.0.2.1' }], [{ type: 'A', name: owner, ttl, data: '192.0.2.1' }, { type: 'A', name: owner, ttl, data: '198.51.100.7' }, { type: 'A', name: owner, ttl, data: '203.0.113.9' }]],
  },
  {
    name: 'AAAA: compared in canonical form (zeros and case)',
    obj: record('AAAARecord', 'host-1', { ipv6Addresses: ['2001:DB8:0:0::1'] }),
    rrType: 'AAAA',
    right: [[{ type: 'AAAA', name: owner, ttl, data: '2001:db8::1' }]],
    wrong: [[{ type: 'AAAA', name: owner, ttl, data: '2001:db8::2' }]],
  },
  {
    name: 'CNAME: the target, case-insensitive, trailing dot ignored',
    obj: record('CNAMERecord', 'host-1', { target: 'Web-1.example.net.' }),
    rrType: 'CNAME',
    right: [[{ type: 'CNAME', name: owner, ttl, data: 'web-1.EXAMPLE.net' }]],
    wrong: [[{ type: 'CNAME', name: owner, ttl, data: 'web-2.example.net' }]],
  },
  {
    name: 'MX: preference and exchange',
    obj: record('MXRecord', 'host-1', { priority: 10, mailServer: 'mail-1.example.net.' }),
    rrType: 'MX',
    right: [[{ type: 'MX', name: owner, ttl, data: { preference: 10, exchange: 'MAIL-1.example.net' } }]],
    wrong: [[{ type: 'MX', name: owner, ttl, data: { preference: 20, exchange: 'mail-1.example.net' } }], [{ type: 'MX', name: owner, ttl, data: { preference: 10, exchange: 'mail-2.example.net' } }]],
  },
  {
    name: 'TXT: the strings exactly, one RR per entry (operator) or one RR with every entry (zone file)',
    obj: record('TXTRecord', 'host-1', { text: ['v=spf1 -all', 'part two'] }),
    rrType: 'TXT',
    right: [
      [{ type: 'TXT', name: owner, ttl, data: 'part two' }, { type: 'TXT', name: owner, ttl, data: 'v=spf1 -all' }],
      [{ type: 'TXT', name: owner, ttl, data: ['v=spf1 -all', 'part two'] }],
    ],
    wrong: [[{ type: 'TXT', name: owner, ttl, data: 'v=spf1 -ALL' }, { type: 'TXT', name: owner, ttl, data: 'part two' }], [{ type: 'TXT', name: owner, ttl, data: ['part two', 'v=spf1 -all'] }]],
  },
  {
    name: 'TXT: an entry over 255 bytes is split into character-strings of one RR',
    obj: record('TXTRecord', 'host-1', { text: ['x'.repeat(300)] }),
    rrType: 'TXT',
    right: [[{ type: 'TXT', name: owner, ttl, data: ['x'.repeat(255), 'x'.repeat(45)] }]],
    wrong: [[{ type: 'TXT', name: owner, ttl, data: ['x'.repeat(255), 'x'.repeat(44)] }], [{ type: 'TXT', name: owner, ttl, data: 'x'.repeat(255) }, { type: 'TXT', name: owner, ttl, data: 'x'.repeat(45) }]],
  },
  {
    name: 'NS: the name server (a delegation answers in the authority section)',
    obj: record('NSRecord', 'host-1', { nameserver: 'ns1.dns-1.example.org.' }),
    rrType: 'NS',
    right: [[{ type: 'NS', name: owner, ttl, data: 'NS1.dns-1.example.org' }]],
    wrong: [[{ type: 'NS', name: owner, ttl, data: 'ns2.dns-1.example.org' }]],
  },
  {
    name: 'SRV: priority, weight, port and target',
    obj: record('SRVRecord', 'host-1', { priority: 1, weight: 5, port: 5060, target: 'sip-1.example.org.' }),
    rrType: 'SRV',
    right: [[{ type: 'SRV', name: owner, ttl, data: { priority: 1, weight: 5, port: 5060, target: 'SIP-1.example.org' } }]],
    wrong: [[{ type: 'SRV', name: owner, ttl, data: { priority: 1, weight: 5, port: 5061, target: 'sip-1.example.org' } }]],
  },
  {
    name: 'CAA: flags, tag (case-insensitive) and value (exact)',
    obj: record('CAARecord', 'host-1', { flags: 128, tag: 'issue', value: 'letsencrypt.org' }),
    rrType: 'CAA',
    right: [[{ type: 'CAA', name: owner, ttl, data: { flags: 128, tag: 'ISSUE' as 'issue', value: 'letsencrypt.org' /* any case on the wire; dns-packet's type lists lower case */ } }]],
    wrong: [[{ type: 'CAA', name: owner, ttl, data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } }], [{ type: 'CAA', name: owner, ttl, data: { flags: 128, tag: 'issue', value: 'LetsEncrypt.org' } }]],
  },
];

for (const c of cases) {
  void test(`${c.name}: the desired data matches, other data is wrong, nothing yet is pending, a refusal is an error`, () => {
    const fqdn = recordObjectFqdn(c.obj);
    const expected = expectedDataOf(c.obj);
    assert.equal(expected.rrType, c.rrType);
    assert.ok(expected.text.startsWith(`${c.rrType} `), expected.text);
    for (const rrs of c.right) {
      // NS at a delegation point: named answers with a referral (authority section), not an answer.
      const where = c.rrType === 'NS' ? [response(0, rrs), response(0, [], rrs)] : [response(0, rrs)];
      for (const p of where) assert.equal(judgeAnswer('create', expected, readAnswer(p, fqdn, c.rrType)), 'match', JSON.stringify(rrs));
    }
    for (const rrs of c.wrong) {
      const seen = readAnswer(response(0, rrs), fqdn, c.rrType);
      assert.equal(judgeAnswer('create', expected, seen), 'wrong', JSON.stringify(rrs));
      assert.match(seen.text, new RegExp(`^NOERROR ${c.rrType} `));
    }
    assert.equal(judgeAnswer('create', expected, readAnswer(response(3, []), fqdn, c.rrType)), 'pending');
    assert.equal(judgeAnswer('create', expected, readAnswer(response(0, []), fqdn, c.rrType)), 'pending');
    assert.equal(judgeAnswer('create', expected, readAnswer(response(5, []), fqdn, c.rrType)), 'error');
    // A delete is done on NXDOMAIN or NODATA, not while the desired data is still served.
    const first = c.right[0] ?? [];
    assert.equal(judgeAnswer('delete', null, readAnswer(response(0, first), fqdn, c.rrType)), 'pending');
    assert.equal(judgeAnswer('delete', null, readAnswer(response(3, []), fqdn, c.rrType)), 'match');
    assert.equal(judgeAnswer('delete', null, readAnswer(response(0, []), fqdn, c.rrType)), 'match');
  });
}

void test('RRs of other names are ignored; other data at the name (a CNAME where an A was asked) is wrong', () => {
  const obj = record('ARecord', 'host-1', { ipv4Addresses: ['192.0.2.1'] });
  const expected = expectedDataOf(obj);
  const fqdn = recordObjectFqdn(obj);
  const elsewhere = readAnswer(response(0, [{ type: 'A', name: 'host-2.zone-0.example.com', ttl, data: '192.0.2.1' }]), fqdn, 'A');
  assert.equal(judgeAnswer('create', expected, elsewhere), 'pending');
  assert.equal(elsewhere.text, 'NOERROR no data');
  const cname = readAnswer(response(0, [{ type: 'CNAME', name: fqdn, ttl, data: 'web.example.net' }, { type: 'A', name: 'web.example.net', ttl, data: '192.0.2.1' }]), fqdn, 'A');
  assert.equal(judgeAnswer('create', expected, cname), 'wrong');
  assert.equal(cname.text, 'NOERROR CNAME web.example.net');
  assert.equal(readAnswer(response(3, []), fqdn, 'A').text, 'NXDOMAIN');
  assert.equal(readAnswer(response(2, []), fqdn, 'A').text, 'SERVFAIL');
});

void test('an update: the previous data is stale, not wrong; a delete needs no expected data but a create does', () => {
  const before = record('ARecord', 'host-1', { ipv4Addresses: ['192.0.2.1'] });
  const after = record('ARecord', 'host-1', { ipv4Addresses: ['192.0.2.2'] });
  const fqdn = recordObjectFqdn(after);
  const old = readAnswer(response(0, [{ type: 'A', name: fqdn, ttl, data: '192.0.2.1' }]), fqdn, 'A');
  assert.equal(judgeAnswer('update', expectedDataOf(after), old, expectedDataOf(before)), 'stale');
  assert.equal(judgeAnswer('update', expectedDataOf(after), old), 'wrong');
  assert.throws(() => judgeAnswer('create', null, old), /needs the expected data/);
});

void test('an update of spec.ttl alone: matched only at the new TTL; the old TTL seen again is stale, not wrong', () => {
  const obj = record('ARecord', 'host-1', { ipv4Addresses: ['192.0.2.1'] });
  const base = expectedDataOf(obj);
  const wanted = { ...base, ttl: 600 };
  const previous = { ...base, ttl: 300 };
  const at = (t: number): ReturnType<typeof readAnswer> => readAnswer(response(0, [{ type: 'A', name: owner, ttl: t, data: '192.0.2.1' }]), owner, 'A');
  assert.deepEqual(at(600).ttls, [600]);
  assert.equal(judgeAnswer('update', wanted, at(600), previous), 'match');
  assert.equal(judgeAnswer('update', wanted, at(300), previous), 'stale');
  assert.equal(judgeAnswer('update', wanted, at(42), previous), 'wrong');
  // Without a TTL in the expectation any TTL matches (creates, the audit).
  assert.equal(judgeAnswer('create', base, at(42)), 'match');
});

test('a signature counts only over the asked name and type', () => {
  const rrsig = (name: string, typeCovered: string) => ({ type: 'RRSIG' as const, name, ttl: 300, class: 'IN' as const, data: { typeCovered, algorithm: 13, labels: 3, originalTTL: 300, expiration: 0, inception: 0, keyTag: 1, signersName: 'z.example.', signature: Buffer.alloc(64) } });
  const packet = (answers: ReturnType<typeof rrsig>[]) => dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, flags: 0, questions: [{ type: 'A', name: 'a.z.example' }], answers: [{ type: 'A', name: 'a.z.example', ttl: 300, data: '192.0.2.1' }, ...answers] }));
  assert.equal(coveredBySignature(packet([rrsig('a.z.example', 'A')]), 'A.z.example.', 'A'), true, 'names compared case- and dot-insensitively');
  assert.equal(coveredBySignature(packet([]), 'a.z.example.', 'A'), false, 'unsigned');
  assert.equal(coveredBySignature(packet([rrsig('a.z.example', 'TXT')]), 'a.z.example.', 'A'), false, 'another type');
  assert.equal(coveredBySignature(packet([rrsig('b.z.example', 'A')]), 'a.z.example.', 'A'), false, 'another name');
});
