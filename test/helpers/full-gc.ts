/** @module A full garbage collection for memory tests, without starting the test process with --expose-gc. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Returns V8's full collection; throws where V8 will not expose it (a memory test cannot conclude without it). */
export function fullGc(): () => void {
  const existing: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  setFlagsFromString('--expose-gc');
  // A context made after the flag has `gc`, and it collects the whole heap.
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('V8 did not expose gc');
  return gc as () => void;
}

/** Heap in use after full collections (a few, so weak references and finalizers settle). */
export function settledHeapUsed(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
