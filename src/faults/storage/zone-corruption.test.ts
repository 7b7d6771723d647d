import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tearAt, zoneFilesOf, ZoneCorruptionMechanism } from './zone-corruption.js';
import { describeFault, parseFaultSpec, parseRevertDescriptor } from '../fault.js';

test('the zones torn are the first zone files in name order; journals, keys and config are never candidates', () => {
  const names = ['named.conf', 'zone-1.a.example.com.zone', 'zone-0.a.example.com.zone.jnl', 'update.key', 'zone-0.a.example.com.zone', '.zone', '_default.nzd'];
  assert.deepEqual(zoneFilesOf(names), [
    { zone: 'zone-0.a.example.com', file: 'zone-0.a.example.com.zone' },
    { zone: 'zone-1.a.example.com', file: 'zone-1.a.example.com.zone' },
  ]);
  assert.equal(tearAt(1001), 500);
  assert.equal(tearAt(0), 0);
});

test('zone-corruption: a storage fault of named; its descriptor writes only .zone files back', () => {
  assert.deepEqual(parseFaultSpec({ kind: 'zone-corruption', zones: 2 }), { kind: 'zone-corruption', zones: 2 });
  assert.throws(() => parseFaultSpec({ kind: 'zone-corruption', zones: 0 }), /zone-corruption\.zones must be an integer ≥ 1/);
  assert.equal(describeFault({ kind: 'zone-corruption' }), "1 zone file torn, found at named's restart");
  assert.equal(describeFault({ kind: 'zone-corruption', zones: 3 }), "3 zone files torn, found at named's restart");
  const m = new ZoneCorruptionMechanism({ home: '/h' });
  assert.equal(m.unsupportedReason('named', { kind: 'zone-corruption' }), undefined);
  assert.match(m.unsupportedReason('sidecar', { kind: 'zone-corruption' }) ?? '', /acts on named's zone files/);
  // A secondary's named keeps no zone file: its zones come by transfer (bindcar adds them with no file clause).
  assert.match(m.unsupportedReason('named-secondary-0', { kind: 'zone-corruption' }) ?? '', /^zone-corruption acts on the zone files named loads when it starts, and secondary-0's named has none: .*no file clause.*bind9-crash server=secondary-0 zoneData=lose/);
  const file = { zone: 'z.example.com', path: '/h/run/named/z.example.com.zone', backup: '/h/run/zone-corruption-x/z.example.com.zone', tornSha256: 'a'.repeat(64) };
  const d = { mechanism: 'sandbox-zonefile', version: 1, home: '/h', part: 'named', files: [file] };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(d))), d);
  assert.throws(() => parseRevertDescriptor({ ...d, files: [{ ...file, path: '/etc/passwd' }] }), /files must be a non-empty array/);
  assert.throws(() => parseRevertDescriptor({ ...d, files: [] }), /files must be a non-empty array/);
  assert.throws(() => parseRevertDescriptor({ ...d, part: 'operator' }), /part must be named/);
});
