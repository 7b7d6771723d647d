/**
 * @module The stability verdict on a backlog (pure): does the client-side backlog grow over the
 * steady phase, i.e. can the system keep up with the offered rate? A least-squares slope with its
 * confidence interval, and a growth bound so a statistically clear but tiny drift is not called a failure.
 */
import { linearFit } from './linear-fit.js';

/** What the backlog did over the steady phase. */
export interface BacklogStability {
  verdict: 'stable' | 'growing' | 'draining' | 'too-short';
  /** Slope in objects per minute; null when too short. */
  slopePerMinute: number | null;
  /** 95 % interval of the slope, objects per minute. */
  interval: { low: number; high: number } | null;
  /** Samples used and the phase they span, ms. */
  points: number;
  spanMs: number;
  /** Growth over the phase the verdict needs before it says "growing", objects. */
  growthBound: number;
}

/** Fewest samples a verdict is given on. */
export const stabilityMinPoints = 10;

/**
 * Fits the backlog samples inside [fromMs, toMs] (ms since the measured start). `growing` needs the
 * whole interval above 0 and a fitted growth over the phase of at least `growthBound` = max(5,
 * one second of the offered rate) objects: a backlog that gains less than one second's worth of
 * work over the whole phase is keeping up. Samples are autocorrelated, so the interval is narrower
 * than the truth; the growth bound is what keeps noise from failing a run.
 */
export function backlogStability(points: readonly { t: number; value: number }[], fromMs: number, toMs: number, offeredPerSec: number): BacklogStability {
  const inPhase = points.filter((p) => p.t >= fromMs && p.t <= toMs);
  const first = inPhase[0];
  const last = inPhase.at(-1);
  const spanMs = first !== undefined && last !== undefined ? last.t - first.t : 0;
  const growthBound = Math.max(5, offeredPerSec);
  const short: BacklogStability = { verdict: 'too-short', slopePerMinute: null, interval: null, points: inPhase.length, spanMs, growthBound };
  if (inPhase.length < stabilityMinPoints) return short;
  const fit = linearFit(inPhase.map((p) => ({ x: p.t / 60_000, y: p.value })));
  if (fit === null) return short;
  const ci = fit.slopeInterval;
  const interval = ci === null ? null : { low: ci.low, high: ci.high };
  const growth = fit.slope * (spanMs / 60_000);
  // A flat series has no residual: its interval is [slope, slope].
  const low = interval?.low ?? fit.slope;
  const high = interval?.high ?? fit.slope;
  const verdict = low > 0 && growth >= growthBound ? 'growing' : high < 0 && -growth >= growthBound ? 'draining' : 'stable';
  return { verdict, slopePerMinute: fit.slope, interval, points: inPhase.length, spanMs, growthBound };
}
