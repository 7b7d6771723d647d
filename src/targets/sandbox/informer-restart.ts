/** @module Keeping a twin's client-node informer alive: it stops on a watch error, and is restarted after 1 s, as client-node's docs advise. */

/** The part of a client-node informer a restart needs. */
interface Restartable {
  on(event: 'error', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
}

/** Restarts `informer` 1 s after each error until `stopped()`; the pending timers live in `timers` (the twin clears them on stop). */
export function restartOnError(informer: Restartable, stopped: () => boolean, timers: Set<NodeJS.Timeout>): void {
  informer.on('error', () => {
    if (stopped()) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped()) informer.start().catch(() => undefined);
    }, 1000);
    timers.add(t);
  });
}
