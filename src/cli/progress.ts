/** @module The live progress line of a run: subscribes to engine and tracker events, redraws in place on a TTY, prints plain lines otherwise. */
import { performance } from 'node:perf_hooks';
import type { BurstEvent } from '../drive/burst.js';
import type { TrackerEvent } from '../observe/watch-tracker.js';
import type { SustainedEvent } from '../drive/sustained-session.js';

/** What the progress line counts. */
export interface ProgressState {
  /** Objects in the plan. */
  total: number;
  created: number;
  ready: number;
  /** Rejected creates and creates without an answer. */
  failed: number;
  /** ms since the run's measured part started. */
  elapsedMs: number;
}

function rate(n: number, ms: number): number {
  return ms > 0 ? (n * 1000) / ms : 0;
}

/** One progress line (pure): counts, rates, client-side backlog (created, not yet Ready) and an ETA from the Ready rate. */
export function progressText(s: ProgressState): string {
  const secs = s.elapsedMs / 1000;
  const readyRate = rate(s.ready, s.elapsedMs);
  const remaining = s.total - s.ready - s.failed;
  const eta = remaining <= 0 ? 'done' : readyRate > 0 ? `ETA ${Math.ceil(remaining / readyRate)} s` : 'ETA —';
  return (
    `[${secs.toFixed(0).padStart(4)} s] created ${s.created}/${s.total}, ready ${s.ready}, failed ${s.failed} | ` +
    `${rate(s.created, s.elapsedMs).toFixed(1)} created/s, ${readyRate.toFixed(1)} ready/s | backlog ${Math.max(0, s.created - s.ready)} | ${eta}`
  );
}

/** Options of a {@link ProgressReporter}. */
export interface ProgressOptions {
  total: number;
  write: (text: string) => void;
  /** Redraw one line in place (a terminal) rather than print a line every `plainIntervalMs`. */
  isTTY: boolean;
  /** Default 250 ms on a TTY. */
  ttyIntervalMs?: number;
  /** Default 5 s when not a TTY. */
  plainIntervalMs?: number;
  now?: () => number;
}

/** Counts events and renders them periodically; never touches the engine (STYLE rule 9). */
export class ProgressReporter {
  readonly #o: ProgressOptions;
  readonly #now: () => number;
  readonly #startMs: number;
  #timer: NodeJS.Timeout | null = null;
  #drawn = false;
  /** The scenario's own line (a sustained run says how far through its schedule it is), when it sends one. */
  #status: string | null = null;
  readonly state: ProgressState;

  constructor(o: ProgressOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => performance.now());
    this.#startMs = this.#now();
    this.state = { total: o.total, created: 0, ready: 0, failed: 0, elapsedMs: 0 };
  }

  /** Feed it every engine and tracker event. */
  readonly onEvent = (e: BurstEvent | TrackerEvent | SustainedEvent): void => {
    if (e.type === 'status') this.#status = e.text;
    else if (e.type === 'created') this.state.created++;
    else if (e.type === 'rejected') this.state.failed++;
    else if (e.type === 'error' && 'cause' in e) this.state.failed++;
    else if (e.type === 'ready') this.state.ready++;
  };

  /** Starts redrawing. */
  start(): void {
    const every = this.#o.isTTY ? (this.#o.ttyIntervalMs ?? 250) : (this.#o.plainIntervalMs ?? 5000);
    this.#timer = setInterval(() => this.draw(), every);
    this.#timer.unref();
  }

  /** Draws the line now. */
  draw(): void {
    this.state.elapsedMs = this.#now() - this.#startMs;
    const text = this.#status ?? progressText(this.state);
    if (this.#o.isTTY) {
      this.#o.write(`\r\x1b[K${text}`);
      this.#drawn = true;
    } else {
      this.#o.write(`${text}\n`);
    }
  }

  /** Stops redrawing; on a TTY the last line is drawn once more and ended. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#o.isTTY && this.#drawn) {
      this.draw();
      this.#o.write('\n');
      this.#drawn = false;
    }
  }
}
