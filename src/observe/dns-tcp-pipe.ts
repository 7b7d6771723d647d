/**
 * @module One persistent DNS-over-TCP connection to a server with queries pipelined on it (RFC 7766
 * §6.2.1: several queries in flight on one connection, answers in any order, matched by id by the
 * caller). What a prober needs where only TCP reaches BIND9, e.g. through `kubectl port-forward`,
 * which carries TCP only: one connection, not one per query (each would be a new stream through the
 * API server of the cluster under test). Messages are RFC 1035 §4.2.2 length-prefixed.
 */
import { connect, type Socket } from 'node:net';

/** Options of a {@link DnsTcpPipe}. */
export interface DnsTcpPipeOptions {
  /** After a connection failed or closed, wait this long before opening another, ms (default 1000): a server that refuses is not hammered. */
  retryMs?: number;
  /** Monotonic clock, ms (default performance.now). */
  now?: () => number;
  /** Called each time a connection is opened. */
  onOpen?: () => void;
  /** Called with a connection's error (refused, reset…). */
  onError?: (message: string) => void;
}

/**
 * A pipelined DNS-over-TCP connection, opened on the first send and again on a send after it
 * closed or failed (at most once per `retryMs`). Queries in flight on a connection that closes are
 * not resent: the caller's timers count them lost.
 */
export class DnsTcpPipe {
  readonly #host: string;
  readonly #port: number;
  readonly #onMessage: (msg: Buffer) => void;
  readonly #retryMs: number;
  readonly #now: () => number;
  readonly #onOpen: () => void;
  readonly #onError: (message: string) => void;
  #socket: Socket | null = null;
  #buf: Buffer = Buffer.alloc(0);
  #closedAtMs = -Infinity;
  #closed = false;
  /** Connections opened so far. */
  connections = 0;

  constructor(host: string, port: number, onMessage: (msg: Buffer) => void, options: DnsTcpPipeOptions = {}) {
    this.#host = host;
    this.#port = port;
    this.#onMessage = onMessage;
    this.#retryMs = options.retryMs ?? 1000;
    this.#now = options.now ?? (() => performance.now());
    this.#onOpen = options.onOpen ?? (() => undefined);
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Sends one DNS message (without its length prefix); false when it was not sent (closed, or waiting to reconnect). */
  send(msg: Buffer): boolean {
    if (this.#closed) return false;
    const s = this.#socket ?? this.#open();
    if (s === null) return false;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    // Written before the connection is up is buffered by the socket, in order.
    s.write(Buffer.concat([len, msg]));
    return true;
  }

  /** Closes the connection for good. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#socket?.destroy();
    this.#socket = null;
  }

  #open(): Socket | null {
    if (this.#now() - this.#closedAtMs < this.#retryMs) return null;
    const s = connect({ host: this.#host, port: this.#port });
    this.connections++;
    this.#onOpen();
    this.#socket = s;
    this.#buf = Buffer.alloc(0);
    // No Nagle: a query is one small write that should leave at once.
    s.setNoDelay(true);
    const gone = (e?: Error): void => {
      if (this.#socket !== s) return;
      if (e !== undefined) this.#onError(e.message);
      this.#socket = null;
      this.#closedAtMs = this.#now();
      s.destroy();
    };
    s.on('error', (e) => gone(e));
    s.on('close', () => gone());
    s.on('data', (chunk: Buffer) => {
      this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
      while (this.#buf.length >= 2 && this.#buf.length >= 2 + this.#buf.readUInt16BE(0)) {
        const n = this.#buf.readUInt16BE(0);
        const msg = this.#buf.subarray(2, 2 + n);
        this.#buf = this.#buf.subarray(2 + n);
        this.#onMessage(msg);
      }
    });
    return s;
  }
}
