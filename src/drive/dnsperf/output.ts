/**
 * @module What dnsperf prints (pure): with `-v` one line per query (`> NOERROR name A 0.000288`, or
 * `> T name A` for a query it gave up on), with `-S 1` one `<unix time>: <qps>` line per interval,
 * and at the end its own statistics block. Read, never reimplemented: dnsperf is the engine.
 */

/** One line of dnsperf's standard output, classified. */
export type DnsperfLine =
  | { kind: 'answer'; rcode: string; name: string; type: string; latencyUs: number }
  | { kind: 'lost'; name: string; type: string }
  | { kind: 'interval'; wallS: number; qps: number }
  | { kind: 'statistics' }
  | { kind: 'other'; text: string };

// `-v`: "> RCODE <query line> SECONDS" for an answer, "> T <query line>" for a timeout (dnsperf 2.x
// echoes the input line as given, extra words included: "name TYPE" in the files the tool writes).
const answerLine = /^> ([A-Z][A-Z0-9]*) (.+) (\d+\.\d+)$/;
const lostLine = /^> T (.+)$/;

function nameAndType(query: string): { name: string; type: string } {
  const [name = '', type = ''] = query.trim().split(/\s+/);
  return { name, type };
}
// `-S N`: "1796299864.940271: 9.996201" (wall clock, then queries per second over the interval).
const intervalLine = /^(\d+\.\d+): (\d+(?:\.\d+)?)$/;

/** Classifies one line (without its newline). */
export function parseDnsperfLine(line: string): DnsperfLine {
  const t = line.trimEnd();
  const lost = lostLine.exec(t);
  if (lost !== null) return { kind: 'lost', ...nameAndType(lost[1] ?? '') };
  const a = answerLine.exec(t);
  if (a !== null) {
    // Seconds with six decimals: whole microseconds, computed from the digits so no float rounding creeps in.
    const [whole = '0', frac = ''] = (a[3] ?? '0').split('.');
    const latencyUs = Number(whole) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
    return { kind: 'answer', rcode: a[1] ?? '', ...nameAndType(a[2] ?? ''), latencyUs };
  }
  const i = intervalLine.exec(t);
  if (i !== null) return { kind: 'interval', wallS: Number(i[1]), qps: Number(i[2]) };
  if (t === 'Statistics:') return { kind: 'statistics' };
  return { kind: 'other', text: t };
}

/** dnsperf's own summary of a run (the block after `Statistics:`). */
export interface DnsperfStatistics {
  sent: number;
  completed: number;
  lost: number;
  /** Present when dnsperf was interrupted (SIGINT) with queries in flight. */
  interrupted: number;
  /** Response code → count, as dnsperf counted them. */
  rcodes: Record<string, number>;
  runTimeS: number;
  qps: number;
  /** Seconds; null when nothing completed. */
  averageLatencyS: number | null;
  minLatencyS: number | null;
  maxLatencyS: number | null;
  stddevLatencyS: number | null;
}

function numberAfter(text: string, label: string): number | null {
  const m = new RegExp(`^\\s*${label}:\\s+(\\d+(?:\\.\\d+)?)`, 'm').exec(text);
  return m === null ? null : Number(m[1]);
}

/**
 * Parses the statistics block; null when it is not there (dnsperf died before printing it) or a
 * count it always prints is missing.
 */
export function parseDnsperfStatistics(text: string): DnsperfStatistics | null {
  const sent = numberAfter(text, 'Queries sent');
  const completed = numberAfter(text, 'Queries completed');
  const lost = numberAfter(text, 'Queries lost');
  const runTimeS = numberAfter(text, 'Run time \\(s\\)');
  const qps = numberAfter(text, 'Queries per second');
  if (sent === null || completed === null || lost === null || runTimeS === null || qps === null) return null;
  const rcodes: Record<string, number> = {};
  const codes = /^\s*Response codes:[ \t]*(.*)$/m.exec(text)?.[1] ?? '';
  for (const m of codes.matchAll(/([A-Z][A-Z0-9]*) (\d+) \(/g)) rcodes[m[1] ?? ''] = Number(m[2]);
  const avg = /^\s*Average Latency \(s\):\s+(\d+\.\d+) \(min (\d+\.\d+), max (\d+\.\d+)\)/m.exec(text);
  const stddev = numberAfter(text, 'Latency StdDev \\(s\\)');
  const some = completed > 0;
  return {
    sent,
    completed,
    lost,
    interrupted: numberAfter(text, 'Queries interrupted') ?? 0,
    rcodes,
    runTimeS,
    qps,
    averageLatencyS: some && avg !== null ? Number(avg[1]) : null,
    minLatencyS: some && avg !== null ? Number(avg[2]) : null,
    maxLatencyS: some && avg !== null ? Number(avg[3]) : null,
    stddevLatencyS: some ? stddev : null,
  };
}
