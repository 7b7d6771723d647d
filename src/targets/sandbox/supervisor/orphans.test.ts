import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, readJournals } from '../../../observe/journal.js';
import { isSandboxProcess, isToolCommandLine, stopOrphanedSandbox } from './orphans.js';

test('a pid is only taken for a sandbox part while its command line still is that part', () => {
  assert.equal(isToolCommandLine('/usr/bin/node /opt/x/dist/cli/entry.js burst'), true);
  assert.equal(isToolCommandLine('/usr/bin/node --import tsx /w/src/cli/entry.ts sandbox start named'), true);
  assert.equal(isSandboxProcess('apiserver', '/usr/bin/node /w/dist/cli/entry.js sandbox start apiserver --kubeconfig-out /h/k'), true);
  assert.equal(isSandboxProcess('apiserver', '/usr/bin/node /w/dist/cli/entry.js sandbox start sidecar'), false);
  assert.equal(isSandboxProcess('bind9', '/usr/sbin/named -g -c /h/run-1/named/named.conf'), true);
  assert.equal(isSandboxProcess('bind9', '/usr/bin/vim named.conf'), false);
});

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.on('exit', r));
  return c.pid ?? 2 ** 22 + 1;
}

test('the sandbox of a dead run is stopped from its journal; a pid now running another program is left alone', async () => {
  const home = mkdtempSync(join(tmpdir(), 'orphans-'));
  try {
    const dir = join(home, 'run-x');
    mkdirSync(dir);
    const j = new Journal(join(home, 'journal'), 'dead-run');
    // This test process stands where the journal says the API server was: a reused pid.
    j.appendSandbox({ home, dir, ownerPid: await deadPid(), processes: [{ name: 'apiserver', pid: process.pid }], stopped: false });
    j.close();
    const [file] = readJournals(join(home, 'journal'));
    assert.ok(file !== undefined);
    const r = await stopOrphanedSandbox(file);
    assert.deepEqual(r, { runId: 'dead-run', journal: file.path, outcome: 'stopped', stopped: [], notOurs: [`apiserver pid ${process.pid}`] });
    assert.equal(existsSync(dir), false, 'its folder is removed');
    assert.equal(readJournals(join(home, 'journal'))[0]?.sandbox?.stopped, true, 'the journal says it is stopped');
    assert.equal(await stopOrphanedSandbox(readJournals(join(home, 'journal'))[0] ?? file), null, 'a stopped sandbox is not stopped twice');
    assert.match(readFileSync(file.path, 'utf8'), /"stopped":true/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('the sandbox of a run still running is its own to stop', async () => {
  const home = mkdtempSync(join(tmpdir(), 'orphans-'));
  try {
    const j = new Journal(home, 'live-run');
    j.appendSandbox({ home, dir: join(home, 'run-y'), ownerPid: process.pid, processes: [{ name: 'apiserver', pid: process.pid }], stopped: false });
    j.close();
    const [file] = readJournals(home);
    assert.ok(file !== undefined);
    assert.equal((await stopOrphanedSandbox(file))?.outcome, 'owner alive');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
