/**
 * @module A dnsperf run measured from its own lines (pure): every `-v` latency into one HDR histogram
 * (exact percentiles, not dnsperf's average), rcodes checked against what each query expects, and
 * per-interval figures cut at dnsperf's `-S` lines. Fed line by line as dnsperf prints them.
 */
import { createLatencyHistogram, type QuantityHistogram } from '../../measure/histogram.js';
import { parseDnsperfLine, parseDnsperfStatistics, type DnsperfStatistics } from './output.js';

/** What a query should get back: data (NOERROR) or NXDOMAIN; undefined for a query the tool did not generate. */
export type QueryExpectation = (name: string, type: string) => 'data' | 'nxdomain' | undefined;

/** One `-S` interval as measured from the lines printed in it. */
export interface DnsperfInterval {
  /** End of the interval, ms since the run started (dnsperf's wall clock mapped onto the run's). */
  t: number;
  /** dnsperf's own queries per second over the interval (dnsperf 2.10 prints 0 for its first interval at times); null for the last, which it does not stamp. */
  dnsperfQps: number | null;
  /** Answers per second over the interval, counted from the `-v` lines (the interval's length from dnsperf's stamps; 1 s for the first). */
  answersPerSecond: number;
  /** `-v` answers printed in the interval. */
  answered: number;
  lost: number;
  /** p50 and p99 of the interval's answers, µs; null when none. */
  p50Us: number | null;
  p99Us: number | null;
}

/** A query answered with another rcode than it expects. */
export interface UnexpectedAnswer {
  name: string;
  type: string;
  expected: 'data' | 'nxdomain';
  rcode: string;
}

/** Everything measured from one dnsperf run. */
export interface DnsperfMeasurement {
  /** Every answered query's latency, µs. */
  latency: QuantityHistogram;
  answered: number;
  lost: number;
  /** Response code → answers, from the `-v` lines. */
  rcodes: Record<string, number>;
  /** Answers whose rcode contradicts the query's expectation (count, and the first few). */
  unexpected: { count: number; examples: UnexpectedAnswer[] };
  intervals: DnsperfInterval[];
  /** dnsperf's own summary; null when it printed none (it died, or was killed). */
  statistics: DnsperfStatistics | null;
  /** Lines dnsperf printed that are neither queries nor figures (warnings, status), first 50. */
  messages: string[];
}

/** Options of {@link DnsperfReader}. */
export interface DnsperfReaderOptions {
  expect?: QueryExpectation;
  /** Maps dnsperf's wall-clock interval stamp (s) to ms since the run started. */
  wallToRunMs: (wallS: number) => number;
  /** Called with each interval as it closes (progress). */
  onInterval?: (i: DnsperfInterval) => void;
  /** Wall clock in seconds (default `Date.now() / 1000`): ends the last interval, for which dnsperf prints no `-S` line. */
  nowWallS?: () => number;
}

const exampleLimit = 10;
const messageLimit = 50;

/** Reads dnsperf's standard output line by line into a {@link DnsperfMeasurement}. */
export class DnsperfReader {
  readonly #o: DnsperfReaderOptions;
  readonly #latency = createLatencyHistogram();
  #interval = createLatencyHistogram();
  #intervalLost = 0;
  #answered = 0;
  #lost = 0;
  readonly #rcodes: Record<string, number> = {};
  readonly #unexpected: { count: number; examples: UnexpectedAnswer[] } = { count: 0, examples: [] };
  readonly #intervals: DnsperfInterval[] = [];
  readonly #messages: string[] = [];
  #statsText: string[] | null = null;
  #lastWallS: number | null = null;

  constructor(o: DnsperfReaderOptions) {
    this.#o = o;
  }

  /** Takes one line of dnsperf's standard output. */
  line(raw: string): void {
    if (this.#statsText !== null) {
      this.#statsText.push(raw);
      return;
    }
    const l = parseDnsperfLine(raw);
    switch (l.kind) {
      case 'answer': {
        this.#answered++;
        this.#latency.record(l.latencyUs);
        this.#interval.record(l.latencyUs);
        this.#rcodes[l.rcode] = (this.#rcodes[l.rcode] ?? 0) + 1;
        const expected = this.#o.expect?.(l.name, l.type);
        if (expected !== undefined && l.rcode !== (expected === 'data' ? 'NOERROR' : 'NXDOMAIN')) this.#addUnexpected({ name: l.name, type: l.type, expected, rcode: l.rcode });
        break;
      }
      case 'lost':
        this.#lost++;
        this.#intervalLost++;
        break;
      case 'interval':
        this.#closeInterval(l.wallS, l.qps);
        break;
      case 'statistics':
        // The last stretch has no -S line: it ends when dnsperf reports (late answers included).
        if (this.#interval.count > 0 || this.#intervalLost > 0) this.#closeInterval((this.#o.nowWallS ?? (() => Date.now() / 1000))(), null);
        this.#statsText = [];
        break;
      case 'other':
        if (l.text !== '' && this.#messages.length < messageLimit) this.#messages.push(l.text);
        break;
    }
  }

  /** Ends the current interval at `wallS` (dnsperf's own qps for it, or null for the last, unstamped one). */
  #closeInterval(wallS: number, dnsperfQps: number | null): void {
    const seconds = this.#lastWallS === null ? 1 : Math.max(1e-3, wallS - this.#lastWallS);
    this.#lastWallS = wallS;
    const i: DnsperfInterval = {
      t: this.#o.wallToRunMs(wallS),
      dnsperfQps,
      answersPerSecond: this.#interval.count / seconds,
      answered: this.#interval.count,
      lost: this.#intervalLost,
      p50Us: this.#interval.valueAt(50),
      p99Us: this.#interval.valueAt(99),
    };
    this.#intervals.push(i);
    this.#o.onInterval?.(i);
    this.#interval = createLatencyHistogram();
    this.#intervalLost = 0;
  }

  #addUnexpected(u: UnexpectedAnswer): void {
    this.#unexpected.count++;
    if (this.#unexpected.examples.length < exampleLimit) this.#unexpected.examples.push(u);
  }

  /** What was read so far (call after dnsperf's output ended). */
  measurement(): DnsperfMeasurement {
    return {
      latency: this.#latency,
      answered: this.#answered,
      lost: this.#lost,
      rcodes: { ...this.#rcodes },
      unexpected: { count: this.#unexpected.count, examples: [...this.#unexpected.examples] },
      intervals: [...this.#intervals],
      statistics: this.#statsText === null ? null : parseDnsperfStatistics(this.#statsText.join('\n')),
      messages: [...this.#messages],
    };
  }
}
