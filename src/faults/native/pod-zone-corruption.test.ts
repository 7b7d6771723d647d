import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupDirOf, mendScript, scriptCommand, tearScript, tornScript, zonesSaid } from './pod-zone-corruption.js';

/** Runs a script as the container's sh would, with an `rndc` that logs its arguments to `rndc.log`. */
async function sandboxed(t: { after: (f: () => Promise<void>) => void }): Promise<{ dir: string; run: (script: string, zones: string[]) => { code: number | null; stdout: string; stderr: string }; rndcLog: () => Promise<string> }> {
  const root = await mkdtemp(join(tmpdir(), 'bl-zc-script-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'cache');
  const bin = join(root, 'bin');
  await mkdir(dir);
  await mkdir(bin);
  // As named: `sync -clean` answers at once, then writes the journal into the file and removes it.
  await writeFile(join(bin, 'rndc'), `#!/bin/sh\necho "$@" >> ${join(root, 'rndc.log')}\nif [ "$1" = sync ] && [ -e "${join(root, 'cache')}/$3.zone.jnl" ]; then (sleep 0.3; echo "from the journal" >> "${join(root, 'cache')}/$3.zone"; rm -f "${join(root, 'cache')}/$3.zone.jnl") & fi\n`);
  await chmod(join(bin, 'rndc'), 0o755);
  return {
    dir,
    run: (script, zones) => {
      const [program, ...args] = scriptCommand(script, { zoneDir: dir, backupDir: backupDirOf(dir, 'r1'), zones });
      const r = spawnSync(program ?? 'sh', args, { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    rndcLog: () => readFile(join(root, 'rndc.log'), 'utf8').catch(() => ''),
  };
}

test('the tear: journal synced, a copy, the file cut to half; a zone without a file stops it (exit 3)', async (t) => {
  const s = await sandboxed(t);
  const text = 'a'.repeat(101);
  await writeFile(join(s.dir, 'a.test.zone'), text);
  await writeFile(join(s.dir, 'b.test.zone'), 'bbbb');
  const r = s.run(tearScript, ['a.test', 'b.test']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['a.test 101', 'b.test 4']);
  assert.equal(await readFile(join(s.dir, 'a.test.zone'), 'utf8'), 'a'.repeat(50));
  assert.equal(await readFile(join(backupDirOf(s.dir, 'r1'), 'a.test.zone'), 'utf8'), text);
  assert.equal(await s.rndcLog(), 'sync -clean a.test\nsync -clean b.test\n');
  // A zone with a journal: the copy is taken once named has written the journal in.
  await writeFile(join(s.dir, 'c.test.zone'), 'cccc\n');
  await writeFile(join(s.dir, 'c.test.zone.jnl'), 'journal');
  const c = s.run(tearScript, ['c.test']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(await readFile(join(backupDirOf(s.dir, 'r1'), 'c.test.zone'), 'utf8'), 'cccc\nfrom the journal\n');
  const missing = s.run(tearScript, ['none.test']);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /no zone file .*\/none\.test\.zone/);
});

test('the check and the mend: a torn file written back and reloaded, one written since left alone, the copies removed', async (t) => {
  const s = await sandboxed(t);
  await writeFile(join(s.dir, 'a.test.zone'), 'original a zone file');
  await writeFile(join(s.dir, 'b.test.zone'), 'original b zone file');
  assert.equal(s.run(tearScript, ['a.test', 'b.test']).code, 0);
  assert.deepEqual(zonesSaid(s.run(tornScript, ['a.test', 'b.test']).stdout, 'torn'), ['a.test', 'b.test']);
  // bindcar re-created b's zone meanwhile (bindy found it missing): its new file is not ours to replace.
  await writeFile(join(s.dir, 'b.test.zone'), 'rewritten by bindcar');
  const m = s.run(mendScript, ['a.test', 'b.test']);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual([zonesSaid(m.stdout, 'mended'), zonesSaid(m.stdout, 'rewritten')], [['a.test'], ['b.test']]);
  assert.equal(await readFile(join(s.dir, 'a.test.zone'), 'utf8'), 'original a zone file');
  assert.equal(await readFile(join(s.dir, 'b.test.zone'), 'utf8'), 'rewritten by bindcar');
  assert.match(await s.rndcLog(), /^reload a\.test$/m);
  assert.doesNotMatch(await s.rndcLog(), /^reload b\.test$/m);
  assert.equal(existsSync(backupDirOf(s.dir, 'r1')), false);
  assert.deepEqual(zonesSaid(s.run(tornScript, ['a.test', 'b.test']).stdout, 'torn'), [], 'nothing torn');
  assert.deepEqual(zonesSaid(s.run(mendScript, ['a.test']).stdout, 'gone'), ['a.test'], 'a second mend has nothing left to do');
});

test('the arguments are never part of the script text', () => {
  const cmd = scriptCommand(tearScript, { zoneDir: '/var/cache/bind', backupDir: '/var/cache/bind/.bindy-loadtest-r1', zones: ['a.test', 'b.test'] });
  assert.deepEqual(cmd.slice(0, 2), ['sh', '-c']);
  assert.deepEqual(cmd.slice(3), ['sh', '/var/cache/bind', '/var/cache/bind/.bindy-loadtest-r1', 'a.test', 'b.test']);
  assert.equal(backupDirOf('/var/cache/bind/', 'r1'), '/var/cache/bind/.bindy-loadtest-r1');
});
