/**
 * @module The DNS prober: asks every DNS server of the target for each expected object until the
 * answer matches its desired state, from the operation's intended start, and records per object and
 * server the first matching answer, the last answer seen and whether wrong data was served.
 * Bounded so it never becomes the load: a query rate (token bucket), an in-flight limit, per
 * object and server a fast first phase then doubling spacing (capped). One UDP socket per address
 * family, query ids matched; a truncated answer is asked again over TCP. Or TCP only (`transport:
 * 'tcp'`, for an address only TCP reaches, such as a kubectl port-forward): one pipelined
 * connection per server (dns-tcp-pipe.ts).
 */
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { judgeAnswer, readAnswer, canonicalName } from './dns-expectation.js';
import type { AnswerVerdict, ExpectedData, ObservedAnswer, ProbeOperation, ProbeRrType } from './dns-expectation.js';
import { DueQueue, TokenBucket, defaultProbeSpacing, nextSpacingMs } from './probe-schedule.js';
import { DnsTcpPipe } from './dns-tcp-pipe.js';
import type { ProbeSpacing } from './probe-schedule.js';

/** A DNS server to probe; `name` labels its figures (e.g. `primary-0`). */
export interface ProbeServer {
  host: string;
  port: number;
  name: string;
}

/** One operation whose effect on DNS is to be timed. Times in ms on the prober's clock. */
export interface ProbeExpectation {
  /** `Kind/namespace/name`, as the engines and the tracker name objects. */
  key: string;
  kind: string;
  /** The owner name asked for (no trailing dot needed). */
  fqdn: string;
  rrType: ProbeRrType;
  /** The desired data; null for a delete. */
  expected: ExpectedData | null;
  /** An update's previous data: seen again it is stale, not wrong. */
  previous?: ExpectedData;
  /** The operation's intended start: every latency counts from here. */
  intendedStartMs: number;
  operation: ProbeOperation;
}

/** What one server said about one object. Times in ms on the prober's clock; null = not (yet) seen. */
export interface ServerOutcome {
  /** The server's name. */
  server: string;
  /** Receipt of the first answer matching the desired state. */
  matchedMs: number | null;
  /** Send of the last probe answered without the desired state: it was reached after this (null: none was). */
  lastMissSentMs: number | null;
  /** The last answer, as text (`NOERROR A 192.0.2.1`, `NXDOMAIN`…), and its verdict and receipt time. */
  lastAnswer: string | null;
  lastVerdict: AnswerVerdict | null;
  lastAnswerMs: number | null;
  /** A NOERROR answer with other data than desired was seen (its first text in `wrongAnswer`). */
  wrongSeen: boolean;
  wrongAnswer: string | null;
  /** Queries sent and queries that got no answer in time. */
  queries: number;
  lost: number;
  /** Probing stopped before a match: the object's own timeout passed, or a newer operation on the key replaced it. */
  gaveUp: boolean;
}

/** One expected object and what every server said. */
export interface ProbeRecord {
  key: string;
  kind: string;
  fqdn: string;
  rrType: ProbeRrType;
  operation: ProbeOperation;
  intendedStartMs: number;
  /** The desired data in presentation form (`(gone)` for a delete). */
  expectedText: string;
  /** One entry per server, in the order the servers were given. */
  servers: ServerOutcome[];
  /** Every server matched or gave up. */
  settled: boolean;
}

/** The prober's own figures. */
export interface ProberStats {
  sent: number;
  answered: number;
  /** Queries with no answer within the query timeout. */
  lost: number;
  /** Answers truncated over UDP and asked again over TCP. */
  truncated: number;
  /** TCP connections opened by the TCP transport (one per server while it stays up). */
  tcpConnections: number;
  /** The TCP transport's last connection error per server name (refused: nothing listens there, e.g. no port-forward running). */
  tcpErrors: Record<string, string>;
  /** Answers that could not be used (undecodable, unknown id, wrong source or question). */
  stray: number;
  peakInFlight: number;
  firstSentMs: number | null;
  lastSentMs: number | null;
}

/** Options of a prober. */
export interface DnsProberOptions {
  servers: readonly ProbeServer[];
  /** Monotonic clock, ms: the one the intended starts are on (`client.now()`). */
  now: () => number;
  /** Queries per second, all servers together. */
  ratePerSecond: number;
  /** Queries in flight at once. */
  maxInFlight: number;
  /** A query unanswered this long is lost (and asked again later), ms (default 1000). */
  queryTimeoutMs?: number;
  spacing?: ProbeSpacing;
  /**
   * Stop probing an object this long after its intended start or its last `nudge` (its Ready),
   * whichever is later, ms (default: never; the caller stops).
   */
  objectTimeoutMs?: number;
  /** How queries travel: UDP with EDNS0, asked again over TCP when truncated (default); or TCP only, one pipelined connection per server. */
  transport?: ProbeTransport;
  /**
   * Given each object the prober is done with, which it then forgets (`records()` lists the others
   * only): one replaced by a newer operation on its key (`replaced` true), or one retired once
   * settled (`retireWhenSettled`). A long run folds them into its figures instead of keeping one
   * record per change. Default: kept, listed first by `records()`.
   */
  onRetired?: (record: ProbeRecord, replaced: boolean) => void;
}

/** How the prober's queries travel. */
export type ProbeTransport = 'udp' | 'tcp';

/** How a wait for objects ended. */
export type ProbeWaitOutcome = 'met' | 'timeout' | 'aborted';

interface Unit {
  obj: Active;
  server: number;
  outcome: ServerOutcome;
  phaseStartMs: number;
  spacingMs: number;
  lastSentMs: number | null;
  inFlight: boolean;
  /** Bumped on a nudge: queue entries of an older generation are stale. */
  gen: number;
  settled: boolean;
}

interface Active {
  compact?: undefined;
  exp: ProbeExpectation;
  units: Unit[];
  superseded: boolean;
  /** When it was last nudged (its Ready seen): the object timeout also counts from here. */
  nudgedMs?: number;
}

/**
 * An object every server answered right, with no wrong data seen, kept small for the rest of the
 * run: the times its figures need and the last answer's text, not its name or expected data (those
 * only ever go into a failure's message). Replaced by a newer change, it is kept for `records()`
 * or handed to `onRetired` and forgotten.
 */
interface Compact {
  compact: true;
  key: string;
  kind: string;
  rrType: ProbeRrType;
  operation: ProbeOperation;
  intendedStartMs: number;
  superseded: boolean;
  servers: { server: string; matchedMs: number; lastMissSentMs: number | null; lastAnswer: string | null; lastVerdict: AnswerVerdict | null; lastAnswerMs: number | null; queries: number; lost: number }[];
}

/** An object as the prober keeps it. */
type Kept = Active | Compact;

/** The compact form of `obj` when every server answered it right and none served other data (pure). */
function compactOf(obj: Active): Compact | null {
  const servers: Compact['servers'] = [];
  for (const u of obj.units) {
    const o = u.outcome;
    if (o.matchedMs === null || o.wrongSeen || !u.settled) return null;
    servers.push({ server: o.server, matchedMs: o.matchedMs, lastMissSentMs: o.lastMissSentMs, lastAnswer: o.lastAnswer, lastVerdict: o.lastVerdict, lastAnswerMs: o.lastAnswerMs, queries: o.queries, lost: o.lost });
  }
  const e = obj.exp;
  return { compact: true, key: e.key, kind: e.kind, rrType: e.rrType, operation: e.operation, intendedStartMs: e.intendedStartMs, superseded: obj.superseded, servers };
}

/** A kept object as a record (pure). */
function recordOf(a: Kept): ProbeRecord {
  if (a.compact === true) {
    return {
      key: a.key,
      kind: a.kind,
      // Not kept: a compact object never makes a failure, the only reader of these.
      fqdn: '',
      rrType: a.rrType,
      operation: a.operation,
      intendedStartMs: a.intendedStartMs,
      expectedText: '',
      servers: a.servers.map((x) => ({ ...x, wrongSeen: false, wrongAnswer: null, gaveUp: false })),
      settled: true,
    };
  }
  return {
    key: a.exp.key,
    kind: a.exp.kind,
    fqdn: a.exp.fqdn,
    rrType: a.exp.rrType,
    operation: a.exp.operation,
    intendedStartMs: a.exp.intendedStartMs,
    expectedText: a.exp.expected?.text ?? '(gone)',
    servers: a.units.map((u) => ({ ...u.outcome })),
    settled: a.units.every((u) => u.settled),
  };
}

interface Pending {
  unit: Unit;
  sentMs: number;
  timer: NodeJS.Timeout;
  question: { name: string; type: ProbeRrType };
}

/** One DNS query over TCP (for a truncated UDP answer): RFC 1035 §4.2.2 length-prefixed. */
function tcpQuery(host: string, port: number, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (err: Error | null, msg?: Buffer): void => {
      clearTimeout(timer);
      socket.destroy();
      if (msg !== undefined) resolve(msg);
      else reject(err ?? new Error('no TCP answer'));
    };
    const timer = setTimeout(() => done(new Error(`no TCP answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (e) => done(e));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(null, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    socket.on('end', () => done(new Error('TCP connection closed before a whole answer')));
    const len = Buffer.alloc(2);
    len.writeUInt16BE(query.length);
    socket.write(Buffer.concat([len, query]));
  });
}

/**
 * The DNS prober. `expect()` adds an object (a second expect of a key replaces the first, which is
 * kept, given up); probing starts at once and runs until every server matched, the object's
 * timeout, or `stop()`. `nudge()` restarts an object's fast phase (e.g. when its Ready is seen).
 */
export class DnsProber {
  readonly #o: DnsProberOptions;
  readonly #spacing: ProbeSpacing;
  readonly #queryTimeoutMs: number;
  readonly #bucket: TokenBucket;
  readonly #queue = new DueQueue<{ unit: Unit; gen: number }>();
  readonly #active = new Map<string, Kept>();
  readonly #finished: Kept[] = [];
  /** Keys to forget as soon as their object is settled (`retireWhenSettled`). */
  readonly #retiring = new Set<string>();
  readonly #pending = new Map<number, Pending>();
  readonly #sockets = new Map<'udp4' | 'udp6', Socket>();
  /** The TCP transport's connection per server index. */
  readonly #pipes = new Map<number, DnsTcpPipe>();
  /** Called with the key of an object whose unit just settled (undefined: re-check everything, e.g. on stop). */
  readonly #waiters = new Set<(key: string | undefined) => void>();
  #nextId = 1;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** The prober's own counts. */
  readonly stats: ProberStats = { sent: 0, answered: 0, lost: 0, truncated: 0, tcpConnections: 0, tcpErrors: {}, stray: 0, peakInFlight: 0, firstSentMs: null, lastSentMs: null };

  constructor(options: DnsProberOptions) {
    if (options.servers.length === 0) throw new RangeError('the DNS prober needs at least one server');
    if (!(options.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be >= 1, got ${options.maxInFlight}`);
    this.#o = options;
    this.#spacing = options.spacing ?? defaultProbeSpacing;
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 1000;
    // A burst of 1/20 s worth of queries: smooth enough, and a round over every server fits.
    this.#bucket = new TokenBucket(options.ratePerSecond, Math.max(options.servers.length, Math.ceil(options.ratePerSecond / 20)), options.now());
  }

  /** The servers probed. */
  get servers(): readonly ProbeServer[] {
    return this.#o.servers;
  }

  /** Starts probing one object on every server. */
  expect(exp: ProbeExpectation): void {
    if (this.#stopped) return;
    if (exp.operation !== 'delete' && exp.expected === null) throw new RangeError(`${exp.key}: a ${exp.operation} needs the expected data`);
    const old = this.#active.get(exp.key);
    this.#retiring.delete(exp.key);
    if (old !== undefined) this.#finish(old, true);
    const obj: Active = { exp: { ...exp, fqdn: canonicalName(exp.fqdn) }, units: [], superseded: false };
    obj.units = this.#o.servers.map((s, i) => ({
      obj,
      server: i,
      outcome: { server: s.name, matchedMs: null, lastMissSentMs: null, lastAnswer: null, lastVerdict: null, lastAnswerMs: null, wrongSeen: false, wrongAnswer: null, queries: 0, lost: 0, gaveUp: false },
      phaseStartMs: exp.intendedStartMs,
      spacingMs: 0,
      lastSentMs: null,
      inFlight: false,
      gen: 0,
      settled: false,
    }));
    this.#active.set(exp.key, obj);
    for (const u of obj.units) this.#queue.push(this.#o.now(), { unit: u, gen: u.gen });
    this.#pump();
  }

  /**
   * Restarts the fast phase of an object still unmatched (its Ready was just seen, say): probed
   * again now, for the object timeout from now; a server that gave up on it at its timeout is asked
   * again (an object Ready later than the timeout is still probed after its Ready).
   */
  nudge(key: string): void {
    const obj = this.#active.get(key);
    if (obj === undefined || obj.compact === true || this.#stopped) return;
    const now = this.#o.now();
    obj.nudgedMs = now;
    for (const u of obj.units) {
      if (u.settled && u.outcome.gaveUp && u.outcome.matchedMs === null) {
        u.settled = false;
        u.outcome.gaveUp = false;
      }
      if (u.settled) continue;
      u.phaseStartMs = now;
      u.spacingMs = 0;
      u.gen++;
      if (!u.inFlight) this.#queue.push(now, { unit: u, gen: u.gen });
    }
    this.#pump();
  }

  /**
   * Forgets `key`'s object once every server matched or gave up (at once when it already has),
   * handing it to `onRetired`: a deleted record's, whose key no operation will use again. A later
   * `expect` of the key cancels it.
   */
  retireWhenSettled(key: string): void {
    if (!this.#active.has(key)) return;
    this.#retiring.add(key);
    if (this.isSettled(key)) this.#retire(key);
  }

  /** Objects the prober holds: being probed, or settled and kept until replaced or retired. */
  get held(): number {
    return this.#active.size + this.#finished.length;
  }

  #retire(key: string): void {
    this.#retiring.delete(key);
    const obj = this.#active.get(key);
    if (obj !== undefined) this.#finish(obj, false);
  }

  /** True when `key`'s latest operation is settled on every server (unknown keys count as settled). */
  isSettled(key: string): boolean {
    const obj = this.#active.get(key);
    return obj === undefined || obj.compact === true || obj.units.every((u) => u.settled);
  }

  /** Every object's record: those replaced by a newer operation on their key first (unless given to `onRetired`), then the current ones. */
  records(): ProbeRecord[] {
    return [...this.#finished, ...this.#active.values()].map(recordOf);
  }

  /** Resolves `met` once every one of `keys` is settled, `timeout` after `timeoutMs`, `aborted` on `signal` or `stop()`. */
  waitFor(keys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<ProbeWaitOutcome> {
    return new Promise((resolve) => {
      const finish = (outcome: ProbeWaitOutcome): void => {
        this.#waiters.delete(check);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      // Only the keys still open are re-checked, and only when one of them settles: O(1) per answer.
      const open = new Set(keys.filter((k) => !this.isSettled(k)));
      const check = (key: string | undefined): void => {
        if (key !== undefined && open.has(key) && this.isSettled(key)) open.delete(key);
        if (open.size === 0) finish('met');
        else if (this.#stopped) finish('aborted');
      };
      const onAbort = (): void => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      if (signal?.aborted === true) return finish('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(check);
      check(undefined);
    });
  }

  /** Stops probing and closes the sockets; the records stay readable. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
    for (const p of this.#pipes.values()) p.close();
    this.#pipes.clear();
    for (const w of [...this.#waiters]) w(undefined);
  }

  #finish(obj: Kept, superseded: boolean): void {
    obj.superseded = superseded;
    if (obj.compact !== true) {
      for (const u of obj.units) {
        if (!u.settled) {
          u.settled = true;
          u.outcome.gaveUp = true;
        }
      }
    }
    this.#active.delete(obj.compact === true ? obj.key : obj.exp.key);
    if (this.#o.onRetired !== undefined) this.#o.onRetired(recordOf(obj), superseded);
    else this.#finished.push(obj);
  }

  /** Replaces `obj` by its compact form once every server answered it right (queued and pending entries of its units see them settled and drop them). */
  #compactIfDone(obj: Active): void {
    const c = this.#active.get(obj.exp.key) === obj ? compactOf(obj) : null;
    if (c !== null) this.#active.set(c.key, c);
  }

  #checkWaiters(key: string): void {
    if (this.#retiring.has(key) && this.isSettled(key)) this.#retire(key);
    for (const w of [...this.#waiters]) w(key);
  }

  #socket(host: string): Socket {
    const family = isIPv6(host) ? 'udp6' : 'udp4';
    let s = this.#sockets.get(family);
    if (s === undefined) {
      const socket = createSocket(family);
      socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
      // A send error (e.g. ICMP unreachable) is not fatal: the query times out and is asked again.
      socket.on('error', () => undefined);
      this.#sockets.set(family, socket);
      s = socket;
    }
    return s;
  }

  /** Sends every due query the rate and the in-flight limit allow, then sleeps until the next is due. */
  #pump(): void {
    if (this.#stopped) return;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const now = this.#o.now();
    for (;;) {
      const due = this.#queue.peekDueMs();
      if (due === undefined) return;
      if (due > now) return this.#sleep(due - now);
      if (this.#pending.size >= this.#o.maxInFlight) return; // an answer or a timeout pumps again
      const entry = this.#queue.pop();
      if (entry === undefined) return;
      const u = entry.unit;
      if (entry.gen !== u.gen || u.settled || u.inFlight) continue;
      if (this.#o.objectTimeoutMs !== undefined && now - Math.max(u.obj.exp.intendedStartMs, u.obj.nudgedMs ?? -Infinity) > this.#o.objectTimeoutMs) {
        u.settled = true;
        u.outcome.gaveUp = true;
        this.#checkWaiters(u.obj.exp.key);
        continue;
      }
      if (!this.#bucket.take(now)) {
        this.#queue.push(due, entry);
        return this.#sleep(this.#bucket.waitMs(now));
      }
      this.#send(u, now);
    }
  }

  #sleep(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, Math.max(1, Math.ceil(ms)));
  }

  #allocateId(): number {
    for (let i = 0; i < 0x10000; i++) {
      const id = this.#nextId;
      this.#nextId = (this.#nextId + 1) & 0xffff;
      if (!this.#pending.has(id)) return id;
    }
    throw new RangeError('no free DNS query id');
  }

  #send(u: Unit, now: number): void {
    const server = this.#o.servers[u.server];
    if (server === undefined) return;
    const id = this.#allocateId();
    const question = { name: u.obj.exp.fqdn, type: u.obj.exp.rrType };
    // EDNS0 with a 4096-byte buffer: long TXT answers fit where the server allows; else TC → TCP.
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: 0,
      questions: [{ ...question, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
    u.inFlight = true;
    u.outcome.queries++;
    u.lastSentMs = now;
    const timer = setTimeout(() => this.#onTimeout(id), this.#queryTimeoutMs);
    this.#pending.set(id, { unit: u, sentMs: now, timer, question });
    this.stats.sent++;
    this.stats.firstSentMs ??= now;
    this.stats.lastSentMs = now;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.#pending.size);
    // A query the TCP transport could not send (its connection waits to be opened again) is counted lost by its timer.
    if (this.#o.transport === 'tcp') this.#pipe(u.server, server).send(query);
    else this.#socket(server.host).send(query, server.port, server.host);
  }

  #pipe(index: number, server: ProbeServer): DnsTcpPipe {
    let p = this.#pipes.get(index);
    if (p === undefined) {
      p = new DnsTcpPipe(server.host, server.port, (msg) => this.#onMessage(msg, null, index), {
        now: this.#o.now,
        onOpen: () => this.stats.tcpConnections++,
        onError: (message) => (this.stats.tcpErrors[server.name] = message),
      });
      this.#pipes.set(index, p);
    }
    return p;
  }

  #onTimeout(id: number): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    this.stats.lost++;
    p.unit.outcome.lost++;
    this.#reschedule(p.unit, this.#o.now());
    this.#pump();
  }

  /** An answer: over UDP from `rinfo`, or over TCP (`rinfo` null; `fromServer`: the index of the server whose connection carried it). */
  #onMessage(msg: Buffer, rinfo: RemoteInfo | null, fromServer?: number): void {
    const at = this.#o.now();
    let packet: DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch {
      this.stats.stray++;
      return;
    }
    const p = packet.id === undefined ? undefined : this.#pending.get(packet.id);
    const server = p === undefined ? undefined : this.#o.servers[p.unit.server];
    const q = packet.questions?.[0];
    if (
      p === undefined ||
      server === undefined ||
      (rinfo !== null && (rinfo.port !== server.port || rinfo.address !== server.host)) ||
      (fromServer !== undefined && fromServer !== p.unit.server) ||
      q === undefined ||
      canonicalName(q.name) !== p.question.name ||
      q.type !== p.question.type
    ) {
      this.stats.stray++;
      return;
    }
    if (packet.flag_tc && rinfo !== null) {
      // Too big for UDP: ask the same question over TCP, keeping the query's slot and timer.
      this.stats.truncated++;
      const again = dnsPacket.encode({ type: 'query', id: packet.id, flags: 0, questions: [{ ...p.question, class: 'IN' }] });
      tcpQuery(server.host, server.port, again, this.#queryTimeoutMs).then(
        (m) => this.#onMessage(m, null),
        () => undefined, // the query's own timer counts it lost
      );
      return;
    }
    clearTimeout(p.timer);
    if (packet.id !== undefined) this.#pending.delete(packet.id);
    this.stats.answered++;
    this.#onAnswer(p.unit, readAnswer(packet, p.question.name, p.question.type), p.sentMs, at);
    this.#pump();
  }

  #onAnswer(u: Unit, seen: ObservedAnswer, sentMs: number, at: number): void {
    u.inFlight = false;
    if (u.settled) return; // given up or replaced while the query was out
    const exp = u.obj.exp;
    const verdict = judgeAnswer(exp.operation, exp.expected, seen, exp.previous);
    const o = u.outcome;
    o.lastAnswer = seen.text;
    o.lastVerdict = verdict;
    o.lastAnswerMs = at;
    if (verdict === 'wrong' && !o.wrongSeen) {
      o.wrongSeen = true;
      o.wrongAnswer = seen.text;
    }
    if (verdict === 'match') {
      o.matchedMs = at;
      u.settled = true;
      this.#compactIfDone(u.obj);
      this.#checkWaiters(exp.key);
      return;
    }
    o.lastMissSentMs = Math.max(o.lastMissSentMs ?? sentMs, sentMs);
    this.#reschedule(u, at);
  }

  #reschedule(u: Unit, now: number): void {
    u.inFlight = false;
    if (u.settled || this.#stopped) return;
    const sent = u.lastSentMs ?? now;
    u.spacingMs = nextSpacingMs(this.#spacing, sent - u.phaseStartMs, u.spacingMs);
    this.#queue.push(Math.max(now, sent + u.spacingMs), { unit: u, gen: u.gen });
  }
}
