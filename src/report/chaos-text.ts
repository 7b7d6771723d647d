/** @module Sentences about a chaos experiment that the Markdown and HTML reports share (pure). */
import type { ChaosExperimentResult } from './result/index.js';

/** One sentence on the API's answers around an experiment: conflicting writes and throttled requests on bindy's resources. */
export function apiResponsesText(r: NonNullable<ChaosExperimentResult['apiResponses']>): string {
  return (
    `API requests on bindy's resources from just before the fault to its convergence (every client): ${r.requests}, ` +
    `of which ${r.conflicts} answered 409 Conflict (conflicting writes: two writers, or a write from a stale read) and ${r.throttled} answered 429.`
  );
}

/** One sentence on the quiet window after an experiment: what it counted at rest, and against which bound. */
export function quietWindowText(q: NonNullable<ChaosExperimentResult['quietWindow']>): string {
  const seconds = (q.toMs - q.fromMs) / 1000;
  return (
    `Quiet window after convergence, the background load held: ${q.reconciles ?? 'unknown'} reconciles and ${q.apiWrites ?? 'unknown'} API writes ` +
    `in ${seconds.toFixed(0)} s at rest over ${q.objects} objects (${(q.fromMs / 1000).toFixed(0)} s to ${(q.toMs / 1000).toFixed(0)} s after the load started, ` +
    `after ${(q.settleMs / 1000).toFixed(1)} s waiting for the operator to rest${q.rested ? '' : ', which it never did for 5 s: the window opened anyway'}); ${q.limit === null ? q.bound : `at most ${q.limit}: ${q.bound}`}.`
  );
}
