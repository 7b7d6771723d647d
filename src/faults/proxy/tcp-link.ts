/**
 * @module A TCP link of the fault proxy: each accepted connection gets its own connection to the
 * upstream, and bytes are piped both ways through an ordered delay queue per direction, so latency,
 * jitter, TCP "loss" (a retransmission delay) and bandwidth delay chunks without reordering them;
 * a partition stalls every connection (and holds or refuses new ones); a reset sends RST both ways.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FaultSpec } from '../fault.js';
import type { Rng } from '../../model/fixtures/prng.js';
import { LinkBase, type DirectionCounters } from './link.js';
import { releaseAt, type ReleaseTimer } from './release-timer.js';
import { schedulePacket, type Lane, type Shaper, type Way } from './schedule.js';

/** Bytes queued in one direction before the proxy stops reading from the sender (TCP backpressure). */
const highWaterBytes = 1 << 20;

interface Entry {
  at: number;
  /** null: the sender's FIN, forwarded as end() in order. */
  chunk: Buffer | null;
}

/** One direction of one connection: reads `src`, releases to `dst` in order at each chunk's release time. */
class Pipe {
  readonly #lane: Lane = { lastRelease: 0 };
  readonly #queue: Entry[] = [];
  #queuedBytes = 0;
  #timer: ReleaseTimer | undefined;
  #timerAt = Infinity;
  #dstBlocked = false;
  #ended = false;

  constructor(
    private readonly link: TcpLink,
    private readonly way: Way,
    private readonly src: Socket,
    private readonly dst: Socket,
  ) {
    src.on('data', (chunk: Buffer) => this.#push(chunk));
    src.on('end', () => this.#push(null));
    dst.on('drain', () => {
      this.#dstBlocked = false;
      this.updateFlow();
    });
  }

  #push(chunk: Buffer | null): void {
    const bytes = chunk === null ? 0 : chunk.length;
    const now = performance.now();
    const v = schedulePacket({ fault: this.link.activeFault, protocol: 'tcp', way: this.way, now, bytes, rng: this.link.faultRng, lane: this.#lane, shaper: this.link.shaper(this.way) });
    // 'hold' (partition) releases as soon as the partition heals: flush() writes nothing meanwhile.
    const at = v.action === 'forward' ? v.at : Math.max(now, this.#lane.lastRelease);
    if (chunk !== null && (v.action === 'hold' || (v.action === 'forward' && v.delayed))) this.link.counter(this.way).delayedPackets++;
    this.#queue.push({ at, chunk });
    this.#queuedBytes += bytes;
    this.flush();
  }

  /** Writes every entry whose time has come, unless the link is partitioned; re-arms the timer for the next. */
  flush(): void {
    if (this.link.partitioned || this.dst.destroyed) {
      this.updateFlow();
      return;
    }
    const now = performance.now();
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      if (head === undefined || head.at > now) break;
      this.#queue.shift();
      if (head.chunk === null) {
        this.#ended = true;
        this.dst.end();
        continue;
      }
      this.#queuedBytes -= head.chunk.length;
      const c = this.link.counter(this.way);
      c.forwardedBytes += head.chunk.length;
      c.forwardedPackets++;
      if (!this.dst.write(head.chunk)) this.#dstBlocked = true;
    }
    this.#arm();
    this.updateFlow();
  }

  #arm(): void {
    const head = this.#queue[0];
    if (head === undefined || this.link.partitioned) {
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#timerAt = Infinity;
      return;
    }
    if (this.#timer !== undefined && this.#timerAt === head.at) return;
    this.#timer?.cancel();
    this.#timerAt = head.at;
    this.#timer = releaseAt(head.at, () => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.flush();
    });
  }

  /** Reads from the sender only while the queue is short, the receiver keeps up, and no partition holds. */
  updateFlow(): void {
    if (this.src.destroyed || this.#ended) return;
    if (this.link.partitioned || this.#dstBlocked || this.#queuedBytes > highWaterBytes) this.src.pause();
    else this.src.resume();
  }

  /** Drops everything queued (the connection is being torn down). */
  discard(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
  }
}

/** One proxied connection: the client's socket, the upstream socket once connected, the two pipes. */
class Connection {
  upstream: Socket | undefined;
  readonly pipes: Pipe[] = [];
  readonly #closed = new Set<Socket>();
  #done = false;

  constructor(
    private readonly link: TcpLink,
    readonly client: Socket,
  ) {
    client.setNoDelay(true);
    client.on('error', () => this.#abort(client));
    client.on('close', () => this.#closedOne(client));
  }

  /** Connects to the upstream and starts piping; a refused upstream resets the client, as a dead server would. */
  connectUpstream(): void {
    const { host, port } = this.link.spec.upstream;
    const up = connect({ host, port, allowHalfOpen: true, noDelay: true });
    this.upstream = up;
    up.on('error', () => this.#abort(up));
    up.on('close', () => this.#closedOne(up));
    up.once('connect', () => {
      this.pipes.push(new Pipe(this.link, 'upstream', this.client, up), new Pipe(this.link, 'downstream', up, this.client));
      for (const p of this.pipes) p.flush();
    });
  }

  /** One side failed: reset the other, as the peer of a reset connection sees it. */
  #abort(failed: Socket): void {
    for (const p of this.pipes) p.discard();
    const other = failed === this.client ? this.upstream : this.client;
    if (other !== undefined && !other.destroyed) other.resetAndDestroy();
  }

  /** Sends RST on both sockets (the `reset` fault). */
  reset(): void {
    for (const p of this.pipes) p.discard();
    for (const s of [this.client, this.upstream]) if (s !== undefined && !s.destroyed) s.resetAndDestroy();
  }

  /** Destroys both sockets (the proxy stops). */
  destroy(): void {
    for (const p of this.pipes) p.discard();
    this.client.destroy();
    this.upstream?.destroy();
  }

  #closedOne(socket: Socket): void {
    this.#closed.add(socket);
    // Sockets close themselves once both directions have ended (autoDestroy), or when reset/destroyed.
    if (this.#closed.has(this.client) && (this.upstream === undefined || this.#closed.has(this.upstream))) this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.link.forget(this);
  }
}

/** A TCP link: listens on 127.0.0.1 and proxies every connection to its upstream under the active fault. */
export class TcpLink extends LinkBase {
  #server: Server | undefined;
  readonly #connections = new Set<Connection>();
  /** Connections accepted during a blackhole partition, not yet connected upstream. */
  readonly #held = new Set<Connection>();

  /** The active fault (for the pipes). */
  get activeFault(): FaultSpec | undefined {
    return this.fault;
  }

  /** The active fault's random stream (for the pipes). */
  get faultRng(): Rng {
    return this.rng;
  }

  /** True while a partition holds every byte. */
  get partitioned(): boolean {
    return this.fault?.kind === 'partition';
  }

  /** The shared rate limiter of one direction. */
  shaper(way: Way): Shaper {
    return this.shapers[way];
  }

  /** The counters of one direction. */
  counter(way: Way): DirectionCounters {
    return this.counters[way];
  }

  override get listenPort(): number {
    const a = this.#server?.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  override listen(): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.#accept(socket));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.spec.listenPort, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  #accept(socket: Socket): void {
    this.counters.sessions.opened++;
    const f = this.fault;
    if (f?.kind === 'reset' || (f?.kind === 'partition' && f.mode === 'refuse')) {
      this.counters.sessions.reset++;
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    const conn = new Connection(this, socket);
    this.#connections.add(conn);
    this.counters.sessions.active++;
    if (f?.kind === 'partition') this.#held.add(conn);
    else conn.connectUpstream();
  }

  /** Called by a connection once both its sockets are closed. */
  forget(conn: Connection): void {
    if (this.#connections.delete(conn)) this.counters.sessions.active--;
    this.#held.delete(conn);
  }

  protected override onFaultChange(_previous: FaultSpec | undefined, next: FaultSpec | undefined): void {
    if (next?.kind === 'reset') {
      for (const conn of this.#connections) {
        this.counters.sessions.reset++;
        conn.reset();
      }
      this.#held.clear();
      return;
    }
    if (next?.kind !== 'partition') {
      // A healed partition: held connections now reach the upstream (a retransmitted SYN getting through).
      for (const conn of this.#held) if (!conn.client.destroyed) conn.connectUpstream();
      this.#held.clear();
    }
    // Pipes re-check the partition, restart their timers and resume reading.
    for (const conn of this.#connections) for (const p of conn.pipes) p.flush();
  }

  override async close(): Promise<void> {
    this.endForShutdown();
    const server = this.#server;
    for (const conn of this.#connections) conn.destroy();
    this.#connections.clear();
    this.#held.clear();
    if (server !== undefined && server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
