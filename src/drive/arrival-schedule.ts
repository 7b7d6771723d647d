/**
 * @module The open-loop arrival schedule (pure): when operation n is due, computed from the run's
 * start and a rate profile, never from a ticker, so the schedule cannot drift (k6's
 * ramping-arrival-rate does the same). A profile is a list of segments, each a linear change of
 * the rate from `fromPerSec` to `toPerSec` over `durationMs` (equal ends: a constant rate).
 */
import { UsageError } from '../errors.js';

/** One stretch of a rate profile: the rate moves linearly from `fromPerSec` to `toPerSec` over `durationMs`. */
export interface RateSegment {
  durationMs: number;
  fromPerSec: number;
  toPerSec: number;
}

interface Span extends RateSegment {
  /** Segment start, ms from the schedule's start. */
  startMs: number;
  /** Operations due before the segment starts (a real number: the integral of the rate). */
  before: number;
}

/** Operations due by `t` ms into a segment (the integral of its rate). */
function integral(s: RateSegment, t: number): number {
  const a = s.fromPerSec / 1000;
  const b = (s.toPerSec - s.fromPerSec) / 1000 / s.durationMs;
  return a * t + (b * t * t) / 2;
}

/**
 * The arrival times of a rate profile. Operation n (0-based) is due at the first t where the
 * integral of the rate from 0 to t equals n: with a constant rate r, at n/r; the first operation
 * at 0 whenever the profile starts above 0.
 */
export class ArrivalSchedule {
  readonly #spans: Span[];
  /** Length of the profile, ms. */
  readonly durationMs: number;
  /** Operations due within the profile: every n whose due time is before its end. */
  readonly total: number;

  constructor(segments: readonly RateSegment[]) {
    if (segments.length === 0) throw new UsageError('a rate profile needs at least one segment');
    const spans: Span[] = [];
    let startMs = 0;
    let before = 0;
    for (const [i, s] of segments.entries()) {
      if (!(s.durationMs > 0) || !Number.isFinite(s.durationMs)) throw new UsageError(`rate segment ${i + 1}: duration must be above 0 ms, got ${s.durationMs}`);
      if (!(s.fromPerSec >= 0 && s.toPerSec >= 0) || !Number.isFinite(s.fromPerSec + s.toPerSec)) {
        throw new UsageError(`rate segment ${i + 1}: rates must be finite and at least 0, got ${s.fromPerSec} → ${s.toPerSec}`);
      }
      spans.push({ ...s, startMs, before });
      startMs += s.durationMs;
      before += integral(s, s.durationMs);
    }
    this.#spans = spans;
    this.durationMs = startMs;
    // n is due before the end when n < the integral over the whole profile.
    this.total = Math.max(0, Math.ceil(before - 1e-9));
  }

  /** The offered rate at `tMs`, operations per second (0 outside the profile). */
  rateAt(tMs: number): number {
    const s = this.#spans.find((x) => tMs >= x.startMs && tMs < x.startMs + x.durationMs);
    if (s === undefined) return 0;
    return s.fromPerSec + ((s.toPerSec - s.fromPerSec) * (tMs - s.startMs)) / s.durationMs;
  }

  /** Operations due at or before `tMs` (how many the schedule has offered by then). */
  dueBy(tMs: number): number {
    if (tMs < 0) return 0;
    if (tMs >= this.durationMs) return this.total;
    for (let i = this.#spans.length - 1; i >= 0; i--) {
      const s = this.#spans[i];
      if (s === undefined || tMs < s.startMs) continue;
      const lo = s.before + integral(s, tMs - s.startMs);
      const end = s.before + integral(s, s.durationMs);
      // Operation n is due once the integral reaches n, but only inside the span that holds it:
      // at the end of a span (or in a pause at rate 0) the next one waits for the next span.
      return Math.min(this.total, Math.floor(lo + 1e-9) + 1, Math.ceil(end - 1e-9));
    }
    return 0;
  }

  /** When operation `n` (0-based) is due, ms from the start; null when it is past the profile's end. */
  dueMs(n: number): number | null {
    if (!Number.isInteger(n) || n < 0 || n >= this.total) return null;
    // The last segment whose cumulative start is ≤ n holds it (a segment at rate 0 holds none).
    let span: Span | undefined;
    for (const s of this.#spans) {
      if (s.before <= n + 1e-9 && n < s.before + integral(s, s.durationMs) - 1e-12) {
        span = s;
        break;
      }
    }
    if (span === undefined) return null;
    const m = n - span.before;
    const a = span.fromPerSec / 1000;
    const b = (span.toPerSec - span.fromPerSec) / 1000 / span.durationMs;
    // Solves a·t + b·t²/2 = m for the smallest t ≥ 0. The form 2m / (a + √(a² + 2bm)) is the
    // quadratic's root without the cancellation of (−a + √…)/b when b is small, and is exact for b = 0.
    const disc = a * a + 2 * b * m;
    const root = Math.sqrt(Math.max(0, disc));
    const t = m <= 0 ? 0 : 2 * m / (a + root);
    return span.startMs + Math.min(span.durationMs, t);
  }
}

/** The sustained profile: a linear ramp from 0 to `ratePerSec` over `rampUpMs`, then constant until `durationMs`. */
export function rampThenConstant(ratePerSec: number, durationMs: number, rampUpMs: number): RateSegment[] {
  if (rampUpMs > durationMs) throw new UsageError(`ramp-up ${rampUpMs} ms is longer than the duration ${durationMs} ms`);
  const out: RateSegment[] = [];
  if (rampUpMs > 0) out.push({ durationMs: rampUpMs, fromPerSec: 0, toPerSec: ratePerSec });
  if (durationMs > rampUpMs) out.push({ durationMs: durationMs - rampUpMs, fromPerSec: ratePerSec, toPerSec: ratePerSec });
  return out;
}

/** A staircase: `startPerSec`, then `stepPerSec` more every `stepMs`, up to and including `maxPerSec`. */
export function steps(startPerSec: number, stepPerSec: number, maxPerSec: number, stepMs: number): RateSegment[] {
  if (!(stepPerSec > 0)) throw new UsageError(`the step must be above 0/s, got ${stepPerSec}/s`);
  const out: RateSegment[] = [];
  for (let r = startPerSec; r <= maxPerSec + 1e-9; r += stepPerSec) out.push({ durationMs: stepMs, fromPerSec: r, toPerSec: r });
  return out;
}
