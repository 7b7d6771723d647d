/**
 * @module A UDP link of the fault proxy: every client address gets its own upstream socket, so the
 * server's replies come back on that socket and go out to the right client; each datagram is
 * forwarded at once, later (latency, jitter, bandwidth) or not at all (loss, partition).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { FaultSpec } from '../fault.js';
import { LinkBase } from './link.js';
import type { LinkSpec } from './link-spec.js';
import { releaseAt, type ReleaseTimer } from './release-timer.js';
import { schedulePacket, type Way } from './schedule.js';

/** Options of a UDP link. */
export interface UdpLinkOptions {
  /** A client mapping unused this long is closed (ms, default 60 s). */
  readonly idleMs?: number;
  /** At most this many client mappings; the least recently used is closed first (default 1024). */
  readonly maxClients?: number;
}

interface Mapping {
  readonly socket: Socket;
  readonly address: string;
  readonly port: number;
  lastUsed: number;
}

/** A UDP link: listens on 127.0.0.1 and relays datagrams to its upstream and back under the active fault. */
export class UdpLink extends LinkBase {
  #listen: Socket | undefined;
  /** Keyed by `address:port` of the client; Map order is least recently used first. */
  readonly #clients = new Map<string, Mapping>();
  readonly #timers = new Set<ReleaseTimer>();
  #sweeper: NodeJS.Timeout | undefined;
  readonly #idleMs: number;
  readonly #maxClients: number;

  constructor(spec: LinkSpec, options: UdpLinkOptions = {}, log?: (line: string) => void) {
    super(spec, log);
    this.#idleMs = options.idleMs ?? 60_000;
    this.#maxClients = options.maxClients ?? 1024;
  }

  override get listenPort(): number {
    try {
      return this.#listen?.address().port ?? 0;
    } catch {
      return 0; // not bound (yet, or any more)
    }
  }

  override listen(): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    this.#listen = socket;
    socket.on('message', (msg, rinfo) => this.#fromClient(msg, rinfo));
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(this.#idleMs, 10_000));
    this.#sweeper.unref();
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: '127.0.0.1', port: this.spec.listenPort, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined); // an ICMP error on send is not the link's end
        resolve();
      });
    });
  }

  #fromClient(msg: Buffer, rinfo: RemoteInfo): void {
    const mapping = this.#mapping(rinfo);
    const { host, port } = this.spec.upstream;
    this.#relay('upstream', msg, () => mapping.socket.send(msg, port, host));
  }

  #mapping(rinfo: RemoteInfo): Mapping {
    const key = `${rinfo.address}:${rinfo.port}`;
    const now = performance.now();
    const found = this.#clients.get(key);
    if (found !== undefined) {
      found.lastUsed = now;
      this.#clients.delete(key); // re-insert: most recently used last
      this.#clients.set(key, found);
      return found;
    }
    if (this.#clients.size >= this.#maxClients) {
      const [oldest] = this.#clients.keys();
      if (oldest !== undefined) this.#drop(oldest);
    }
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.on('error', () => undefined); // e.g. ECONNREFUSED from an ICMP port unreachable: the datagram is lost, as on the wire
    socket.bind({ address: '127.0.0.1', port: 0 }); // sends issued before the bind completes are queued by dgram
    const mapping: Mapping = { socket, address: rinfo.address, port: rinfo.port, lastUsed: now };
    socket.on('message', (reply, from) => {
      if (from.port !== this.spec.upstream.port || from.address !== this.spec.upstream.host) return; // only the upstream's replies
      mapping.lastUsed = performance.now();
      this.#relay('downstream', reply, () => this.#listen?.send(reply, mapping.port, mapping.address));
    });
    this.#clients.set(key, mapping);
    this.counters.sessions.opened++;
    this.counters.sessions.active = this.#clients.size;
    return mapping;
  }

  #relay(way: Way, msg: Buffer, send: () => void): void {
    const now = performance.now();
    const c = this.counters[way];
    const v = schedulePacket({ fault: this.fault, protocol: 'udp', way, now, bytes: msg.length, rng: this.rng, shaper: this.shapers[way] });
    if (v.action !== 'forward') {
      c.droppedBytes += msg.length;
      c.droppedPackets++;
      return;
    }
    const deliver = (): void => {
      try {
        send();
      } catch {
        // The mapping was evicted or the link closed while the datagram waited: it is lost, as on the wire.
        c.droppedBytes += msg.length;
        c.droppedPackets++;
        return;
      }
      c.forwardedBytes += msg.length;
      c.forwardedPackets++;
    };
    if (!v.delayed) {
      deliver();
      return;
    }
    c.delayedPackets++;
    this.#later(v.at, deliver);
  }

  /** Runs `fn` at monotonic time `at`, never earlier. */
  #later(at: number, fn: () => void): void {
    const timer = releaseAt(at, () => {
      this.#timers.delete(timer);
      fn();
    });
    this.#timers.add(timer);
  }

  #drop(key: string): void {
    const m = this.#clients.get(key);
    if (m === undefined) return;
    this.#clients.delete(key);
    m.socket.close();
    this.counters.sessions.active = this.#clients.size;
  }

  #sweep(): void {
    const cutoff = performance.now() - this.#idleMs;
    for (const [key, m] of this.#clients) if (m.lastUsed < cutoff) this.#drop(key);
  }

  protected override onFaultChange(_previous: FaultSpec | undefined, _next: FaultSpec | undefined): void {
    // Datagrams already scheduled keep their time; loss and partition act on new datagrams only.
  }

  override async close(): Promise<void> {
    this.endForShutdown();
    clearInterval(this.#sweeper);
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    for (const key of [...this.#clients.keys()]) this.#drop(key);
    const socket = this.#listen;
    this.#listen = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
