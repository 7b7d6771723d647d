/**
 * @module Merging the results of a sharded burst's shards into one run's sections (pure).
 * Latencies: the shards' HDR histograms added (exact; a percentile is never averaged). Counts:
 * summed. The run's own rates and spans: recomputed from each shard's instants on the common clock.
 * Per-process figures (event-loop lag, peak RSS): the largest shard's. Rate series: window counts
 * re-added; gauges: each shard's latest sample added.
 */
import { mergeHistograms, rateWindowMs, sumGaugeSeries, sumRateSeries } from '../measure/index.js';
import type { CounterData, QuantityHistogram, TimeSeriesData } from '../measure/index.js';
import { histogramOf, latencyResult } from '../report/result/index.js';
import type { LatencyResult, RunResult, ShardMetadata } from '../report/result/index.js';
import type { DriveOutcome } from './scenario.js';

/** A shard's result document with the slice it ran. */
export interface ShardResult {
  shard: ShardMetadata;
  result: RunResult;
}

/** Counters that are one process's figure: the merged value is the largest shard's. */
const perProcess = new Set(['event_loop_lag_p99', 'event_loop_lag_max', 'tool_peak_rss']);
/** Counters recomputed from the shards' instants rather than combined. */
const recomputed = new Set(['first_create_to_last_ready', 'create_rate', 'ready_rate']);
/** Units of counters that are counts of things: they add. */
const countUnits = new Set(['objects', 'requests', 'operations', 'queries', 'lists', 'watches']);

function mergeLatency(entries: readonly LatencyResult[]): LatencyResult {
  const first = entries[0];
  if (first === undefined) throw new RangeError('no latency to merge');
  const total = mergeHistograms(entries.map(histogramOf));
  const kinds = [...new Set(entries.flatMap((e) => Object.keys(e.byKind ?? {})))].sort();
  const byKind: Record<string, QuantityHistogram> = {};
  for (const k of kinds) {
    byKind[k] = mergeHistograms(entries.flatMap((e) => (e.byKind?.[k] === undefined ? [] : [histogramOf(e.byKind[k])])));
  }
  return latencyResult(total, first.method, { ...(first.description === undefined ? {} : { description: first.description }), ...(first.byKind === undefined ? {} : { byKind }) });
}

/** Every latency of the shards, each the sum of the shards' histograms (overall and per kind). */
export function mergeLatencies(results: readonly RunResult[]): Record<string, LatencyResult> {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.latencies)))].sort();
  const out: Record<string, LatencyResult> = {};
  for (const name of names) out[name] = mergeLatency(results.flatMap((r) => (r.latencies[name] === undefined ? [] : [r.latencies[name]])));
  return out;
}

function minOf(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : Math.min(...v);
}

function maxOf(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : Math.max(...v);
}

/** The run's span and rates on the common clock, from each shard's first send, last answer and last Ready. */
function recomputedCounters(shards: readonly ShardResult[], sum: (name: string) => number): Record<string, CounterData> {
  const out: Record<string, CounterData> = {};
  const firstSent = minOf(shards.map((s) => s.shard.firstCreateSentMs));
  const lastAnswered = maxOf(shards.map((s) => s.shard.lastCreateAnsweredMs));
  const lastReady = maxOf(shards.map((s) => s.shard.lastReadyMs));
  const clock = "on the shards' common clock (each shard's instants in ms since the common start)";
  if (firstSent !== null && lastReady !== null) {
    out.first_create_to_last_ready = { value: lastReady - firstSent, unit: 'ms', description: `send of the first create (any shard) -> the last object seen Ready (any shard), ${clock}` };
    if (lastReady > firstSent) {
      out.ready_rate = { value: ((sum('objects_ready') + sum('objects_ready_at_relist')) * 1000) / (lastReady - firstSent), unit: '1/s', description: `objects Ready (all shards) / (last Ready - first create sent), ${clock}` };
    }
  }
  if (firstSent !== null && lastAnswered !== null && lastAnswered > firstSent) {
    out.create_rate = { value: (sum('creates_accepted') * 1000) / (lastAnswered - firstSent), unit: '1/s', description: `creates accepted (all shards) / (last create response - first create sent), ${clock}` };
  }
  return out;
}

/** Every counter of the shards: counts summed, per-process figures the largest shard's, the run's rates and span recomputed. */
export function mergeCounters(shards: readonly ShardResult[]): Record<string, CounterData> {
  const results = shards.map((s) => s.result);
  const sum = (name: string): number => results.reduce((n, r) => n + (r.counters[name]?.value ?? 0), 0);
  const names = [...new Set(results.flatMap((r) => Object.keys(r.counters)))].sort();
  const out: Record<string, CounterData> = {};
  for (const name of names) {
    if (recomputed.has(name)) continue;
    const entries = results.flatMap((r) => (r.counters[name] === undefined ? [] : [r.counters[name]]));
    const first = entries[0];
    if (first === undefined) continue;
    const adds = !perProcess.has(name) && (countUnits.has(first.unit) || name === 'probe_query_rate');
    out[name] = adds
      ? { value: sum(name), unit: first.unit, description: `${first.description} (summed over the shards)` }
      : { value: Math.max(...entries.map((e) => e.value)), unit: first.unit, description: `${first.description} (the largest of the shards' values: one process's figure, not added)` };
  }
  return { ...out, ...recomputedCounters(shards, sum) };
}

/** The shards' time series summed on their common clock; a series that is neither a rate nor a level is kept per shard. */
export function mergeTimeSeries(shards: readonly ShardResult[]): { series: TimeSeriesData[]; notes: string[] } {
  const byName = new Map<string, { index: number; series: TimeSeriesData }[]>();
  for (const s of shards) for (const series of s.result.timeSeries) byName.set(series.name, [...(byName.get(series.name) ?? []), { index: s.shard.index, series }]);
  const out: TimeSeriesData[] = [];
  const notes: string[] = [];
  const common = "summed over the shards on their common clock (each shard's t counts from the common start)";
  for (const [name, parts] of byName) {
    const first = parts[0]?.series;
    if (first === undefined) continue;
    const all = parts.map((p) => p.series);
    if (first.unit === '1/s') {
      const endMs = Math.max(0, ...all.map((x) => x.points.at(-1)?.t ?? 0));
      const summed = sumRateSeries(all, rateWindowMs(endMs), `${first.description}; ${common}: window counts added`);
      out.push(summed.series);
      if (!summed.exact) notes.push(`${name}: a shard's last window reached past a window edge of the merged series; its events are counted in the window it started in`);
    } else if (first.unit === 'objects') {
      out.push(sumGaugeSeries(all, `${first.description}; ${common}: at each instant, every shard's latest sample added`).series);
    } else {
      for (const p of parts) out.push({ ...p.series, name: `${name}.shard-${p.index}`, description: `${p.series.description} (shard ${p.index} alone: not a rate or a level, so not summed)` });
      notes.push(`${name}: kept per shard (${name}.shard-<i>): a series in ${first.unit} cannot be summed`);
    }
  }
  return { series: out, notes };
}

/** The shards' notes, each once: said by every shard as it is, else naming the shards that said it. */
function mergeNotes(shards: readonly ShardResult[]): string[] {
  const by = new Map<string, number[]>();
  for (const s of shards) for (const n of s.result.notes) by.set(n, [...(by.get(n) ?? []), s.shard.index]);
  return [...by].map(([note, who]) => (who.length === shards.length && shards.length > 1 ? note : `shard ${who.join(', ')}: ${note}`));
}

/** One run's sections from its shards' results (the observers' sections are added by the caller). */
export function mergeShardResults(shards: readonly ShardResult[]): DriveOutcome {
  const ordered = [...shards].sort((a, b) => a.shard.index - b.shard.index);
  const series = mergeTimeSeries(ordered);
  return {
    latencies: mergeLatencies(ordered.map((s) => s.result)),
    counters: mergeCounters(ordered),
    timeSeries: series.series,
    failures: ordered.flatMap((s) => s.result.failures),
    notes: [...mergeNotes(ordered), ...series.notes],
    operator: [],
    apiAmplification: null,
  };
}
