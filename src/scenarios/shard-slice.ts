/**
 * @module How a sharded burst is split (pure): shard i of N takes the zones z with z mod N = i and
 * every record of those zones, an equal part of the concurrency and of the DNS prober's budget, and
 * a part of the QPS proportional to its objects, so every shard's paced schedule spans the same time.
 */
import type { Config } from '../config/index.js';
import { runIdLabel } from '../model/kinds.js';

/** Label naming the shard that created an object (its watch selects only its own). */
export const shardLabel = 'loadtest.bindy.firestoned.io/shard';

/** Shard `index` (0-based) of `count`. */
export interface ShardSlot {
  index: number;
  count: number;
}

/** True when zone `z` belongs to the shard. */
export function zoneInShard(z: number, slot: ShardSlot): boolean {
  return z % slot.count === slot.index;
}

/** The shard's equal part of `total` (whole units): the first `total mod count` shards get one more. */
export function evenShare(total: number, slot: ShardSlot): number {
  return Math.floor(total / slot.count) + (slot.index < total % slot.count ? 1 : 0);
}

/**
 * The shard's part of a rate, proportional to its objects: each shard's n-th create is due at
 * n / its rate, so every shard's schedule ends when the whole run's would; the parts add up to `rate`.
 */
export function rateShare(rate: number, shardObjects: number, totalObjects: number): number {
  return totalObjects === 0 ? rate : (rate * shardObjects) / totalObjects;
}

/** The label selector of one shard's watches: the run id and the shard. */
export function shardSelector(runId: string, slot: ShardSlot): string {
  return `${runIdLabel}=${runId},${shardLabel}=${slot.index}`;
}

/** Why `config` cannot be run as `config.shards` burst shards, or undefined when it can. */
export function burstShardProblem(config: Readonly<Config>): string | undefined {
  const n = config.shards;
  const b = config.scenarios.burst;
  // Each shard owns whole zones (its records follow them), so none may be left without one.
  if (n > b.zones) return `--shards ${n}: a shard creates whole zones with their records, and the run has ${b.zones} zones (--zones ≥ ${n}, or fewer shards)`;
  if (n > b.concurrency) return `--shards ${n}: the ${b.concurrency} creates in flight (--concurrency) are split over the shards, each needs at least 1`;
  // Each shard probes from where it runs; the port-forwards a single run opens are not theirs (a Job's pods may not open any).
  if (config.target === 'cluster' && b.dnsProbe === 'on' && config.probe.servers === undefined) {
    return `--shards ${n} with --dns-probe on a cluster: each shard probes from where it runs, not through the port-forwards one run opens: give --probe-servers host:port (from a Job's pods, the Service <instance>.<namespace>.svc.cluster.local:53), or run without --shards`;
  }
  return undefined;
}
