/** @module A shard process's side of its IPC channel to the coordinator that started it: its spec, the common start, its messages back. */
import { UsageError } from '../errors.js';
import { parseCoordinatorMessage } from '../scenarios/shard-protocol.js';
import type { CoordinatorMessage, ShardMessage, ShardSpec } from '../scenarios/shard-protocol.js';

/** A shard's channel to its coordinator: over Node IPC (a local process) or through ConfigMaps (a pod of the shard Job). */
export interface ShardChannel {
  /** The shard's spec. */
  spec(): Promise<ShardSpec>;
  /** Resolves on the common start, or when `stop` aborts, or the coordinator is gone. */
  go(stop: AbortSignal): Promise<void>;
  /** Sends a message to the coordinator. */
  send(m: ShardMessage): Promise<void>;
  /** Closes the channel, so the process can end. */
  close(): void;
}

/** The channel to the coordinator; messages that arrive before anyone waits for them are kept. */
export class ParentChannel implements ShardChannel {
  readonly #received: CoordinatorMessage[] = [];
  #gone = false;
  #changed: (() => void) | null = null;
  readonly #onMessage = (v: unknown): void => {
    const m = parseCoordinatorMessage(v);
    if (m !== null) this.#received.push(m);
    this.#notify();
  };
  readonly #onDisconnect = (): void => {
    this.#gone = true;
    this.#notify();
  };

  /** Listens on this process's IPC channel; a process started without one is refused (exit 2). */
  constructor() {
    if (process.send === undefined || process.connected !== true) throw new UsageError('burst-shard is started by a sharded burst (burst --shards N), not by hand');
    process.on('message', this.#onMessage);
    process.on('disconnect', this.#onDisconnect);
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = null;
    c?.();
  }

  async #next<T>(pick: (m: CoordinatorMessage) => T | undefined, stop?: AbortSignal): Promise<T | null> {
    const onAbort = (): void => this.#notify();
    stop?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        for (const m of this.#received) {
          const v = pick(m);
          if (v !== undefined) return v;
        }
        if (this.#gone || stop?.aborted === true) return null;
        await new Promise<void>((resolve) => (this.#changed = resolve));
      }
    } finally {
      stop?.removeEventListener('abort', onAbort);
    }
  }

  /** The shard's spec, the coordinator's first message. */
  async spec(): Promise<ShardSpec> {
    const spec = await this.#next((m) => (m.type === 'spec' ? m.spec : undefined));
    if (spec === null) throw new UsageError('burst-shard: the coordinator went away before it sent the shard its spec');
    return spec;
  }

  /** Resolves on the common start (`go`), or when `stop` aborts or the coordinator is gone (then the shard starts nothing). */
  async go(stop: AbortSignal): Promise<void> {
    await this.#next((m) => (m.type === 'go' ? true : undefined), stop);
  }

  /** Sends a message; resolves once it was handed to the channel (or the coordinator is gone). */
  send(m: ShardMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.#gone || process.send === undefined) resolve();
      else process.send(m, undefined, undefined, () => resolve());
    });
  }

  /** Closes the channel, so the process can end. */
  close(): void {
    process.off('message', this.#onMessage);
    process.off('disconnect', this.#onDisconnect);
    if (process.connected === true) process.disconnect();
  }
}
