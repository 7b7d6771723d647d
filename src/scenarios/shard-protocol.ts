/**
 * @module The messages between a sharded run's coordinator and its shard processes (pure): the
 * shard's spec, the common start (`go`), progress counts and the shard's result document. Both
 * ends are this same program; a message of another shape is refused, never guessed at.
 */
import type { Config } from '../config/index.js';

/** What a shard process is told to run. */
export interface ShardSpec {
  /** The coordinator's version: a shard of another version refuses to run. */
  toolVersion: string;
  runId: string;
  index: number;
  count: number;
  /** `--mixed`. */
  interleave: boolean;
  /** The coordinator's effective configuration, whole (the shard takes its slice from it). */
  config: Config;
  /** The run journal's folder: the shard appends each object to the run's journal before its create. */
  journalDir: string;
  /** The coordinator's working folder: relative paths of the configuration (a kubeconfig) are read from there. */
  cwd: string;
}

/** Coordinator → shard. */
export type CoordinatorMessage = { type: 'spec'; spec: ShardSpec } | { type: 'go' };

/** Shard → coordinator: ready at the gate (watches up), cumulative progress, its result document (JSON text). */
export type ShardMessage = { type: 'ready' } | { type: 'progress'; created: number; ready: number; failed: number } | { type: 'result'; text: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** A shard's message, or null when `v` is not one. */
export function parseShardMessage(v: unknown): ShardMessage | null {
  if (!isRecord(v)) return null;
  if (v.type === 'ready') return { type: 'ready' };
  if (v.type === 'progress' && isCount(v.created) && isCount(v.ready) && isCount(v.failed)) return { type: 'progress', created: v.created, ready: v.ready, failed: v.failed };
  if (v.type === 'result' && typeof v.text === 'string') return { type: 'result', text: v.text };
  return null;
}

function specOf(v: unknown): ShardSpec | null {
  if (!isRecord(v)) return null;
  const { toolVersion, runId, index, count, interleave, config, journalDir, cwd } = v;
  if (typeof toolVersion !== 'string' || typeof runId !== 'string' || typeof journalDir !== 'string' || typeof cwd !== 'string' || typeof interleave !== 'boolean') return null;
  if (!isCount(index) || !isCount(count) || index >= count) return null;
  if (!isRecord(config) || !isRecord(config.scenarios) || typeof config.namespace !== 'string') return null;
  // The configuration was validated by the coordinator, which is this program at the same version (checked by the caller).
  return { toolVersion, runId, index, count, interleave, config: config as unknown as Config, journalDir, cwd };
}

/** A coordinator's message, or null when `v` is not one. */
export function parseCoordinatorMessage(v: unknown): CoordinatorMessage | null {
  if (!isRecord(v)) return null;
  if (v.type === 'go') return { type: 'go' };
  if (v.type === 'spec') {
    const spec = specOf(v.spec);
    return spec === null ? null : { type: 'spec', spec };
  }
  return null;
}
