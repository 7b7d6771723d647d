/** @module Tests of the desired-vs-served classification, on answers passed through the real wire format. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import { bindyApiVersion, zoneLabel } from '../model/kinds.js';
import type { RecordKind } from '../model/kinds.js';
import type { DnsZoneObject, RecordData, RecordObject } from '../model/fixtures/objects.js';
import { readAnswer } from '../observe/dns-expectation.js';
import type { ProbeRrType } from '../observe/dns-expectation.js';
import { auditQuestions, auditRecordOf, auditZoneOf, classifyAudit } from './served-audit.js';
import type { AuditInput, AuditRecord, AxfrObservation, ServedObservation } from './served-audit.js';

const zone = 'zone-0.example.com';

function record<K extends RecordKind>(kind: K, name: string, data: RecordData[K], crName = `r-${name}`): AuditRecord {
  const obj = {
    apiVersion: bindyApiVersion,
    kind,
    metadata: { name: crName, namespace: 'ns', labels: { [zoneLabel]: zone } },
    spec: { name, ttl: 300, ...data },
  } as RecordObject;
  return auditRecordOf(obj);
}

/** What a server said, as readAnswer reads it from the encoded and decoded response. */
function served(server: string, fqdn: string, rrType: ProbeRrType, rcode: number, answers: Answer[] = []): ServedObservation {
  const packet = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode, questions: [{ type: rrType, name: fqdn }], answers }));
  return { server, fqdn, rrType, answer: readAnswer(packet, fqdn, rrType) };
}

const a = (name: string, ip: string): Answer => ({ type: 'A', name, ttl: 300, data: ip });
const fq = (n: string): string => `${n}.${zone}`;

const zoneOwn = [
  { fqdn: zone, rrType: 'SOA', rdata: ['ns1.zone-0.example.com hostmaster.zone-0.example.com 1'] },
  { fqdn: zone, rrType: 'NS', rdata: ['ns1.zone-0.example.com'] },
  { fqdn: fq('ns1'), rrType: 'A', rdata: ['10.0.0.1'] },
  { fqdn: zone, rrType: 'RRSIG', rdata: ['(data)'] },
];

void test('ground truth: one of each verdict on one server, unanswered kept apart from missing', () => {
  const www = record('ARecord', 'www', { ipv4Addresses: ['192.0.2.1'] });
  const lost = record('ARecord', 'lost', { ipv4Addresses: ['192.0.2.2'] });
  const bad = record('TXTRecord', 'txt', { text: ['v=1'] });
  const mail = record('MXRecord', '@', { priority: 10, mailServer: 'mx.example.net.' });
  const cname = record('ARecord', 'alias', { ipv4Addresses: ['192.0.2.4'] });
  const dead = record('ARecord', 'dead', { ipv4Addresses: ['192.0.2.3'] });
  const gone = record('ARecord', 'gone', { ipv4Addresses: ['192.0.2.5'] });
  const t1 = record('ARecord', 't1', { ipv4Addresses: ['192.0.2.6'] });
  const t2 = record('ARecord', 't2', { ipv4Addresses: ['192.0.2.7'] });
  const t3 = record('ARecord', 't3', { ipv4Addresses: ['192.0.2.8'] });
  const input: AuditInput = { desired: [www, lost, bad, mail, cname, t1, t2, t3], deleted: [dead, gone], zones: [{ zoneName: zone, nameServers: [fq('ns1')] }] };
  const s = 'primary-0';
  const observations: ServedObservation[] = [
    served(s, fq('www'), 'A', 0, [a(fq('www'), '192.0.2.1')]),
    served(s, fq('lost'), 'A', 3),
    served(s, fq('txt'), 'TXT', 0, [{ type: 'TXT', name: fq('txt'), ttl: 300, data: ['v=2'] }]),
    served(s, zone, 'MX', 0, [{ type: 'MX', name: zone, ttl: 300, data: { preference: 10, exchange: 'MX.example.net' } }]),
    // A CNAME where an A is desired: data is served, so it is wrong, not missing.
    served(s, fq('alias'), 'A', 0, [{ type: 'CNAME', name: fq('alias'), ttl: 300, data: 'elsewhere.example.net' }]),
    served(s, fq('dead'), 'A', 0, [a(fq('dead'), '192.0.2.3')]),
    served(s, fq('gone'), 'A', 0), // NODATA: gone, as desired
    { server: s, fqdn: fq('t1'), rrType: 'A', answer: null, error: 'timeout after 2 tries' },
    served(s, fq('t2'), 'A', 2),
    served(s, fq('t3'), 'A', 5),
  ];
  const axfr: AxfrObservation[] = [
    {
      server: s,
      zoneName: `${zone}.`,
      rrsets: [
        ...zoneOwn,
        { fqdn: fq('www'), rrType: 'A', rdata: ['192.0.2.1'] },
        { fqdn: fq('dead'), rrType: 'A', rdata: ['192.0.2.3'] },
        { fqdn: fq('rogue'), rrType: 'A', rdata: ['192.0.2.66'] },
      ],
    },
  ];
  const report = classifyAudit(input, observations, axfr);
  assert.equal(report.clean, false);
  assert.equal(report.byServer.length, 1);
  const [one] = report.byServer;
  assert.ok(one);
  assert.deepEqual(one.counts, { match: 3, missing: 1, wrong: 2, stale: 1, orphaned: 1, unanswered: 3 });
  assert.equal(one.mismatchesTotal, 8);
  const by = Object.fromEntries(one.mismatches.map((m) => [`${m.fqdn} ${m.rrType}`, m]));
  assert.equal(by[`${fq('lost')} A`]?.verdict, 'missing');
  assert.deepEqual(
    { ...by[`${fq('txt')} TXT`] },
    { kind: 'TXTRecord', namespace: 'ns', name: 'r-txt', fqdn: fq('txt'), rrType: 'TXT', verdict: 'wrong', expected: 'TXT "v=1"', served: 'NOERROR TXT ["v=2"]' },
  );
  assert.equal(by[`${fq('alias')} A`]?.verdict, 'wrong');
  assert.deepEqual({ ...by[`${fq('dead')} A`] }, { kind: 'ARecord', namespace: 'ns', name: 'r-dead', fqdn: fq('dead'), rrType: 'A', verdict: 'stale', expected: '(gone)', served: 'NOERROR A 192.0.2.3' });
  assert.deepEqual({ ...by[`${fq('rogue')} A`] }, { kind: null, namespace: null, name: null, fqdn: fq('rogue'), rrType: 'A', verdict: 'orphaned', expected: '(no record)', served: 'A 192.0.2.66' });
  assert.equal(by[`${fq('t1')} A`]?.served, 'timeout after 2 tries');
  assert.equal(by[`${fq('t2')} A`]?.served, 'SERVFAIL');
  assert.equal(by[`${fq('t3')} A`]?.served, 'REFUSED');
  assert.ok(one.mismatches.every((m) => m.fqdn !== fq('gone') && m.fqdn !== fq('www') && m.fqdn !== zone), 'matches, apex SOA/NS, glue and DNSSEC are no findings');
});

void test('a clean audit on two servers; servers listed in the given order even without findings', () => {
  const www = record('ARecord', 'www', { ipv4Addresses: ['192.0.2.1', '192.0.2.9'] });
  const input: AuditInput = { desired: [www], deleted: [], zones: [{ zoneName: zone, nameServers: [fq('ns1')] }] };
  const obs = ['b', 'a'].map((s) => served(s, fq('WWW'), 'A', 0, [a(fq('www'), '192.0.2.9'), a(fq('www'), '192.0.2.1')]));
  const axfr = ['a', 'b'].map((s) => ({ server: s, zoneName: zone, rrsets: [...zoneOwn, { fqdn: fq('www'), rrType: 'A', rdata: ['192.0.2.1', '192.0.2.9'] }] }));
  const report = classifyAudit(input, obs, axfr, { servers: ['a', 'b'] });
  assert.equal(report.clean, true);
  assert.deepEqual(
    report.byServer.map((s) => [s.server, s.counts.match, s.mismatchesTotal]),
    [
      ['a', 1, 0],
      ['b', 1, 0],
    ],
  );
});

void test('CRs sharing one RRset are judged on the union; a deleted CR\'s data a live CR also holds is not stale', () => {
  const one = record('ARecord', 'multi', { ipv4Addresses: ['192.0.2.1'] }, 'one');
  const two = record('ARecord', 'multi', { ipv4Addresses: ['192.0.2.2'] }, 'two');
  const old = record('ARecord', 'multi', { ipv4Addresses: ['192.0.2.2', '192.0.2.3'] }, 'old');
  const input: AuditInput = { desired: [one, two], deleted: [old], zones: [] };
  assert.deepEqual(auditQuestions(input), [{ fqdn: fq('multi'), rrType: 'A' }]);
  const both = served('s', fq('multi'), 'A', 0, [a(fq('multi'), '192.0.2.1'), a(fq('multi'), '192.0.2.2')]);
  assert.deepEqual(classifyAudit(input, [both], []).byServer[0]?.counts, { match: 3, missing: 0, wrong: 0, stale: 0, orphaned: 0, unanswered: 0 });
  // 192.0.2.3 is only the deleted CR's: stale; the live RRset is then not exactly desired: wrong.
  const left = served('s', fq('multi'), 'A', 0, [a(fq('multi'), '192.0.2.1'), a(fq('multi'), '192.0.2.2'), a(fq('multi'), '192.0.2.3')]);
  assert.deepEqual(classifyAudit(input, [left], []).byServer[0]?.counts, { match: 0, missing: 0, wrong: 2, stale: 1, orphaned: 0, unanswered: 0 });
});

void test('TXT matches in either shape: one RR per entry (operator) or one RR with every entry (zone file)', () => {
  const txt = record('TXTRecord', 'txt', { text: ['a', 'b'] });
  const input: AuditInput = { desired: [txt], deleted: [], zones: [] };
  const perEntry = served('s', fq('txt'), 'TXT', 0, [
    { type: 'TXT', name: fq('txt'), ttl: 300, data: ['a'] },
    { type: 'TXT', name: fq('txt'), ttl: 300, data: ['b'] },
  ]);
  const joined = served('s', fq('txt'), 'TXT', 0, [{ type: 'TXT', name: fq('txt'), ttl: 300, data: ['a', 'b'] }]);
  assert.equal(classifyAudit(input, [perEntry], []).clean, true);
  assert.equal(classifyAudit(input, [joined], []).clean, true);
});

void test('mismatches are capped, counts are not; a failed or absent AXFR and an unasked question are unanswered', () => {
  const desired = Array.from({ length: 60 }, (_, i) => record('ARecord', `h${i}`, { ipv4Addresses: ['192.0.2.1'] }));
  const obs = desired.slice(0, 59).map((r) => served('s', r.fqdn, 'A', 3));
  const input: AuditInput = { desired, deleted: [], zones: [{ zoneName: zone }, { zoneName: 'other.example' }] };
  const report = classifyAudit(input, obs, [{ server: 's', zoneName: zone, error: 'REFUSED' }], { maxMismatches: 50 });
  const s = report.byServer[0];
  assert.ok(s);
  assert.deepEqual(s.counts, { match: 0, missing: 59, wrong: 0, stale: 0, orphaned: 0, unanswered: 3 });
  assert.equal(s.mismatchesTotal, 62);
  assert.equal(s.mismatches.length, 50);
  const full = classifyAudit(input, obs, [{ server: 's', zoneName: zone, error: 'REFUSED' }], { maxMismatches: 100 }).byServer[0];
  assert.deepEqual(
    full?.mismatches.filter((m) => m.verdict === 'unanswered').map((m) => [m.kind, m.fqdn, m.rrType, m.served]),
    [
      ['ARecord', fq('h59'), 'A', 'not asked'],
      ['DNSZone', zone, 'AXFR', 'REFUSED'],
      ['DNSZone', 'other.example', 'AXFR', 'not asked'],
    ],
  );
});

void test('an orphan is per RRset: another type at a CR\'s name is one; a zone not the run\'s is not searched', () => {
  const www = record('ARecord', 'www', { ipv4Addresses: ['192.0.2.1'] });
  const input: AuditInput = { desired: [www], deleted: [], zones: [{ zoneName: zone, nameServers: [fq('ns1')] }] };
  const axfr: AxfrObservation[] = [
    { server: 's', zoneName: zone, rrsets: [...zoneOwn, { fqdn: fq('www'), rrType: 'A', rdata: ['192.0.2.1'] }, { fqdn: fq('www'), rrType: 'TXT', rdata: ['["x"]'] }, { fqdn: fq('sub'), rrType: 'NS', rdata: ['ns.sub'] }] },
    { server: 's', zoneName: 'foreign.example', rrsets: [{ fqdn: 'x.foreign.example', rrType: 'A', rdata: ['192.0.2.1'] }] },
  ];
  const s = classifyAudit(input, [served('s', fq('www'), 'A', 0, [a(fq('www'), '192.0.2.1')])], axfr).byServer[0];
  assert.deepEqual(
    s?.mismatches.map((m) => `${m.verdict} ${m.fqdn} ${m.rrType}`),
    [`orphaned ${fq('www')} TXT`, `orphaned ${fq('sub')} NS`],
  );
});

void test('at a deleted CR\'s name and type, data it never held is an orphan; its own leftover only stale', () => {
  const dead = record('ARecord', 'dead', { ipv4Addresses: ['192.0.2.3'] });
  const input: AuditInput = { desired: [], deleted: [dead], zones: [{ zoneName: zone }] };
  const obs = [served('s', fq('dead'), 'A', 0, [a(fq('dead'), '192.0.2.3'), a(fq('dead'), '192.0.2.99')])];
  const axfr: AxfrObservation[] = [{ server: 's', zoneName: zone, rrsets: [{ fqdn: fq('dead'), rrType: 'A', rdata: ['192.0.2.3', '192.0.2.99'] }] }];
  const s = classifyAudit(input, obs, axfr).byServer[0];
  assert.deepEqual(
    s?.mismatches.map((m) => `${m.verdict} ${m.fqdn} ${m.served}`),
    [`stale ${fq('dead')} NOERROR A 192.0.2.3, 192.0.2.99`, `orphaned ${fq('dead')} A 192.0.2.99`],
  );
});

void test('audit inputs from fixture objects: zone label, apex, name servers and SOA primary as glue', () => {
  const r = record('SRVRecord', '_sip._tcp', { priority: 1, weight: 2, port: 5060, target: 't.example.org.' });
  assert.equal(r.fqdn, `_sip._tcp.${zone}`);
  assert.equal(r.zoneName, zone);
  assert.deepEqual(r.expected.shapes, [['1 2 5060 t.example.org']]);
  const z: DnsZoneObject = {
    apiVersion: bindyApiVersion,
    kind: 'DNSZone',
    metadata: { name: 'z', namespace: 'ns', labels: {} },
    spec: {
      zoneName: 'Zone-0.Example.com.',
      ttl: 300,
      soaRecord: { primaryNs: 'ns0.zone-0.example.com.', adminEmail: 'h.zone-0.example.com.', serial: 1, refresh: 1, retry: 1, expire: 1, negativeTtl: 1 },
      nameServers: [{ hostname: 'NS1.zone-0.example.com.', ipv4Address: '10.0.0.1' }],
      bind9InstancesFrom: [],
      recordsFrom: [],
    },
  };
  assert.deepEqual(auditZoneOf(z), { zoneName: zone, nameServers: ['ns1.zone-0.example.com', 'ns0.zone-0.example.com'] });
});
