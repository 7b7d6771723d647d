/**
 * @module `bindy-loadtest burst-shard` (hidden): one shard of `burst --shards N`, never started by
 * hand. A local shard is started by the coordinator with an IPC channel; a shard pod of the
 * Indexed Job gets `--spec-configmap NAMESPACE/NAME` and talks through ConfigMaps, with its index
 * from `JOB_COMPLETION_INDEX` and the pod's ServiceAccount (or `KUBECONFIG`) for credentials.
 */
import type { CommandModule } from '../command-module.js';
import { KubeClient } from '../../observe/kube-client.js';
import { ConfigMapChannel, completionIndexOf, shardKubeConfig, specConfigMapRef } from '../configmap-channel.js';
import { Interrupts } from '../interrupts.js';
import type { CliIo } from '../io.js';
import { ExitCode, LoadtestError } from '../../errors.js';
import { ParentChannel } from '../parent-channel.js';
import { runShard } from '../run-shard.js';

/** A shard pod writes its counts to a ConfigMap: once a second is plenty for the progress line and little load on the API server under test. */
const podProgressEveryMs = 1000;

/** Runs a shard pod: its channel through ConfigMaps, and its exit written to its report before the process ends with it. */
async function runShardPod(io: CliIo, ref: string): Promise<void> {
  const { namespace, name } = specConfigMapRef(ref);
  const index = completionIndexOf(io.env);
  const kubeConfig = shardKubeConfig(io.env);
  const client = new KubeClient({ kubeConfig });
  const interrupts = new Interrupts(() => undefined);
  const channel = new ConfigMapChannel({ client, namespace, specName: name, index, onStop: () => interrupts.request('the coordinator\'s stop') });
  try {
    await runShard(io, channel, { interrupts, kubeConfig, progressEveryMs: podProgressEveryMs });
    await channel.reportExit(0, null);
  } catch (e) {
    // The coordinator reads the exit from the report (a pod's exit code reaches it only as "the Job failed"); the error still goes to the pod's log.
    // The exit code src/cli/main.ts will give it (a LoadtestError's own; 1 for anything else, as a crash of a local shard counts).
    const code = e instanceof LoadtestError ? e.exitCode : ExitCode.criteriaFailed;
    // Stopped by a signal rather than by the coordinator: Kubernetes is terminating the pod (the Job failed, its deadline, a drain).
    const by = interrupts.interruptedBy();
    const terminated = by !== null && by !== 'the coordinator\'s stop';
    await channel.reportExit(code, (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '', terminated).catch(() => undefined);
    throw e;
  } finally {
    channel.close();
    client.close();
    interrupts.dispose();
  }
}

/** The hidden `burst-shard` command. */
export const burstShardCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('burst-shard', { hidden: true })
      .description('one shard of a sharded burst (started by burst --shards N)')
      .option('--spec-configmap <namespace/name>', 'a pod of the shard Job: read the spec from this ConfigMap, report through ConfigMaps')
      .action(async (opts: { specConfigmap?: string }) => {
        if (opts.specConfigmap !== undefined) {
          await runShardPod(ctx.io, opts.specConfigmap);
          return;
        }
        const channel = new ParentChannel();
        const interrupts = new Interrupts(() => undefined);
        try {
          await runShard(ctx.io, channel, { interrupts });
        } finally {
          // An open channel would keep the process alive; closed also when the shard failed.
          channel.close();
          interrupts.dispose();
        }
      });
  },
};
