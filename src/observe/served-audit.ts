/**
 * @module The desired-vs-served audit, asked: every desired and deleted (name, type) of every
 * server, and an AXFR of every zone the run owns from every server, then judged by
 * `classifyAudit`. Bounded: a fixed number of exchanges in flight, a timeout per exchange, a total
 * time budget after which what is left counts as unanswered; abortable by a signal.
 */
import { setMaxListeners } from 'node:events';
import { classifyAudit, auditQuestions, questionKey } from '../judge/served-audit.js';
import type { AuditRecord, AuditReport, AuditZone, AxfrObservation, AxfrRrset, ServedObservation } from '../judge/served-audit.js';
import { canonicalName, canonicalRdata, readAnswer } from './dns-expectation.js';
import type { ProbeServer } from './dns-prober.js';
import { queryDns, transferZone } from './dns-exchange.js';
import type { AxfrResult, ExchangeOptions, QueryResult } from './dns-exchange.js';
import type { RecordType } from 'dns-packet';

/** Options of {@link auditServed}. */
export interface AuditServedOptions {
  servers: readonly ProbeServer[];
  /** The record CRs that should exist (see `auditRecordOf`). */
  desired: readonly AuditRecord[];
  /** The record CRs deleted, with their last desired data. */
  deleted: readonly AuditRecord[];
  /** The zones the run owns: AXFR'd for orphans (see `auditZoneOf`). */
  zones: readonly AuditZone[];
  /** Exchanges in flight at once, all servers together (default 16). */
  concurrency?: number;
  /** Per UDP try, and per TCP retry of a truncated answer, ms (default 2000). */
  timeoutMs?: number;
  /** UDP tries per question before it counts as unanswered (default 2: one lost datagram is not an outage). */
  attempts?: number;
  /** Per zone transfer, ms (default 30000). */
  axfrTimeoutMs?: number;
  /** Whole audit, ms (default 300000): exchanges not done by then count as unanswered. */
  budgetMs?: number;
  /** Mismatches listed per server (default 50). */
  maxMismatches?: number;
  /** Aborting rejects the audit with the signal's reason. */
  signal?: AbortSignal;
  /** How a question is asked of a server (default `queryDns`: UDP, TCP on truncation); a port-forward's servers ask over their pipelined TCP connection. */
  query?: DnsQuery;
}

/** Asks one server one question (the contract of `queryDns`). */
export type DnsQuery = (server: ProbeServer, name: string, type: RecordType, o: ExchangeOptions) => Promise<QueryResult>;

/** The audit's own figures. */
export interface AuditStats {
  /** Distinct (name, type) questions, asked of every server. */
  questions: number;
  udpSent: number;
  /** Truncated UDP answers asked again over TCP. */
  tcpRetries: number;
  /** Tries that got no answer: timeout or socket error (each question is tried `attempts` times). */
  failedTries: number;
  axfrs: number;
  axfrMessages: number;
  axfrRrs: number;
  elapsedMs: number;
  /** The time budget ran out: some exchanges were not done. */
  budgetExceeded: boolean;
}

/** The audit report with the figures of how it was obtained. */
export interface ServedAuditReport extends AuditReport {
  stats: AuditStats;
}

/** Runs `tasks` with at most `limit` at once; each task handles its own errors. */
async function runPool(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      if (task !== undefined) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** AXFR answers as RRsets, RR data in canonical form where the audit knows the type. */
function rrsetsOf(result: AxfrResult): AxfrRrset[] {
  const sets = new Map<string, { fqdn: string; rrType: string; rdata: Set<string> }>();
  for (const a of result.answers) {
    const fqdn = canonicalName(a.name);
    const k = questionKey(fqdn, a.type);
    let s = sets.get(k);
    if (s === undefined) sets.set(k, (s = { fqdn, rrType: a.type, rdata: new Set() }));
    s.rdata.add(canonicalRdata(a) ?? '(data)');
  }
  return [...sets.values()].map((s) => ({ fqdn: s.fqdn, rrType: s.rrType, rdata: [...s.rdata].sort() }));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Asks every server for every desired and deleted record and transfers every owned zone, then
 * classifies (see `classifyAudit`): per server, counts of match/missing/wrong/stale/orphaned/
 * unanswered and the first mismatches. Rejects only when `signal` aborts.
 */
export async function auditServed(o: AuditServedOptions): Promise<ServedAuditReport> {
  const started = performance.now();
  const concurrency = o.concurrency ?? 16;
  if (!(concurrency >= 1)) throw new RangeError(`concurrency must be >= 1, got ${concurrency}`);
  const timeoutMs = o.timeoutMs ?? 2000;
  const attempts = Math.max(1, o.attempts ?? 2);
  const axfrTimeoutMs = o.axfrTimeoutMs ?? 30_000;
  const ask = o.query ?? queryDns;
  o.signal?.throwIfAborted();

  // One signal for both ends: the caller's abort and the budget; only the caller's rejects.
  const budget = AbortSignal.timeout(o.budgetMs ?? 300_000);
  const stop = o.signal === undefined ? budget : AbortSignal.any([o.signal, budget]);
  // Every exchange in flight listens on it: `concurrency` listeners is expected, not a leak.
  setMaxListeners(concurrency + 10, stop);
  const questions = auditQuestions(o);
  const stats: AuditStats = { questions: questions.length, udpSent: 0, tcpRetries: 0, failedTries: 0, axfrs: 0, axfrMessages: 0, axfrRrs: 0, elapsedMs: 0, budgetExceeded: false };
  const observations: ServedObservation[] = [];
  const axfr: AxfrObservation[] = [];
  const overBudget = 'audit time budget over';

  const tasks: (() => Promise<void>)[] = [];
  // Transfers first: they take longest, so they overlap the many short queries.
  for (const server of o.servers) {
    for (const zone of o.zones) {
      tasks.push(async () => {
        if (stop.aborted) return void axfr.push({ server: server.name, zoneName: zone.zoneName, error: overBudget });
        stats.axfrs++;
        try {
          const r = await transferZone(server, zone.zoneName, { timeoutMs: axfrTimeoutMs, signal: stop });
          stats.axfrMessages += r.messages;
          stats.axfrRrs += r.answers.length;
          axfr.push({ server: server.name, zoneName: zone.zoneName, rrsets: rrsetsOf(r) });
        } catch (e) {
          axfr.push({ server: server.name, zoneName: zone.zoneName, error: budget.aborted ? overBudget : message(e) });
        }
      });
    }
  }
  for (const server of o.servers) {
    for (const q of questions) {
      tasks.push(async () => {
        let error = overBudget;
        for (let i = 0; i < attempts && !stop.aborted; i++) {
          stats.udpSent++;
          try {
            const r = await ask(server, q.fqdn, q.rrType, { timeoutMs, signal: stop });
            if (r.viaTcp) stats.tcpRetries++;
            observations.push({ server: server.name, fqdn: q.fqdn, rrType: q.rrType, answer: readAnswer(r.packet, q.fqdn, q.rrType) });
            return;
          } catch (e) {
            if (stop.aborted) break;
            stats.failedTries++;
            error = `${message(e)} (${i + 1} of ${attempts} tries)`;
          }
        }
        observations.push({ server: server.name, fqdn: q.fqdn, rrType: q.rrType, answer: null, error: budget.aborted ? overBudget : error });
      });
    }
  }
  await runPool(tasks, concurrency);
  o.signal?.throwIfAborted();

  stats.budgetExceeded = budget.aborted;
  stats.elapsedMs = performance.now() - started;
  const report = classifyAudit({ desired: o.desired, deleted: o.deleted, zones: o.zones }, observations, axfr, {
    servers: o.servers.map((s) => s.name),
    ...(o.maxMismatches === undefined ? {} : { maxMismatches: o.maxMismatches }),
  });
  return { ...report, stats };
}
