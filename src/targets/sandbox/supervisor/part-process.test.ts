import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { isAlive, stopPart } from './part-process.js';

const stateOf = (pid: number): string | undefined => {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
};

test('a process that exited but is not reaped (a zombie) counts as gone, so a stop does not wait for a slow init', { skip: process.platform !== 'linux' ? 'needs /proc (Linux)' : false }, async () => {
  // `sleep 0.05` is the child of a process that never waits for it (sh became `sleep 30`): it stays a zombie.
  const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: parent.stdout }).once('line', resolve));
    const zombie = Number(line);
    assert.ok(zombie > 0);
    for (let i = 0; i < 200 && stateOf(zombie) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(stateOf(zombie), 'Z', 'the child exited and is not reaped');
    assert.equal(isAlive(zombie), false);
    assert.equal(isAlive(parent.pid ?? 0), true, 'its living parent is alive');
    // The group holds a running sleep and a zombie: stopping it ends the sleep, and the zombie alone does not hold the stop.
    const t0 = Date.now();
    assert.equal(await stopPart(parent.pid ?? 0, 2000), 'SIGTERM');
    assert.ok(Date.now() - t0 < 1500, `stopped in ${Date.now() - t0} ms`);
  } finally {
    if (parent.exitCode === null) parent.kill('SIGKILL');
  }
});
