/** @module Resident memory and CPU time of a local process from Linux `/proc`, as the samples a `/metrics` would give. */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { MetricSample } from '../measure/index.js';
import type { MetricsSource } from './metrics-sampler.js';

/** One reading of a process. */
export interface ProcessStats {
  /** Resident set size (`VmRSS`), bytes. */
  rssBytes: number;
  /** User + system CPU time since the process started, seconds (clock-tick resolution). */
  cpuSeconds: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on every mainstream Linux when it cannot be asked). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * Parses `/proc/<pid>/stat` and `/proc/<pid>/status`. In `stat` the command name (field 2) is in
 * parentheses and may itself contain spaces and parentheses, so fields are counted from the last
 * `)`: after it come field 3 (state) onwards, making utime (field 14) and stime (field 15) the 12th
 * and 13th tokens.
 */
export function parseProcessStats(stat: string, status: string, ticksPerSecond: number): ProcessStats {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 1).trim().split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (close < 0 || !Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/<pid>/stat format');
  const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (rss?.[1] === undefined) throw new Error('no VmRSS in /proc/<pid>/status (a zombie or kernel thread?)');
  return { rssBytes: Number(rss[1]) * 1024, cpuSeconds: (utime + stime) / ticksPerSecond };
}

/** Reads the stats of process `pid` (Linux only; rejects when the process is gone or /proc is absent). */
export async function readProcessStats(pid: number): Promise<ProcessStats> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  return parseProcessStats(stat, status, clockTicksPerSecond());
}

/** A process the source stopped reading and the one it went on with (a restarted named). */
export interface ProcessReplacement {
  from: number;
  to: number;
}

/** A {@link processStatsSource} that says which processes it followed. */
export interface FollowingProcessSource extends MetricsSource {
  /** Each time the process was found gone and a new one read instead, in order. */
  readonly replacements: readonly ProcessReplacement[];
}

/**
 * A sampler source giving `process_resident_memory_bytes` and `process_cpu_seconds_total` of `pid`,
 * read from `/proc`. With `follow`, a process that is gone is looked up again (`follow` answers the
 * pid as of now, e.g. from the sandbox's state file after a fault restarted named) and the new one
 * is read from then on: its CPU counter starts again from zero, which the sampler's counters take as
 * a reset (summed, never negative).
 */
export function processStatsSource(pid: number, label = `pid ${pid}`, follow?: () => Promise<number | undefined>): FollowingProcessSource {
  let current = pid;
  const replacements: ProcessReplacement[] = [];
  return {
    description: `/proc/${pid} (${label})`,
    replacements,
    async read(): Promise<MetricSample[]> {
      let s: ProcessStats;
      try {
        s = await readProcessStats(current);
      } catch (e) {
        const next = follow === undefined ? undefined : await follow().catch(() => undefined);
        if (next === undefined || next === current) throw e;
        s = await readProcessStats(next);
        replacements.push({ from: current, to: next });
        current = next;
      }
      return [
        { name: 'process_resident_memory_bytes', labels: {}, value: s.rssBytes },
        { name: 'process_cpu_seconds_total', labels: {}, value: s.cpuSeconds },
      ];
    },
  };
}
