/**
 * @module A resperf run as result sections (pure): the maximum throughput within the loss limit and
 * the loss there, the counts and rcodes, the ramp interval by interval as series, and what went
 * wrong as problems for the verdict. resperf times no single query: there is no `dns_query`
 * histogram here, only each interval's mean latency.
 */
import type { CounterData, TimeSeriesData } from '../../measure/index.js';
import type { DnsperfSections } from './sections.js';
import type { PerfToolExit } from './process.js';
import type { ResperfLoad } from './resperf-process.js';
import type { ResperfEndedEarly, ResperfInterval, ResperfStatistics } from './resperf-output.js';

/** What the run asked of resperf. */
export interface ResperfAsked extends ResperfLoad {
  server: string;
  /** Where the queries came from. */
  queries: string;
  /** The run's own queries: every answer should be NOERROR or NXDOMAIN. */
  ownQueries: boolean;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(share < 0.01 ? 2 : 1)} %`;
}

/** Counters, series and notes of one resperf run; `startMs` is when it started, on the run's clock. */
export function resperfSections(s: ResperfStatistics | null, plot: readonly ResperfInterval[], endedEarly: ResperfEndedEarly | null, exit: PerfToolExit, asked: ResperfAsked, startMs: number): DnsperfSections {
  const counters: Record<string, CounterData> = {
    resperf_statistics_missing: { value: s === null ? 1 : 0, unit: 'checks', description: 'whether resperf ended without printing its statistics (it failed or was killed; 0 = printed)' },
    resperf_ended_early: {
      value: endedEarly === null ? 0 : 1,
      unit: 'checks',
      description: "whether resperf ended its ramp before the end (it fell behind its schedule, or reached its outstanding limit): 1 = the maximum throughput is a lower bound, what was reached before resperf's own limit stopped it",
    },
  };
  const notes: string[] = [];
  // The generator's limit is never reported as the server's (DESIGN: a run whose generator could not
  // keep its schedule says so first).
  if (endedEarly !== null) {
    // With at most maxOutstanding in flight, a mean latency L caps sending at maxOutstanding / L.
    const last = plot.at(-1);
    const latencyS = last?.meanLatencyS ?? 0;
    const ceiling = latencyS > 0 ? asked.maxOutstanding / latencyS : Infinity;
    const latency = latencyS * 1000 < 1 ? `${Math.round(latencyS * 1e6)} µs` : `${(latencyS * 1000).toFixed(1)} ms`;
    const what = endedEarly.reason === 'fell-behind' ? `it fell behind its schedule by ${endedEarly.queries} queries at ${Math.round(endedEarly.atQps)}/s` : `it reached its limit of ${endedEarly.outstanding} outstanding queries`;
    const limit = `at most ${asked.maxOutstanding} outstanding with the last interval's mean latency of ${latency} allows about ${Math.round(ceiling)}/s (raise --max-outstanding; a server whose latency climbed there was saturating)`;
    // Falling behind has two causes here: bursts of latency filling the outstanding slots, or
    // resperf's one sending thread short of CPU. The likelier (by the mean latency) comes first.
    const why =
      endedEarly.reason === 'outstanding'
        ? limit
        : ceiling < endedEarly.atQps * 1.5
          ? `${limit}; or resperf itself could not send faster (a machine of its own)`
          : `resperf itself could not send faster here (a machine of its own), or latency bursts filled its ${asked.maxOutstanding} outstanding slots (raise --max-outstanding)`;
    notes.push(`resperf ended its ramp early: ${what}. The maximum throughput is what was reached before that, a lower bound of the server's limit: ${why}`);
  }
  if (s !== null) {
    counters['resperf_max_throughput'] = {
      value: s.maxThroughputQps,
      unit: '1/s',
      description: `resperf's maximum throughput: the most responses per second of an interval of its ramp whose loss stayed within ${pct(asked.maxLoss)} (-L)`,
    };
    counters['resperf_lost_at_max'] = { value: s.lostAtMax, unit: 'fraction', description: 'the loss in the interval of the maximum throughput (resperf\'s "Lost at that point")' };
    counters['dns_queries_sent'] = { value: s.sent, unit: 'queries', description: "resperf's own count of queries sent over the ramp" };
    counters['dns_queries_answered'] = { value: s.completed, unit: 'queries', description: "resperf's own count of completed queries" };
    counters['dns_queries_lost'] = { value: s.lost, unit: 'queries', description: `queries resperf gave up on after ${asked.timeoutMs / 1000} s without an answer (beyond the server's limit this is expected)` };
    for (const [rcode, n] of Object.entries(s.rcodes)) counters[`dns_rcode_${rcode.toLowerCase()}`] = { value: n, unit: 'answers', description: `answers with rcode ${rcode} (resperf's statistics)` };
    // Per-query expectations are not visible (resperf prints no per-query lines): for the run's own
    // queries, an rcode other than NOERROR/NXDOMAIN is wrong whichever query it answered.
    const unexpected = asked.ownQueries ? Object.entries(s.rcodes).filter(([r]) => r !== 'NOERROR' && r !== 'NXDOMAIN').reduce((a, [, n]) => a + n, 0) : 0;
    counters['dns_answers_unexpected_rcode'] = { value: unexpected, unit: 'answers', description: 'answers other than NOERROR or NXDOMAIN to the queries of the records the run created (resperf shows no per-query answers)' };
    const at = plot.find((i) => Math.round(i.responsesPerSecond) === Math.round(s.maxThroughputQps));
    notes.push(
      `resperf ramped from 0 to ${asked.maxQps}/s over ${asked.rampMs / 1000} s against ${asked.server}: maximum throughput ${Math.round(s.maxThroughputQps)} answers/s with ${pct(s.lostAtMax)} lost there (limit ${pct(asked.maxLoss)})` +
        (at === undefined ? '' : `, reached ${at.timeS.toFixed(1)} s into the ramp at ${Math.round(at.targetQps)}/s asked`) +
        `; ${s.sent} sent, ${s.completed} completed, ${s.lost} lost in all`,
    );
    // When the best interval is the ramp's last, the server kept up all the way: its limit is higher.
    const top = plot.reduce((m, i) => Math.max(m, i.targetQps), 0);
    const keptUp = endedEarly === null && top > 0 && s.maxThroughputQps >= 0.9 * top;
    if (keptUp) notes.push(`the server kept up to the top of the ramp (${Math.round(top)}/s asked in the last interval): its limit is above that; raise --max-qps to find it`);
    // Either way the server's own limit was not reached: a criterion may pass on it, never fail.
    counters['resperf_max_is_lower_bound'] = {
      value: endedEarly !== null || keptUp ? 1 : 0,
      unit: 'checks',
      description: "whether the maximum throughput is only a lower bound of the server's: resperf's own limit ended the ramp, or the server kept up to its top (1); 0 = the loss limit was crossed before the top, the server's own limit",
    };
    if (unexpected > 0) notes.push(`${unexpected} answers were neither NOERROR nor NXDOMAIN (${Object.entries(s.rcodes).map(([r, n]) => `${r} ${n}`).join(', ')})`);
  }
  const series = (name: string, unit: string, description: string, v: (i: ResperfInterval) => number): TimeSeriesData => ({
    name,
    unit,
    description,
    points: plot.map((i) => ({ t: startMs + i.timeS * 1000, value: v(i) })),
  });
  const timeSeries: TimeSeriesData[] =
    plot.length === 0
      ? []
      : [
          series('dns_target_qps', '1/s', "the rate resperf's ramp asked in each interval (its plot file)", (i) => i.targetQps),
          series('dns_sent_per_second', '1/s', 'queries resperf sent per second in each interval', (i) => i.actualQps),
          series('dns_answers_per_second', '1/s', 'responses per second in each interval (resperf\'s plot file)', (i) => i.responsesPerSecond),
          series('dns_failures_per_second', '1/s', 'responses other than NOERROR/NXDOMAIN per second in each interval', (i) => i.failuresPerSecond),
          series('dns_query_mean', 'ms', "the mean latency of each interval's responses (resperf times no single query)", (i) => i.meanLatencyS * 1000),
        ];
  for (const l of exit.stderr) notes.push(`resperf said: ${l}`);
  if (exit.stoppedEarly) notes.push('resperf was stopped early (interrupt): its figures cover the part of the ramp it ran');
  if (exit.killedOverdue) notes.push('resperf ran far past its ramp and was killed: its statistics are missing');
  return { latencies: {}, counters, timeSeries, notes };
}

/** What a resperf run's counters say went wrong (for the verdict); empty when nothing did. */
export function resperfProblems(counters: Readonly<Record<string, CounterData>>): string[] {
  const problems: string[] = [];
  const n = (name: string): number => counters[name]?.value ?? 0;
  if (n('resperf_statistics_missing') > 0) problems.push('resperf printed no statistics (it failed or was killed): no maximum throughput was measured');
  const unexpected = n('dns_answers_unexpected_rcode');
  if (unexpected > 0) problems.push(`${unexpected} DNS answers were neither NOERROR nor NXDOMAIN`);
  return problems;
}
