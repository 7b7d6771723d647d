/** @module How a sharded run's coordinator starts and talks to its shards: the interface (local processes, or the pods of a Kubernetes Indexed Job). */
import type { CoordinatorMessage, ShardMessage, ShardSpec } from './shard-protocol.js';

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

/** The part of every shard's spec they share (each shard's index is its own). */
export type CommonShardSpec = Omit<ShardSpec, 'index'>;

/** Starts shard processes. */
export interface ShardLauncher {
  /**
   * Makes what every shard needs before any starts (a Job launcher: its RBAC, ConfigMaps and the
   * Job, each journalled first); throws when the target refuses. Absent: nothing to make.
   */
  open?(common: CommonShardSpec): Promise<void>;
  /** Starts shard `index`; `onMessage` gets every message it sends. */
  start(index: number, onMessage: (m: ShardMessage) => void): ShardProcess;
  /** Removes what {@link open} made; called once every shard has ended, also after a failure. */
  close?(): Promise<void>;
}
