/**
 * @module The README's command (`burst --zones 5`, fewer records) in its default flow, where the
 * run starts its own sandbox, interrupted by Ctrl-C while the sandbox starts and while waiting for
 * Ready (own-sandbox-cleanup-interrupt.test.ts: during cleanup, and twice). Each moment is taken
 * from the process's own stderr or from a watch on the run's objects, never by sleeping. Each time:
 * the tool's own exit code 130, a result marked `aborted` (also when the sandbox was still starting), no object left,
 * no sandbox process left, no "internal error", and an exit soon after the signal. SIGINT goes to
 * the CLI's whole process group, as a terminal's Ctrl-C does: the parts, in groups of their own,
 * never receive it, and cleanup runs with the operator still up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { spawnCli } from './helpers/cli-child.js';
import { ownSandboxHome } from './helpers/own-sandbox-run.js';

test('the README burst with its own sandbox, interrupted by Ctrl-C while starting and while waiting: exit 130, nothing left', { timeout: 400_000 }, async (t) => {
  const h = await ownSandboxHome('bl-own-interrupt-');
  t.after(() => h.remove());

  await t.test('Ctrl-C while the sandbox starts: stopped quietly, no part blamed', async () => {
    const runId = 'own-start';
    const child = spawnCli(h.burst(runId), h.env, { terminal: true });
    await child.line(/^sandbox: (named|apiserver) ready/);
    child.kill('SIGINT');
    await h.checkInterrupted(child, runId, performance.now());
    assert.match(child.stderr(), /interrupted while the sandbox was starting/);
    assert.doesNotMatch(child.stderr(), /exited before it was ready|was not ready within/);
    // A result all the same, marked aborted and not judged: the run was asked for and did not happen.
    const result = await h.abortedResult(runId);
    assert.equal(result.verdict?.outcome, 'aborted');
    assert.ok(result.criteria.length === 0 && result.notes.some((n) => /while the sandbox was starting: nothing was created/.test(n)), result.notes.join('\n'));
  });

  await t.test('Ctrl-C while waiting for Ready: cleanup with the operator up, then the sandbox stops', async () => {
    const runId = 'own-wait';
    const child = spawnCli(h.burst(runId), h.env, { terminal: true });
    await h.zonesReady(child, runId);
    child.kill('SIGINT');
    await h.checkInterrupted(child, runId, performance.now());
    const result = await h.abortedResult(runId);
    assert.ok(result.notes.some((n) => /^cleanup: \d+ objects labelled with the run id deleted and seen gone; \d+ Events about them deleted$/.test(n)), result.notes.join('\n'));
  });
});
