/**
 * @module Kills leave nothing unexplained. A SIGKILLed run that had started its own sandbox leaves
 * its parts running; its journal names them, and `cleanup --all` stops them (its objects lived in
 * that sandbox's API server and go with it). A run whose parent dies (SIGTERM to the npx wrapper,
 * killed here outright) stops as on SIGTERM: cleanup, an `aborted` result, the sandbox stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { processesMentioning, spawnCli } from './helpers/cli-child.js';
import { runCli } from './helpers/cli.js';
import { assertPromptExit, ownSandboxHome } from './helpers/own-sandbox-run.js';
import { readState } from '../src/targets/sandbox/supervisor/state.js';

test('kills of a run with its own sandbox: cleanup --all stops what SIGKILL left; a lost parent stops the run', { timeout: 400_000 }, async (t) => {
  const h = await ownSandboxHome('bl-own-kill-');
  t.after(() => h.remove());

  await t.test('SIGKILL mid-run, then cleanup --all: zero objects, zero processes, no empty result folder', async () => {
    const runId = 'own-kill';
    const child = spawnCli(h.burst(runId), h.env);
    await child.line(/created [1-9]\d*\/\d+/);
    child.kill('SIGKILL');
    assert.equal(await child.exit, -9);
    assert.ok(processesMentioning(h.home).length >= 5, `the killed run orphaned its sandbox:\n${processesMentioning(h.home).join('\n')}`);
    assert.ok(existsSync(join(h.out, 'journal', `run-${runId}.jsonl`)), 'the journal survived the kill');
    const r = await runCli(['--output', h.out, 'cleanup', '--all'], { env: h.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`stopped the sandbox left by run ${runId} \\((operator|sidecar|apiserver|named|bind9) pid \\d+.*\\); its objects went with it`));
    assert.deepEqual(processesMentioning(h.home), [], 'no sandbox process is left');
    assert.equal(await readState(h.home), undefined, 'no sandbox is registered any more: its objects are gone with its API server');
    assert.equal(existsSync(join(h.out, 'journal', `run-${runId}.jsonl`)), false, 'the journal of the now clean run is removed');
    assert.equal(existsSync(join(h.out, runId)), false, 'no empty result folder');
  });

  await t.test('the parent (an npx-like wrapper) is killed: the run stops as on SIGTERM and leaves nothing', async () => {
    const runId = 'own-orphan';
    const child = spawnCli(h.burst(runId), h.env, { wrapper: true });
    await h.zonesReady(child, runId);
    let cleanAt: number | null = null;
    void child.line(/^cleanup: clean/).then(() => (cleanAt = performance.now()), () => undefined);
    child.kill('SIGKILL');
    const at = performance.now();
    assert.equal(await child.exit, -9, 'the wrapper is gone');
    await child.closed; // the CLI held the same stderr: closed once it exited too
    const exitAt = performance.now();
    const stderr = child.stderr();
    assertPromptExit(exitAt - at, cleanAt, exitAt);
    assert.match(stderr, /SIGTERM \(the parent process is gone\): stopping: no new creates/);
    assert.match(stderr, /interrupted by SIGTERM \(the parent process is gone\); partial result in/);
    assert.doesNotMatch(stderr, /internal error/);
    await h.abortedResult(runId);
    assert.deepEqual(processesMentioning(h.home), [], 'no sandbox process is left');
    assert.equal(existsSync(join(h.out, 'journal', `run-${runId}.jsonl`)), false);
  });
});
