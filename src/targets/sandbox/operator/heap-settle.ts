/**
 * @module Periodic full garbage collections in the operator twin while a leak is injected, so its
 * RSS follows its live memory (plus the leak), as a process without a garbage collector (bindy is
 * Rust) would: V8 otherwise lets garbage pile up in the old generation and returns it in one drop,
 * a sawtooth of tens of MiB that hides a 30 MiB/min leak in a two-minute window. (The young
 * generation's own resizing is fixed from the process's start: see `partNodeFlags`.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's full collection, exposed at run time (the process was not started with --expose-gc). */
function exposedGc(): (() => void) | null {
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  try {
    setFlagsFromString('--expose-gc');
    // A new context is created after the flag, so it has `gc`; the function collects the whole heap.
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** Runs a full collection now and every `everyMs`; returns the stop function (a no-op where V8 will not expose gc). */
export function settleHeapEvery(everyMs: number): () => void {
  const gc = exposedGc();
  if (gc === null) return () => undefined;
  gc();
  const timer = setInterval(gc, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
