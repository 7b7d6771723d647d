/** @module Abortable waits on the monotonic clock, shared by the load engines. */

/** Resolves after `ms` or when `signal` aborts (whichever first); true when it slept the full time. */
export function sleep(ms: number, signals: readonly (AbortSignal | undefined)[]): Promise<boolean> {
  return new Promise((resolve) => {
    const live = signals.filter((s): s is AbortSignal => s !== undefined);
    if (live.some((s) => s.aborted)) return resolve(false);
    if (ms <= 0) return resolve(true); // already due: no timer tick added to a late operation
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      for (const s of live) s.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    for (const s of live) s.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sleeps until `now() >= due`. Timers run on libuv's cached loop time, which can be up to a
 * millisecond behind the monotonic clock, so one timer may fire early: sleep again for the rest.
 */
export async function sleepUntil(due: number, now: () => number, signals: readonly (AbortSignal | undefined)[]): Promise<boolean> {
  for (let left = due - now(); left > 0; left = due - now()) {
    if (!(await sleep(Math.ceil(left), signals))) return false;
  }
  return !signals.some((s) => s?.aborted === true);
}

