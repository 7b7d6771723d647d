/** @module The bind zones plan: create bodies that BIND9 loads whole, the size check against bindcar's limit, and queries of exactly the loaded records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Config } from '../config/index.js';
import { UsageError } from '../errors.js';
import { recordToRrs } from '../model/output/rdata.js';
import { generateZoneRecords } from '../model/fixtures/generate.js';
import { recordObjectFqdn } from '../observe/dns-expectation.js';
import { renderZoneFile } from '../targets/sandbox/sidecar/zone-text.js';
import { checkZoneFile } from '../targets/sandbox/bind9/check-zone.js';
import { planBindZones, servedWitness, zoneCreateBody, zonesQueries } from './bind-zones-plan.js';

function config(zones: Partial<Config['scenarios']['zones']>): Config {
  return { ...defaultConfig, scenarios: { ...defaultConfig.scenarios, zones: { ...defaultConfig.scenarios.zones, ...zones } } };
}

test('a create body as bindcar writes it loads in named-checkzone whole: SOA, NS, glue and every generated RR of every kind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-zones-plan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const plan = planBindZones({ config: config({ zones: 2, recordsPerZone: 300, kinds: { ARecord: 0.3, AAAARecord: 0.1, CNAMERecord: 0.1, MXRecord: 0.15, TXTRecord: 0.15, SRVRecord: 0.1, CAARecord: 0.1 } }), runId: 'zp1', interleave: false });
  const o = plan.data?.fixtures;
  assert.ok(o !== undefined);
  for (const i of [0, 1]) {
    const body = zoneCreateBody(o, i, 'bindy-key');
    let rrs = 0;
    for (const r of generateZoneRecords(o, i)) rrs += recordToRrs(r).length;
    assert.equal(body.zoneConfig.records.length, rrs, 'one bindcar record per RR');
    assert.equal(body.updateKeyName, 'bindy-key');
    // The twin renders the zone file exactly as bindcar does; named-checkzone is the judge of what BIND9 loads.
    const file = join(dir, `${body.zoneName}.zone`);
    await writeFile(file, renderZoneFile(body.zoneConfig));
    const r = await checkZoneFile(body.zoneName, file);
    assert.equal(r.exitCode, 0, r.messages);
    assert.equal(r.records, rrs + 3, 'SOA, apex NS and glue A, then every record');
  }
});

/** A name compared without case or trailing dot. */
function fqdn(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

test('the served witness is the zone\'s last record; the queries are exactly the loaded records plus names that do not exist', () => {
  const plan = planBindZones({ config: config({ zones: 3, recordsPerZone: 20 }), runId: 'zp2', interleave: false });
  const o = plan.data?.fixtures;
  assert.ok(o !== undefined);
  const names = new Set<string>();
  for (let i = 0; i < 3; i++) {
    let last = '';
    for (const r of generateZoneRecords(o, i)) {
      last = fqdn(recordObjectFqdn(r));
      names.add(last);
    }
    assert.equal(fqdn(recordObjectFqdn(servedWitness(o, i))), last);
  }
  const queries = [...zonesQueries(o)];
  const data = queries.filter((q) => q.expect === 'data');
  assert.equal(data.length, 60);
  for (const q of data) assert.ok(names.has(fqdn(q.name)), `${q.name} is a loaded record`);
  for (const q of queries.filter((x) => x.expect === 'nxdomain')) assert.ok(!names.has(fqdn(q.name)));
  assert.equal(plan.total, 3);
  assert.deepEqual([...plan.objects()], [], 'nothing is written to Kubernetes');
});

test('a zone over bindcar\'s 2 MiB request limit is refused in one line against a bindcar URL; the record count that line names fits; the sandbox and a cluster load it directly', () => {
  const url = 'http://127.0.0.1:8080';
  const sandbox = planBindZones({ config: config({ zones: 1, recordsPerZone: 30_000 }), runId: 'zp3', interleave: false });
  assert.match(sandbox.describe[0] ?? '', /a zone over it is loaded as bindcar would: its zone file written into bindcar's zone directory, then rndc addzone directly/);
  const cluster = planBindZones({ config: { ...config({ zones: 1, recordsPerZone: 30_000 }), target: 'cluster' }, runId: 'zp3', interleave: false });
  assert.match(cluster.describe[0] ?? '', /^1\. against bindcar of the primary BIND9 pod, through a port-forward this run opens with the token in \$BINDCAR_TOKEN .*its zone file written into bindcar's zone directory of that pod, \/var\/cache\/bind, through pods\/exec, then rndc addzone directly/);
  let message = '';
  try {
    planBindZones({ config: config({ zones: 1, recordsPerZone: 30_000, bindcarUrl: url }), runId: 'zp3', interleave: false });
  } catch (e) {
    assert.ok(e instanceof UsageError);
    message = e.message;
  }
  assert.match(message, /^--records-per-zone 30000: zone \S+'s create request would be \d+\.\d MiB, over bindcar's 2 MiB request limit.*\(behind a --bindcar-url its pod is not known: without it, the sandbox and a cluster load such a zone directly\)$/);
  const fits = Number(/about (\d+) records/.exec(message)?.[1]);
  assert.ok(fits > 1000 && fits < 30_000, message);
  assert.doesNotThrow(() => planBindZones({ config: config({ zones: 1, recordsPerZone: fits, bindcarUrl: url }), runId: 'zp3', interleave: false }));
});
