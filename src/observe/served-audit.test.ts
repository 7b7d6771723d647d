/**
 * @module The served audit against a real named on loopback: a zone with known ground truth (one
 * record right, one missing, one wrong, one deleted but still served, one orphan) must be found
 * exactly; a silent server is all unanswered; budget and abort bound the audit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startNamed } from '../targets/sandbox/bind9/named-process.js';
import type { NamedServer } from '../targets/sandbox/bind9/named-process.js';
import { bindyApiVersion, zoneLabel } from '../model/kinds.js';
import type { RecordKind } from '../model/kinds.js';
import type { RecordData, RecordObject } from '../model/fixtures/objects.js';
import { auditRecordOf } from '../judge/served-audit.js';
import type { AuditRecord } from '../judge/served-audit.js';
import type { ProbeServer } from './dns-prober.js';
import { auditServed } from './served-audit.js';
import { transferZone } from './dns-exchange.js';

const zone = 'audit.test';
const bulkZone = 'bulk.test';
const bulkRrs = 600;
let named: NamedServer;
let silent: Socket | undefined;
let server: ProbeServer;
let quiet: ProbeServer;

function record<K extends RecordKind>(kind: K, name: string, data: RecordData[K], zoneName = zone): AuditRecord {
  const obj = {
    apiVersion: bindyApiVersion,
    kind,
    metadata: { name: `r-${name === '@' ? 'apex' : name}`, namespace: 'ns', labels: { [zoneLabel]: zoneName } },
    spec: { name, ttl: 300, ...data },
  } as RecordObject;
  return auditRecordOf(obj);
}

/** Eight 250-byte strings: over named's 1232-byte UDP limit, so the answer comes over TCP. */
const bigText = Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(97 + i)}`.repeat(250));

function zoneFile(name: string, extra = ''): string {
  return `$TTL 300\n@ IN SOA ns1.${name}. admin.${name}. 1 3600 600 604800 300\n@ IN NS ns1.${name}.\nns1 IN A 127.0.0.1\n${extra}`;
}

async function addZone(name: string, extra = ''): Promise<void> {
  const file = join(named.dir, `${name}.zone`);
  await writeFile(file, zoneFile(name, extra));
  await named.rndc.addzone(name, `{ type primary; file "${file}"; allow-update { key "${named.updateKey.name}"; }; };`);
}

before(async () => {
  named = await startNamed();
  server = { host: '127.0.0.1', port: named.ports.dns, name: 'named' };
  await addZone(zone);
  // What the server serves: the ground truth, written as the operator would (one TXT RR per entry).
  await named.nsupdate().send(`${zone}.`, [
    { op: 'add', name: `www.${zone}.`, ttl: 300, type: 'A', value: '192.0.2.1' },
    { op: 'add', name: `${zone}.`, ttl: 300, type: 'MX', value: '10 mail.example.net.' }, // out of zone: named refuses an in-zone MX target without an address
    { op: 'add', name: `txt.${zone}.`, ttl: 300, type: 'TXT', value: '"v=2"' },
    { op: 'add', name: `old.${zone}.`, ttl: 300, type: 'A', value: '192.0.2.3' },
    { op: 'add', name: `rogue.${zone}.`, ttl: 300, type: 'A', value: '192.0.2.66' },
    ...bigText.map((t) => ({ op: 'add' as const, name: `big.${zone}.`, ttl: 300, type: 'TXT', value: `"${t}"` })),
  ]);
  const bulk = Array.from({ length: bulkRrs }, (_, i) => `t${i} IN TXT "${'x'.repeat(200)}"\n`).join('');
  await addZone(bulkZone, bulk);
  // A UDP socket that never answers (and no TCP listener on its port): a dead server.
  const socket = createSocket('udp4');
  silent = socket;
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  quiet = { host: '127.0.0.1', port: socket.address().port, name: 'silent' };
});

after(async () => {
  silent?.close();
  await named.stop();
});

const desired = [
  record('ARecord', 'www', { ipv4Addresses: ['192.0.2.1'] }),
  record('MXRecord', '@', { priority: 10, mailServer: 'mail.example.net.' }),
  record('TXTRecord', 'big', { text: bigText }),
  record('ARecord', 'lost', { ipv4Addresses: ['192.0.2.2'] }),
  record('TXTRecord', 'txt', { text: ['v=1'] }),
  // Its zone is not on the server: REFUSED, which is unanswered, not missing.
  record('ARecord', 'www', { ipv4Addresses: ['192.0.2.1'] }, 'elsewhere.test'),
];
const deleted = [record('ARecord', 'old', { ipv4Addresses: ['192.0.2.3'] }), record('ARecord', 'removed', { ipv4Addresses: ['192.0.2.4'] })];
const zones = [{ zoneName: zone, nameServers: [`ns1.${zone}.`] }];

void test('ground truth on a real named: exactly one of each finding; a silent server is all unanswered', async () => {
  const t0 = performance.now();
  const report = await auditServed({ servers: [server, quiet], desired, deleted, zones, timeoutMs: 300, attempts: 2 });
  assert.ok(performance.now() - t0 < 10_000, 'bounded');
  assert.equal(report.clean, false);
  const [real, dead] = report.byServer;
  assert.ok(real && dead);
  assert.equal(real.server, 'named');
  assert.deepEqual(real.counts, { match: 4, missing: 1, wrong: 1, stale: 1, orphaned: 1, unanswered: 1 });
  assert.deepEqual(
    real.mismatches.map((m) => `${m.verdict} ${m.kind ?? '-'} ${m.fqdn} ${m.rrType} | ${m.served}`),
    [
      `missing ARecord lost.${zone} A | NXDOMAIN`,
      `wrong TXTRecord txt.${zone} TXT | NOERROR TXT ["v=2"]`,
      'unanswered ARecord www.elsewhere.test A | REFUSED',
      `stale ARecord old.${zone} A | NOERROR A 192.0.2.3`,
      `orphaned - rogue.${zone} A | A 192.0.2.66`,
    ],
  );
  assert.equal(dead.server, 'silent');
  assert.deepEqual(dead.counts, { match: 0, missing: 0, wrong: 0, stale: 0, orphaned: 0, unanswered: desired.length + deleted.length + zones.length });
  assert.ok(dead.mismatches.every((m) => m.verdict === 'unanswered'));
  assert.match(dead.mismatches[0]?.served ?? '', /no answer within 300 ms \(2 of 2 tries\)/);
  assert.equal(report.stats.questions, 8);
  assert.ok(report.stats.tcpRetries >= 1, 'the 2 kB TXT answer was truncated over UDP and asked again over TCP');
  assert.equal(report.stats.budgetExceeded, false);
});

void test('the named server alone, with the CRs that are really there: clean', async () => {
  const report = await auditServed({
    servers: [server],
    desired: [...desired.slice(0, 3), record('TXTRecord', 'txt', { text: ['v=2'] }), record('ARecord', 'old', { ipv4Addresses: ['192.0.2.3'] }), record('ARecord', 'rogue', { ipv4Addresses: ['192.0.2.66'] })],
    deleted: deleted.slice(1),
    zones,
  });
  assert.deepEqual(report.byServer[0]?.mismatches, []);
  assert.equal(report.clean, true);
  assert.equal(report.byServer[0]?.counts.match, 7);
});

void test('AXFR over several TCP messages returns every RR; a zone named does not serve is refused', async () => {
  const r = await transferZone(server, bulkZone, { timeoutMs: 10_000 });
  assert.ok(r.messages >= 2, `a ${bulkRrs}-TXT zone spans several messages (got ${r.messages})`);
  // SOA, NS, glue, then the TXT records; the closing SOA is not repeated.
  assert.equal(r.answers.length, bulkRrs + 3);
  assert.equal(r.answers.filter((a) => a.type === 'TXT').length, bulkRrs);
  await assert.rejects(transferZone(server, 'elsewhere.test', { timeoutMs: 5000 }), /AXFR elsewhere\.test .*: (NOTAUTH|REFUSED)/);
});

void test('the time budget ends an audit of a dead server with everything unanswered; an abort rejects it', async () => {
  const t0 = performance.now();
  const report = await auditServed({ servers: [quiet], desired, deleted, zones: [], timeoutMs: 5000, budgetMs: 200 });
  assert.ok(performance.now() - t0 < 2000, `budget kept (${Math.round(performance.now() - t0)} ms)`);
  assert.equal(report.stats.budgetExceeded, true);
  assert.equal(report.byServer[0]?.counts.unanswered, desired.length + deleted.length);
  assert.ok(report.byServer[0]?.mismatches.every((m) => m.served === 'audit time budget over'));

  const controller = new AbortController();
  const t1 = performance.now();
  setTimeout(() => controller.abort(new Error('stop now')), 100);
  await assert.rejects(auditServed({ servers: [quiet], desired, deleted, zones: [], timeoutMs: 5000, signal: controller.signal }), /stop now/);
  assert.ok(performance.now() - t1 < 2000, 'abort is prompt');
});
