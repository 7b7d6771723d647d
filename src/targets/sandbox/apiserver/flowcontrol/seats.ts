/**
 * @module APF seat computation: a priority level's nominal concurrency limit,
 * NominalCL(i) = ceil(ServerCL × NCS(i) / Σ NCS), as kube-apiserver computes it. Borrowing and
 * lending between levels are not modelled: a Limited level's limit is its NominalCL (see
 * docs/sandbox-apiserver.md).
 */
import type { PriorityLevelObject } from './types.js';

/** kube-apiserver's default server concurrency limit: --max-requests-inflight 400 + --max-mutating-requests-inflight 200. */
export const defaultServerConcurrencyLimit = 600;

/** A level's nominal concurrency shares: `limited.nominalConcurrencyShares`, or `exempt.nominalConcurrencyShares` (default 0) for the exempt level. */
export function sharesOf(pl: PriorityLevelObject): number {
  return pl.spec.type === 'Limited' ? (pl.spec.limited?.nominalConcurrencyShares ?? 0) : (pl.spec.exempt?.nominalConcurrencyShares ?? 0);
}

/** NominalCL of every Limited level, by name (Exempt levels have no limit and are left out). */
export function nominalLimits(levels: readonly PriorityLevelObject[], serverConcurrencyLimit = defaultServerConcurrencyLimit): Map<string, number> {
  const sum = levels.reduce((s, pl) => s + sharesOf(pl), 0);
  const out = new Map<string, number>();
  for (const pl of levels) {
    if (pl.spec.type !== 'Limited') continue;
    out.set(pl.metadata.name, sum === 0 ? 0 : Math.ceil((serverConcurrencyLimit * sharesOf(pl)) / sum));
  }
  return out;
}
