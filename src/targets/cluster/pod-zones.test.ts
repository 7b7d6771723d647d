import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteZoneScript, plainZoneName, writeZoneScript, zoneFileOf } from './pod-zones.js';

/** A container's sh with an `rndc` that answers as `answer` says for `delzone` (logging its arguments). */
async function container(t: { after: (f: () => Promise<void>) => void }, delzone: 'ok' | 'not found' | 'refused'): Promise<{ dir: string; sh: (script: string, args: string[], input?: Buffer) => { code: number | null; stderr: string }; rndcLog: () => Promise<string> }> {
  const root = await mkdtemp(join(tmpdir(), 'bl-pod-zones-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'cache');
  const bin = join(root, 'bin');
  await mkdir(dir);
  await mkdir(bin);
  const answer = delzone === 'ok' ? 'echo "zone deleted"' : delzone === 'not found' ? 'echo "rndc: \'delzone\' failed: not found" >&2; exit 1' : 'echo "rndc: connection refused" >&2; exit 1';
  await writeFile(join(bin, 'rndc'), `#!/bin/sh\necho "$@" >> ${join(root, 'rndc.log')}\n${answer}\n`);
  await chmod(join(bin, 'rndc'), 0o755);
  return {
    dir,
    sh: (script, args, input) => {
      const r = spawnSync('sh', ['-c', script, 'sh', ...args], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
      return { code: r.status, stderr: r.stderr };
    },
    rndcLog: () => readFile(join(root, 'rndc.log'), 'utf8').catch(() => ''),
  };
}

test('the write: exactly the bytes given land in <zone>.zone, an old journal of that name removed, nothing half-written left', async (t) => {
  const c = await container(t, 'ok');
  const file = zoneFileOf({ zoneDir: `${c.dir}/` }, 'big.test');
  assert.equal(file, join(c.dir, 'big.test.zone'));
  await writeFile(`${file}.jnl`, 'journal of an earlier zone');
  // More than a pipe holds, and bytes past the count (what a stdin never closed may carry) are not written.
  const text = Buffer.from('$ORIGIN big.test.\n'.repeat(20_000));
  const r = c.sh(writeZoneScript, [String(text.length), file], Buffer.concat([text, Buffer.from('trailing')]));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readFile(file), text);
  assert.equal(existsSync(`${file}.jnl`), false);
  assert.equal(existsSync(`${file}.part`), false);
  // Stdin ending short: said, the old file kept, no part left.
  const short = c.sh(writeZoneScript, ['100', file], Buffer.from('only ten b'));
  assert.equal(short.code, 1);
  assert.match(short.stderr, /wrote 10 of 100 bytes/);
  assert.deepEqual(await readFile(file), text);
  assert.equal(existsSync(`${file}.part`), false);
});

test('the delete: rndc delzone, then the file and its journal removed; a zone named never had is gone too; another rndc failure is said', async (t) => {
  const ok = await container(t, 'ok');
  const file = join(ok.dir, 'a.test.zone');
  await writeFile(file, 'zone');
  await writeFile(`${file}.jnl`, 'journal');
  assert.equal(ok.sh(deleteZoneScript, ['a.test', file]).code, 0);
  assert.equal(await ok.rndcLog(), 'delzone a.test\n');
  assert.equal(existsSync(file) || existsSync(`${file}.jnl`), false);
  const gone = await container(t, 'not found');
  assert.equal(gone.sh(deleteZoneScript, ['a.test', join(gone.dir, 'a.test.zone')]).code, 0);
  const refused = await container(t, 'refused');
  const kept = join(refused.dir, 'a.test.zone');
  await writeFile(kept, 'zone');
  const r = refused.sh(deleteZoneScript, ['a.test', kept]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /connection refused/);
  assert.equal(existsSync(kept), true, 'a zone named still has keeps its file');
});

test('zone names go into paths and rndc arguments only when plain', () => {
  for (const ok of ['example.com', 'zones-0.loadtest.example', '_tcp.example']) assert.equal(plainZoneName(ok), true, ok);
  for (const bad of ['', '../etc', 'a/b', 'a..b', '-rf', 'a b', 'a;b']) assert.equal(plainZoneName(bad), false, bad);
});
