/**
 * @module One dnsperf phase of a scenario: the query file written (the run's own queries, with what
 * each expects) or a user's file used as is, dnsperf run against one server with a progress line
 * each second, and its figures as result sections. `bind query` runs one after its population;
 * `chaos` runs one beside its background load. `bind resperf` runs resperf the same way instead.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { UsageError } from '../../errors.js';
import type { QuerySpec } from '../../model/fixtures/queries.js';
import { writeQueryFile } from '../../model/output/query-file.js';
import { DnsperfReader, type DnsperfInterval, type QueryExpectation } from './measure.js';
import { runDnsperf } from './process.js';
import { dnsperfSections, type DnsperfSections } from './sections.js';
import { runResperf, type ResperfLoad } from './resperf-process.js';
import { parseResperfEndedEarly, parseResperfPlot, parseResperfStatistics } from './resperf-output.js';
import { resperfSections } from './resperf-sections.js';

/** dnsperf's rate options. */
export interface DnsperfLoad {
  qps: number;
  durationMs: number;
  clients: number;
  maxOutstanding: number;
  timeoutMs: number;
}

/** Options of {@link runDnsperfPhase}. */
export interface DnsperfPhaseOptions {
  program: string;
  server: { host: string; port: number };
  load: DnsperfLoad;
  /** The run's own queries (each with its expectation), or a user's file (no expectations; `shownAs`: the name the user knows it by, when `file` is a copy). */
  queries: { generated: Iterable<QuerySpec>; what: string } | { file: string; shownAs?: string };
  /** Monotonic ms the run's time series count from. */
  startedMs: number;
  /** Stops dnsperf early (it still prints its statistics). */
  signal: AbortSignal;
  /** Called with each second's figures (progress). */
  onInterval?: (i: DnsperfInterval) => void;
  /** The setting that raises `load.maxOutstanding`, for the saturation note. */
  outstandingSetting: string;
}

function hostPort(s: { host: string; port: number }): string {
  return s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

/** Writes generated queries to `file`; returns what each (name, type) expects. */
async function writeQueries(queries: Iterable<QuerySpec>, file: string): Promise<QueryExpectation> {
  const list = [...queries];
  const expected = new Map(list.map((q) => [`${q.name} ${q.type}`, q.expect] as const));
  const out = createWriteStream(file);
  await writeQueryFile(list, out);
  out.end();
  await finished(out);
  return (name, type) => expected.get(`${name} ${type}`);
}

/**
 * Runs `fn` with the query file of `queries` (the run's own, written to a temp dir removed after,
 * with what each query expects; or the user's file as is, no expectations).
 */
async function withQueryFile<T>(queries: DnsperfPhaseOptions['queries'], fn: (file: string, dir: string, expect: QueryExpectation | undefined) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-queries-'));
  try {
    const file = 'file' in queries ? queries.file : join(dir, 'queries.txt');
    const expect = 'generated' in queries ? await writeQueries(queries.generated, file) : undefined;
    return await fn(file, dir, expect);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The error for a dnsperf or resperf that sent no query: UsageError naming a user's file when the
 * program said it could not read a query from it, Error otherwise.
 */
function sentNothing(program: 'dnsperf' | 'resperf', exit: { code: number | null; signal: NodeJS.Signals | null }, said: string, queries: DnsperfPhaseOptions['queries']): Error {
  const why = `${program} sent no query (exit ${exit.code ?? exit.signal ?? '?'}): ${said}`;
  // A user's file is the likely cause only when the program read nothing from it (its warning says so).
  if ('file' in queries && /invalid query input|cannot open|No such file|unable to open/i.test(said)) return new UsageError(`--query-file ${queries.shownAs ?? queries.file}: ${why}`);
  return new Error(why);
}

/** What the report says the queries were. */
function queriesText(queries: DnsperfPhaseOptions['queries']): string {
  return 'file' in queries ? `the queries of ${queries.shownAs ?? queries.file}, looped` : queries.what;
}

/**
 * Runs dnsperf once and returns its result sections (the command line first among the notes). A
 * dnsperf that sent no query at all is an error: UsageError naming a user's file, Error otherwise.
 */
export function runDnsperfPhase(o: DnsperfPhaseOptions): Promise<DnsperfSections> {
  return withQueryFile(o.queries, async (file, _dir, expect) => {
    // dnsperf stamps its intervals with the wall clock; one anchor maps them onto the run's monotonic time.
    const wallMinusMono = Date.now() - performance.now();
    const reader = new DnsperfReader({
      ...(expect === undefined ? {} : { expect }),
      wallToRunMs: (wallS) => Math.max(0, wallS * 1000 - wallMinusMono - o.startedMs),
      ...(o.onInterval === undefined ? {} : { onInterval: o.onInterval }),
    });
    const exit = await runDnsperf({ program: o.program, server: o.server, queryFile: file, ...o.load, reader, signal: o.signal });
    const m = reader.measurement();
    const none = m.statistics === null ? m.answered === 0 && m.lost === 0 : m.statistics.sent === 0;
    if (none && !exit.stoppedEarly) throw sentNothing('dnsperf', exit, exit.stderr[0] ?? m.messages.at(-1) ?? 'no output', o.queries);
    const s = dnsperfSections(m, exit, { server: hostPort(o.server), qps: o.load.qps, clients: o.load.clients, maxOutstanding: o.load.maxOutstanding, timeoutMs: o.load.timeoutMs, durationMs: o.load.durationMs, outstandingSetting: o.outstandingSetting, queries: queriesText(o.queries) });
    s.notes.unshift(`dnsperf command: ${exit.argv.join(' ')}`);
    return s;
  });
}

/** The one-line progress text of a second of dnsperf. */
export function dnsperfProgressText(i: DnsperfInterval): string {
  return `dnsperf: ${Math.round(i.answersPerSecond)} answers/s, p50 ${((i.p50Us ?? 0) / 1000).toFixed(2)} ms, p99 ${((i.p99Us ?? 0) / 1000).toFixed(2)} ms, ${i.lost} lost in the last second`;
}

/** Options of {@link runResperfPhase}. */
export interface ResperfPhaseOptions extends Omit<DnsperfPhaseOptions, 'load' | 'onInterval' | 'outstandingSetting'> {
  load: ResperfLoad;
}

/**
 * Runs resperf once over the run's queries (or a user's file) and returns its result sections (the
 * command line first among the notes). A resperf that sent nothing is an error, as for dnsperf.
 */
export function runResperfPhase(o: ResperfPhaseOptions): Promise<DnsperfSections> {
  return withQueryFile(o.queries, async (file, dir) => {
    const plotFile = join(dir, 'resperf.plot');
    const startMs = performance.now() - o.startedMs;
    const exit = await runResperf({ program: o.program, server: o.server, queryFile: file, ...o.load, plotFile, intervalMs: 500, signal: o.signal });
    const stdout = exit.stdout.join('\n');
    const stats = parseResperfStatistics(stdout);
    const plot = parseResperfPlot(await readFile(plotFile, 'utf8').catch(() => ''));
    if ((stats === null || stats.sent === 0) && !exit.stoppedEarly) throw sentNothing('resperf', exit, exit.stderr[0] ?? exit.stdout.filter((l) => /error|warning|invalid/i.test(l)).at(-1) ?? 'no output', o.queries);
    const s = resperfSections(stats, plot, parseResperfEndedEarly(stdout), exit, { server: hostPort(o.server), ...o.load, queries: queriesText(o.queries), ownQueries: 'generated' in o.queries }, startMs);
    s.notes.unshift(`resperf command: ${exit.argv.join(' ')}`);
    return s;
  });
}
