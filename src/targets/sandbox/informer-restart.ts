/**
 * @module Keeping a twin's client-node informer alive: it stops on a watch error, and is restarted
 * after 1 s, as client-node's docs advise; a restart whose initial list fails (the API server still
 * answers 429 or is down) is tried again 1 s later, for as long as it takes, as kube-rs's watcher
 * retries with backoff: an informer never stays dead while the twin runs.
 */

/** The part of a client-node informer a restart needs. */
interface Restartable {
  on(event: 'error', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
}

/** Restarts `informer` 1 s after each error until `stopped()`; the pending timers live in `timers` (the twin clears them on stop). */
export function restartOnError(informer: Restartable, stopped: () => boolean, timers: Set<NodeJS.Timeout>): void {
  // One restart at a time: a failed start may both reject and emit 'error'.
  let pending = false;
  const restart = (): void => {
    if (stopped() || pending) return;
    pending = true;
    const t = setTimeout(() => {
      timers.delete(t);
      pending = false;
      if (stopped()) return;
      informer.start().catch(() => restart());
    }, 1000);
    timers.add(t);
  };
  informer.on('error', restart);
}
