import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { normalizeRecordName, parseShowzone, recordTypeError, recordValueError, renderAddzoneBlock, renderModzoneBlock, renderZoneFile, transferEndpoint } from './zone-text.js';
import type { CreateZoneRequest } from './bodies.js';

const soa = { primaryNs: 'ns1.a.test.', adminEmail: 'admin.a.test.', serial: 7, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const request: CreateZoneRequest = {
  zoneName: 'a.test',
  zoneType: 'primary',
  zoneConfig: {
    ttl: 300,
    soa,
    nameServers: ['ns1.a.test.'],
    nameServerIps: { 'ns1.a.test.': '127.0.0.1' },
    records: [{ name: 'mx', type: 'MX', value: 'mail.a.test.', priority: 10, ttl: 60 }],
    alsoNotify: ['127.0.0.2'],
  },
  updateKeyName: 'bindcar-update',
};

void test('zone file: $TTL, SOA with its timers, NS, glue, records with ttl and priority', () => {
  assert.equal(
    renderZoneFile(request.zoneConfig),
    '$TTL 300\n\n@ IN SOA ns1.a.test. admin.a.test. (\n    7  ; Serial\n    3600  ; Refresh\n    600  ; Retry\n    604800  ; Expire\n    300 ); Negative TTL\n\n@ IN NS ns1.a.test.\n\nns1.a.test. IN A 127.0.0.1\n\nmx 60 IN MX 10 mail.a.test.\n',
  );
});

void test('addzone block: file in the zone dir, allow-update with the key, also-notify', () => {
  assert.equal(
    renderAddzoneBlock(request, '/var/cache/bind'),
    '{ type primary; file "/var/cache/bind/a.test.zone"; allow-update { key "bindcar-update"; }; also-notify { 127.0.0.2; }; };',
  );
  assert.equal(
    renderAddzoneBlock({ ...request, zoneType: 'secondary', updateKeyName: undefined, zoneConfig: { ...request.zoneConfig, alsoNotify: undefined, primaries: ['127.0.0.1'] } }, '/d'),
    '{ type secondary; primaries { 127.0.0.1; }; };',
  );
});

void test('showzone parse, and modzone keeps other clauses while replacing the lists', () => {
  const shown = parseShowzone('zone "a.test" { type master; file "/d/a.test.zone"; allow-update { key "bindcar-update"; }; };\n');
  assert.equal(shown.type, 'primary');
  assert.equal(shown.allowUpdate, true);
  assert.equal(parseShowzone('zone "b" { type primary; file "f"; };').allowUpdate, false);
  assert.equal(
    renderModzoneBlock(shown, { alsoNotify: ['127.0.0.9'], allowUpdate: [] }),
    '{ type master; file "/d/a.test.zone"; also-notify { 127.0.0.9; }; };',
  );
});

void test('record rules: types, values and owner names as bindcar checks them', () => {
  assert.equal(recordTypeError('a'), undefined);
  assert.match(recordTypeError('SPF') ?? '', /^Invalid record type: SPF\. Supported types: \["A", "AAAA"/);
  assert.equal(recordValueError('A', '192.0.2.1', isIPv6), undefined);
  assert.equal(recordValueError('A', '999.0.0.1', isIPv6), 'Invalid IPv4 address: 999.0.0.1');
  assert.equal(recordValueError('AAAA', '2001:db8::1', isIPv6), undefined);
  assert.match(recordValueError('CNAME', 'target', isIPv6) ?? '', /must be a fully qualified domain name ending with '\.'/);
  assert.equal(recordValueError('TXT', '', isIPv6), 'Record value cannot be empty');
  assert.equal(normalizeRecordName('@', 'a.test'), 'a.test.');
  assert.equal(normalizeRecordName('www', 'a.test'), 'www.a.test.');
  assert.equal(normalizeRecordName('www.a.test', 'a.test'), 'www.a.test.');
  assert.equal(normalizeRecordName('x.other.', 'a.test'), 'x.other.');
});

void test('primaries and also-notify take bindy\'s ip:port as BIND\'s `ip port n` (bindcar 0.7.2+); allow-transfer stays bare', () => {
  assert.equal(transferEndpoint('127.0.0.1:5353'), '127.0.0.1 port 5353');
  assert.equal(transferEndpoint('[::1]:5353'), '::1 port 5353');
  assert.equal(transferEndpoint('10.0.0.1'), '10.0.0.1');
  assert.equal(
    renderAddzoneBlock({ ...request, zoneConfig: { ...request.zoneConfig, alsoNotify: ['127.0.0.1:5354'], allowTransfer: ['127.0.0.1'] } }, '/d'),
    '{ type primary; file "/d/a.test.zone"; allow-update { key "bindcar-update"; }; also-notify { 127.0.0.1 port 5354; }; allow-transfer { 127.0.0.1; }; };',
  );
  assert.equal(
    renderAddzoneBlock({ ...request, zoneType: 'secondary', zoneConfig: { ...request.zoneConfig, alsoNotify: undefined, primaries: ['127.0.0.1:5353'] } }, '/d'),
    '{ type secondary; primaries { 127.0.0.1 port 5353; }; allow-update { key "bindcar-update"; }; };',
  );
});
