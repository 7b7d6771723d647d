/**
 * @module A timed HTTP client of bindcar's REST API for load: every request may leave from its own
 * local address (bindcar limits per client IP, so clients that must look distinct on loopback send
 * from 127.0.0.x), over a keep-alive pool per address; each answer is classified (served, 429 from
 * the limiter, connection error, timeout) with its send and receive times on the monotonic clock.
 * The Bearer token is held here only, never put in an error or a message.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIPv4 } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One record of bindcar's `zoneConfig.records`. */
export interface BindcarZoneRecord {
  name: string;
  type: string;
  value: string;
  ttl?: number;
}

/** bindcar's create-zone body (`POST /api/v1/zones`), a primary zone with its records. */
export interface BindcarCreateZone {
  zoneName: string;
  zoneType: 'primary';
  zoneConfig: {
    ttl: number;
    soa: { primaryNs: string; adminEmail: string; serial: number; refresh: number; retry: number; expire: number; negativeTtl: number };
    nameServers: string[];
    nameServerIps: Record<string, string>;
    records: BindcarZoneRecord[];
    /** A dnssec-policy for the zone (bindcar renders `dnssec-policy "<name>";`). */
    dnssecPolicy?: string;
    /** `inline-signing yes;` (bindy sets it with a policy). */
    inlineSigning?: boolean;
  };
  updateKeyName?: string;
}

/** One request to bindcar. */
export interface BindcarRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** Path under the base URL, e.g. `/api/v1/zones/x.test/reload`. */
  path: string;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Local address the connection leaves from (a loopback client's own 127.0.0.x); absent: the system's choice. */
  localAddress?: string;
}

/** How one request ended. */
export type BindcarOutcome =
  | { kind: 'answered'; status: number; body: string; retryAfterS?: number }
  | { kind: 'connection-error'; code: string }
  | { kind: 'timeout' };

/** One request's outcome with its times (monotonic ms): sent = just before the request went out, ended = answer read or failure. */
export interface TimedOutcome {
  outcome: BindcarOutcome;
  sentMs: number;
  endedMs: number;
}

/** Options of {@link BindcarClient}. */
export interface BindcarClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  token: string;
  /** A request unanswered this long is a timeout, ms. */
  timeoutMs: number;
}

/** True when `host` (a URL's hostname) is a loopback address, where any 127.0.0.x can be a client's own. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || (isIPv4(h) && h.startsWith('127.'));
}

/**
 * The local address of client `i` (0-based) against a loopback bindcar: 127.0.0.2, 127.0.0.3, …
 * (127.0.0.1 is left to the run's own setup requests and to the sandbox's operator twin).
 */
export function loopbackClientAddress(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i > 252) throw new RangeError(`client index ${i} is outside 0..252`);
  return `127.0.0.${i + 2}`;
}

/** The client: one keep-alive pool per local address, no retries (the caller decides what a 429 means). */
export class BindcarClient {
  readonly #base: URL;
  readonly #auth: string;
  readonly #timeoutMs: number;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(o: BindcarClientOptions) {
    this.#base = new URL(o.url);
    this.#auth = `Bearer ${o.token}`;
    this.#timeoutMs = o.timeoutMs;
    const https = this.#base.protocol === 'https:';
    // The agent keys its pools by local address too, so each client keeps its own connections.
    this.#agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.#request = https ? httpsRequest : httpRequest;
  }

  /** Sends one request and resolves with its outcome; never rejects. `auth: false` sends no Authorization header. */
  send(r: BindcarRequest, auth = true): Promise<TimedOutcome> {
    const body = r.body === undefined ? undefined : JSON.stringify(r.body);
    const headers: Record<string, string> = {};
    if (auth) headers['authorization'] = this.#auth;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const url = new URL(r.path, this.#base);
    return new Promise<TimedOutcome>((resolve) => {
      let settled = false;
      let sentMs = performance.now();
      const done = (outcome: BindcarOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ outcome, sentMs, endedMs: performance.now() });
      };
      const req = this.#request(
        url,
        { method: r.method, headers, agent: this.#agent, ...(r.localAddress === undefined ? {} : { localAddress: r.localAddress }) },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const retry = Number(res.headers['retry-after']);
            done({ kind: 'answered', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(Number.isFinite(retry) && res.headers['retry-after'] !== undefined ? { retryAfterS: retry } : {}) });
          });
          res.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'connection-error', code: e.code ?? 'ERROR' }));
        },
      );
      const timer = setTimeout(() => {
        done({ kind: 'timeout' });
        req.destroy();
      }, this.#timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => done({ kind: 'connection-error', code: e.code ?? e.message }));
      sentMs = performance.now();
      req.end(body);
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.#agent.destroy();
  }
}
