/**
 * @module What every proxy link shares, TCP or UDP: its one active fault (set, cleared by id, or
 * by its dead-man timer), the fault's seeded random stream, the per-direction counters, and a short
 * history of faults that a revert proof can cite.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describeFault, faultUnsupportedReason, isFaultId, type FaultSpec } from '../fault.js';
import { createRng, deriveSeed, type Rng } from '../../model/fixtures/prng.js';
import type { LinkSpec } from './link-spec.js';
import type { Shaper, Way } from './schedule.js';

/** Counters of one direction. For TCP a "packet" is one chunk read from a socket. */
export interface DirectionCounters {
  forwardedBytes: number;
  forwardedPackets: number;
  droppedBytes: number;
  droppedPackets: number;
  /** Packets a fault made later (latency, jitter, TCP loss, bandwidth, a healed partition). */
  delayedPackets: number;
}

/** Connection (TCP) or client-mapping (UDP) counters. */
export interface SessionCounters {
  /** TCP connections accepted, or UDP client addresses seen. */
  opened: number;
  /** Open now. */
  active: number;
  /** TCP connections reset by a `reset` or a refusing partition. */
  reset: number;
}

/** All counters of a link. */
export interface LinkCounters {
  upstream: DirectionCounters;
  downstream: DirectionCounters;
  sessions: SessionCounters;
}

/** The fault active on a link. */
export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  /** ISO wall-clock time. */
  readonly appliedAt: string;
  readonly expiresAt?: string;
  readonly description: string;
}

/** A fault that was on the link and is gone. */
export interface PastFault extends ActiveFault {
  readonly clearedAt: string;
  /** `api`: a DELETE (or a replacement); `dead-man`: its duration ran out; `shutdown`: the proxy stopped. */
  readonly clearedBy: 'api' | 'dead-man' | 'shutdown';
}

/** What the control API shows of a link. */
export interface LinkStatus {
  readonly name: string;
  readonly protocol: LinkSpec['protocol'];
  readonly listen: { readonly host: string; readonly port: number };
  readonly upstream: LinkSpec['upstream'];
  readonly fault: ActiveFault | null;
  readonly counters: LinkCounters;
  /** The last faults cleared on this link, newest last (at most 20). */
  readonly history: readonly PastFault[];
}

/** Result of {@link LinkBase.setFault}. */
export type SetFaultResult = { readonly ok: true; readonly fault: ActiveFault } | { readonly ok: false; readonly status: 400 | 409; readonly reason: string };

/** Result of {@link LinkBase.clearFault}. */
export interface ClearFaultResult {
  readonly cleared: boolean;
  /** The fault that was cleared, or that is active and was not the one asked for. */
  readonly fault: ActiveFault | null;
  readonly detail: string;
}

const historySize = 20;

function zeroDirection(): DirectionCounters {
  return { forwardedBytes: 0, forwardedPackets: 0, droppedBytes: 0, droppedPackets: 0, delayedPackets: 0 };
}

/** Base of the TCP and UDP links: fault slot, counters, history. Subclasses react in {@link onFaultChange}. */
export abstract class LinkBase {
  readonly spec: LinkSpec;
  protected readonly counters: LinkCounters = { upstream: zeroDirection(), downstream: zeroDirection(), sessions: { opened: 0, active: 0, reset: 0 } };
  /** Rate limiter state per direction, shared by the link's connections or clients. */
  protected readonly shapers: Record<Way, Shaper> = { upstream: { nextFree: 0 }, downstream: { nextFree: 0 } };
  #fault: ActiveFault | undefined;
  #rng: Rng = createRng(0);
  #deadMan: NodeJS.Timeout | undefined;
  readonly #history: PastFault[] = [];

  /** Receives one line per fault set, cleared or expired (the proxy's log). */
  readonly #log: (line: string) => void;

  constructor(spec: LinkSpec, log: (line: string) => void = () => undefined) {
    this.spec = spec;
    this.#log = log;
  }

  /** The port it listens on (after listen()). */
  abstract get listenPort(): number;
  /** Starts listening on 127.0.0.1. */
  abstract listen(): Promise<void>;
  /** Stops listening and destroys every connection or client socket. */
  abstract close(): Promise<void>;
  /** Called after the active fault changed (set, cleared, expired). */
  protected abstract onFaultChange(previous: FaultSpec | undefined, next: FaultSpec | undefined): void;

  /** The active fault's spec, if any. */
  protected get fault(): FaultSpec | undefined {
    return this.#fault?.spec;
  }

  /** The active fault's random stream (seeded from its spec or its id). */
  protected get rng(): Rng {
    return this.#rng;
  }

  /** Sets a fault; refuses (409) when another is active, and (400) a fault this transport cannot carry. */
  setFault(spec: FaultSpec, id?: string): SetFaultResult {
    const unsupported = faultUnsupportedReason(spec, this.spec.protocol);
    if (unsupported !== undefined) return { ok: false, status: 400, reason: `link ${this.spec.name}: ${unsupported}` };
    if (id !== undefined && !isFaultId(id)) return { ok: false, status: 400, reason: `fault id ${JSON.stringify(id)} must be 1-64 of a-z, 0-9, -` };
    if (this.#fault !== undefined) {
      if (id !== undefined && this.#fault.id === id) return { ok: true, fault: this.#fault }; // a retried PUT
      return { ok: false, status: 409, reason: `link ${this.spec.name} already has fault ${this.#fault.id} (${this.#fault.description}); clear it first` };
    }
    const faultId = id ?? `f-${randomBytes(5).toString('hex')}`;
    const now = Date.now();
    const fault: ActiveFault = {
      id: faultId,
      spec,
      appliedAt: new Date(now).toISOString(),
      ...(spec.durationMs === undefined ? {} : { expiresAt: new Date(now + spec.durationMs).toISOString() }),
      description: describeFault(spec),
    };
    const seed = 'seed' in spec && spec.seed !== undefined ? spec.seed : deriveSeed([...faultId].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7));
    this.#rng = createRng(seed);
    this.#fault = fault;
    if (spec.durationMs !== undefined) {
      const due = performance.now() + spec.durationMs;
      this.#deadMan = setTimeout(() => this.#expire(faultId, due), spec.durationMs);
    }
    this.onFaultChange(undefined, spec);
    this.#log(`link ${this.spec.name}: fault ${faultId} set: ${fault.description}`);
    return { ok: true, fault };
  }

  /** Clears the active fault if its id is `id` (or whatever is active when `id` is undefined). */
  clearFault(id?: string): ClearFaultResult {
    const active = this.#fault;
    if (active === undefined) {
      const past = id === undefined ? undefined : this.#history.find((p) => p.id === id);
      return { cleared: false, fault: null, detail: past === undefined ? 'no fault active' : `fault ${id} already cleared at ${past.clearedAt} (${past.clearedBy})` };
    }
    if (id !== undefined && active.id !== id) return { cleared: false, fault: active, detail: `fault ${id} is not active; ${active.id} is, and stays` };
    this.#end('api');
    return { cleared: true, fault: active, detail: `fault ${active.id} cleared` };
  }

  /** Ends the active fault (dead-man or shutdown), recording who ended it. */
  #end(by: PastFault['clearedBy']): void {
    const active = this.#fault;
    if (active === undefined) return;
    clearTimeout(this.#deadMan);
    this.#deadMan = undefined;
    this.#fault = undefined;
    this.#history.push({ ...active, clearedAt: new Date().toISOString(), clearedBy: by });
    if (this.#history.length > historySize) this.#history.shift();
    this.onFaultChange(active.spec, undefined);
    this.#log(`link ${this.spec.name}: fault ${active.id} cleared by ${by}`);
  }

  #expire(id: string, due: number): void {
    // A timer may fire a fraction of a ms early against performance.now(); never revert before the duration.
    const early = due - performance.now();
    if (early > 0) {
      this.#deadMan = setTimeout(() => this.#expire(id, due), Math.ceil(early));
      return;
    }
    if (this.#fault?.id === id) this.#end('dead-man');
  }

  /** Ends any fault because the proxy stops (no timers left behind). */
  protected endForShutdown(): void {
    this.#end('shutdown');
  }

  /** A snapshot for the control API. */
  status(): LinkStatus {
    return {
      name: this.spec.name,
      protocol: this.spec.protocol,
      listen: { host: '127.0.0.1', port: this.listenPort },
      upstream: this.spec.upstream,
      fault: this.#fault ?? null,
      counters: structuredClone(this.counters),
      history: [...this.#history],
    };
  }
}
