/**
 * @module Periodic scrapes of one metrics source: keeps the first and last successful scrape whole,
 * and only the few tracked values of every scrape in between, thinned so memory stays bounded.
 */
import type { MetricSample } from '../measure/index.js';
import type { TimePoint } from '../measure/index.js';
import { fetchExposition } from './metrics-fetch.js';
import type { FetchOptions } from './metrics-fetch.js';

/** Something that yields the samples of one scrape (an HTTP `/metrics`, `/proc`, …). */
export interface MetricsSource {
  /** Where the samples come from, for `method` texts (e.g. `http://127.0.0.1:8080/metrics`). */
  readonly description: string;
  read(signal: AbortSignal): Promise<MetricSample[]>;
}

/** A Prometheus text endpoint as a source. */
export function httpMetricsSource(url: string, options: FetchOptions = {}, description = url): MetricsSource {
  return {
    description,
    async read(signal) {
      const exposition = await fetchExposition(url, options, signal);
      return exposition.samples;
    },
  };
}

/**
 * A value extracted from every scrape for a time series. A `counter` is stored reset-corrected (a
 * drop means the process restarted and counts again from 0, so the new value is all increase),
 * which keeps it monotonic and lets points be thinned without losing increases.
 */
export interface TrackedValue {
  kind: 'gauge' | 'counter';
  /** The value in this scrape, or null when the scrape lacks it. */
  pick(samples: readonly MetricSample[]): number | null;
}

/** One successful scrape. */
export interface Scrape {
  /** When the answer arrived, ms since the run started (monotonic clock). */
  t: number;
  samples: MetricSample[];
}

/** A failed scrape attempt. */
export interface ScrapeFailure {
  /** When it failed, ms since the run started. */
  t: number;
  message: string;
}

/** What the sampler saw over the run. */
export interface SamplerSnapshot {
  source: string;
  first: Scrape | null;
  last: Scrape | null;
  /** Tracked name → kind and points (`t` ms since run start; counters reset-corrected). */
  series: Record<string, { kind: 'gauge' | 'counter'; points: TimePoint[] }>;
  /** Scrapes attempted, succeeded and failed; ticks skipped because the previous scrape was still running. */
  attempts: number;
  successes: number;
  failures: number;
  skipped: number;
  /** The most recent failures (at most 5). */
  recentFailures: ScrapeFailure[];
  /** True when points were thinned to stay within `maxPoints` (each point then stands for several intervals). */
  thinned: boolean;
}

/** Options of a sampler. */
export interface SamplerOptions {
  source: MetricsSource;
  /** Scrape interval in ms; null = only the first scrape (at start) and the last (at stop). */
  intervalMs: number | null;
  /** Values kept from every scrape, by series name. */
  track?: Record<string, TrackedValue>;
  /** ms since the run started, monotonic. */
  now: () => number;
  /** Runs `fn` every `ms`; returns a canceller (default: setInterval). Tests pass a manual ticker. */
  every?: (ms: number, fn: () => void) => () => void;
  /** Most points kept per series before thinning (default 2048; at least 8). */
  maxPoints?: number;
}

/** A running sampler. */
export interface MetricsSampler {
  /** First scrape (awaited), then one every interval (none when the interval is null). */
  start(): Promise<void>;
  /** One scrape now (also what each tick does); never throws, a failure is recorded. */
  scrapeOnce(): Promise<void>;
  /** Stops ticking, waits for a scrape in flight, takes a final scrape and returns what was seen. */
  stop(): Promise<SamplerSnapshot>;
  /** What was seen so far. */
  snapshot(): SamplerSnapshot;
}

function defaultEvery(ms: number, fn: () => void): () => void {
  const h = setInterval(fn, ms);
  return () => clearInterval(h);
}

interface SeriesState {
  kind: 'gauge' | 'counter';
  points: TimePoint[];
  /** Sum of the counter's values before each reset. */
  offset: number;
  /** Last raw value seen, to detect a reset. */
  prevRaw: number | null;
}

/**
 * Halves `points` by keeping every other one, always keeping the first and the last. Gauges lose
 * resolution (peaks between kept points vanish, hence the `thinned` flag); counters, being
 * reset-corrected, keep every increase.
 */
function thin(points: TimePoint[]): TimePoint[] {
  const last = points.at(-1);
  const kept = points.filter((_, i) => i % 2 === 0);
  if (last !== undefined && kept.at(-1) !== last) kept.push(last);
  return kept;
}

/** Creates a sampler of one source (not yet started). */
export function createMetricsSampler(o: SamplerOptions): MetricsSampler {
  const maxPoints = Math.max(8, o.maxPoints ?? 2048);
  const series = new Map<string, SeriesState>();
  for (const [name, tv] of Object.entries(o.track ?? {})) series.set(name, { kind: tv.kind, points: [], offset: 0, prevRaw: null });
  const state = { attempts: 0, successes: 0, failures: 0, skipped: 0, thinned: false };
  let first: Scrape | null = null;
  let last: Scrape | null = null;
  const recentFailures: ScrapeFailure[] = [];
  let inFlight: Promise<void> | null = null;
  let cancel: (() => void) | null = null;
  const abort = new AbortController();

  function record(scrape: Scrape): void {
    first ??= scrape;
    last = scrape;
    for (const [name, tv] of Object.entries(o.track ?? {})) {
      const s = series.get(name);
      const raw = tv.pick(scrape.samples);
      if (s === undefined || raw === null || !Number.isFinite(raw)) continue;
      let value = raw;
      if (s.kind === 'counter') {
        if (s.prevRaw !== null && raw < s.prevRaw) s.offset += s.prevRaw;
        s.prevRaw = raw;
        value = raw + s.offset;
      }
      s.points.push({ t: scrape.t, value });
      if (s.points.length > maxPoints) {
        s.points = thin(s.points);
        state.thinned = true;
      }
    }
  }

  async function scrape(): Promise<void> {
    state.attempts++;
    try {
      const samples = await o.source.read(abort.signal);
      record({ t: o.now(), samples });
      state.successes++;
    } catch (e) {
      state.failures++;
      recentFailures.push({ t: o.now(), message: e instanceof Error ? e.message : String(e) });
      if (recentFailures.length > 5) recentFailures.shift();
    }
  }

  function scrapeOnce(): Promise<void> {
    if (inFlight !== null) {
      // A slow endpoint must not pile up requests: this tick is skipped and counted.
      state.skipped++;
      return inFlight;
    }
    const p = scrape().finally(() => {
      inFlight = null;
    });
    inFlight = p;
    return p;
  }

  function snapshot(): SamplerSnapshot {
    const out: SamplerSnapshot['series'] = {};
    for (const [name, s] of series) out[name] = { kind: s.kind, points: s.points.map((p) => ({ ...p })) };
    return { source: o.source.description, first, last, series: out, ...state, recentFailures: [...recentFailures] };
  }

  return {
    async start() {
      await scrapeOnce();
      if (o.intervalMs !== null) cancel = (o.every ?? defaultEvery)(o.intervalMs, () => void scrapeOnce());
    },
    scrapeOnce,
    async stop() {
      cancel?.();
      cancel = null;
      if (inFlight !== null) await inFlight;
      await scrapeOnce();
      return snapshot();
    },
    snapshot,
  };
}
