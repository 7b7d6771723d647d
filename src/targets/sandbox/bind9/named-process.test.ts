import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startNamed, type NamedServer } from './named-process.js';
import { runTool } from './run-tool.js';
import { Bind9CommandError } from './command-error.js';
import { freePorts } from '../ports.js';

let named: NamedServer;

async function dig(name: string, type: string): Promise<{ status: string; answers: string[] }> {
  const r = await runTool('dig', ['@127.0.0.1', '-p', String(named.ports.dns), name, type, '+time=2', '+tries=1', '+noall', '+comments', '+answer']);
  assert.equal(r.status, 0, r.stderr);
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? 'none';
  const answers = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith(';'));
  return { status, answers };
}

before(async () => {
  named = await startNamed();
  const zoneFile = join(named.dir, 'direct.test.zone');
  await writeFile(zoneFile, '$TTL 300\n@ IN SOA ns1.direct.test. admin.direct.test. 1 3600 600 604800 300\n@ IN NS ns1.direct.test.\nns1 IN A 127.0.0.1\n');
  await named.rndc.addzone('direct.test', `{ type primary; file "${zoneFile}"; allow-update { key "${named.updateKey.name}"; }; };`);
});

after(async () => {
  await named.stop();
  assert.throws(() => process.kill(named.pid, 0), { code: 'ESRCH' });
  assert.equal(existsSync(named.dir), false);
});

void test('ports: distinct, and both TCP and UDP bindable', async () => {
  const ports = await freePorts(4);
  assert.equal(new Set(ports).size, 4);
  for (const p of ports) assert.ok(p > 0 && p < 65536);
});

void test('a started named is healthy: rndc status and a UDP query both answer', async () => {
  const health = await named.health();
  assert.deepEqual(health, { running: true, rndc: true, dns: true });
  assert.match(await named.rndc.status(), /server is up and running/);
  assert.ok(named.logTail().includes('running'), 'named stderr is captured');
});

void test('rndc errors carry rndc\'s message', async () => {
  await assert.rejects(named.rndc.zonestatus('absent.test'), (error: unknown) => error instanceof Bind9CommandError && error.detail.startsWith('not found'));
  await assert.rejects(
    named.rndc.addzone('direct.test', `{ type primary; file "${named.dir}/direct.test.zone"; };`),
    (error: unknown) => error instanceof Bind9CommandError && error.command === 'addzone' && error.detail.includes('already exists'),
  );
});

void test('Nsupdate with the TSIG key adds A and TXT records that dig answers, and deletes them again', async () => {
  const nsupdate = named.nsupdate();
  await nsupdate.add('direct.test', 'www.direct.test.', 60, 'A', '192.0.2.10');
  await nsupdate.add('direct.test', 'txt.direct.test.', 60, 'TXT', '"hello world"');
  assert.deepEqual((await dig('www.direct.test', 'A')).answers.map((l) => l.split(/\s+/).at(-1)), ['192.0.2.10']);
  assert.match((await dig('txt.direct.test', 'TXT')).answers[0] ?? '', /"hello world"/);
  await nsupdate.delete('direct.test', 'www.direct.test.', 'A');
  assert.equal((await dig('www.direct.test', 'A')).status, 'NXDOMAIN');
});

void test('an update signed with a wrong key is refused, with nsupdate\'s message', async () => {
  const wrong = join(named.dir, 'wrong.key');
  await writeFile(wrong, `key "${named.updateKey.name}" {\n\talgorithm hmac-sha256;\n\tsecret "${Buffer.alloc(32, 7).toString('base64')}";\n};\n`);
  const { Nsupdate } = await import('./nsupdate.js');
  const bad = new Nsupdate({ nsupdatePath: named.tools.nsupdate, server: '127.0.0.1', port: named.ports.dns, keyFile: wrong });
  await assert.rejects(bad.add('direct.test', 'evil.direct.test.', 60, 'A', '192.0.2.66'), (error: unknown) => error instanceof Bind9CommandError && error.tool === 'nsupdate' && /BADSIG|REFUSED|NOTAUTH|tsig/i.test(error.detail));
  assert.equal((await dig('evil.direct.test', 'A')).status, 'NXDOMAIN');
});

void test('stop ends the process via rndc and removes its temp dir; a second named stops too', async () => {
  const other = await startNamed();
  const result = await other.stop();
  assert.equal(result.via, 'rndc stop');
  assert.throws(() => process.kill(other.pid, 0), { code: 'ESRCH' });
  assert.equal(existsSync(other.dir), false);
  assert.equal((await other.health()).running, false);
});

void test('signal fallback: a named that rndc cannot reach still goes away', async () => {
  const other = await startNamed();
  // Break the control channel so rndc stop cannot reach it; stop must fall back to signals.
  await writeFile(other.rndcConfFile, 'options { default-server 127.0.0.1; default-port 1; default-key "x"; };\nkey "x" { algorithm hmac-sha256; secret "AAAA"; };\n');
  const result = await other.stop();
  assert.equal(result.via, 'SIGTERM');
  assert.throws(() => process.kill(other.pid, 0), { code: 'ESRCH' });
  assert.equal(existsSync(other.dir), false);
});
