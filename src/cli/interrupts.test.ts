import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../observe/journal.js';
import { forcedExitText, Interrupts, isShellWrapper, processLineage, type InterruptCause } from './interrupts.js';

test('first Ctrl-C stops starting, the second stops waiting for cleanup, the third exits 130 after saying what is left', () => {
  const seen: string[] = [];
  const exits: number[] = [];
  const i = new Interrupts((s) => seen.push(`first ${s}`), {
    onSecond: (s) => seen.push(`second ${s}`),
    onForce: () => seen.push('force'),
    exit: (code) => exits.push(code),
    parent: null,
  });
  try {
    process.emit('SIGINT', 'SIGINT');
    assert.equal(i.interruptedBy(), 'SIGINT');
    assert.deepEqual([i.stopStarting.signal.aborted, i.hardStop.signal.aborted, i.cleanupStop.signal.aborted], [true, false, false], 'creates in flight still get their answers');
    i.engineDone();
    assert.equal(i.hardStop.signal.aborted, true, 'nothing in flight: the wait for Ready stops');
    assert.equal(i.cleanupStop.signal.aborted, false, 'cleanup still runs, with the operator up');
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(i.cleanupStop.signal.aborted, true);
    assert.deepEqual(exits, []);
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(seen, ['first SIGINT', 'second SIGTERM', 'force']);
    assert.deepEqual(exits, [130]);
  } finally {
    i.dispose();
  }
  assert.equal(process.listenerCount('SIGINT'), 0, 'dispose leaves the default handlers');
});

test('a run whose parent process is gone stops as on SIGTERM, once', async () => {
  let ppid = 4242;
  const causes: InterruptCause[] = [];
  let onFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (onFirst = r));
  const i = new Interrupts(
    (s) => {
      causes.push(s);
      onFirst();
    },
    { parent: { lineage: () => `${ppid}<1`, intervalMs: 5 }, exit: () => assert.fail('never forced') },
  );
  // The parent check's timer is unref'd (it must never hold a run open); here nothing else would
  // keep the event loop alive while the test waits for it.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    assert.equal(i.interruptedBy(), null, 'the same parent: nothing happens');
    ppid = 1; // re-parented: the parent died
    await first;
    assert.equal(i.interruptedBy(), 'SIGTERM (the parent process is gone)');
    assert.equal(i.stopStarting.signal.aborted, true);
    assert.equal(i.cleanupStop.signal.aborted, false, 'cleanup still runs');
    assert.deepEqual(causes, ['SIGTERM (the parent process is gone)']);
  } finally {
    clearInterval(keepAlive);
    i.dispose();
  }
});

test('the forced exit names the sandbox processes still alive and the command that removes them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'interrupts-'));
  try {
    const j = new Journal(dir, 'r-force');
    assert.match(forcedExitText('r-force', j), /nothing of run r-force is left/);
    j.append({ apiVersion: 'v', kind: 'ARecord', metadata: { name: 'a', namespace: 'ns' } });
    assert.match(forcedExitText('r-force', j), /up to 1 objects labelled with the run id; remove with: bindy-loadtest cleanup --run-id r-force/);
    // A fault in force on a sandbox the run did not start is said first; once reverted it is not.
    j.appendFaultApplying('exp-0', { mechanism: 'sandbox-process', version: 1, home: dir, part: 'operator', action: 'restart', pids: [2 ** 22 + 1] });
    assert.match(forcedExitText('r-force', j), /left behind: faults still in force: exp-0 on part operator; up to 1 objects/);
    j.appendFaultReverted('exp-0');
    assert.doesNotMatch(forcedExitText('r-force', j), /faults still in force/);
    // This test process stands in for a live part; a pid that cannot exist for a dead one.
    j.appendSandbox({ home: dir, dir: join(dir, 'run-x'), ownerPid: process.pid, processes: [{ name: 'apiserver', pid: process.pid }, { name: 'operator', pid: 2 ** 22 + 1 }], stopped: false });
    const text = forcedExitText('r-force', j);
    assert.match(text, new RegExp(`the sandbox this run started \\(apiserver pid ${process.pid}; its objects go with it\\); remove with: bindy-loadtest cleanup --run-id r-force`));
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm runs a bin under `sh -c`: such a shell is looked through, so killing npx is seen', () => {
  assert.equal(isShellWrapper('sh\0-c\0bindy-loadtest burst\0'), true);
  assert.equal(isShellWrapper('/bin/dash\0-c\0x\0'), true);
  assert.equal(isShellWrapper('/bin/bash\0'), false, 'an interactive shell is the parent itself');
  assert.equal(isShellWrapper('/usr/bin/node\0-c\0'), false);
  // Under the test runner the parent is node: the lineage is its pid alone.
  assert.equal(processLineage(), String(process.ppid));
});
