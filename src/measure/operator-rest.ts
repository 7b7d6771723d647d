/**
 * @module When the operator is at rest after a load (pure): its reconcile counter has not moved for
 * a while. A load's last status writes still wake a zone (bindy 0.8 reconciles a zone on any change
 * of a record it selects), so a window "at rest" opened the moment the load's effects were seen
 * would count that tail as reconciles at rest; the window opens once the counter is still instead.
 */

/** bindy's reconcile counter (every kind and status summed). */
export const reconcileCounter = 'bindy_firestoned_io_reconciliations_total';

/** How long the counter must stay still, and how long to wait for that at most. */
export interface RestRule {
  readonly stillMs: number;
  readonly maxMs: number;
}

/** What the wait saw: when it ended, how many reconciles the tail had, whether the operator did pause. */
export interface RestOutcome {
  readonly waitedMs: number;
  /** Reconciles between the first reading and the end of the wait (the load's tail); null when no reading had the counter. */
  readonly reconciles: number | null;
  /** True when the counter stayed still for `stillMs`; false when `maxMs` passed first. */
  readonly rested: boolean;
}

/**
 * Folds readings (`atMs` since the wait began, the counter's sum or null when unreadable) into a
 * decision: `undefined` while waiting, the outcome once the counter stayed still for `stillMs` or
 * `maxMs` passed. A reading without the counter (no operator metrics) ends the wait at once.
 */
export function restTracker(rule: RestRule): (atMs: number, count: number | null) => RestOutcome | undefined {
  let first: number | null | undefined;
  let last: number | null = null;
  let stillSince = 0;
  return (atMs, count) => {
    if (first === undefined) first = count;
    if (count === null || first === null) return { waitedMs: atMs, reconciles: null, rested: false };
    // A lower reading is a restarted operator: its count starts again, and it moved.
    if (last === null || count !== last) {
      // The new process counts from 0: what the old one did in the tail is kept.
      if (last !== null && count < last) first = -(last - first);
      last = count;
      stillSince = atMs;
    }
    const reconciles = count - first;
    if (atMs - stillSince >= rule.stillMs) return { waitedMs: atMs, reconciles, rested: true };
    if (atMs >= rule.maxMs) return { waitedMs: atMs, reconciles, rested: false };
    return undefined;
  };
}
