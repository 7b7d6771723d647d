/** @module Sentences about a chaos experiment that the Markdown and HTML reports share (pure). */
import type { ChaosExperimentResult } from './result/index.js';

/** One sentence on the API's answers around an experiment: conflicting writes and throttled requests on bindy's resources. */
export function apiResponsesText(r: NonNullable<ChaosExperimentResult['apiResponses']>): string {
  return (
    `API requests on bindy's resources from just before the fault to its convergence (every client): ${r.requests}, ` +
    `of which ${r.conflicts} answered 409 Conflict (conflicting writes: two writers, or a write from a stale read) and ${r.throttled} answered 429.`
  );
}
