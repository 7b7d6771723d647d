/**
 * @module Runs a callback at a monotonic time, never earlier and as little later as the event loop
 * allows: a timer for the whole milliseconds, then setImmediate for the last fraction, because
 * setTimeout alone has 1 ms granularity and would add ~1 ms to every injected delay (5 % of 20 ms).
 */
import { performance } from 'node:perf_hooks';

/** A pending release; cancel() stops it. */
export interface ReleaseTimer {
  cancel(): void;
}

/** Calls `fn` once `performance.now() >= at`; always asynchronously, even when `at` has passed. */
export function releaseAt(at: number, fn: () => void): ReleaseTimer {
  let timeout: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const wait = (left: number): void => {
    // Under 1 ms: spin through the event loop (I/O still runs in between); otherwise sleep the whole ms.
    if (left < 1) immediate = setImmediate(check);
    else timeout = setTimeout(check, Math.floor(left));
  };
  function check(): void {
    timeout = undefined;
    immediate = undefined;
    const left = at - performance.now();
    if (left <= 0) fn();
    else wait(left);
  }
  wait(at - performance.now());
  return {
    cancel: () => {
      clearTimeout(timeout);
      clearImmediate(immediate);
    },
  };
}
