/** @module The run's overall verdict (pure): PASS, FAIL naming what failed, or ABORTED — never a partial run judged as if it had finished. */
import type { CriterionVerdict, RunVerdict } from '../report/result/index.js';
import { failedCriterionText } from '../report/verdict-line.js';

/** What the verdict is decided from. */
export interface VerdictInput {
  /** The judged criteria (an aborted run's are all `not-measured`). */
  criteria: readonly CriterionVerdict[];
  /** The scenario's expected behaviours that did not hold (e.g. objects that never became Ready). */
  problems: readonly string[];
  /** Why the run stopped before its end (a signal, an error); null when it ran to the end. */
  stoppedBy: string | null;
}

/** Decides the verdict: aborted when the run stopped early, else fail when a criterion or expected behaviour failed (criteria first), else pass. */
export function decideVerdict(input: VerdictInput): RunVerdict {
  if (input.stoppedBy !== null) return { outcome: 'aborted', reasons: [input.stoppedBy] };
  const reasons = [...input.criteria.filter((v) => v.verdict === 'fail').map(failedCriterionText), ...input.problems];
  return { outcome: reasons.length > 0 ? 'fail' : 'pass', reasons };
}
