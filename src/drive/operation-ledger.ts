/**
 * @module The ledger of an open-loop run (pure, no I/O): every operation from due to its effect,
 * kept only while it is outstanding; finished ones become histogram counts, so an hour at 100
 * operations/s costs no more memory than a minute. One ledger serves every scenario that drives
 * writes on a schedule (sustained now; backpressure, chaos and e2e background load next).
 */
import { createLatencyHistogram } from '../measure/index.js';
import type { QuantityHistogram, TimeSeriesData } from '../measure/index.js';
import type { OperationType } from '../model/operation.js';
import type { ApiFailure } from '../observe/kube-client.js';
import type { ObservedBy } from '../observe/watch-tracker.js';
import type { ConditionSnapshot, FailureRecord } from '../report/result/index.js';

/** The milestone each operation type waits for, by name of its latency. */
export const effectLatency: Readonly<Record<OperationType, string>> = { create: 'create_to_ready', update: 'update_to_ready', delete: 'delete_to_gone' };

/** Per operation type: what happened to the operations of that type. */
export interface TypeCounts {
  started: number;
  /** Answered 2xx by the API. */
  accepted: number;
  /** Their effect was seen (Ready at the new generation, or gone). */
  done: number;
  /** Answered with an error status after any retries (a quota's refusal apart). */
  rejected: number;
  /**
   * Refused 403 "exceeded quota" by the API server's ResourceQuota admission: what a namespace at
   * its object quota does (the too-many-objects fault), not a failure of the system under test.
   */
  refusedByQuota: number;
  /** No answer at all (a transport error). */
  errors: number;
  /** Accepted, but the effect was not seen by the end of the wait. */
  notObserved: number;
  /** Needed at least one retry (429). */
  retried: number;
  /** An update or delete drawn with no free object, sent as a create instead (counted under create). */
  substituted: number;
}

/** Histograms of one operation type, µs. */
export interface TypeHistograms {
  /** Intended start → effect seen live by the watch. */
  effect: QuantityHistogram;
  /** Send → effect: the service time, without the wait for a slot or the schedule's slip. */
  effectFromSend: QuantityHistogram;
  /** Intended start → effect first seen by a re-list after 410 Gone (an upper bound, kept apart). */
  effectAtRelist: QuantityHistogram;
  /** The API call itself: send → response. */
  api: QuantityHistogram;
  /** `effect` by record kind. */
  effectByKind: Map<string, QuantityHistogram>;
}

/** Everything the ledger holds at the end. */
export interface LedgerSnapshot {
  counts: Record<OperationType, TypeCounts>;
  histograms: Record<OperationType, TypeHistograms>;
  /** Due with no free slot. */
  dropped: number;
  /** Failure records (at most {@link maxFailureRecords}; `failuresByReason` counts all). */
  failures: FailureRecord[];
  failuresByReason: Record<string, number>;
  /** HTTP status of every rejected answer, counted (409, 422, 429…). */
  rejectedByStatus: Record<string, number>;
  /**
   * The steady phase (after the ramp-up, until the schedule ended): its length (ms), the operations
   * whose effect was seen within it, and the operations due within it whose effect was seen at all.
   */
  steady: { done: number; dueAndDone: number; ms: number };
  series: TimeSeriesData[];
}

/** Detailed failure records kept; the rest are only counted. */
export const maxFailureRecords = 500;

interface Pending {
  type: OperationType;
  kind: string;
  intended: number;
  sent: number;
  received: number;
  uid: string;
  key: string;
  accepted: boolean;
}

interface Sample {
  t: number;
  due: number;
  started: number;
  done: number;
  outstanding: number;
  held: number;
}

/** A 403 of the ResourceQuota admission plugin (`… is forbidden: exceeded quota: …`). */
export function isQuotaRefusal(error: ApiFailure): boolean {
  return error.status === 403 && /\bexceeded quota: /.test(error.message);
}

function emptyCounts(): TypeCounts {
  return { started: 0, accepted: 0, done: 0, rejected: 0, refusedByQuota: 0, errors: 0, notObserved: 0, retried: 0, substituted: 0 };
}

function emptyHistograms(): TypeHistograms {
  return { effect: createLatencyHistogram(), effectFromSend: createLatencyHistogram(), effectAtRelist: createLatencyHistogram(), api: createLatencyHistogram(), effectByKind: new Map() };
}

function splitKey(key: string): { namespace: string; name: string } {
  const [, namespace = '', ...rest] = key.split('/');
  return { namespace, name: rest.join('/') };
}

/** The ledger (see the module doc). Times are ms on the run's monotonic clock. */
export class OperationLedger {
  readonly #pending = new Map<number, Pending>();
  readonly #retried = new Set<number>();
  readonly #counts: Record<OperationType, TypeCounts> = { create: emptyCounts(), update: emptyCounts(), delete: emptyCounts() };
  readonly #h: Record<OperationType, TypeHistograms> = { create: emptyHistograms(), update: emptyHistograms(), delete: emptyHistograms() };
  readonly #failures: FailureRecord[] = [];
  readonly #failuresByReason: Record<string, number> = {};
  readonly #rejectedByStatus: Record<string, number> = {};
  readonly #samples: Sample[] = [];
  #nextId = 0;
  #dropped = 0;
  #t0 = 0;
  #steady = { from: 0, to: Infinity, done: 0, dueAndDone: 0, heldMs: 0 };

  /** Starts the clock of the measured phase; the steady phase is [from, to) ms after it. */
  start(t0: number, steady: { fromMs: number; toMs: number } = { fromMs: 0, toMs: Infinity }): void {
    this.#t0 = t0;
    this.#steady = { from: t0 + steady.fromMs, to: t0 + steady.toMs, done: 0, dueAndDone: 0, heldMs: 0 };
  }

  /**
   * The schedule was held (no operation started) from `fromMs` to `toMs`: a hold inside the steady
   * phase moves its end later by its length and is not counted in its length (the effects seen
   * during it, of operations started before, still count as done).
   */
  held(fromMs: number, toMs: number): void {
    if (toMs <= fromMs || fromMs >= this.#steady.to || toMs <= this.#steady.from) return;
    this.#steady.to += toMs - fromMs;
    this.#steady.heldMs += toMs - fromMs;
  }

  /** A new operation on object `key` (`Kind/namespace/name`), due at `intended`; returns its id. */
  begin(type: OperationType, key: string, intended: number, substitutedFor?: OperationType): number {
    const id = this.#nextId++;
    this.#counts[type].started++;
    if (substitutedFor !== undefined) this.#counts[type].substituted++;
    const kind = key.split('/')[0] ?? '';
    this.#pending.set(id, { type, kind, intended, sent: intended, received: intended, uid: '', key, accepted: false });
    return id;
  }

  /** Operation `id` is being sent again after a 429 (counted once per operation). */
  retried(id: number): void {
    const p = this.#pending.get(id);
    if (p === undefined || this.#retried.has(id)) return;
    this.#retried.add(id);
    this.#counts[p.type].retried++;
  }

  /** The API answered 2xx; the operation now waits for its effect on object `uid`. */
  accepted(id: number, sent: number, received: number, uid: string): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    Object.assign(p, { sent, received, uid, accepted: true });
    this.#counts[p.type].accepted++;
    this.#h[p.type].api.record((received - sent) * 1000);
  }

  /** The API refused the operation (or never answered: status 0). */
  failed(id: number, error: ApiFailure, sent: number, received: number): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    this.#retried.delete(id);
    const c = this.#counts[p.type];
    if (isQuotaRefusal(error)) {
      // Counted apart, not as a failure: the API server enforcing a namespace's quota.
      c.refusedByQuota++;
      this.#h[p.type].api.record((received - sent) * 1000);
      this.#rejectedByStatus[String(error.status)] = (this.#rejectedByStatus[String(error.status)] ?? 0) + 1;
      return;
    }
    if (error.status === 0) c.errors++;
    else {
      c.rejected++;
      this.#h[p.type].api.record((received - sent) * 1000);
      this.#rejectedByStatus[String(error.status)] = (this.#rejectedByStatus[String(error.status)] ?? 0) + 1;
    }
    const causes = error.causes.map((x) => `${x.field ?? ''}${x.field === undefined ? '' : ': '}${x.message ?? x.reason ?? ''}`).filter((s) => s !== '');
    this.#fail(p, p.type, error.status === 0 ? 'ClientError' : error.reason, `HTTP ${error.status}: ${error.message}${causes.length > 0 ? ` [causes: ${causes.join('; ')}]` : ''}`, null, received);
  }

  /** The effect of operation `id` was seen at `atMs`. */
  done(id: number, atMs: number, by: ObservedBy): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    this.#retried.delete(id);
    const h = this.#h[p.type];
    this.#counts[p.type].done++;
    const us = (atMs - p.intended) * 1000;
    if (by === 'relist') {
      h.effectAtRelist.record(us);
    } else {
      h.effect.record(us);
      h.effectFromSend.record((atMs - p.sent) * 1000);
      let k = h.effectByKind.get(p.kind);
      if (k === undefined) h.effectByKind.set(p.kind, (k = createLatencyHistogram()));
      k.record(us);
    }
    if (atMs >= this.#steady.from && atMs < this.#steady.to) this.#steady.done++;
    if (p.intended >= this.#steady.from && p.intended < this.#steady.to) this.#steady.dueAndDone++;
  }

  /** An operation due with no free slot. */
  dropped(_index: number, _intended: number): void {
    this.#dropped++;
  }

  /** Operations started and not finished (in flight, or accepted and waiting for their effect). */
  outstanding(): number {
    return this.#pending.size;
  }

  /** Totals over every type, for the progress line. */
  counts(): { started: number; done: number; failed: number; dropped: number; outstanding: number } {
    let started = 0;
    let done = 0;
    let failed = 0;
    for (const c of Object.values(this.#counts)) {
      started += c.started;
      done += c.done;
      failed += c.rejected + c.errors + c.notObserved;
    }
    return { started, done, failed, dropped: this.#dropped, outstanding: this.#pending.size };
  }

  /** Offered, started and done per second between the last two samples. */
  recentRates(): { offered: number; started: number; done: number } {
    const a = this.#samples.at(-2);
    const b = this.#samples.at(-1);
    if (a === undefined || b === undefined || b.t <= a.t) return { offered: 0, started: 0, done: 0 };
    const per = (x: number): number => (x * 1000) / (b.t - a.t);
    return { offered: per(b.due - a.due), started: per(b.started - a.started), done: per(b.done - a.done) };
  }

  /** Records one sample of the run's state at monotonic `t`. */
  sample(t: number, s: { due: number; held: number }): void {
    const c = this.counts();
    const point: Sample = { t: t - this.#t0, due: s.due, started: c.started, done: c.done, outstanding: c.outstanding, held: s.held };
    const last = this.#samples.at(-1);
    if (last !== undefined && point.t <= last.t) return;
    this.#samples.push(point);
  }

  /** Ends the run: whatever is still outstanding failed, with the object's last condition (from `lastCondition`). */
  finish(t: number, lastCondition: (uid: string) => ConditionSnapshot | null): void {
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      if (!p.accepted) continue; // in flight when the run stopped: abandoned, counted by the engine
      this.#counts[p.type].notObserved++;
      const c = p.uid === '' ? null : lastCondition(p.uid);
      const what = p.type === 'delete' ? 'never seen gone' : `never seen Ready at its new generation${c === null ? ' (no Ready condition seen)' : `; last Ready condition ${c.status}${c.reason === undefined ? '' : `/${c.reason}`}${c.message === undefined ? '' : `: ${c.message}`}`}`;
      this.#fail(p, effectLatency[p.type], p.type === 'delete' ? 'NotGoneByEnd' : 'NotReadyByEnd', `${p.type} accepted, ${what}`, c, t);
    }
  }

  #fail(p: Pending, phase: string, reason: string, message: string, lastCondition: ConditionSnapshot | null, atMs: number): void {
    const key = `${p.type}:${reason}`;
    this.#failuresByReason[key] = (this.#failuresByReason[key] ?? 0) + 1;
    if (this.#failures.length >= maxFailureRecords) return;
    const k = splitKey(p.key);
    this.#failures.push({
      kind: p.kind,
      name: k.name === '' ? '(unnamed)' : k.name,
      ...(k.namespace === '' ? {} : { namespace: k.namespace }),
      uid: p.uid === '' ? null : p.uid,
      phase,
      reason,
      message,
      lastCondition,
      atMs: Math.max(0, atMs - this.#t0),
    });
  }

  /** Everything measured, with the series built from the samples. */
  snapshot(): LedgerSnapshot {
    const rate = (pick: (s: Sample) => number): { t: number; value: number }[] => {
      const out: { t: number; value: number }[] = [];
      for (let i = 1; i < this.#samples.length; i++) {
        const a = this.#samples[i - 1] as Sample;
        const b = this.#samples[i] as Sample;
        out.push({ t: b.t, value: ((pick(b) - pick(a)) * 1000) / (b.t - a.t) });
      }
      return out;
    };
    const gauge = (pick: (s: Sample) => number): { t: number; value: number }[] => this.#samples.map((s) => ({ t: s.t, value: pick(s) }));
    const every = 'between consecutive samples (about 1 s apart), stamped at the later one';
    const steadyMs = Number.isFinite(this.#steady.to) ? this.#steady.to - this.#steady.from - this.#steady.heldMs : 0;
    return {
      counts: structuredClone(this.#counts),
      histograms: this.#h,
      dropped: this.#dropped,
      failures: [...this.#failures],
      failuresByReason: { ...this.#failuresByReason },
      rejectedByStatus: { ...this.#rejectedByStatus },
      steady: { done: this.#steady.done, dueAndDone: this.#steady.dueAndDone, ms: steadyMs },
      series: [
        { name: 'offered_ops_per_second', unit: '1/s', description: `operations the schedule made due per second, ${every}`, points: rate((s) => s.due) },
        { name: 'achieved_ops_per_second', unit: '1/s', description: `operations started per second (due minus dropped), ${every}`, points: rate((s) => s.started) },
        { name: 'completed_ops_per_second', unit: '1/s', description: `operations whose effect the watch saw (Ready at the new generation, or gone) per second, ${every}`, points: rate((s) => s.done) },
        {
          name: 'client_side_backlog',
          unit: 'objects',
          description: "client-side backlog: operations started and not yet seen taking effect (in flight, or accepted and not yet Ready/gone), sampled every second; not the operator's own queue depth (bindy has none)",
          points: gauge((s) => s.outstanding),
        },
        { name: 'working_set', unit: 'objects', description: 'records this run created and has not deleted, sampled every second', points: gauge((s) => s.held) },
      ],
    };
  }
}
