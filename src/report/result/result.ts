/** @module Building, serialising and parsing the run-result document (version 1); no file I/O here. */
import { chunked, sortedJsonPieces } from './sorted-json.js';
import { ConfigError, UsageError } from '../../errors.js';
import { toolVersion } from '../../version.js';
import { QuantityHistogram, latencySpec } from '../../measure/index.js';
import type { HistogramSpec } from '../../measure/index.js';
import { resultSchemaIssues } from './schema.js';
import { resultSchemaVersion } from './types.js';
import type { EncodedHistogram, LatencyResult, MeasuredHistogram, RunMetadata, RunResult, RunStatus } from './types.js';

/** Metadata known when a run starts; the end fields are filled by {@link finishRunResult}. */
export type StartMetadata = Omit<RunMetadata, 'endedAt' | 'durationMs' | 'status'>;

/** A new result with every section empty, status `aborted` until {@link finishRunResult} says otherwise. */
export function createRunResult(metadata: StartMetadata): RunResult {
  return {
    schemaVersion: resultSchemaVersion,
    metadata: { ...metadata, endedAt: null, durationMs: null, status: 'aborted' },
    config: { effective: {}, origins: {} },
    latencies: {},
    timeSeries: [],
    counters: {},
    operator: [],
    apiAmplification: null,
    failures: [],
    criteria: [],
    findings: [],
    recommendations: [],
    notes: [],
  };
}

/** Marks the run ended: `endedAt` is wall clock (RFC 3339), `durationMs` from the monotonic clock. */
export function finishRunResult(result: RunResult, end: { status: RunStatus; endedAt: string; durationMs: number }): RunResult {
  result.metadata.status = end.status;
  result.metadata.endedAt = end.endedAt;
  result.metadata.durationMs = end.durationMs;
  return result;
}

function encodeHistogram(h: QuantityHistogram): EncodedHistogram {
  const { unit, lowest, highest, significantDigits } = h.spec;
  return { encoding: 'hdr-compressed-base64', unit, lowest, highest, significantDigits, data: h.encode() };
}

/** A summary plus its encoded histogram. */
export function measuredHistogram(h: QuantityHistogram): MeasuredHistogram {
  return { summary: h.summary(), histogram: encodeHistogram(h) };
}

/** A latency entry from its histogram (µs), how it was measured, and optional per-kind histograms. */
export function latencyResult(
  h: QuantityHistogram,
  method: string,
  options: { description?: string; byKind?: Record<string, QuantityHistogram> } = {},
): LatencyResult {
  if (h.spec.unit !== 'us') throw new UsageError(`a latency must be recorded in us, not ${h.spec.unit}`);
  const entry: LatencyResult = { unit: 'us', method, ...measuredHistogram(h) };
  if (options.description !== undefined) entry.description = options.description;
  if (options.byKind !== undefined) {
    entry.byKind = {};
    for (const [kind, kh] of Object.entries(options.byKind)) entry.byKind[kind] = measuredHistogram(kh);
  }
  return entry;
}

/** Decodes the histogram stored in a result entry (so results and baselines can be merged and re-rendered). */
export function histogramOf(entry: MeasuredHistogram): QuantityHistogram {
  const { unit, lowest, highest, significantDigits, data } = entry.histogram;
  if (significantDigits < 1 || significantDigits > 5 || !Number.isInteger(significantDigits)) {
    throw new UsageError(`histogram: significantDigits ${significantDigits} is not 1–5`);
  }
  const spec: HistogramSpec =
    unit === latencySpec.unit && lowest === latencySpec.lowest && highest === latencySpec.highest && significantDigits === latencySpec.significantDigits
      ? latencySpec
      : { unit, lowest, highest, significantDigits: significantDigits as HistogramSpec['significantDigits'] };
  return QuantityHistogram.decode(data, spec, entry.summary.outOfRange);
}

/** Top-level sections in the order they are written; keys below them are sorted. */
const sectionOrder: readonly (keyof RunResult)[] = [
  'schemaVersion',
  'metadata',
  'verdict',
  'config',
  'latencies',
  'timeSeries',
  'counters',
  'operator',
  'apiAmplification',
  'failures',
  'criteria',
  'findings',
  'recommendations',
  'notes',
];

/** Validates `result` against the schema, or throws a ConfigError naming `source` and each JSON path. */
export function validateResult(result: unknown, source: string): void {
  const issues = resultSchemaIssues(result, source);
  if (issues.length > 0) throw new ConfigError(issues);
}

/** The result's keys in the order its text lists them: sections in document order, then any others sorted. */
function topKeys(result: RunResult): string[] {
  const extra = Object.keys(result).filter((k) => !(sectionOrder as readonly string[]).includes(k)).sort();
  return [...sectionOrder, ...extra];
}

/**
 * The result as pretty JSON with a stable key order (sections in document order, keys below them
 * sorted), ending in a newline, in chunks of about 64 KB (written one by one, a long run's result is
 * never one string). Refuses a result the schema rejects (e.g. a NaN that JSON would silently turn
 * into null).
 */
export function* resultJsonChunks(result: RunResult): Generator<string, void, undefined> {
  validateResult(result, 'run result');
  yield* chunked(sortedJsonPieces(result, '', topKeys(result)));
  yield '\n';
}

/** The result's whole text (resultJsonChunks joined): for stdout and messages. */
export function serializeResult(result: RunResult): string {
  return [...resultJsonChunks(result)].join('');
}

/** 1-based line and column of character `pos` in `text`. */
function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, column: pos - before.lastIndexOf('\n') };
}

/**
 * Parses and validates a result document read from `sourceName`. Invalid JSON, a missing or other
 * `schemaVersion`, and schema violations are UsageErrors naming the file (and the JSON path).
 * Sections left out of the document read as empty.
 */
export function parseResult(text: string, sourceName: string): RunResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const where = pos?.[1] === undefined ? sourceName : `${sourceName}:${lineColumn(text, Number(pos[1])).line}`;
    throw new UsageError(`${where}: not valid JSON: ${msg}`, { cause: e });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(`${sourceName}: a run result must be a JSON object`);
  }
  const version = (doc as Record<string, unknown>).schemaVersion;
  if (version === undefined) {
    throw new UsageError(`${sourceName}: schemaVersion is missing; bindy-loadtest ${toolVersion} reads version ${resultSchemaVersion}`);
  }
  if (version !== resultSchemaVersion) {
    throw new UsageError(
      `${sourceName}: schemaVersion ${JSON.stringify(version)} is not supported by bindy-loadtest ${toolVersion} (it reads version ${resultSchemaVersion})`,
    );
  }
  validateResult(doc, sourceName);
  return withDefaults(doc as Partial<RunResult> & Pick<RunResult, 'schemaVersion' | 'metadata'>);
}

/** Fills the sections a (valid) document left out with their empty values. */
function withDefaults(doc: Partial<RunResult> & Pick<RunResult, 'schemaVersion' | 'metadata'>): RunResult {
  return { ...createRunResult(doc.metadata), ...doc, metadata: doc.metadata };
}
