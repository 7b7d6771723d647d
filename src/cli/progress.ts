/** @module The live progress line of a run: subscribes to engine and tracker events, redraws in place on a TTY, prints plain lines otherwise. */
import { performance } from 'node:perf_hooks';
import type { BurstEvent } from '../drive/burst.js';
import type { TrackerEvent } from '../observe/watch-tracker.js';
import type { SustainedEvent } from '../drive/sustained-session.js';
import type { ShardProgressEvent } from '../scenarios/scenario.js';

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
  /** Objects seen Ready over the last `ms` before now (the recent Ready rate), when at least two draws span it. */
  recentReady?: { count: number; ms: number };
}

function rate(n: number, ms: number): number {
  return ms > 0 ? (n * 1000) / ms : 0;
}

/**
 * One progress line (pure): counts, rates, client-side backlog (created, not yet Ready) and an ETA.
 * While creates are going out: created/s and Ready/s since the start, ETA from that Ready rate. Once
 * every create was answered the create rate means nothing: the line shows the recent Ready rate and
 * an ETA from what is left (the backlog, as every create was answered) at that rate.
 */
export function progressText(s: ProgressState): string {
  const secs = s.elapsedMs / 1000;
  const readyRate = rate(s.ready, s.elapsedMs);
  const remaining = s.total - s.ready - s.failed;
  const backlog = Math.max(0, s.created - s.ready);
  if (s.created + s.failed >= s.total && s.total > 0) {
    const recent = s.recentReady;
    const recentRate = recent === undefined ? null : rate(recent.count, recent.ms);
    const window = recent === undefined ? '' : ` over the last ${Math.round(recent.ms / 1000)} s`;
    const eta =
      remaining <= 0 ? 'done'
      : recentRate === null ? 'ETA —'
      : recentRate > 0 ? `ETA ${Math.ceil(remaining / recentRate)} s`
      : `ETA — (no Ready${window})`;
    return (
      `[${secs.toFixed(0).padStart(4)} s] created ${s.created}/${s.total} (all creates answered), ready ${s.ready}, failed ${s.failed} | ` +
      `${recentRate === null ? '—' : recentRate.toFixed(1)} ready/s${window} | backlog ${backlog} | ${eta}`
    );
  }
  const eta = remaining <= 0 ? 'done' : readyRate > 0 ? `ETA ${Math.ceil(remaining / readyRate)} s` : 'ETA —';
  return (
    `[${secs.toFixed(0).padStart(4)} s] created ${s.created}/${s.total}, ready ${s.ready}, failed ${s.failed} | ` +
    `${rate(s.created, s.elapsedMs).toFixed(1)} created/s, ${readyRate.toFixed(1)} ready/s | backlog ${backlog} | ${eta}`
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
  /** The window of the recent Ready rate shown once every create was answered (default 10 s). */
  recentWindowMs?: number;
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
  /** Ready counts at past draws, oldest first, trimmed to the recent window (plus the one sample before it). */
  readonly #readyAt: { ms: number; ready: number }[] = [];
  readonly state: ProgressState;

  constructor(o: ProgressOptions) {
    this.#o = o;
    this.#now = o.now ?? (() => performance.now());
    this.#startMs = this.#now();
    this.state = { total: o.total, created: 0, ready: 0, failed: 0, elapsedMs: 0 };
  }

  /** Feed it every engine and tracker event. */
  readonly onEvent = (e: BurstEvent | TrackerEvent | SustainedEvent | ShardProgressEvent): void => {
    if (e.type === 'shard-progress') {
      this.state.created += e.created;
      this.state.ready += e.ready;
      this.state.failed += e.failed;
    } else if (e.type === 'status') this.#status = e.text;
    else if (e.type === 'notice') this.#notice(e.text);
    else if (e.type === 'created') this.state.created++;
    else if (e.type === 'rejected') this.state.failed++;
    else if (e.type === 'error' && 'cause' in e) this.state.failed++;
    else if (e.type === 'ready') this.state.ready++;
  };

  /** Prints a line of its own now (on a TTY above the redrawn progress line). */
  #notice(text: string): void {
    if (this.#o.isTTY && this.#drawn) {
      this.#o.write(`\r\x1b[K${text}\n`);
      this.#drawn = false;
    } else this.#o.write(`${text}\n`);
  }

  /** Starts redrawing. */
  start(): void {
    const every = this.#o.isTTY ? (this.#o.ttyIntervalMs ?? 250) : (this.#o.plainIntervalMs ?? 5000);
    this.#timer = setInterval(() => this.draw(), every);
    this.#timer.unref();
  }

  /** Draws the line now. */
  draw(): void {
    this.state.elapsedMs = this.#now() - this.#startMs;
    this.#sampleReady();
    const text = this.#status ?? progressText(this.state);
    if (this.#o.isTTY) {
      this.#o.write(`\r\x1b[K${text}`);
      this.#drawn = true;
    } else {
      this.#o.write(`${text}\n`);
    }
  }

  /** Records the Ready count at this draw and sets the recent Ready rate from the oldest sample still in the window. */
  #sampleReady(): void {
    const window = this.#o.recentWindowMs ?? 10_000;
    const now = this.state.elapsedMs;
    this.#readyAt.push({ ms: now, ready: this.state.ready });
    // Keep one sample at or before the window's start, so the rate spans the whole window once it can.
    while (this.#readyAt.length > 2 && (this.#readyAt[1]?.ms ?? now) <= now - window) this.#readyAt.shift();
    const oldest = this.#readyAt[0];
    if (oldest !== undefined && now > oldest.ms) this.state.recentReady = { count: this.state.ready - oldest.ready, ms: now - oldest.ms };
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
