/** @module Waiting for the user to stop a foreground process (Ctrl-C or SIGTERM). */

/** Resolves with the first SIGINT or SIGTERM received (or when `signal` aborts). */
export function waitForStopSignal(signal?: AbortSignal): Promise<NodeJS.Signals | 'abort'> {
  return new Promise((resolve) => {
    const done = (s: NodeJS.Signals | 'abort'): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(s);
    };
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    signal?.addEventListener('abort', () => done('abort'), { once: true });
  });
}
