/**
 * @module The DNS gap of each server: a prober asks every server the SOA of one zone at a fixed
 * interval and keeps when each answer came; the gap over a window is the longest stretch without
 * an answer (bindy's chaos suite bounds it per Service). The arithmetic is pure ({@link longestGap}).
 */
import { performance } from 'node:perf_hooks';
import { udpQuery } from '../targets/sandbox/bind9/udp-query.js';
import type { DnsServer } from '../targets/target.js';

/**
 * Longest stretch in [fromMs, toMs] with no answer, given the sorted times answers came: from the
 * window's start to the first answer, between answers, and from the last answer to the window's end.
 */
export function longestGap(answeredAt: readonly number[], fromMs: number, toMs: number): number {
  let last = fromMs;
  let gap = 0;
  for (const t of answeredAt) {
    if (t < fromMs) continue;
    if (t > toMs) break;
    gap = Math.max(gap, t - last);
    last = t;
  }
  return Math.max(gap, toMs - last);
}

/** Options of {@link DnsGapProber}. */
export interface DnsGapProberOptions {
  servers: readonly DnsServer[];
  /** The name asked (a zone apex the run owns), type SOA. */
  name: string;
  /** Between two queries to one server, ms (default 250). */
  intervalMs?: number;
  /** Per query, ms (default 1000). */
  timeoutMs?: number;
  /** Monotonic clock in ms (default performance.now). */
  now?: () => number;
  /** Asks a server the SOA and resolves with the RCODE (default: UDP to the loopback port); a port-forward's servers ask over their pipelined TCP connection. */
  ask?: (server: DnsServer, name: string, timeoutMs: number) => Promise<number>;
}

/** What the prober saw of one server. */
export interface ServerGapStats {
  server: string;
  sent: number;
  answered: number;
}

/** Asks each server at a fixed interval until stopped; answers are kept as times (monotonic ms). */
export class DnsGapProber {
  readonly #o: DnsGapProberOptions;
  readonly #answered = new Map<string, number[]>();
  readonly #sent = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #startedMs = 0;

  constructor(o: DnsGapProberOptions) {
    this.#o = o;
    for (const s of o.servers) {
      this.#answered.set(serverName(s), []);
      this.#sent.set(serverName(s), 0);
    }
  }

  #now(): number {
    return (this.#o.now ?? (() => performance.now()))();
  }

  /** Starts asking (idempotent). */
  start(): void {
    if (this.#timer !== null) return;
    this.#startedMs = this.#now();
    const ask = this.#o.ask ?? ((s: DnsServer, name: string, timeoutMs: number) => udpQuery(s.port, name, 'SOA', timeoutMs).then((a) => a.rcode));
    const tick = (): void => {
      for (const s of this.#o.servers) {
        const name = serverName(s);
        this.#sent.set(name, (this.#sent.get(name) ?? 0) + 1);
        // Loopback servers (the sandbox); an answer counts only when it is NOERROR: a SERVFAIL is a server without its zone.
        ask(s, this.#o.name, this.#o.timeoutMs ?? 1000).then(
          (rcode) => {
            if (rcode === 0) this.#answered.get(name)?.push(this.#now());
          },
          () => undefined,
        );
      }
    };
    tick();
    this.#timer = setInterval(tick, this.#o.intervalMs ?? 250);
    this.#timer.unref();
  }

  /** Stops asking; answers already in flight are still counted when they come. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Longest stretch without an answer from each server within [fromMs, toMs] (monotonic ms). */
  gaps(fromMs: number, toMs: number): { server: string; gapMs: number }[] {
    return [...this.#answered].map(([server, times]) => ({ server, gapMs: longestGap([...times].sort((a, b) => a - b), Math.max(fromMs, this.#startedMs), toMs) }));
  }

  /** Queries sent and answered per server so far. */
  stats(): ServerGapStats[] {
    return [...this.#answered].map(([server, times]) => ({ server, sent: this.#sent.get(server) ?? 0, answered: times.length }));
  }
}

/** The name a server goes by in reports. */
export function serverName(s: DnsServer): string {
  return s.name ?? `${s.host}:${s.port}`;
}
