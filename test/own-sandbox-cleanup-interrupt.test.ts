/**
 * @module The README's command with its own sandbox interrupted during its cleanup: once (the
 * cleanup finishes with the operator up, the result is marked aborted) and twice (a fast exit that
 * says what was left). Moments come from the process's stderr or a watch, never from sleeping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { spawnCli } from './helpers/cli-child.js';
import { ownSandboxHome } from './helpers/own-sandbox-run.js';

test('the README burst with its own sandbox, interrupted during cleanup: exit 130, aborted, nothing left', { timeout: 400_000 }, async (t) => {
  const h = await ownSandboxHome('bl-own-cleanup-');
  t.after(() => h.remove());

  await t.test('Ctrl-C during the cleanup of a finished run: the cleanup finishes, the result is marked aborted', async () => {
    const runId = 'own-cleanup';
    const child = spawnCli(h.burst(runId), h.env, { terminal: true });
    await child.line(/^cleanup: \d+ objects labelled/);
    child.kill('SIGINT');
    await h.checkInterrupted(child, runId, performance.now());
    const result = await h.abortedResult(runId);
    assert.ok(result.notes.some((n) => n.startsWith('interrupted by SIGINT during cleanup')), result.notes.join('\n'));
    assert.ok(result.notes.some((n) => /^cleanup: \d+ objects labelled with the run id deleted and seen gone; \d+ Events about them deleted$/.test(n)), result.notes.join('\n'));
  });

  await t.test('a second Ctrl-C during cleanup: a fast exit that says what was left and where it went', async () => {
    const runId = 'own-twice';
    const child = spawnCli(h.burst(runId), h.env, { terminal: true });
    await h.zonesReady(child, runId);
    child.kill('SIGINT');
    await child.line(/^cleanup: \d+ objects labelled/);
    child.kill('SIGINT');
    await h.checkInterrupted(child, runId, performance.now());
    await h.abortedResult(runId);
    const stderr = child.stderr();
    // Either the cleanup had already finished, or it says what was left and that it goes with the sandbox.
    assert.match(stderr, /cleanup: clean, 0 left|objects were still there \(deletion was requested\): .*they go with the sandbox this run started/);
    assert.doesNotMatch(stderr, /remove them with: bindy-loadtest cleanup/, 'nothing is left for a later cleanup to remove');
  });
});
