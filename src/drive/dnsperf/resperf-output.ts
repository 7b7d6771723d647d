/**
 * @module resperf's output (pure): the statistics block it prints at the end (its maximum throughput
 * and the loss at that point among them) and the plot file it writes, one line per interval of the
 * ramp (target rate, sent rate, responses and failures per second, mean latency).
 */

/** resperf's statistics block. */
export interface ResperfStatistics {
  sent: number;
  completed: number;
  lost: number;
  /** Answers per rcode, e.g. `{ NOERROR: 3994, NXDOMAIN: 1997 }`. */
  rcodes: Record<string, number>;
  runTimeS: number;
  /** The highest responses per second of an interval whose loss stayed within `-L`. */
  maxThroughputQps: number;
  /** The loss in that interval, as a share (0.01 = 1 %). */
  lostAtMax: number;
}

/**
 * Why resperf ended its ramp before the end: it fell behind its own schedule (it could not send at
 * the ramp's rate), or it reached its outstanding limit (`-q`: queries sent and not yet answered).
 */
export type ResperfEndedEarly = { reason: 'fell-behind'; queries: number; atQps: number } | { reason: 'outstanding'; outstanding: number };

/** resperf's status line saying it ended the test early, or null when it ran its whole ramp. */
export function parseResperfEndedEarly(stdout: string): ResperfEndedEarly | null {
  const behind = /Fell behind by (\d+) queries, ending test at ([\d.]+) qps/.exec(stdout);
  if (behind !== null) return { reason: 'fell-behind', queries: Number(behind[1]), atQps: Number(behind[2]) };
  const reached = /Reached (\d+) outstanding queries/.exec(stdout);
  return reached === null ? null : { reason: 'outstanding', outstanding: Number(reached[1]) };
}

/** One interval of the ramp from the plot file. */
export interface ResperfInterval {
  /** Middle of the interval, seconds since resperf started sending. */
  timeS: number;
  targetQps: number;
  /** Queries sent per second. */
  actualQps: number;
  responsesPerSecond: number;
  /** Failures per second: rcodes other than NOERROR/NXDOMAIN. */
  failuresPerSecond: number;
  /** Mean latency of the interval's responses, seconds. */
  meanLatencyS: number;
}

function field(text: string, label: string): string | undefined {
  return new RegExp(`^\\s*${label}:\\s*(.+?)\\s*$`, 'm').exec(text)?.[1];
}

function num(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(/^[-\d.]+/.exec(s)?.[0]);
  return Number.isFinite(n) ? n : undefined;
}

/** The statistics block of resperf's stdout, or null when it printed none (it failed or was killed). */
export function parseResperfStatistics(stdout: string): ResperfStatistics | null {
  const i = stdout.indexOf('Statistics:');
  if (i < 0) return null;
  const text = stdout.slice(i);
  const sent = num(field(text, 'Queries sent'));
  const completed = num(field(text, 'Queries completed'));
  const lost = num(field(text, 'Queries lost'));
  const runTimeS = num(field(text, 'Run time \\(s\\)'));
  const max = num(field(text, 'Maximum throughput'));
  const lostAt = num(field(text, 'Lost at that point'));
  if (sent === undefined || completed === undefined || lost === undefined || max === undefined) return null;
  const rcodes: Record<string, number> = {};
  for (const m of (field(text, 'Response codes') ?? '').matchAll(/([A-Z]+) (\d+) \(/g)) if (m[1] !== undefined) rcodes[m[1]] = Number(m[2]);
  return { sent, completed, lost, rcodes, runTimeS: runTimeS ?? 0, maxThroughputQps: max, lostAtMax: (lostAt ?? 0) / 100 };
}

/** The plot file's intervals (comment lines and malformed lines skipped). */
export function parseResperfPlot(text: string): ResperfInterval[] {
  const rows: ResperfInterval[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const v = t.split(/\s+/).map(Number);
    if (v.length < 6 || v.slice(0, 6).some((x) => !Number.isFinite(x))) continue;
    const [timeS = 0, targetQps = 0, actualQps = 0, responsesPerSecond = 0, failuresPerSecond = 0, meanLatencyS = 0] = v;
    rows.push({ timeS, targetQps, actualQps, responsesPerSecond, failuresPerSecond, meanLatencyS });
  }
  return rows;
}
