/**
 * @module The README's command (`burst --zones 5`, fewer records) in its default flow, where the
 * run starts its own sandbox, interrupted by Ctrl-C: while the sandbox starts, while waiting for
 * Ready, during the cleanup, and twice. Each moment is taken from the process's own stderr or from
 * a watch on the run's objects, never by sleeping. Each time: the tool's own exit code 130, a
 * result marked `aborted` (when the run had begun), no object left, no sandbox process left (no
 * process whose command line names the sandbox home), no "internal error", and an exit soon after
 * the signal: the parts never receive the terminal's signal, cleanup runs with the operator up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { processesMentioning, spawnCli, type CliChild } from './helpers/cli-child.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { WatchTracker } from '../src/observe/watch-tracker.js';
import { runIdLabel } from '../src/model/kinds.js';
import { parseResult } from '../src/report/result/index.js';
import { readState } from '../src/target/sandbox/supervisor/state.js';

const ns = 'bindy-loadtest';
/** The bound the issue sets on an exit once no zone is caught in bindy 0.6.2's give-up path. */
const exitBoundMs = 30_000;

test('the README burst with its own sandbox, interrupted by Ctrl-C at each moment: exit 130, aborted, nothing left', { timeout: 600_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-own-interrupt-'));
  const out = join(home, 'results');
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const burst = (runId: string): string[] => ['--output', out, 'burst', '--records', '100', '--zones', '5', '--run-id', runId, '--progress-interval', '200ms'];

  /** Waits until the run's 5 DNSZones are Ready, watched through the sandbox the run started (its state file in the home). */
  const zonesReady = async (child: CliChild, runId: string): Promise<void> => {
    await child.line(/objects against sandbox/);
    const state = await readState(home);
    assert.ok(state !== undefined, 'the run registered its sandbox');
    const tracker = new WatchTracker({ client: new KubeClient({ kubeconfigPath: state.kubeconfig }), kinds: ['DNSZone'], namespace: ns, labelSelector: `${runIdLabel}=${runId}` });
    try {
      await tracker.start();
      const ready = (x: WatchTracker): boolean => x.records().filter((r) => r.lastCondition?.status === 'True').length === 5;
      assert.equal(await tracker.waitUntil(ready, 120_000), 'met', 'the 5 zones became Ready');
    } finally {
      tracker.stop();
    }
  };
  /** What every interrupted run must leave: exit 130 soon after `signalledAt`, no internal error, no process, no journal. */
  const checkExit = async (child: CliChild, runId: string, signalledAt: number): Promise<void> => {
    const code = await child.exit;
    const tookMs = performance.now() - signalledAt;
    await child.closed;
    const stderr = child.stderr();
    assert.equal(code, 130, stderr);
    assert.ok(tookMs < exitBoundMs, `exited ${Math.round(tookMs)} ms after the signal`);
    assert.doesNotMatch(stderr, /internal error/);
    assert.deepEqual(processesMentioning(home), [], 'no sandbox process is left');
    assert.equal(existsSync(join(out, 'journal', `run-${runId}.jsonl`)), false, 'nothing is left to undo, so no journal');
  };
  const abortedResult = async (runId: string): Promise<ReturnType<typeof parseResult>> => {
    const path = join(out, runId, 'result.json');
    const result = parseResult(await readFile(path, 'utf8'), path);
    assert.equal(result.metadata.status, 'aborted');
    return result;
  };

  await t.test('Ctrl-C while the sandbox starts: stopped quietly, no part blamed', async () => {
    const runId = 'own-start';
    const child = spawnCli(burst(runId), env);
    await child.line(/^sandbox: (named|apiserver) ready/);
    child.kill('SIGINT');
    const at = performance.now();
    await checkExit(child, runId, at);
    assert.match(child.stderr(), /interrupted while the sandbox was starting/);
    assert.doesNotMatch(child.stderr(), /exited before it was ready|was not ready within/);
    assert.equal(existsSync(join(out, runId)), false, 'no result folder for a run that never began');
  });

  await t.test('Ctrl-C while waiting for Ready: cleanup with the operator up, then the sandbox stops', async () => {
    const runId = 'own-wait';
    const child = spawnCli(burst(runId), env);
    await zonesReady(child, runId);
    child.kill('SIGINT');
    const at = performance.now();
    await checkExit(child, runId, at);
    const result = await abortedResult(runId);
    assert.ok(result.notes.some((n) => /^cleanup: \d+ objects labelled with the run id deleted and seen gone$/.test(n)), result.notes.join('\n'));
  });

  await t.test('Ctrl-C during the cleanup of a finished run: the cleanup finishes, the result is marked aborted', async () => {
    const runId = 'own-cleanup';
    const child = spawnCli(burst(runId), env);
    await child.line(/^cleanup: \d+ objects labelled/);
    child.kill('SIGINT');
    const at = performance.now();
    await checkExit(child, runId, at);
    const result = await abortedResult(runId);
    assert.ok(result.notes.some((n) => n.startsWith('interrupted by SIGINT during cleanup')), result.notes.join('\n'));
    assert.ok(result.notes.some((n) => /^cleanup: \d+ objects labelled with the run id deleted and seen gone$/.test(n)), result.notes.join('\n'));
  });

  await t.test('a second Ctrl-C during cleanup: a fast exit that says what was left and where it went', async () => {
    const runId = 'own-twice';
    const child = spawnCli(burst(runId), env);
    await zonesReady(child, runId);
    child.kill('SIGINT');
    await child.line(/^cleanup: \d+ objects labelled/);
    child.kill('SIGINT');
    const at = performance.now();
    await checkExit(child, runId, at);
    await abortedResult(runId);
    const stderr = child.stderr();
    // Either the cleanup had already finished, or it says what was left and that it goes with the sandbox.
    assert.match(stderr, /cleanup: clean, 0 left|objects were still there \(deletion was requested\): .*they go with the sandbox this run started/);
    assert.doesNotMatch(stderr, /remove them with: bindy-loadtest cleanup/, 'nothing is left for a later cleanup to remove');
  });
});
