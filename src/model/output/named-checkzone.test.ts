/** Generated zone files load in real BIND9: named-checkzone on zones of 10, 1,000 and 100,000 records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { resolveFixtureOptions } from '../fixtures/options.js';
import { generateZone, generateZoneRecords } from '../fixtures/generate.js';
import { writeZoneFile } from './zone-file.js';
import { recordToRrs } from './rdata.js';
import { checkZoneFile, findNamedCheckzone } from '../../targets/sandbox/bind9/check-zone.js';

const skip = findNamedCheckzone() === undefined ? 'named-checkzone is not installed' : false;

for (const records of [10, 1_000, 100_000]) {
  test(`named-checkzone accepts a generated zone of ${records} records`, { skip, timeout: 120_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'bindy-lt-zone-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const o = resolveFixtureOptions({ seed: records, recordsPerZone: records });
    const zone = generateZone(o, 0);
    const file = join(dir, 'zone.db');
    const out = createWriteStream(file);
    await writeZoneFile(zone, generateZoneRecords(o, 0), out);
    out.end();
    await finished(out);
    let expected = 3; // SOA, apex NS, glue A of ns1
    for (const r of generateZoneRecords(o, 0)) expected += recordToRrs(r).length;
    const r = await checkZoneFile(zone.spec.zoneName, file);
    assert.equal(r.exitCode, 0, r.messages);
    assert.match(r.messages, /loaded serial 2025010101/);
    assert.equal(r.records, expected, 'every generated RR is in the loaded zone');
  });
}

test('named-checkzone rejects a zone file that breaks a rule (the check can fail)', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bindy-lt-zone-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const o = resolveFixtureOptions({ recordsPerZone: 0 });
  const zone = generateZone(o, 0);
  // A CNAME beside other data at one owner: what the generator's unique owners exist to prevent.
  const clash = {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    metadata: { name: 'x', namespace: 'n', labels: {} },
  };
  const file = join(dir, 'zone.db');
  const out = createWriteStream(file);
  await writeZoneFile(
    zone,
    [
      { ...clash, kind: 'ARecord', spec: { name: 'www', ttl: 60, ipv4Addresses: ['192.0.2.1'] } },
      { ...clash, kind: 'CNAMERecord', spec: { name: 'www', ttl: 60, target: 'x.example.net.' } },
    ],
    out,
  );
  out.end();
  await finished(out);
  const r = await checkZoneFile(zone.spec.zoneName, file);
  assert.notEqual(r.exitCode, 0);
});
