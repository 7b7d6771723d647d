/**
 * @module One resperf process: the ramp from 0 to `-m` queries per second over `-r` seconds against
 * one server, the query file looped (`-R`), its plot file written to a path of ours, its stdout kept
 * for the statistics, stopped by SIGINT on request.
 */
import { runPerfTool, type PerfToolExit } from './process.js';

/** resperf's ramp options. */
export interface ResperfLoad {
  /** `-m`: the rate the ramp reaches at its end, queries per second. */
  maxQps: number;
  /** `-r`: how long the ramp takes, ms. */
  rampMs: number;
  /** `-L`: the loss (a share, 0.01 = 1 %) above which an interval does not count for the maximum throughput. */
  maxLoss: number;
  /** `-C`: clients (sockets). */
  clients: number;
  /** `-q`: queries outstanding at most. */
  maxOutstanding: number;
  /** `-t`: a query without an answer after this long is lost, ms. */
  timeoutMs: number;
}

/** How resperf is run. */
export interface ResperfRunOptions extends ResperfLoad {
  program: string;
  server: { host: string; port: number };
  queryFile: string;
  /** `-P`: where the plot data goes. */
  plotFile: string;
  /** `-i`: the plot's interval, ms. */
  intervalMs: number;
  signal?: AbortSignal;
}

function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** resperf's arguments for a run (pure). */
export function resperfArgs(o: Omit<ResperfRunOptions, 'program' | 'signal'>): string[] {
  return [
    '-s', o.server.host,
    '-p', String(o.server.port),
    '-d', o.queryFile,
    '-m', String(Math.max(1, Math.round(o.maxQps))),
    '-r', seconds(o.rampMs),
    '-L', String(Math.round(o.maxLoss * 100 * 1000) / 1000),
    '-C', String(o.clients),
    '-q', String(o.maxOutstanding),
    '-t', seconds(o.timeoutMs),
    '-P', o.plotFile,
    '-i', seconds(o.intervalMs),
    // The run's query file holds each record once: loop it for as long as the ramp lasts.
    '-R',
  ];
}

/** Runs resperf to its end (or until aborted); its stdout lines are in the result. */
export async function runResperf(o: ResperfRunOptions): Promise<PerfToolExit & { stdout: string[] }> {
  const stdout: string[] = [];
  const exit = await runPerfTool(o.program, resperfArgs(o), { onLine: (l) => stdout.push(l), signal: o.signal, overdueMs: o.rampMs + o.timeoutMs + 15_000 });
  return { ...exit, stdout };
}
