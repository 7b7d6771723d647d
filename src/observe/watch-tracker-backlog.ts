/** @module The client-side backlog: objects written but not yet seen Ready, sampled on an interval from the tracker. */
import { performance } from 'node:perf_hooks';
import { TimeSeries } from '../measure/index.js';
import type { WatchTracker } from './watch-tracker.js';

/** A running backlog sampler. */
export interface BacklogSampler {
  readonly series: TimeSeries;
  /** Takes a last sample and stops the timer. */
  stop(): void;
}

/**
 * Samples `tracker.counts().pending` every `intervalMs` into a series stamped in ms since
 * `runStartMs` (monotonic). Labelled as the client-side backlog: bindy has no queue-depth metric,
 * so this is what the tool itself sees outstanding, not the operator's queue.
 */
export function sampleBacklog(tracker: WatchTracker, intervalMs: number, runStartMs: number, now: () => number = () => performance.now()): BacklogSampler {
  const series = new TimeSeries(
    'client_side_backlog',
    'objects',
    'client-side backlog: objects this run created (2xx) not yet seen Ready by the watch, sampled every ' +
      `${intervalMs} ms; not the operator's own queue depth`,
  );
  const sample = (): void => series.add(Math.max(0, now() - runStartMs), tracker.counts().pending);
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    series,
    stop(): void {
      clearInterval(timer);
      sample();
    },
  };
}
