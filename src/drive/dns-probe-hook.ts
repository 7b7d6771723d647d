/**
 * @module The DNS prober attached to a run: learns each record's desired data as the engine pulls it,
 * starts probing when the create is accepted (from its intended start), restarts an object's fast
 * phase when its Ready is seen, and after the wait for Ready waits (bounded) for DNS to answer every
 * Ready object, then measures.
 */
import { objectKeyOf } from './burst.js';
import type { BurstEvent } from './burst.js';
import { DnsProber } from '../observe/dns-prober.js';
import type { ProbeServer, ProbeTransport, ProbeWaitOutcome } from '../observe/dns-prober.js';
import { expectedDataOf, recordObjectFqdn } from '../observe/dns-expectation.js';
import type { ExpectedData } from '../observe/dns-expectation.js';
import type { ProbeSpacing } from '../observe/probe-schedule.js';
import type { LastStub } from '../measure/index.js';
import type { TrackedObject, TrackerEvent } from '../observe/watch-tracker.js';
import type { KubeObject } from '../observe/kube-client.js';
import { isRecordKind, zoneLabel } from '../model/kinds.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { measureProbe } from './probe-measure.js';
import type { ProbeMeasurement } from './probe-measure.js';

/** How to probe: the servers and the prober's bounds. */
export interface DnsProbeSettings {
  servers: readonly ProbeServer[];
  ratePerSecond: number;
  maxInFlight: number;
  /** After the wait for Ready: how long to wait for DNS to answer every Ready object, ms. */
  timeoutMs: number;
  spacing: ProbeSpacing;
  /** How the queries travel (default udp). */
  transport?: ProbeTransport;
  /** The answered-per-second series' last short window (default: merged into the one before). */
  lastStub?: LastStub;
}

/** What probing measured, and how its wait ended. */
export interface DnsProbeOutcome {
  measurement: ProbeMeasurement;
  wait: ProbeWaitOutcome;
}

interface Target {
  fqdn: string;
  expected: ExpectedData;
}

function isRecordObject(obj: KubeObject): obj is RecordObject {
  const spec = obj.spec;
  return isRecordKind(obj.kind) && typeof spec === 'object' && spec !== null && 'name' in spec && typeof spec.name === 'string' && obj.metadata.labels?.[zoneLabel] !== undefined;
}

/** Probes the records of one run (create operations; zones and other kinds pass through unprobed). */
export class DnsProbeHook {
  readonly #settings: DnsProbeSettings;
  readonly #now: () => number;
  readonly #prober: DnsProber;
  /** Desired data of objects pulled but not yet created. */
  readonly #targets = new Map<string, Target>();

  constructor(settings: DnsProbeSettings, now: () => number) {
    this.#settings = settings;
    this.#now = now;
    this.#prober = new DnsProber({ servers: settings.servers, now, ratePerSecond: settings.ratePerSecond, maxInFlight: settings.maxInFlight, spacing: settings.spacing, ...(settings.transport === undefined ? {} : { transport: settings.transport }) });
  }

  /** The same objects, the desired data of each record noted on the way. */
  wrap(objects: Iterable<KubeObject> | AsyncIterable<KubeObject>): Iterable<KubeObject> | AsyncIterable<KubeObject> {
    const note = (obj: KubeObject): void => {
      if (!isRecordObject(obj)) return;
      this.#targets.set(objectKeyOf(obj.kind, obj.metadata.namespace, obj.metadata.name), { fqdn: recordObjectFqdn(obj), expected: expectedDataOf(obj) });
    };
    if (Symbol.iterator in objects) {
      return (function* () {
        for (const obj of objects) {
          note(obj);
          yield obj;
        }
      })();
    }
    return (async function* () {
      for await (const obj of objects) {
        note(obj);
        yield obj;
      }
    })();
  }

  /** Feed every engine event: an accepted create starts probing from its intended start. */
  onEngineEvent(e: BurstEvent): void {
    if (e.type !== 'created' && e.type !== 'rejected') return;
    const t = this.#targets.get(e.key);
    this.#targets.delete(e.key);
    if (e.type === 'rejected' || t === undefined) return;
    this.#prober.expect({ key: e.key, kind: e.kind, fqdn: t.fqdn, rrType: t.expected.rrType, expected: t.expected, intendedStartMs: e.intendedStart, operation: 'create' });
  }

  /** Feed every tracker event: Ready seen → probe that object fast again (DNS is likely there now). */
  onTrackerEvent(e: TrackerEvent): void {
    if (e.type === 'ready') this.#prober.nudge(e.key);
  }

  /**
   * After the wait for Ready: waits until DNS answered every Ready object or the probe timeout,
   * stops probing and measures. `records`: the tracker's records.
   */
  async finish(records: readonly TrackedObject[], runStartMs: number, signal?: AbortSignal): Promise<DnsProbeOutcome> {
    const byKey = new Map(records.map((r) => [r.key, r]));
    const probed = new Set(this.#prober.records().map((r) => r.key));
    const readyKeys = records.filter((r) => r.readyMs !== null && probed.has(r.key)).map((r) => r.key);
    let wait: ProbeWaitOutcome;
    try {
      wait = await this.#prober.waitFor(readyKeys, this.#settings.timeoutMs, signal);
    } finally {
      this.#prober.stop();
    }
    const s = this.#settings;
    const measurement = measureProbe({
      records: this.#prober.records(),
      servers: s.servers.map((x) => x.name),
      stats: { ...this.#prober.stats },
      objectState: (key) => {
        const r = byKey.get(key);
        return r === undefined ? undefined : { uid: r.uid, readyMs: r.readyMs };
      },
      runStartMs,
      endedMs: this.#now(),
      settings: { ratePerSecond: s.ratePerSecond, maxInFlight: s.maxInFlight, ...s.spacing },
      ...(s.lastStub === undefined ? {} : { lastStub: s.lastStub }),
    });
    if (wait === 'timeout') {
      measurement.notes.push(`the wait for DNS answers ended at the probe timeout (${Math.round(s.timeoutMs / 1000)} s) with Ready objects not answered right by every server (see ready_but_not_served and served_wrong_data)`);
    }
    return { measurement, wait };
  }

  /** Stops probing (idempotent; `finish` does it too). */
  stop(): void {
    this.#prober.stop();
  }
}
