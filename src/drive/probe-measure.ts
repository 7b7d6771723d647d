/**
 * @module Turns the DNS prober's records into result sections (pure: no I/O): create→resolvable per
 * server and for the slowest server per object, the stages Ready → answered, the objects Ready but
 * not served and those served with wrong data, and the prober's own load.
 */
import { Counters, createLatencyHistogram, eventRatePerSecond, rateWindowMs } from '../measure/index.js';
import type { CounterData, LastStub, QuantityHistogram, TimeSeriesData } from '../measure/index.js';
import { latencyResult } from '../report/result/index.js';
import type { FailureRecord, LatencyResult } from '../report/result/index.js';
import type { ProbeRecord, ProberStats } from '../observe/dns-prober.js';
import type { ProbeOperation } from '../observe/dns-expectation.js';

/** What the watch saw of an object the prober asked for. Times in ms on the prober's clock. */
export interface ProbedObjectState {
  uid: string | null;
  /** First Ready at the generation our write produced; null when never seen. */
  readyMs: number | null;
}

/** What the probe measurement is computed from. */
export interface ProbeObservations {
  records: readonly ProbeRecord[];
  /** Server names, in the prober's order. */
  servers: readonly string[];
  stats: ProberStats;
  /** The watch's view of an object by key (undefined: not tracked). */
  objectState: (key: string) => ProbedObjectState | undefined;
  /** Start of the run: `atMs` of failures counts from here. */
  runStartMs: number;
  /** When probing ended. */
  endedMs: number;
  /** Probing spacing and rate, for the method text. */
  settings: { ratePerSecond: number; maxInFlight: number; fastIntervalMs: number; fastPhaseMs: number; maxIntervalMs: number };
  /** The rate series' last short window (default: merged into the one before). */
  lastStub?: LastStub;
}

/** Result sections of the probe. */
export interface ProbeMeasurement {
  latencies: Record<string, LatencyResult>;
  counters: Record<string, CounterData>;
  failures: FailureRecord[];
  notes: string[];
  /** `resolvable_per_second`: records answered by every server, per second, from the run's start. */
  timeSeries: TimeSeriesData[];
}

/** The latency name of an operation's DNS milestone. */
export const probeLatencyName: Readonly<Record<ProbeOperation, string>> = {
  create: 'create_to_resolvable',
  update: 'update_to_resolvable',
  delete: 'delete_to_gone_from_dns',
};

const milestone: Readonly<Record<ProbeOperation, string>> = {
  create: 'the first answer matching the record\'s desired data (rdata compared per kind)',
  update: 'the first answer matching the record\'s new data (rdata compared per kind)',
  delete: 'the first NXDOMAIN or NODATA answer for the record\'s name and type',
};

/** How a DNS latency is measured (copied into the result beside the figure). */
export function probeMethod(op: ProbeOperation, s: ProbeObservations['settings'], scope: string): string {
  return (
    `${scope}: ${milestone[op]}, timed by the local monotonic clock when the answer arrived, minus the operation's intended start; ` +
    `an upper bound: the data may have been served since the previous probe (spacing ${s.fastIntervalMs} ms for the first ${s.fastPhaseMs / 1000} s, ` +
    `then doubling to ${s.maxIntervalMs} ms, restarted when Ready is seen; at most ${s.ratePerSecond} queries/s and ${s.maxInFlight} in flight; see resolvable_uncertainty)`
  );
}

function addTo(map: Map<string, QuantityHistogram>, key: string, us: number): void {
  let h = map.get(key);
  if (h === undefined) map.set(key, (h = createLatencyHistogram()));
  h.record(us);
}

function sorted(map: Map<string, QuantityHistogram>): Record<string, QuantityHistogram> {
  return Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
}

function splitKey(key: string): { namespace: string; name: string } {
  const [, namespace = '', ...rest] = key.split('/');
  return { namespace, name: rest.join('/') };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

interface Per {
  all: QuantityHistogram;
  byKind: Map<string, QuantityHistogram>;
}

function per(): Per {
  return { all: createLatencyHistogram(), byKind: new Map() };
}

/** What the figures need besides the records: the probe's setup and its end. */
export type ProbeFoldContext = Omit<ProbeObservations, 'records' | 'objectState' | 'stats' | 'endedMs' | 'runStartMs'>;

/**
 * The probe's figures built one record at a time, so a long run need not keep every change's
 * record: add each once it is final (with what the watch saw of that very operation), then
 * `measure`. Holds histograms, counts, the failures and one number per answered record.
 */
export class ProbeFold {
  readonly #o: ProbeFoldContext;
  /** The histograms, filled as records are added. */
  readonly #h = {
    slowest: new Map<ProbeOperation, Per>(),
    byServer: new Map<string, Per & { op: ProbeOperation; server: string }>(),
    readyToResolvable: per(),
    resolvableToReady: per(),
    uncertainty: createLatencyHistogram(),
  };
  /** Failures found (their atMs, the end of probing, is set at `measure`). */
  readonly #failures: Omit<FailureRecord, 'atMs'>[] = [];
  /** Objects counted as records are added. */
  readonly #n = { probed: 0, answered: 0, readyNotServed: 0, readyAfterProbing: 0, wrongData: 0, notAnswered: 0, beforeReady: 0, afterReady: 0 };
  /** When each answered record was answered by its slowest server (prober's clock). */
  readonly #resolvedAt: number[] = [];

  constructor(context: ProbeFoldContext) {
    this.#o = context;
  }

  /** Adds one record; `state`: what the watch saw of this operation's effect (undefined: not tracked). */
  add(r: ProbeRecord, state: ProbedObjectState | undefined): void {
    this.#n.probed++;
    const name = probeLatencyName[r.operation];
    const matched = r.servers.every((s) => s.matchedMs !== null);
    for (const s of r.servers) {
      if (s.matchedMs === null) continue;
      const us = (s.matchedMs - r.intendedStartMs) * 1000;
      const key = `${name}.${s.server}`;
      let p = this.#h.byServer.get(key);
      if (p === undefined) this.#h.byServer.set(key, (p = { ...per(), op: r.operation, server: s.server }));
      p.all.record(us);
      addTo(p.byKind, r.kind, us);
      this.#h.uncertainty.record((s.matchedMs - (s.lastMissSentMs ?? r.intendedStartMs)) * 1000);
    }
    const wrong = r.servers.filter((s) => s.wrongSeen);
    if (wrong.length > 0) this.#n.wrongData++;
    if (matched) {
      this.#n.answered++;
      const last = Math.max(...r.servers.map((s) => s.matchedMs ?? -Infinity));
      const us = (last - r.intendedStartMs) * 1000;
      this.#resolvedAt.push(last);
      let p = this.#h.slowest.get(r.operation);
      if (p === undefined) this.#h.slowest.set(r.operation, (p = per()));
      p.all.record(us);
      addTo(p.byKind, r.kind, us);
      if (r.operation !== 'delete' && state?.readyMs != null) {
        const gap = last - state.readyMs;
        const target = gap >= 0 ? this.#h.readyToResolvable : this.#h.resolvableToReady;
        if (gap >= 0) this.#n.afterReady++;
        else this.#n.beforeReady++;
        target.all.record(Math.abs(gap) * 1000);
        addTo(target.byKind, r.kind, Math.abs(gap) * 1000);
      }
    } else {
      this.#n.notAnswered++;
    }
    const readyMs = state?.readyMs ?? null;
    // Ready but not served only where DNS was asked after the Ready and still said otherwise: a
    // probe that ended before the Ready (the run's end) says nothing of what DNS served after it.
    const askedAfterReady = readyMs !== null && r.servers.some((s) => s.matchedMs === null && (s.lastMissSentMs ?? -Infinity) >= readyMs);
    const ready = readyMs !== null && (matched || askedAfterReady);
    if (!matched && readyMs !== null && !askedAfterReady && wrong.length === 0) this.#n.readyAfterProbing++;
    if (!matched && ready && wrong.length === 0) this.#n.readyNotServed++;
    // A failure for what DNS contradicts: Ready but never answered right, or wrong data served at all.
    if ((ready && !matched) || wrong.length > 0) {
      const k = splitKey(r.key);
      const said = r.servers
        .map((s) => {
          const outcome = s.matchedMs !== null ? `answered right after ${seconds(s.matchedMs - r.intendedStartMs)}` : `never answered right (${s.queries} queries, ${s.lost} lost)`;
          const w = s.wrongAnswer === null ? '' : `; served wrong data: ${s.wrongAnswer}`;
          return `${s.server}: ${outcome}; last answer ${s.lastAnswer ?? '(none)'}${w}`;
        })
        .join(' | ');
      this.#failures.push({
        kind: r.kind,
        name: k.name === '' ? r.key : k.name,
        ...(k.namespace === '' ? {} : { namespace: k.namespace }),
        uid: state?.uid ?? null,
        phase: name,
        reason: wrong.length > 0 ? 'ServedWrongData' : 'ReadyButNotServed',
        message: `${r.fqdn} ${r.rrType}: desired ${r.expectedText}${readyMs === null ? '' : `; Ready after ${seconds(readyMs - r.intendedStartMs)}`}; ${said}`,
        lastCondition: null,
      });
    }
  }

  /** The result sections from every record added; `stats`: the prober's own counts; `runStartMs`: the series' t = 0; `endedMs`: when probing ended. */
  measure(stats: ProberStats, runStartMs: number, endedMs: number): ProbeMeasurement {
    const o = { ...this.#o, stats, runStartMs, endedMs };
    const atMs = Math.max(0, endedMs - o.runStartMs);
    const failures: FailureRecord[] = this.#failures.map((f) => ({ ...f, atMs }));
    const { slowest, byServer, readyToResolvable, resolvableToReady, uncertainty } = this.#h;
    const { probed, answered, readyNotServed, readyAfterProbing, wrongData, notAnswered, beforeReady, afterReady } = this.#n;
    const resolvedAt = this.#resolvedAt.map((t) => t - runStartMs);
    const latencies: Record<string, LatencyResult> = {};
    const settings = o.settings;
    for (const [op, p] of slowest) {
      latencies[probeLatencyName[op]] = latencyResult(p.all, probeMethod(op, settings, `the slowest of the ${o.servers.length} DNS server(s) (${o.servers.join(', ')}) per object, objects answered by every server`), {
        byKind: sorted(p.byKind),
        description: `${probeLatencyName[op].replace(/_/g, ' ')}: every server answers (what e2ePropagationP99 judges)`,
      });
    }
    for (const [key, p] of [...byServer].sort(([a], [b]) => a.localeCompare(b))) {
      latencies[key] = latencyResult(p.all, probeMethod(p.op, settings, `DNS server ${p.server}`), {
        byKind: sorted(p.byKind),
        description: `${probeLatencyName[p.op].replace(/_/g, ' ')} on ${p.server}`,
      });
    }
    if (readyToResolvable.all.count > 0) {
      latencies.ready_to_resolvable = latencyResult(readyToResolvable.all, 'first Ready seen by the watch -> answered right by every DNS server, for objects answered after their Ready was seen (local monotonic clock)', {
        byKind: sorted(readyToResolvable.byKind),
      });
    }
    if (resolvableToReady.all.count > 0) {
      latencies.resolvable_to_ready = latencyResult(resolvableToReady.all, 'answered right by every DNS server -> first Ready seen by the watch, for objects DNS answered before their Ready was seen (local monotonic clock)', {
        byKind: sorted(resolvableToReady.byKind),
      });
    }
    if (uncertainty.count > 0) {
      latencies.resolvable_uncertainty = latencyResult(uncertainty, 'per object and server: matching answer received - send of the last probe answered without the data (or the intended start): how much earlier than measured the data may have been served');
    }

    const c = new Counters();
    const set = (n: string, value: number, unit: string, description: string): void => {
      c.declare(n, unit, description);
      c.add(n, value);
    };
    set('dns_probed', probed, 'objects', 'objects the DNS prober asked every server for');
    set('dns_answered', answered, 'objects', 'probed objects answered with their desired data by every DNS server');
    set('dns_not_answered', notAnswered, 'objects', 'probed objects not answered right by every DNS server when probing ended (Ready or not)');
    set('ready_but_not_served', readyNotServed, 'objects', 'objects seen Ready that some DNS server never answered with their data by the end, without serving other data (see failures for what DNS said)');
    set('dns_ready_after_probing', readyAfterProbing, 'objects', 'objects not answered right whose Ready the watch saw only after DNS was last asked for them (probing had ended): not judged as Ready but not served');
    set('served_wrong_data', wrongData, 'objects', 'objects some DNS server answered NOERROR with other data than desired, at least once (see failures)');
    set('answered_after_ready', afterReady, 'objects', 'objects answered by every server after the watch saw them Ready');
    set('answered_before_ready', beforeReady, 'objects', 'objects answered by every server before the watch saw them Ready');
    const st = o.stats;
    set('probe_queries_sent', st.sent, 'queries', 'DNS queries the prober sent (all servers)');
    set('probe_queries_lost', st.lost, 'queries', 'probe queries with no answer within the query timeout (asked again)');
    set('probe_queries_truncated', st.truncated, 'queries', 'probe answers truncated over UDP and asked again over TCP');
    set('probe_peak_in_flight', st.peakInFlight, 'queries', 'most probe queries in flight at once');
    if (st.tcpConnections > 0) set('probe_tcp_connections', st.tcpConnections, 'connections', 'TCP connections the prober opened (TCP transport: one per server, pipelined, opened again only when one closed)');
    if (st.firstSentMs !== null && st.lastSentMs !== null && st.lastSentMs > st.firstSentMs) {
      set('probe_query_rate', (st.sent * 1000) / (st.lastSentMs - st.firstSentMs), '1/s', 'probe queries sent / (last send - first send): the load the prober put on DNS');
    }
    const notes: string[] = [];
    for (const [server, message] of Object.entries(st.tcpErrors)) notes.push(`the DNS prober's TCP connection to ${server} failed (last: ${message}); queries sent meanwhile were lost and asked again (a port-forward that is not running refuses every connection)`);
    if (readyAfterProbing > 0) notes.push(`${readyAfterProbing} changes became Ready only after DNS was last asked for them (probing had ended): what DNS served after their Ready is not known; counted in dns_ready_after_probing, not as Ready but not served`);
    if (st.stray > 0) notes.push(`the DNS prober ignored ${st.stray} answers it could not match to a query (wrong id, source or question, or undecodable)`);
    const endMs = o.endedMs - o.runStartMs;
    const windowMs = rateWindowMs(endMs);
    const timeSeries: TimeSeriesData[] =
      resolvedAt.length === 0
        ? []
        : [
            {
              name: 'resolvable_per_second',
              unit: '1/s',
              description: `records first answered with their data by every DNS server, by the slowest server's answer, per second over ${windowMs / 1000} s windows from the run's start (the last one ends when probing ended)`,
              points: eventRatePerSecond(resolvedAt, windowMs, endMs, o.lastStub),
            },
          ];
    return { latencies, counters: c.toJSON(), failures, notes, timeSeries };
  }
}

/** Latencies, counters, failures and notes of the probe, from every record at once. */
export function measureProbe(o: ProbeObservations): ProbeMeasurement {
  const { records, objectState, stats, runStartMs, endedMs, ...context } = o;
  const fold = new ProbeFold(context);
  for (const r of records) fold.add(r, objectState(r.key));
  return fold.measure(stats, runStartMs, endedMs);
}
