/**
 * @module One UDP socket per DNS server, shared by every UPDATE sent to it. Opening a socket per
 * message cost a socket, a bind and a close for each of the thousands of UPDATEs a burst sends;
 * a resolver keeps its socket instead and tells the answers apart by message ID, as this does.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { DnsUpdateError } from './update-error.js';

interface Pending {
  readonly resolve: (answer: Buffer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** A UDP socket to one server; the exchanges in flight are told apart by their 16-bit message ID. */
export class UdpChannel {
  readonly #host: string;
  readonly #port: number;
  readonly #pending = new Map<number, Pending>();
  #socket: Socket | undefined;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  /** Exchanges in flight. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /**
   * A random message ID no exchange in flight uses (random, so that a late answer to a timed-out
   * request rarely meets a new request with its ID; if it does, the TSIG check rejects it).
   */
  freeId(): number {
    if (this.#pending.size >= 0x10000) throw new DnsUpdateError(`65536 DNS UPDATEs in flight to ${this.#host}:${this.#port}: no free message ID`);
    for (;;) {
      const id = randomInt(0, 0x10000);
      if (!this.#pending.has(id)) return id;
    }
  }

  /** Sends `wire` (whose ID is `id`, from freeId()) and resolves with the answer carrying that ID. */
  exchange(wire: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
    if (this.#pending.has(id)) return Promise.reject(new DnsUpdateError(`message ID ${id} is already in flight to ${this.#host}:${this.#port}`));
    const socket = this.#open();
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new DnsUpdateError(`no answer to DNS UPDATE from ${this.#host}:${this.#port} (udp) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      socket.send(wire, this.#port, this.#host, (error) => {
        if (error) this.#settle(id, new DnsUpdateError(`DNS UPDATE to ${this.#host}:${this.#port} (udp) failed: ${error.message}`, undefined, { cause: error }));
      });
    });
  }

  /** Closes the socket; exchanges in flight fail. */
  close(): void {
    this.#fail(new DnsUpdateError(`UDP channel to ${this.#host}:${this.#port} closed`));
  }

  #open(): Socket {
    if (this.#socket !== undefined) return this.#socket;
    const socket = createSocket('udp4');
    // An idle shared socket must not keep the process alive; pending exchanges hold their timers.
    socket.unref();
    socket.on('message', (msg, rinfo) => {
      // Only an answer from the server's port with the ID of a pending request ends an exchange.
      if (msg.length < 12 || rinfo.port !== this.#port) return;
      this.#settle(msg.readUInt16BE(0), undefined, msg);
    });
    socket.on('error', (error) => {
      // A socket already replaced has no exchanges left to fail.
      if (this.#socket === socket) this.#fail(new DnsUpdateError(`DNS UPDATE to ${this.#host}:${this.#port} (udp) failed: ${error.message}`, undefined, { cause: error }));
    });
    this.#socket = socket;
    return socket;
  }

  #settle(id: number, error: Error | undefined, answer?: Buffer): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (answer !== undefined) p.resolve(answer);
    else p.reject(error ?? new DnsUpdateError('no answer'));
  }

  /** A socket error ends every exchange on it; the next exchange opens a new socket. */
  #fail(error: Error): void {
    const socket = this.#socket;
    this.#socket = undefined;
    for (const id of [...this.#pending.keys()]) this.#settle(id, error);
    socket?.close();
  }
}

const channels = new Map<string, UdpChannel>();

/** The process's shared channel to `host:port`. */
export function udpChannel(host: string, port: number): UdpChannel {
  const key = `${host}:${port}`;
  let c = channels.get(key);
  if (c === undefined) {
    c = new UdpChannel(host, port);
    channels.set(key, c);
  }
  return c;
}
