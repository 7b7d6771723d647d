/**
 * @module The DNS prober attached to a sustained session: learns every record the session may
 * create (the working set included) from its record stream, and for each measured operation, from
 * its intended start, asks every server until it answers the new state: a create's data, an
 * update's data at its new TTL (the update changes `spec.ttl` only: the old TTL seen again is
 * stale), a delete's NXDOMAIN/NODATA. Effect seen (Ready, gone) → that object probed fast again.
 */
import { DnsProber, type ProbeRecord, type ProbeWaitOutcome } from '../observe/dns-prober.js';
import { expectedDataOf, recordObjectFqdn } from '../observe/dns-expectation.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { objectKeyOf } from './burst.js';
import type { DnsProbeSettings } from './dns-probe-hook.js';
import { ProbeFold, type ProbeMeasurement } from './probe-measure.js';
import type { OperationEvent } from './sustained-session.js';

/** What probing measured and how its wait ended; with `perOperation`, each probed operation's answer time too. */
export interface SustainedProbeOutcome {
  measurement: ProbeMeasurement;
  wait: ProbeWaitOutcome;
  /**
   * By `${key}@${intendedStartMs}`: ms from the operation's intended start until its slowest server
   * answered it right; null when not every server did. Only with `perOperation` (e2e's intervals).
   */
  resolvable: Map<string, number | null> | null;
}

/** The key of one operation in `SustainedProbeOutcome.resolvable`. */
export function probedOperationKey(key: string, intendedStartMs: number): string {
  return `${key}@${intendedStartMs}`;
}

/** Ms until the slowest server answered `r` right, after its intended start; null when one never did. */
function slowestAnswerMs(r: ProbeRecord): number | null {
  let last = -Infinity;
  for (const s of r.servers) {
    if (s.matchedMs === null) return null;
    last = Math.max(last, s.matchedMs);
  }
  return last - r.intendedStartMs;
}

/**
 * Probes the measured operations of one sustained session. An operation replaced by a newer one on
 * its record is folded into the figures at once and forgotten: memory follows the working set, not
 * the run's length.
 */
export class SustainedProbeHook {
  readonly #settings: DnsProbeSettings;
  readonly #now: () => number;
  readonly #prober: DnsProber;
  readonly #namespace: string;
  readonly #fold: ProbeFold;
  /** Every record the stream yielded, by key. */
  readonly #records = new Map<string, RecordObject>();
  /** The time the latest operation on a key took effect (Ready at its generation, or gone). */
  readonly #doneAt = new Map<string, number>();
  /** While a newer operation replaces one: when the replaced one took effect (null: it had not). */
  #replacedDoneAt: number | null = null;
  /** Replaced operations not yet answered by every server: left out of the figures (the newer one is timed). */
  #cutShort = 0;
  readonly #resolvable: Map<string, number | null> | null;

  /** `perOperation`: keep each operation's answer time (`SustainedProbeOutcome.resolvable`; one entry per operation). */
  constructor(settings: DnsProbeSettings, namespace: string, now: () => number, objectTimeoutMs: number, options: { perOperation?: boolean } = {}) {
    this.#settings = settings;
    this.#now = now;
    this.#namespace = namespace;
    this.#resolvable = options.perOperation === true ? new Map() : null;
    this.#fold = new ProbeFold({ servers: settings.servers.map((x) => x.name), settings: { ratePerSecond: settings.ratePerSecond, maxInFlight: settings.maxInFlight, ...settings.spacing }, ...(settings.lastStub === undefined ? {} : { lastStub: settings.lastStub }) });
    this.#prober = new DnsProber({
      servers: settings.servers,
      now,
      ratePerSecond: settings.ratePerSecond,
      maxInFlight: settings.maxInFlight,
      spacing: settings.spacing,
      objectTimeoutMs,
      ...(settings.transport === undefined ? {} : { transport: settings.transport }),
      onRetired: (r, replaced) => {
        if (replaced) return this.#add(r, this.#replacedDoneAt);
        // A deleted record's, gone and settled: its own effect's time, then nothing of it is kept.
        this.#add(r, this.#doneAt.get(r.key) ?? null, true);
        this.#doneAt.delete(r.key);
      },
    });
  }

  /** Adds one final record to the figures; `doneAt`: when that operation took effect. */
  #add(r: ProbeRecord, doneAt: number | null, final = false): void {
    const answeredMs = slowestAnswerMs(r);
    this.#resolvable?.set(probedOperationKey(r.key, r.intendedStartMs), answeredMs);
    // One DNS answered before it was replaced counts; one cut short says nothing about DNS (its
    // record's newer state is what the operator now serves), so it is left out and counted apart.
    if (!final && answeredMs === null) {
      this.#cutShort++;
      return;
    }
    this.#fold.add(r, { uid: null, readyMs: doneAt });
  }

  /** The same record stream, each record noted on the way. */
  wrap(source: () => Iterator<RecordObject>): () => Iterator<RecordObject> {
    return () => {
      const it = source();
      return {
        next: () => {
          const r = it.next();
          if (r.done !== true) this.#records.set(objectKeyOf(r.value.kind, this.#namespace, r.value.metadata.name), r.value);
          return r;
        },
      };
    };
  }

  /** Feed every operation event of the session. */
  onOperation(e: OperationEvent): void {
    // Refused: nothing changed, so DNS has nothing new to answer.
    if (e.phase === 'refused') return;
    if (e.phase === 'done') {
      this.#doneAt.set(e.key, e.atMs);
      this.#prober.nudge(e.key);
      // Gone: no operation uses its name again, so it is folded once DNS settles and forgotten.
      if (e.type === 'delete') this.#prober.retireWhenSettled(e.key);
      return;
    }
    const record = this.#records.get(e.key);
    if (record === undefined) return;
    const base = expectedDataOf(record);
    const common = { key: e.key, kind: record.kind, fqdn: recordObjectFqdn(record), rrType: base.rrType, intendedStartMs: e.intendedMs };
    // The operation this one replaces is folded (synchronously, in expect) with its own effect's time.
    this.#replacedDoneAt = this.#doneAt.get(e.key) ?? null;
    this.#doneAt.delete(e.key);
    if (e.type === 'create') {
      this.#prober.expect({ ...common, expected: base, operation: 'create' });
    } else if (e.type === 'update') {
      // An update changes spec.ttl only: the same data at any other TTL is what an earlier state left
      // (a secondary may still hold one two updates old), stale rather than wrong.
      const previous = base;
      this.#prober.expect({ ...common, expected: e.ttl === undefined ? base : { ...base, ttl: e.ttl, text: `${base.text} (TTL ${e.ttl})` }, previous, operation: 'update' });
    } else {
      this.#prober.expect({ ...common, expected: null, operation: 'delete' });
      // Its data is not needed again: a delete expects no data, and names are never reused in a run.
      this.#records.delete(e.key);
    }
    this.#replacedDoneAt = null;
  }

  /** What the hook holds: objects in the prober, records known by key, effects' times: each follows the working set, not the run's length. */
  get held(): { probed: number; records: number; effects: number } {
    return { probed: this.#prober.held, records: this.#records.size, effects: this.#doneAt.size };
  }

  /** Resolves `met` once every server answered the latest operation on each of `keys`, `timeout` after `timeoutMs`: orders a next change after DNS caught up. */
  waitAnswered(keys: readonly string[], timeoutMs: number): Promise<ProbeWaitOutcome> {
    return this.#prober.waitFor(keys, timeoutMs);
  }

  /**
   * After the session: waits (bounded) until DNS answered every operation that took effect, stops
   * probing and measures. `runStartMs`: the measured schedule's start (the series' t = 0).
   */
  async finish(runStartMs: number, signal?: AbortSignal): Promise<SustainedProbeOutcome> {
    const done = [...this.#doneAt.keys()];
    let wait: ProbeWaitOutcome;
    try {
      wait = await this.#prober.waitFor(done, this.#settings.timeoutMs, signal);
    } finally {
      this.#prober.stop();
    }
    // What is left is each record's latest operation: all of them count.
    for (const r of this.#prober.records()) this.#add(r, this.#doneAt.get(r.key) ?? null, true);
    const s = this.#settings;
    const measurement = this.#fold.measure({ ...this.#prober.stats }, runStartMs, this.#now());
    if (wait === 'timeout') {
      measurement.notes.push(`the wait for DNS answers ended at the probe timeout (${Math.round(s.timeoutMs / 1000)} s) with operations that took effect not answered right by every server (see ready_but_not_served and served_wrong_data)`);
    }
    const cutShort = this.#cutShort;
    measurement.counters['dns_changes_superseded'] = {
      value: cutShort,
      unit: 'operations',
      description: 'changes not yet answered by every DNS server when a newer change of the same record replaced them: left out of the DNS figures (the newer one is timed)',
    };
    if (cutShort > 0) {
      measurement.notes.push(`${cutShort} changes were replaced by a newer change of the same record before every DNS server answered them: the newer one is timed, they are left out of the DNS figures (dns_changes_superseded)`);
    }
    return { measurement, wait, resolvable: this.#resolvable };
  }

  /** Stops probing (idempotent; `finish` does it too). */
  stop(): void {
    this.#prober.stop();
  }
}
