/**
 * @module The knee of a step run (pure): per step of the offered rate, does the client-side backlog
 * stay flat or grow; the knee is the highest rate whose backlog stayed flat before the first step
 * whose backlog grew. It is a capacity figure, and only as fine as the step size.
 */
import { meanIn } from './invariant.js';
import { backlogStability, type BacklogStability } from './stability.js';

/** One step of the offered rate, on the measured schedule's clock (ms since it started). */
export interface RateStep {
  rate: number;
  fromMs: number;
  toMs: number;
}

/** A step with what the backlog did over it, and the rates seen in it. */
export interface StepVerdict extends RateStep {
  stability: BacklogStability;
  /** Mean completions per second over the judged part of the step; null without samples. */
  completedPerSec: number | null;
  /** Mean operator reconciles per second over the judged part; null when not measured. */
  reconcilesPerSec: number | null;
  /** Backlog at the step's end (the last sample in it); null without samples. */
  backlogAtEnd: number | null;
}

/** What a step run found. */
export interface Knee {
  /** Highest rate whose backlog stayed flat before the first growing step; null when even the first grew. */
  rate: number | null;
  /** Rate of the first step whose backlog grew; null when none did (the knee lies above the last step). */
  firstGrowingRate: number | null;
  /** Mean reconciles per second over the first growing step (the operator saturated); null when not measured or none grew. */
  saturatedReconcilesPerSec: number | null;
  /** One line for people. */
  text: string;
}

/** The share of each step left for the backlog to settle at its new level before it is judged. */
export const stepSettleShare = 1 / 3;

/** The part of a step that is judged: its last two thirds (the backlog needs about one effect latency to reach its new level). */
export function judgedWindow(step: RateStep): { fromMs: number; toMs: number } {
  return { fromMs: step.fromMs + (step.toMs - step.fromMs) * stepSettleShare, toMs: step.toMs };
}

/** Judges one step from the run's series (backlog, completions per second, reconciles per second; t in ms since the measured start). */
export function judgeStep(
  step: RateStep,
  series: { backlog: readonly { t: number; value: number }[]; completed?: readonly { t: number; value: number }[]; reconciles?: readonly { t: number; value: number }[] },
): StepVerdict {
  const w = judgedWindow(step);
  const inStep = series.backlog.filter((p) => p.t >= step.fromMs && p.t <= step.toMs);
  return {
    ...step,
    stability: backlogStability(series.backlog, w.fromMs, w.toMs, step.rate),
    completedPerSec: meanIn(series.completed, w.fromMs, w.toMs),
    reconcilesPerSec: meanIn(series.reconciles, w.fromMs, w.toMs),
    backlogAtEnd: inStep.at(-1)?.value ?? null,
  };
}

/** The knee from judged steps in rate order (steps after the first growing one are ignored). */
export function findKnee(steps: readonly StepVerdict[]): Knee {
  const firstGrowing = steps.findIndex((s) => s.stability.verdict === 'growing');
  const flat = (firstGrowing === -1 ? steps : steps.slice(0, firstGrowing)).filter((s) => s.stability.verdict === 'stable' || s.stability.verdict === 'draining');
  const kneeRate = flat.at(-1)?.rate ?? null;
  const growing = firstGrowing === -1 ? undefined : steps[firstGrowing];
  const fmt = (r: number): string => `${Number(r.toFixed(2))}/s`;
  let text: string;
  if (growing === undefined) {
    const last = steps.at(-1);
    text = last === undefined ? 'no step was judged' : `the backlog stayed flat up to the last step (${fmt(last.rate)}): the knee lies above it; raise maxRate to find it`;
  } else if (kneeRate === null) {
    text = `the backlog grew already at the first step (${fmt(growing.rate)}): the knee lies below it; lower startRate`;
  } else {
    text = `the backlog stayed flat up to ${fmt(kneeRate)} and grew at ${fmt(growing.rate)}: the system sustains between ${fmt(kneeRate)} and ${fmt(growing.rate)} (the step size is the precision)`;
  }
  const saturated = growing?.reconcilesPerSec ?? null;
  if (saturated !== null) text += `; at ${fmt(growing?.rate ?? 0)} the operator ran ${saturated.toFixed(1)} reconciles/s (its ceiling once saturated)`;
  return { rate: kneeRate, firstGrowingRate: growing?.rate ?? null, saturatedReconcilesPerSec: saturated, text };
}

/** The rates of a step run: from `start` by `step` while at most `max` (at least the first). */
export function stepRates(start: number, step: number, max: number): number[] {
  const out = [start];
  if (step <= 0) return out;
  // A tolerance so 0.1-sized steps are not lost to floating point.
  for (let r = start + step; r <= max + 1e-9; r += step) out.push(Number(r.toFixed(6)));
  return out;
}
