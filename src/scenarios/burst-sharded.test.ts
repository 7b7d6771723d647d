import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import { createLatencyHistogram } from '../measure/index.js';
import { createRunResult, finishRunResult, hostInfo, latencyResult, serializeResult } from '../report/result/index.js';
import type { KubeClient } from '../observe/kube-client.js';
import type { Journal } from '../observe/journal.js';
import type { Target } from '../targets/target.js';
import { planBurst } from './burst-plan.js';
import { driveShardedBurst } from './burst-sharded.js';
import type { ShardedRun } from './burst-sharded.js';
import type { DriveContext, ShardProgressEvent } from './scenario.js';
import { ShardFailedError } from './shard-failure.js';
import type { ShardExit, ShardLauncher } from './shard-launcher.js';
import type { CoordinatorMessage, ShardMessage } from './shard-protocol.js';

/** A shard the test plays: what it was sent and interrupted with, and how it answers. */
class FakeShard {
  readonly sent: CoordinatorMessage[] = [];
  interrupts = 0;
  #exit: (e: ShardExit) => void = () => undefined;
  readonly exited = new Promise<ShardExit>((resolve) => (this.#exit = resolve));
  constructor(
    readonly index: number,
    readonly say: (m: ShardMessage) => void,
  ) {}

  /** Sends a result with `ready` create→Ready values, then ends with `code`. */
  end(code: number, ready: number[], status: 'completed' | 'aborted' = 'completed', error: string | null = null): void {
    const h = createLatencyHistogram();
    for (const v of ready) h.record(v);
    const r = createRunResult({ toolVersion: 't', runId: 'r', scenario: 'burst', profile: null, target: { kind: 'sandbox', description: 's' }, startedAt: new Date(0).toISOString(), commandLine: [], seed: 1, host: hostInfo() });
    r.latencies = { create_to_ready: latencyResult(h, 'm') };
    r.counters = { creates_accepted: { value: ready.length, unit: 'objects', description: 'c' } };
    r.metadata.shard = { index: this.index, count: 3, objects: ready.length, firstCreateSentMs: 1, lastCreateAnsweredMs: 2, lastReadyMs: 3 };
    finishRunResult(r, { status, endedAt: new Date(1).toISOString(), durationMs: 1 });
    this.say({ type: 'result', text: serializeResult(r) });
    this.#exit({ code, signal: null, error });
  }

  die(code: number, error: string): void {
    this.#exit({ code, signal: null, error });
  }
}

function setup(): { shards: FakeShard[]; launcher: ShardLauncher; kept: number[]; run: ShardedRun; ctx: DriveContext; events: ShardProgressEvent[]; stop: AbortController; hard: AbortController } {
  const shards: FakeShard[] = [];
  const launcher: ShardLauncher = {
    start(index, onMessage) {
      const s = new FakeShard(index, onMessage);
      shards.push(s);
      return { send: (m) => s.sent.push(m), interrupt: () => s.interrupts++, exited: s.exited };
    },
  };
  const kept: number[] = [];
  const config = { ...defaultConfig, shards: 3, scenarios: { ...defaultConfig.scenarios, burst: { ...defaultConfig.scenarios.burst, records: 30, zones: 3 } } };
  const run: ShardedRun = { config, interleave: false, launcher, journalDir: '/j', cwd: '/', keep: (i) => Promise.resolve(void kept.push(i)) };
  const events: ShardProgressEvent[] = [];
  const stop = new AbortController();
  const hard = new AbortController();
  const ctx: DriveContext = {
    // Neither is touched: the coordinator creates nothing itself and these tests observe nothing.
    target: {} as Target,
    client: {} as KubeClient,
    journal: {} as Journal,
    stopStarting: stop.signal,
    hardStop: hard.signal,
    observers: [],
    onEvent: (e) => {
      if (e.type === 'shard-progress') events.push(e);
    },
  };
  return { shards, launcher, kept, run, ctx, events, stop, hard };
}

const plan = planBurst({ config: { ...defaultConfig, shards: 3 }, runId: 'r', interleave: false });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('coordinator: each shard gets its spec; nobody starts until all are ready; progress and results are added up', async () => {
  const { shards, run, ctx, events, kept } = setup();
  const done = driveShardedBurst(ctx, plan, run);
  await tick();
  assert.deepEqual(shards.map((s) => s.sent.map((m) => (m.type === 'spec' ? `spec ${m.spec.index}/${m.spec.count} ${m.spec.runId}` : m.type))), [['spec 0/3 r'], ['spec 1/3 r'], ['spec 2/3 r']]);
  shards[0]?.say({ type: 'ready' });
  shards[1]?.say({ type: 'ready' });
  await tick();
  assert.ok(shards.every((s) => s.sent.length === 1), 'no go while shard 2 is not ready');
  shards[2]?.say({ type: 'ready' });
  await tick();
  assert.ok(shards.every((s) => s.sent.at(-1)?.type === 'go'), 'every shard released together');
  shards[1]?.say({ type: 'progress', created: 4, ready: 1, failed: 0 });
  shards[1]?.say({ type: 'progress', created: 10, ready: 7, failed: 1 });
  assert.deepEqual(events, [{ type: 'shard-progress', created: 4, ready: 1, failed: 0 }, { type: 'shard-progress', created: 6, ready: 6, failed: 1 }], 'deltas, so the progress line adds the shards up');
  shards.forEach((s, i) => s.end(0, [1000 * (i + 1), 2000 * (i + 1)]));
  const out = await done;
  assert.equal(out.latencies['create_to_ready']?.summary.count, 6);
  assert.equal(out.counters['creates_accepted']?.value, 6);
  assert.deepEqual(out.shards, { count: 3, finished: [0, 1, 2] });
  assert.deepEqual(kept.sort(), [0, 1, 2]);
  assert.ok(out.notes.includes('shards finished: all 3'));
});

test('coordinator: a shard that fails stops the others, fails the run with its error and exit code, and keeps what the others measured', async () => {
  const { shards, run, ctx } = setup();
  const done = driveShardedBurst(ctx, plan, run);
  await tick();
  for (const s of shards) s.say({ type: 'ready' });
  await tick();
  shards[1]?.die(3, 'target not ready: the API server does not answer');
  await tick();
  assert.deepEqual(shards.map((s) => s.interrupts), [1, 0, 1], 'the others are stopped as by a Ctrl-C');
  shards[0]?.end(130, [5000], 'aborted');
  shards[2]?.end(0, [7000, 8000]);
  const e = await done.then(
    () => null,
    (err: unknown) => err,
  );
  assert.ok(e instanceof ShardFailedError);
  assert.equal(e.exitCode, 3);
  assert.equal(e.message, 'shard 1 of 3 failed (exit 3: target not ready: the API server does not answer)');
  assert.equal(e.partial.latencies['create_to_ready']?.summary.count, 3, 'shards 0 and 2 are in the figures');
  assert.ok(e.partial.notes.includes('shards finished: 2 of 3; the figures cover what the shards that returned a result measured'), e.partial.notes.join('\n'));
  assert.ok(e.partial.notes.some((n) => /^shard 1 ended with exit 3: target not ready.*returned no result/.test(n)));
});

test('coordinator: a Ctrl-C reaches every shard once, a second one again; no shard is released after it', async () => {
  const { shards, run, ctx, stop, hard } = setup();
  const done = driveShardedBurst(ctx, plan, run);
  await tick();
  shards[0]?.say({ type: 'ready' });
  stop.abort();
  await tick();
  assert.deepEqual(shards.map((s) => s.interrupts), [1, 1, 1]);
  assert.ok(shards.every((s) => !s.sent.some((m) => m.type === 'go')), 'no go after the Ctrl-C');
  hard.abort();
  assert.deepEqual(shards.map((s) => s.interrupts), [2, 2, 2]);
  for (const s of shards) s.end(130, [], 'aborted');
  // Interrupted by the user, not failed: the run's own interrupt handling says aborted and exits 130.
  const out = await done;
  assert.deepEqual(out.shards, { count: 3, finished: [] });
});

test('coordinator: a shard that cannot start (exit 2) stops the others once, before any of them is released', async () => {
  const { shards, run, ctx } = setup();
  const done = driveShardedBurst(ctx, plan, run);
  await tick();
  shards[0]?.say({ type: 'ready' });
  shards[2]?.die(2, 'burst-shard: the coordinator is bindy-loadtest 9.9.9, this shard 0.1.0');
  await tick();
  assert.deepEqual(shards.map((s) => s.interrupts), [1, 1, 0]);
  assert.ok(shards.every((s) => !s.sent.some((m) => m.type === 'go')));
  shards[0]?.end(130, [], 'aborted');
  shards[1]?.end(130, [], 'aborted');
  await assert.rejects(done, (e: unknown) => e instanceof ShardFailedError && e.exitCode === 2 && /^shard 2 of 3 failed \(exit 2: burst-shard: /.test(e.message));
});
