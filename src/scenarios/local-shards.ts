/**
 * @module Shards as local processes: this same CLI (`bindy-loadtest burst-shard`) started once per
 * shard with an IPC channel, in its own process group so a terminal's Ctrl-C reaches only the
 * coordinator, which passes it on. A shard notices a coordinator that died by its channel closing.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { selfCommand } from '../targets/sandbox/supervisor/self-command.js';
import { parseShardMessage } from './shard-protocol.js';
import type { ShardExit, ShardLauncher, ShardProcess } from './shard-launcher.js';

/** Options of {@link localShardLauncher}. */
export interface LocalShardOptions {
  env: NodeJS.ProcessEnv;
  /** Each line a shard prints on stderr, with `shard <i>: ` in front. */
  onLine: (line: string) => void;
}

const errorPrefix = 'bindy-loadtest: ';

/** A launcher that runs each shard as a child process of this one. */
export function localShardLauncher(o: LocalShardOptions): ShardLauncher {
  return {
    start(index, onMessage): ShardProcess {
      const { command, args } = selfCommand();
      // This process's folder, where the tool itself resolves from; the run's own folder travels in the spec.
      const child = spawn(command, [...args, 'burst-shard'], { env: o.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
      let lastError: string | null = null;
      child.on('message', (v: unknown) => {
        const m = parseShardMessage(v);
        if (m !== null) onMessage(m);
      });
      if (child.stderr !== null) {
        createInterface({ input: child.stderr }).on('line', (line) => {
          if (line.startsWith(errorPrefix)) lastError = line.slice(errorPrefix.length);
          o.onLine(`shard ${index}: ${line}`);
        });
      }
      const exited = new Promise<ShardExit>((resolve) => {
        let spawned = false;
        child.once('spawn', () => (spawned = true));
        // 'error' before 'spawn': it could not start ('close' follows only when it did).
        child.on('error', (e) => {
          if (!spawned) resolve({ code: null, signal: null, error: `could not start: ${e.message}` });
        });
        // 'close': after the process ended and its stderr was read to the end (its last error line included).
        child.once('close', (code, signal) => resolve({ code, signal, error: lastError }));
      });
      return {
        send(m) {
          // A shard that is ending may close its channel under a send: nothing to deliver then.
          if (child.connected) child.send(m, () => undefined);
        },
        interrupt() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        },
        exited,
      };
    },
  };
}
