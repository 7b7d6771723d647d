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
import { measureProbe, type ProbeMeasurement } from './probe-measure.js';
import type { OperationEvent } from './sustained-session.js';

/** What probing measured, how its wait ended, and every probed operation (for per-interval figures). */
export interface SustainedProbeOutcome {
  measurement: ProbeMeasurement;
  wait: ProbeWaitOutcome;
  records: ProbeRecord[];
}

/** Probes the measured operations of one sustained session. */
export class SustainedProbeHook {
  readonly #settings: DnsProbeSettings;
  readonly #now: () => number;
  readonly #prober: DnsProber;
  readonly #namespace: string;
  /** Every record the stream yielded, by key. */
  readonly #records = new Map<string, RecordObject>();
  /** The time the latest operation on a key took effect (Ready at its generation, or gone). */
  readonly #doneAt = new Map<string, number>();

  constructor(settings: DnsProbeSettings, namespace: string, now: () => number, objectTimeoutMs: number) {
    this.#settings = settings;
    this.#now = now;
    this.#namespace = namespace;
    this.#prober = new DnsProber({ servers: settings.servers, now, ratePerSecond: settings.ratePerSecond, maxInFlight: settings.maxInFlight, spacing: settings.spacing, objectTimeoutMs, ...(settings.transport === undefined ? {} : { transport: settings.transport }) });
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
      return;
    }
    const record = this.#records.get(e.key);
    if (record === undefined) return;
    const base = expectedDataOf(record);
    const common = { key: e.key, kind: record.kind, fqdn: recordObjectFqdn(record), rrType: base.rrType, intendedStartMs: e.intendedMs };
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
    }
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
    // The prober lists operations replaced by a newer one on their record first. One DNS answered
    // before it was replaced counts; one cut short says nothing about DNS (its record's newer state is
    // what the operator now serves), so it is left out of the measurement and counted apart.
    const all = this.#prober.records();
    const replacedCount = all.length - new Set(all.map((r) => r.key)).size;
    const cutShort = all.slice(0, replacedCount).filter((r) => r.servers.some((x) => x.matchedMs === null));
    const cut = new Set(cutShort);
    const records = all.filter((r) => !cut.has(r));
    const s = this.#settings;
    const measurement = measureProbe({
      records,
      servers: s.servers.map((x) => x.name),
      stats: { ...this.#prober.stats },
      objectState: (key) => {
        const at = this.#doneAt.get(key);
        return { uid: null, readyMs: at ?? null };
      },
      runStartMs,
      endedMs: this.#now(),
      settings: { ratePerSecond: s.ratePerSecond, maxInFlight: s.maxInFlight, ...s.spacing },
      ...(s.lastStub === undefined ? {} : { lastStub: s.lastStub }),
    });
    if (wait === 'timeout') {
      measurement.notes.push(`the wait for DNS answers ended at the probe timeout (${Math.round(s.timeoutMs / 1000)} s) with operations that took effect not answered right by every server (see ready_but_not_served and served_wrong_data)`);
    }
    measurement.counters['dns_changes_superseded'] = {
      value: cutShort.length,
      unit: 'operations',
      description: 'changes not yet answered by every DNS server when a newer change of the same record replaced them: left out of the DNS figures (the newer one is timed)',
    };
    if (cutShort.length > 0) {
      measurement.notes.push(`${cutShort.length} changes were replaced by a newer change of the same record before every DNS server answered them: the newer one is timed, they are left out of the DNS figures (dns_changes_superseded)`);
    }
    return { measurement, wait, records };
  }

  /** Stops probing (idempotent; `finish` does it too). */
  stop(): void {
    this.#prober.stop();
  }
}
