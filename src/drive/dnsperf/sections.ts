/**
 * @module A dnsperf measurement as result sections (pure): the `dns_query` latency, counters, the
 * per-second series, the cross-checks against dnsperf's own statistics as notes, and what went wrong
 * as problems for the verdict.
 */
import type { CounterData, TimeSeriesData } from '../../measure/index.js';
import type { LatencyResult } from '../../report/result/index.js';
import { latencyResult } from '../../report/result/index.js';
import type { DnsperfMeasurement } from './measure.js';
import type { DnsperfExit } from './process.js';

/** What the run asked of dnsperf, for the method text and the saturation check. */
export interface DnsperfAsked {
  server: string;
  qps: number;
  clients: number;
  maxOutstanding: number;
  timeoutMs: number;
  /** How long dnsperf was asked to send, ms. */
  durationMs: number;
  /** The setting that raises the outstanding limit, named in the saturation note. */
  outstandingSetting: string;
  /** Where the queries came from, e.g. `the 120 records this run created`. */
  queries: string;
}

/** The sections one dnsperf run adds to a result. */
export interface DnsperfSections {
  latencies: Record<string, LatencyResult>;
  counters: Record<string, CounterData>;
  timeSeries: TimeSeriesData[];
  notes: string[];
}

function us(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} ms` : `${Math.round(n)} µs`;
}

/** Counters, latency, series and notes of one dnsperf run. */
export function dnsperfSections(m: DnsperfMeasurement, exit: DnsperfExit, asked: DnsperfAsked): DnsperfSections {
  const s = m.statistics;
  const counters: Record<string, CounterData> = {
    dns_queries_sent: { value: s?.sent ?? m.answered + m.lost, unit: 'queries', description: s === null ? 'answered + lost as read from dnsperf -v (dnsperf printed no statistics)' : "dnsperf's own count of queries sent" },
    dns_queries_answered: { value: m.answered, unit: 'queries', description: 'answers read from dnsperf -v, one line per query with its latency' },
    dns_queries_lost: { value: m.lost, unit: 'queries', description: `queries dnsperf gave up on after ${asked.timeoutMs / 1000} s without an answer (-v "T" lines)` },
    dns_answers_unexpected_rcode: {
      value: m.unexpected.count,
      unit: 'answers',
      description: 'answers whose rcode contradicts the query: NOERROR expected for a record the run created, NXDOMAIN for a name that does not exist (-v shows no answer data, so NOERROR without data is not told apart)',
    },
    dns_query_rate: { value: s?.qps ?? 0, unit: '1/s', description: `dnsperf's queries per second over its run (asked: ${asked.qps}/s)` },
  };
  const agree = s !== null && s.completed === m.answered && s.lost === m.lost;
  counters['dnsperf_statistics_missing'] = { value: s === null ? 1 : 0, unit: 'checks', description: 'whether dnsperf ended without printing its statistics (it failed or was killed; 0 = printed)' };
  counters['dnsperf_count_disagreements'] = { value: s !== null && !agree ? 1 : 0, unit: 'checks', description: "whether the answers and losses read from dnsperf -v differ from dnsperf's own completed and lost counts (0 = they agree)" };
  if (s !== null) {
    counters['dnsperf_completed'] = { value: s.completed, unit: 'queries', description: "dnsperf's own count of completed queries (its statistics)" };
    counters['dnsperf_lost'] = { value: s.lost, unit: 'queries', description: "dnsperf's own count of lost queries (its statistics)" };
    const own = (name: string, v: number | null, what: string): void => {
      if (v !== null) counters[name] = { value: Math.round(v * 1e6), unit: 'us', description: `dnsperf's own ${what} latency (its statistics, µs), beside the histogram's` };
    };
    own('dnsperf_latency_average', s.averageLatencyS, 'average');
    own('dnsperf_latency_min', s.minLatencyS, 'minimum');
    own('dnsperf_latency_max', s.maxLatencyS, 'maximum');
  }
  for (const [rcode, n] of Object.entries(m.rcodes)) counters[`dns_rcode_${rcode.toLowerCase()}`] = { value: n, unit: 'answers', description: `answers with rcode ${rcode} (dnsperf -v)` };
  const method =
    `dnsperf -v against ${asked.server}: each query's own latency (sent → answer, measured by dnsperf, µs resolution) into an HDR histogram; ` +
    `${asked.queries}, ${asked.qps}/s asked, ${asked.clients} clients, at most ${asked.maxOutstanding} outstanding; lost queries are counted apart, not in the histogram`;
  const latencies = { dns_query: latencyResult(m.latency, method, { description: 'DNS query latency against BIND9 under dnsperf load' }) };
  const points = (k: 'answersPerSecond' | 'lost'): { t: number; value: number }[] => m.intervals.map((i) => ({ t: i.t, value: i[k] }));
  const pct = (k: 'p50Us' | 'p99Us'): { t: number; value: number }[] => m.intervals.flatMap((i) => (i[k] === null ? [] : [{ t: i.t, value: i[k] / 1000 }]));
  const timeSeries: TimeSeriesData[] = [
    {
      name: 'dns_answers_per_second',
      unit: '1/s',
      description: "answers dnsperf printed (-v) per second, cut at its -S 1 lines (its wall clock mapped onto the run's); not dnsperf's own -S figure, which dnsperf 2.10 prints as 0 for the first second at times",
      points: points('answersPerSecond'),
    },
    { name: 'dns_query_p50', unit: 'ms', description: 'p50 of the answers dnsperf printed in each second (-v lines between two -S lines)', points: pct('p50Us') },
    { name: 'dns_query_p99', unit: 'ms', description: 'p99 of the answers dnsperf printed in each second', points: pct('p99Us') },
    { name: 'dns_queries_lost', unit: 'queries', description: 'queries dnsperf gave up on in each second', points: points('lost') },
  ];
  const notes: string[] = [];
  if (s !== null) {
    notes.push(
      `dnsperf counted ${s.sent} sent, ${s.completed} completed, ${s.lost} lost; the tool read ${m.answered} answers and ${m.lost} losses from its -v lines` +
        (agree ? ' (they agree)' : ' (they DISAGREE: the latency figures may miss queries)'),
    );
    const summary = m.latency.summary();
    if (s.averageLatencyS !== null && s.minLatencyS !== null && s.maxLatencyS !== null && summary.mean !== null) {
      notes.push(
        `dnsperf's own latency: average ${us(s.averageLatencyS * 1e6)}, min ${us(s.minLatencyS * 1e6)}, max ${us(s.maxLatencyS * 1e6)}; ` +
          `the histogram's mean ${us(summary.mean)}, p50 ${us(summary.p50 ?? 0)}, p99 ${us(summary.p99 ?? 0)} (percentiles dnsperf does not give)`,
      );
    }
    // An open-loop generator that fell short of its rate says so: the figures describe a lower load.
    // dnsperf's run time includes its wait for late answers after the last send.
    const sendingS = Math.min(s.runTimeS, asked.durationMs / 1000);
    const sentRate = sendingS > 0 ? s.sent / sendingS : 0;
    if (!exit.stoppedEarly && sentRate < asked.qps * 0.95) {
      const p50 = summary.p50 ?? 0;
      const ceiling = p50 > 0 ? (asked.maxOutstanding / (p50 / 1e6)) : Infinity;
      const why = ceiling < asked.qps ? `at most ${asked.maxOutstanding} outstanding with a p50 of ${us(p50)} allows about ${Math.round(ceiling)}/s (raise ${asked.outstandingSetting})` : 'the server did not keep up, or dnsperf itself could not send faster (more clients, or a second machine)';
      notes.push(`dnsperf sent ${Math.round(sentRate)}/s of the ${asked.qps}/s asked: ${why}`);
    }
  }
  if (m.unexpected.count > 0) {
    const ex = m.unexpected.examples.map((u) => `${u.name} ${u.type} → ${u.rcode} (expected ${u.expected === 'data' ? 'NOERROR' : 'NXDOMAIN'})`).join('; ');
    notes.push(`${m.unexpected.count} answers had an unexpected rcode, e.g. ${ex}`);
  }
  for (const l of [...exit.stderr, ...m.messages.filter((x) => /warning|error/i.test(x))]) notes.push(`dnsperf said: ${l}`);
  if (exit.stoppedEarly) notes.push('dnsperf was stopped early (interrupt): its figures cover the time it ran');
  if (exit.killedOverdue) notes.push('dnsperf ran far past its time limit and was killed: its statistics are missing');
  return { latencies, counters, timeSeries, notes };
}

/** What a dnsperf run's counters say went wrong (for the verdict); empty when nothing did. */
export function dnsperfProblems(counters: Readonly<Record<string, CounterData>>): string[] {
  const problems: string[] = [];
  const n = (name: string): number => counters[name]?.value ?? 0;
  if (n('dnsperf_statistics_missing') > 0) problems.push('dnsperf printed no statistics (it failed or was killed): the DNS figures are incomplete');
  if (n('dnsperf_count_disagreements') > 0) problems.push("the tool's count of dnsperf answers disagrees with dnsperf's own statistics");
  const unexpected = n('dns_answers_unexpected_rcode');
  if (unexpected > 0) problems.push(`${unexpected} DNS answers had an unexpected rcode (a created record answered NXDOMAIN/SERVFAIL, or a missing name answered)`);
  return problems;
}
