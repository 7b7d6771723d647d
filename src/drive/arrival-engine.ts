/**
 * @module The open-loop arrival-rate engine: starts operation n at its due time from the
 * schedule (never later because an earlier one is slow), with at most `maxInFlight` at once. An
 * operation whose due time finds every slot taken is dropped and counted, never queued: a queue in
 * the generator would hide the system's slowness as the generator's (coordinated omission).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createLatencyHistogram } from '../measure/index.js';
import type { QuantityHistogram } from '../measure/index.js';
import type { ArrivalSchedule } from './arrival-schedule.js';
import type { LoadPause } from './load-pause.js';
import { eventLoopLagOf } from './burst.js';
import type { EventLoopLag } from './burst.js';
import { sleepUntil } from './sleep.js';

/** Options of one open-loop run. */
export interface ArrivalEngineOptions {
  schedule: ArrivalSchedule;
  /** Operations in flight at once (≥ 1); an operation due when all are busy is dropped. */
  maxInFlight: number;
  /**
   * Performs operation `index`, due at `intendedStart` (monotonic ms). The engine does not look at
   * the outcome; the caller measures it. A rejection counts as an engine error.
   */
  perform: (index: number, intendedStart: number) => Promise<void>;
  /** Called for an operation dropped for want of a free slot. */
  onDropped?: (index: number, intendedStart: number) => void;
  stopStarting?: AbortSignal;
  /** Stop now: in-flight operations are abandoned (counted). */
  hardStop?: AbortSignal;
  /** A hold on the schedule (on the same clock as `now`): while in force nothing starts, and the rest moves later by its length. */
  pause?: LoadPause;
  /** Starting later than this after the due time counts as late, and a p99 slip above it as saturation, ms (default 2). */
  lateThresholdMs?: number;
  now?: () => number;
}

/** What the engine measured about itself: the generator's self-check. Times in monotonic ms. */
export interface ArrivalSummary {
  startedMs: number;
  endedMs: number;
  /** Operations the schedule made due before the engine stopped starting. */
  due: number;
  started: number;
  /** Due with no free slot: not started (the system was slower than the offered rate allowed for). */
  dropped: number;
  /** Started more than `lateThresholdMs` after their due time. */
  late: number;
  /** In flight when hardStop fired. */
  abandoned: number;
  /** `perform` threw (a bug or an input failure, not an API answer). */
  errors: number;
  /** Actual start − due time of every started operation, µs. */
  slip: QuantityHistogram;
  eventLoopLag: EventLoopLag;
  /** The tool's own CPU over the run, in cores (user + system / wall). */
  toolCpuCores: number;
  /**
   * Why the generator itself may have limited or skewed the load (empty: it kept its schedule).
   * Drops are not in it: an operation is dropped because the target's answers held every slot.
   */
  saturation: string[];
  stoppedBy: 'schedule-done' | 'stopStarting' | 'hardStop';
}

/**
 * Sleeps until an operation planned at `planned` (before any hold) is due, the holds so far added;
 * a hold found at the due time is waited out and its length added. The due time, or null when stopped.
 */
async function dueAfterHolds(planned: number, now: () => number, signals: readonly (AbortSignal | undefined)[], pause: LoadPause | undefined): Promise<number | null> {
  for (;;) {
    const shift = pause?.heldMs() ?? 0;
    const due = planned + shift;
    if (!(await sleepUntil(due, now, signals))) return null;
    if (pause === undefined) return due;
    if (pause.held) {
      if (!(await pause.released(signals))) return null;
    } else if (pause.heldMs() === shift) {
      return due;
    }
    // A hold began (and maybe ended) while sleeping: due later by its length.
  }
}

/** Runs the schedule to its end (or a stop) and resolves once every started operation settled. */
export async function runArrivals(o: ArrivalEngineOptions): Promise<ArrivalSummary> {
  if (!Number.isInteger(o.maxInFlight) || o.maxInFlight < 1) throw new RangeError(`maxInFlight must be an integer ≥ 1, got ${o.maxInFlight}`);
  const now = o.now ?? (() => performance.now());
  const lateMs = o.lateThresholdMs ?? 2;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const slip = createLatencyHistogram();
  const signals = [o.stopStarting, o.hardStop];
  const inFlight = new Set<Promise<void>>();
  const s = { due: 0, started: 0, dropped: 0, late: 0, errors: 0 };
  let stoppedBy: ArrivalSummary['stoppedBy'] = 'schedule-done';
  const t0 = now();
  try {
    for (let n = 0; n < o.schedule.total; n++) {
      const offset = o.schedule.dueMs(n);
      if (offset === null) break;
      const due = await dueAfterHolds(t0 + offset, now, signals, o.pause);
      if (due === null) break;
      s.due++;
      if (inFlight.size >= o.maxInFlight) {
        s.dropped++;
        o.onDropped?.(n, due);
        continue;
      }
      const at = now();
      slip.record((at - due) * 1000);
      if (at - due > lateMs) s.late++;
      s.started++;
      const p = o.perform(n, due).catch(() => {
        s.errors++;
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    if (o.hardStop?.aborted === true) stoppedBy = 'hardStop';
    else if (o.stopStarting?.aborted === true) stoppedBy = 'stopStarting';
    if (o.hardStop?.aborted !== true) {
      const hard = o.hardStop;
      await Promise.race([Promise.all([...inFlight]), new Promise<void>((resolve) => hard?.addEventListener('abort', () => resolve(), { once: true }))]);
      if (hard?.aborted === true) stoppedBy = 'hardStop';
    }
  } finally {
    loop.disable();
  }
  const endedMs = now();
  const used = process.cpuUsage(cpu0);
  const toolCpuCores = endedMs > t0 ? (used.user + used.system) / 1000 / (endedMs - t0) : 0;
  const eventLoopLag = eventLoopLagOf(loop);
  const saturation: string[] = [];
  const slipP99 = slip.valueAt(99);
  if (slipP99 !== null && slipP99 > lateMs * 1000) {
    saturation.push(`schedule slip p99 ${(slipP99 / 1000).toFixed(1)} ms > ${lateMs} ms: operations started late; the offered rate was not the scheduled one`);
  }
  if (eventLoopLag.p99 > 20_000) saturation.push(`event-loop delay p99 ${(eventLoopLag.p99 / 1000).toFixed(1)} ms: the tool's process was busy; its timings include its own delay`);
  if (toolCpuCores > 0.9) saturation.push(`the tool used ${toolCpuCores.toFixed(2)} cores: close to one core, the most a Node process's main thread can use`);
  return { startedMs: t0, endedMs, ...s, abandoned: o.hardStop?.aborted === true ? inFlight.size : 0, slip, eventLoopLag, toolCpuCores, saturation, stoppedBy };
}
