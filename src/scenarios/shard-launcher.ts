/** @module How a sharded run's coordinator starts and talks to its shards: the interface (local processes today; a Kubernetes Job later). */
import type { CoordinatorMessage, ShardMessage } from './shard-protocol.js';

/** How a shard ended. */
export interface ShardExit {
  /** Exit code, or null when it was killed by a signal or could not start. */
  code: number | null;
  signal: string | null;
  /** The one-line error it printed last (`bindy-loadtest: …`, prefix removed), or why it could not start; null when none. */
  error: string | null;
}

/** One running shard. */
export interface ShardProcess {
  /** Sends a message (dropped once the shard has gone). */
  send(m: CoordinatorMessage): void;
  /** Asks it to stop as a Ctrl-C would (a second call: as a second Ctrl-C). */
  interrupt(): void;
  /** Resolves once it has ended and everything it printed was read. */
  readonly exited: Promise<ShardExit>;
}

/** Starts shard processes. */
export interface ShardLauncher {
  /** Starts shard `index`; `onMessage` gets every message it sends. */
  start(index: number, onMessage: (m: ShardMessage) => void): ShardProcess;
}
