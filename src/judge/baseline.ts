/**
 * @module Baselines: several results of one scenario on one target merged into one document —
 * latency histograms added (never averaged), every other figure kept per run so its spread is known.
 */
import { UsageError } from '../errors.js';
import { createRunResult, histogramOf, latencyResult } from '../report/result/index.js';
import type { LatencyResult, RunResult } from '../report/result/index.js';
import { mergeHistograms } from '../measure/index.js';
import type { QuantityHistogram } from '../measure/index.js';
import { figureIds, readFigures } from './figures.js';
import { identityDifferences, runIdentity } from './identity.js';
import type { FigureId } from './figures.js';

/** Version of the `baseline` section. */
export const baselineVersion = 1;

/** Percentiles of one latency in one run, in µs (for the run-to-run range of a percentile). */
export interface RunLatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** One figure of one run, as read when the baseline was built. */
export interface RunFigure {
  value: number | null;
  unit: string;
  /** Why value is null. */
  reason?: string;
  /** Event and total counts behind a share (error, retry rates). */
  counts?: { events: number; total: number };
}

/** What a baseline keeps of each run. */
export interface BaselineRun {
  runId: string;
  startedAt: string;
  durationMs: number | null;
  status: string;
  figures: Record<FigureId, RunFigure>;
  latencies: Record<string, RunLatencySummary>;
}

/** The `baseline` section a baseline document carries beside the ordinary result sections. */
export interface BaselineSection {
  version: typeof baselineVersion;
  count: number;
  runs: BaselineRun[];
}

/** A baseline: a valid run result (merged latencies, `metadata.status` completed) plus the `baseline` section. */
export type BaselineDocument = RunResult & { baseline: BaselineSection };

/** One input of {@link buildBaseline}: a result and the file it came from (for messages). */
export interface BaselineInput {
  source: string;
  result: RunResult;
}

function runOf(result: RunResult): BaselineRun {
  const figures = {} as Record<FigureId, RunFigure>;
  for (const [id, f] of Object.entries(readFigures(result)) as [FigureId, ReturnType<typeof readFigures>[FigureId]][]) {
    figures[id] = {
      value: f.value,
      unit: f.unit,
      ...(f.reason !== undefined ? { reason: f.reason } : {}),
      ...(f.counts !== undefined ? { counts: f.counts } : {}),
    };
  }
  const latencies: Record<string, RunLatencySummary> = {};
  for (const [name, l] of Object.entries(result.latencies)) {
    latencies[name] = { count: l.summary.count, p50: l.summary.p50, p90: l.summary.p90, p99: l.summary.p99 };
  }
  return { runId: result.metadata.runId, startedAt: result.metadata.startedAt, durationMs: result.metadata.durationMs, status: result.metadata.status, figures, latencies };
}

/** Merges the latency `name` (and its per-kind histograms) of every run that has it. */
function mergeLatency(name: string, entries: readonly LatencyResult[]): LatencyResult {
  const first = entries[0];
  if (first === undefined) throw new UsageError(`latency ${name}: nothing to merge`);
  const merged = mergeHistograms(entries.map((e) => histogramOf(e)));
  const kinds = new Map<string, QuantityHistogram[]>();
  for (const e of entries) {
    for (const [kind, m] of Object.entries(e.byKind ?? {})) {
      const list = kinds.get(kind) ?? [];
      list.push(histogramOf(m));
      kinds.set(kind, list);
    }
  }
  const byKind: Record<string, QuantityHistogram> = {};
  for (const [kind, hs] of kinds) byKind[kind] = mergeHistograms(hs);
  const methods = [...new Set(entries.map((e) => e.method))];
  return latencyResult(merged, methods.length === 1 ? first.method : methods.join(' | '), {
    description: `${first.description ?? name}: histograms of ${entries.length} runs merged (added)`,
    ...(kinds.size > 0 ? { byKind } : {}),
  });
}

/**
 * Builds a baseline from one or more results of one identity (see `runIdentity`: target kind, bindy
 * and tool versions, scenario and its configuration; not ports, paths or URLs, so runs that each
 * started their own sandbox merge). Refuses, with a UsageError naming the file: an empty list, a
 * result of another scenario or identity than the first (saying what differs), an aborted
 * (partial) result, the same run twice, and a result that is itself a baseline.
 * Latency histograms (and per-kind ones) are merged; counters, operator rows and series are not
 * merged: the figures read from them are kept per run in `baseline.runs`.
 */
export function buildBaseline(inputs: readonly BaselineInput[]): BaselineDocument {
  const first = inputs[0];
  if (first === undefined) throw new UsageError('baseline: give at least one result (--input FILE …)');
  const m0 = first.result.metadata;
  const id0 = runIdentity(first.result);
  const seen = new Map<string, string>();
  for (const { source, result } of inputs) {
    const m = result.metadata;
    const dup = seen.get(m.runId);
    // The same run twice would shrink the run-to-run spread and make noise look significant.
    if (dup !== undefined) throw new UsageError(`${source}: run ${m.runId} is already in the baseline (${dup}); give each run once`);
    seen.set(m.runId, source);
    if ('baseline' in result) throw new UsageError(`${source}: is already a baseline; give the run results it was built from`);
    if (m.status === 'aborted') throw new UsageError(`${source}: run ${m.runId} was aborted (a partial result) and cannot be part of a baseline`);
    if (m.scenario !== m0.scenario) throw new UsageError(`${source}: scenario '${m.scenario}' differs from '${m0.scenario}' (${first.source}); a baseline holds runs of one scenario`);
    const differs = identityDifferences(id0, runIdentity(result));
    if (differs.length > 0) {
      const shown = differs.slice(0, 3).join('; ') + (differs.length > 3 ? `; and ${differs.length - 3} more` : '');
      throw new UsageError(
        `${source}: not comparable with ${first.source}: ${shown}; a baseline holds runs of one target kind, bindy and tool version and scenario configuration (ports, paths and URLs do not count)`,
      );
    }
  }
  const names = [...new Set(inputs.flatMap((i) => Object.keys(i.result.latencies)))].sort();
  const latencies: Record<string, LatencyResult> = {};
  const notes = [`baseline of ${inputs.length} run${inputs.length === 1 ? '' : 's'} of scenario ${m0.scenario}: ${inputs.map((i) => i.result.metadata.runId).join(', ')}`];
  for (const name of names) {
    const entries = inputs.flatMap((i) => (i.result.latencies[name] === undefined ? [] : [i.result.latencies[name]]));
    latencies[name] = mergeLatency(name, entries);
    if (entries.length < inputs.length) notes.push(`latency ${name} is in ${entries.length} of ${inputs.length} runs`);
  }
  const targets = new Set(inputs.map((i) => i.result.metadata.target.description));
  if (targets.size > 1) notes.push(`the runs' targets differ only in what is not identity (ports, paths, URLs): ${[...targets].join(' | ')}; metadata.target below is the first run's`);
  const started = inputs.map((i) => i.result.metadata.startedAt).sort();
  const ended = inputs.map((i) => i.result.metadata.endedAt).filter((e): e is string => e !== null).sort();
  const { endedAt: _e, durationMs: _d, status: _s, ...start } = m0;
  // Every section starts empty, as in any new result; the baseline fills what it merges.
  const base = createRunResult({ ...start, runId: `baseline-${m0.runId}${inputs.length > 1 ? `-and-${inputs.length - 1}-more` : ''}`, startedAt: started[0] ?? m0.startedAt });
  return {
    ...base,
    metadata: { ...base.metadata, endedAt: ended.at(-1) ?? null, status: 'completed' },
    config: first.result.config,
    latencies,
    notes,
    baseline: { version: baselineVersion, count: inputs.length, runs: inputs.map((i) => runOf(i.result)) },
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The baseline section of a parsed result, checked; a UsageError naming `source` when it is not a baseline this build reads. */
export function asBaseline(result: RunResult, source: string): BaselineDocument {
  const section: unknown = (result as RunResult & { baseline?: unknown }).baseline;
  if (section === undefined) throw new UsageError(`${source}: not a baseline (no 'baseline' section); build one with: bindy-loadtest baseline --input R1.json … --output ${source}`);
  if (!isRecord(section)) throw new UsageError(`${source}: 'baseline' must be an object`);
  if (section.version !== baselineVersion) throw new UsageError(`${source}: baseline version ${JSON.stringify(section.version)} is not supported (this build reads version ${baselineVersion})`);
  const runs = section.runs;
  if (!Array.isArray(runs) || runs.length === 0) throw new UsageError(`${source}: baseline.runs must be a non-empty list`);
  runs.forEach((r: unknown, i) => {
    if (!isRecord(r) || typeof r.runId !== 'string' || !isRecord(r.figures) || !isRecord(r.latencies)) {
      throw new UsageError(`${source}: baseline.runs[${i}] must have runId, figures and latencies`);
    }
    for (const id of figureIds) {
      const f = r.figures[id];
      if (f !== undefined && (!isRecord(f) || (f.value !== null && typeof f.value !== 'number'))) throw new UsageError(`${source}: baseline.runs[${i}].figures.${id}.value must be a number or null`);
    }
  });
  if (section.count !== runs.length) throw new UsageError(`${source}: baseline.count ${JSON.stringify(section.count)} differs from the ${runs.length} runs listed`);
  return result as BaselineDocument;
}
