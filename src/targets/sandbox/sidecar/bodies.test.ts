import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAddRecord, decodeCreateZone, defaultSerial } from './bodies.js';

const json = 'application/json';
const now = new Date(Date.UTC(2026, 10, 24, 15));
const minimal = {
  zoneName: 'a.test',
  zoneType: 'primary',
  zoneConfig: { ttl: 300, soa: { primaryNs: 'ns1.a.test.', adminEmail: 'admin.a.test.' }, nameServers: ['ns1.a.test.'], nameServerIps: {} },
};

void test('create-zone body: serde defaults for SOA timers, serial and records', () => {
  const d = decodeCreateZone(json, JSON.stringify(minimal), now);
  assert.ok(d.ok);
  assert.deepEqual(d.value.zoneConfig.soa, {
    primaryNs: 'ns1.a.test.',
    adminEmail: 'admin.a.test.',
    serial: 2026112401,
    refresh: 3600,
    retry: 600,
    expire: 604800,
    negativeTtl: 86400,
  });
  assert.deepEqual(d.value.zoneConfig.records, []);
  assert.equal(d.value.updateKeyName, undefined);
  assert.equal(defaultSerial(new Date(Date.UTC(2025, 0, 2))), 2025010201);
});

void test('create-zone body rejections follow axum: 415 wrong type, 400 bad JSON, 422 wrong shape', () => {
  assert.deepEqual(decodeCreateZone('text/plain', '{}', now), { ok: false, status: 415, text: 'Expected request with `Content-Type: application/json`' });
  const bad = decodeCreateZone(json, '{"zoneName":', now);
  assert.equal(bad.ok ? 0 : bad.status, 400);
  assert.match(bad.ok ? '' : bad.text, /^Failed to parse the request body as JSON: /);
  const missing = decodeCreateZone(json, JSON.stringify({ ...minimal, zoneName: undefined }), now);
  assert.deepEqual(missing, { ok: false, status: 422, text: 'Failed to deserialize the JSON body into the target type: missing field `zoneName`' });
  const wrong = decodeCreateZone(json, JSON.stringify({ ...minimal, zoneConfig: { ...minimal.zoneConfig, ttl: -1 } }), now);
  assert.deepEqual(wrong, { ok: false, status: 422, text: 'Failed to deserialize the JSON body into the target type: zoneConfig: ttl: invalid value: integer `-1`, expected u32' });
});

void test('add-record body: ttl defaults to 3600, priority kept', () => {
  const d = decodeAddRecord('application/json; charset=utf-8', '{"name":"mx","type":"MX","value":"mail.a.test.","priority":10}');
  assert.deepEqual(d, { ok: true, value: { name: 'mx', type: 'MX', value: 'mail.a.test.', ttl: 3600, priority: 10 } });
  const wrong = decodeAddRecord(json, '{"name":"x","type":"A","value":1}');
  assert.equal(wrong.ok ? 0 : wrong.status, 422);
});
