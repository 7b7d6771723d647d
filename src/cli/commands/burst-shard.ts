/** @module `bindy-loadtest burst-shard` (hidden): one shard of `burst --shards N`, started by the coordinator with an IPC channel, never by hand. */
import type { CommandModule } from '../command-module.js';
import { ParentChannel } from '../parent-channel.js';
import { runShard } from '../run-shard.js';

/** The hidden `burst-shard` command. */
export const burstShardCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('burst-shard', { hidden: true })
      .description('one shard of a sharded burst (started by burst --shards N)')
      .action(async () => {
        const channel = new ParentChannel();
        try {
          await runShard(ctx.io, channel);
        } finally {
          // An open channel would keep the process alive; closed also when the shard failed.
          channel.close();
        }
      });
  },
};
