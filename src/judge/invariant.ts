/** @module One judged invariant (a chaos experiment's, a backpressure check): observed against a limit, with its evidence (pure). */
import type { ChaosInvariant } from '../report/result/index.js';

/** Judges `observed` against `limit`; null observed is not measured (never a pass). */
export function judgeInvariant(name: string, observed: number | null, limit: number, comparison: ChaosInvariant['comparison'], unit: string, evidence: string): ChaosInvariant {
  const holds = observed === null ? null : comparison === '==' ? observed === limit : comparison === '<=' ? observed <= limit : observed >= limit;
  return { name, observed, limit, comparison, unit, verdict: holds === null ? 'not-measured' : holds ? 'pass' : 'fail', evidence };
}

/** Mean of the points with `fromMs ≤ t ≤ toMs`; null when there are none. */
export function meanIn(points: readonly { t: number; value: number }[] | undefined, fromMs: number, toMs: number): number | null {
  const inside = (points ?? []).filter((p) => p.t >= fromMs && p.t <= toMs);
  return inside.length === 0 ? null : inside.reduce((a, p) => a + p.value, 0) / inside.length;
}
