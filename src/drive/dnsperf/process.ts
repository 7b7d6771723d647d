/**
 * @module One dnsperf process: located on this machine, started with the run's rate options plus
 * `-v` (each query's latency) and `-S 1` (qps per second), its output read line by line into a
 * {@link DnsperfReader}, stopped by SIGINT on request (dnsperf then prints its statistics) and
 * killed if it outlives its own time limit by far.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TargetNotReadyError } from '../../errors.js';
import { searchDirs } from '../../targets/sandbox/bind9/tools.js';
import type { DnsperfReader } from './measure.js';

/** The command that installs dnsperf and resperf (Debian/Ubuntu). */
export const dnsperfInstallHint = 'bash scripts/setup.sh (or: apt-get install -y dnsperf)';

/** The absolute path of `program` (dnsperf, resperf) in `dirs`, or TargetNotReadyError (exit 3) with the install line. */
export function locateDnsperf(program: 'dnsperf' | 'resperf' = 'dnsperf', dirs: readonly string[] = searchDirs(process.env['PATH'])): string {
  for (const d of dirs) {
    const p = join(d, program);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here; next directory
    }
  }
  throw new TargetNotReadyError(`${program} not found on this machine (the DNS query engine)`, { hint: dnsperfInstallHint });
}

/** How dnsperf is run. */
export interface DnsperfRunOptions {
  program: string;
  server: { host: string; port: number };
  queryFile: string;
  /** Queries per second asked of dnsperf (`-Q`). */
  qps: number;
  durationMs: number;
  /** `-c`: clients (sockets). */
  clients: number;
  /** `-q`: queries outstanding at most. */
  maxOutstanding: number;
  /** `-t`: a query without an answer after this long is lost. */
  timeoutMs: number;
  reader: DnsperfReader;
  /** Aborting stops dnsperf early (SIGINT: it prints its statistics for what it did). */
  signal?: AbortSignal;
}

/** How the process ended. */
export interface DnsperfExit {
  /** The command line, for the report. */
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Stopped by the abort signal before its time limit. */
  stoppedEarly: boolean;
  /** Killed because it ran far past its time limit. */
  killedOverdue: boolean;
  /** What dnsperf wrote to stderr (warnings, errors), each distinct line once, at most 50. */
  stderr: string[];
}

function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/** dnsperf's arguments for a run (pure). */
export function dnsperfArgs(o: Omit<DnsperfRunOptions, 'program' | 'reader' | 'signal'>): string[] {
  return [
    '-s', o.server.host,
    '-p', String(o.server.port),
    '-d', o.queryFile,
    '-l', seconds(o.durationMs),
    '-Q', String(Math.max(1, Math.round(o.qps))),
    '-c', String(o.clients),
    '-q', String(o.maxOutstanding),
    '-t', seconds(o.timeoutMs),
    '-S', '1',
    '-v',
  ];
}

/** How a dnsperf-family program (dnsperf, resperf) ended. */
export type PerfToolExit = Omit<DnsperfExit, 'argv'> & { argv: string[] };

/**
 * Runs `program args` to its end (or until aborted: SIGINT, on which dnsperf and resperf print their
 * statistics; SIGKILL 5 s later if it does not exit), every stdout line to `onLine`, each distinct
 * stderr line kept (at most 50); killed when it outlives `overdueMs`.
 */
export async function runPerfTool(program: string, args: readonly string[], o: { onLine: (line: string) => void; signal?: AbortSignal | undefined; overdueMs: number }): Promise<PerfToolExit> {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  let stoppedEarly = false;
  let killedOverdue = false;
  let afterInterrupt: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    stoppedEarly = true;
    child.kill('SIGINT');
    // dnsperf prints its statistics and exits at once on SIGINT; one that does not is not waited for.
    afterInterrupt = setTimeout(() => {
      killedOverdue = true;
      child.kill('SIGKILL');
    }, 5000);
  };
  if (o.signal?.aborted === true) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  // Its own time limit bounds it; this is for one that hangs (it waits -t for the last answers).
  const overdue = setTimeout(() => {
    killedOverdue = true;
    child.kill('SIGKILL');
  }, o.overdueMs);
  const out = createInterface({ input: child.stdout, crlfDelay: Infinity });
  out.on('line', o.onLine);
  const err = createInterface({ input: child.stderr, crlfDelay: Infinity });
  // dnsperf repeats a warning for every bad line of every pass over the file: each text once.
  err.on('line', (l) => {
    const t = l.trim();
    if (stderr.length < 50 && t !== '' && !stderr.includes(t)) stderr.push(t);
  });
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve([c, s]));
    });
    return { argv: [program, ...args], code, signal, stoppedEarly, killedOverdue, stderr };
  } finally {
    clearTimeout(overdue);
    clearTimeout(afterInterrupt);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs dnsperf to its end (or until aborted), feeding every stdout line to the reader. */
export function runDnsperf(o: DnsperfRunOptions): Promise<DnsperfExit> {
  return runPerfTool(o.program, dnsperfArgs(o), { onLine: (l) => o.reader.line(l), signal: o.signal, overdueMs: o.durationMs + o.timeoutMs + 15_000 });
}
