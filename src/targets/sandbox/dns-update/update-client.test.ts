import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startNamed, type NamedServer } from '../bind9/named-process.js';
import { udpQuery } from '../bind9/udp-query.js';
import { applyUpdate, sendUpdate, type UpdateTarget } from './update-client.js';
import { DnsUpdateError } from './update-error.js';

const zone = 'update.test';
let named: NamedServer;
let target: UpdateTarget;

before(async () => {
  named = await startNamed();
  await writeFile(
    join(named.dir, `${zone}.zone`),
    `$TTL 300\n@ IN SOA ns1.${zone}. admin.${zone}. 1 3600 600 604800 300\n@ IN NS ns1.${zone}.\nns1 IN A 127.0.0.1\n`,
  );
  await named.rndc.addzone(zone, `{ type primary; file "${zone}.zone"; allow-update { key "${named.updateKey.name}"; }; };`);
  target = { host: '127.0.0.1', port: named.ports.dns, tsig: named.updateKey };
});
after(async () => {
  await named.stop();
});

async function dig(name: string, type: string): Promise<string> {
  const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(named.ports.dns), '+short', '+norecurse', name, type]);
  return stdout.trim();
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`an UPDATE over ${transport} adds an RRset that dig answers, a signed delete makes it NXDOMAIN`, async () => {
    const name = `www-${transport}.${zone}`;
    const added = await applyUpdate({ ...target, transport }, zone, [
      { op: 'replace', rrset: { name, type: 'A', ttl: 300, records: [{ type: 'A', data: '192.0.2.10' }, { type: 'A', data: '192.0.2.11' }] } },
    ]);
    assert.equal(added.transport, transport);
    assert.equal(added.tsig.ok, true, 'named signed its answer with our key, chained to our MAC');
    assert.deepEqual((await dig(name, 'A')).split('\n').sort(), ['192.0.2.10', '192.0.2.11']);

    await applyUpdate({ ...target, transport }, zone, [
      { op: 'replace', rrset: { name, type: 'A', ttl: 300, records: [{ type: 'A', data: '192.0.2.12' }] } },
    ]);
    assert.equal(await dig(name, 'A'), '192.0.2.12', 'replace leaves exactly the new RRset');

    await applyUpdate({ ...target, transport }, zone, [{ op: 'delete', name, type: 'A' }]);
    assert.equal((await udpQuery(named.ports.dns, name, 'A')).rcode, 3, 'NXDOMAIN after the delete');
  });
}

// An in-zone MX target without an address is REFUSED by named (check-mx), so the exchange is out of zone.
test('TXT, MX, SRV and CAA records are published as given', async () => {
  await applyUpdate(target, zone, [
    { op: 'replace', rrset: { name: `t.${zone}`, type: 'TXT', ttl: 60, records: [{ type: 'TXT', data: ['v=spf1 -all'] }] } },
    { op: 'replace', rrset: { name: zone, type: 'MX', ttl: 60, records: [{ type: 'MX', data: { preference: 10, exchange: "mail.example.net" } }] } },
    { op: 'replace', rrset: { name: `_h._tcp.${zone}`, type: 'SRV', ttl: 60, records: [{ type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: `s.${zone}` } }] } },
    { op: 'replace', rrset: { name: zone, type: 'CAA', ttl: 60, records: [{ type: 'CAA', data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } }] } },
  ]);
  assert.equal(await dig(`t.${zone}`, 'TXT'), '"v=spf1 -all"');
  assert.equal(await dig(zone, 'MX'), "10 mail.example.net.");
  assert.equal(await dig(`_h._tcp.${zone}`, 'SRV'), `1 2 443 s.${zone}.`);
  assert.equal(await dig(zone, 'CAA'), '0 issue "letsencrypt.org"');
});

test('an UPDATE signed with an unknown key is refused and applyUpdate throws', async () => {
  const wrong = { ...target, tsig: { ...target.tsig, name: 'nobody' } };
  const op = { op: 'delete', name: `www.${zone}`, type: 'A' } as const;
  const result = await sendUpdate(wrong, zone, [op]);
  assert.equal(result.rcodeName, 'NOTAUTH');
  await assert.rejects(applyUpdate(wrong, zone, [op]), (e: unknown) => e instanceof DnsUpdateError && e.rcode === 9);
});

test('an UPDATE to a zone the server does not have is NOTAUTH', async () => {
  await assert.rejects(applyUpdate(target, 'absent.test', [{ op: 'delete', name: 'x.absent.test', type: 'A' }]), DnsUpdateError);
});

test('no answer within the timeout is a DnsUpdateError', async () => {
  // Port of the rndc channel: TCP only, nothing answers DNS over UDP there.
  await assert.rejects(applyUpdate({ ...target, port: named.ports.rndc, timeoutMs: 200 }, zone, []), /within 200 ms/);
});
