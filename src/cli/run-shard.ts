/**
 * @module One shard of a sharded burst, in its own process: opens the target the coordinator opened
 * (never starts one), plans its slice, runs the same measured burst as an unsharded run behind the
 * common start, and sends its result document back. Its objects go into the run's journal before
 * their creates; the coordinator judges, reports and cleans up.
 */
import { performance } from 'node:perf_hooks';
import { InterruptedError, UsageError } from '../errors.js';
import { Journal } from '../observe/journal.js';
import { KubeClient } from '../observe/kube-client.js';
import { createRunResult, finishRunResult, hostInfo, serializeResult } from '../report/result/index.js';
import { runMeasuredBurst } from '../scenarios/burst.js';
import { planBurst } from '../scenarios/burst-plan.js';
import { openTarget } from '../targets/open-target.js';
import type { Target } from '../targets/target.js';
import { toolVersion } from '../version.js';
import type { CliIo } from './io.js';
import type { Interrupts } from './interrupts.js';
import type { ShardChannel } from './parent-channel.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { ProgressReporter } from './progress.js';
import { runDnsEngineShard } from './run-dns-engine-shard.js';

/** How often the shard tells the coordinator its counts, ms. */
const progressEveryMs = 250;

/** How a shard runs besides its channel. */
export interface ShardRunOptions {
  /** The shard's Ctrl-C state (quiet: the coordinator passes its Ctrl-C on and says what happens). */
  interrupts: Interrupts;
  /** Credentials to open the cluster with instead of the configuration's kubeconfig (a shard pod's ServiceAccount). */
  kubeConfig?: KubeConfig;
  /** How often the shard tells the coordinator its counts, ms (default 250; a pod writes them to a ConfigMap, so less often). */
  progressEveryMs?: number;
}

/** Runs the shard the coordinator's spec names; throws InterruptedError (130) when it was stopped before the end. */
export async function runShard(io: CliIo, channel: ShardChannel, o: ShardRunOptions): Promise<void> {
  const spec = await channel.spec();
  if (spec.toolVersion !== toolVersion) throw new UsageError(`burst-shard: the coordinator is bindy-loadtest ${spec.toolVersion}, this shard ${toolVersion}`);
  const { config, runId, index, count } = spec;
  const interrupts = o.interrupts;
  if (spec.work !== undefined) {
    await runDnsEngineShard(spec.work, channel, interrupts);
    return;
  }
  // A pod has no journal of its own (journalDir ''): its objects carry the run-id label, and the coordinator's journal names the Job's namespace.
  const journal = spec.journalDir === '' ? undefined : new Journal(spec.journalDir, runId);
  let target: Target | null = null;
  // Counted as the progress line counts them; sent to the coordinator, which adds the shards up.
  const counts = new ProgressReporter({ total: 0, write: () => undefined, isTTY: false });
  const report = (): Promise<void> => channel.send({ type: 'progress', created: counts.state.created, ready: counts.state.ready, failed: counts.state.failed });
  const timer = setInterval(() => void report(), o.progressEveryMs ?? progressEveryMs);
  timer.unref();
  try {
    target = await openTarget(config, { ...(o.kubeConfig === undefined ? {} : { kubeConfig: o.kubeConfig }), forRun: false, resources: [], createCluster: false, allowExistingNamespace: false, env: io.env, cwd: spec.cwd, signal: interrupts.stopStarting.signal });
    const client = new KubeClient({ kubeConfig: target.kubeConfig });
    const plan = planBurst({ config, runId, interleave: spec.interleave, shard: { index, count } });
    let startedAt = new Date().toISOString();
    let t0 = performance.now();
    const burst = await runMeasuredBurst(
      {
        target,
        client,
        ...(journal === undefined ? {} : { journal }),
        stopStarting: interrupts.stopStarting.signal,
        hardStop: interrupts.hardStop.signal,
        observers: [],
        onEvent: (e) => {
          counts.onEvent(e);
          if (e.type === 'done') interrupts.engineDone();
        },
        startGate: async () => {
          await channel.send({ type: 'ready' });
          await channel.go(interrupts.stopStarting.signal);
          startedAt = new Date().toISOString();
          t0 = performance.now();
        },
      },
      plan,
    );
    const result = createRunResult({ toolVersion, runId, scenario: 'burst', profile: config.profile ?? null, target: target.info, startedAt, commandLine: ['burst-shard', `${index}/${count}`], seed: config.seed, host: hostInfo() });
    Object.assign(result, burst.outcome);
    result.metadata.shard = { index, count, objects: plan.total, ...burst.clock };
    finishRunResult(result, { status: burst.interrupted ? 'aborted' : 'completed', endedAt: new Date().toISOString(), durationMs: performance.now() - t0 });
    clearInterval(timer);
    await report();
    await channel.send({ type: 'result', text: serializeResult(result) });
    if (burst.interrupted) throw new InterruptedError(`shard ${index} of ${count} was stopped; its partial result went to the coordinator`);
  } finally {
    clearInterval(timer);
    await target?.close();
    journal?.close();
  }
}
