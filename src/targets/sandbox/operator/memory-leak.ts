/**
 * @module The operator twin's injected memory leak (a ground truth for the memory-growth figure):
 * real memory, allocated and kept at a steady pace on a timer, so the process's RSS grows at the
 * configured rate until a cap. The pacing is a pure function of the elapsed time.
 */

const bytesPerMiB = 1024 * 1024;

/** The leak stops growing here, whatever the rate: it must never eat the machine. */
export const leakCapBytes = 1024 * bytesPerMiB;

/**
 * Bytes the leak should hold `elapsedMs` after it started at `mibPerMinute`, at most `capBytes`.
 * Computed from the start time rather than added per tick, so a late or skipped tick (a busy event
 * loop) is made up at the next one and the slope stays the configured rate.
 */
export function leakBytesDue(elapsedMs: number, mibPerMinute: number, capBytes: number = leakCapBytes): number {
  if (!(elapsedMs > 0) || !(mibPerMinute > 0)) return 0;
  return Math.min(capBytes, Math.floor((elapsedMs / 60_000) * mibPerMinute * bytesPerMiB));
}

/** Options of {@link MemoryLeak}. */
export interface MemoryLeakOptions {
  /** MiB per minute. */
  readonly mibPerMinute: number;
  /** Stop growing at this many bytes (default {@link leakCapBytes}). */
  readonly capBytes?: number;
  /** Between two allocations, ms (default 500: a 1 s scrape sees a smooth line). */
  readonly tickMs?: number;
  /** Monotonic ms (default performance.now). */
  readonly now?: () => number;
  /** Called once when the cap is reached (to say so in the log). */
  readonly onCap?: (bytes: number) => void;
}

/** A running leak: holds Buffers whose every page has been written, so they are resident. */
export class MemoryLeak {
  readonly #o: MemoryLeakOptions;
  readonly #cap: number;
  readonly #now: () => number;
  /** The leaked memory: referenced here so the garbage collector can never free it. */
  #retained: Buffer[] = [];
  #bytes = 0;
  #startedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #capped = false;

  constructor(options: MemoryLeakOptions) {
    if (!(options.mibPerMinute > 0)) throw new RangeError(`a leak needs a rate above 0 MiB/min, got ${options.mibPerMinute}`);
    this.#o = options;
    this.#cap = options.capBytes ?? leakCapBytes;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Bytes held so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Starts leaking (idempotent). */
  start(): void {
    if (this.#timer !== null) return;
    this.#startedAt = this.#now();
    this.#timer = setInterval(() => this.tick(), this.#o.tickMs ?? 500);
    // The leak must never keep a stopping process alive.
    this.#timer.unref();
  }

  /** Allocates what is due by now (also what each timer tick does). */
  tick(): void {
    const due = leakBytesDue(this.#now() - this.#startedAt, this.#o.mibPerMinute, this.#cap);
    const more = due - this.#bytes;
    if (more > 0) {
      // allocUnsafeSlow: outside Node's shared pool; fill: touch every page (a zeroed allocation can
      // stay unbacked by RAM until written, and then RSS would not grow at all). 0xa5, not 0, so no
      // page is the shared zero page.
      this.#retained.push(Buffer.allocUnsafeSlow(more).fill(0xa5));
      this.#bytes = due;
    }
    if (this.#bytes >= this.#cap && !this.#capped) {
      this.#capped = true;
      this.stopGrowing();
      this.#o.onCap?.(this.#bytes);
    }
  }

  /** Stops allocating; what was leaked stays held. */
  stopGrowing(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Stops and lets the memory go (an operator that stops in process must not keep it). */
  release(): void {
    this.stopGrowing();
    this.#retained = [];
    this.#bytes = 0;
  }
}
