/** @module The bindcar twin: a request handler (metrics → rate limit → auth → faults → body limit → route) and its socket. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error.js';
import { createHandlers, isRejection, type Backend, type HandlerOutput, type NsupdateLike, type RndcLike } from './handlers.js';
import { createSidecarMetrics, resultLabel, type SidecarMetrics } from './metrics.js';
import { RateLimiter, type Quota, type RateLimitConfig } from './rate-limiter.js';
import { bindcarRules, type BindcarLine } from './release-line.js';
import { matchRoute } from './routes.js';
import { bindcarBodyLimitBytes, bodyLimitRejection } from './bodies.js';
import { ErrorFaultControl, faultControlPath, parseErrorFaultRequest } from './fault-control.js';

/** A request as the handler takes it (also what the socket adapter builds). */
export interface SidecarRequest {
  readonly method: string;
  /** Path and optional query, e.g. `/api/v1/zones`. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  /** Bytes the client sent, when `body` holds fewer (the socket adapter keeps none past the limit); default `body`'s UTF-8 length. */
  readonly bodyBytes?: number;
  /** Peer IP; the rate limiter's key when no forwarding header names the client. */
  readonly remoteAddress?: string;
}

/** The handler's answer. */
export interface SidecarResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Faults for later chaos tests; changeable while running. */
export interface SidecarFaults {
  /** Added before every protected route runs, in ms. */
  readonly delayMs: number;
  /** Fraction 0..1 of protected requests answered `errorStatus` without touching named. */
  readonly errorRate: number;
  /** Status of those answers (default 500). */
  readonly errorStatus?: number;
}

/** Options of {@link createSidecar}. */
export interface SidecarOptions extends Backend {
  /**
   * BIND_API_TOKEN: when set the Bearer token must equal it. When undefined the twin does what bindcar
   * does without a token and without TokenReview: any non-empty Bearer token passes.
   */
  readonly token?: string;
  /** DISABLE_AUTH. */
  readonly disableAuth?: boolean;
  /** The bindcar release to behave as (default 0.7: bindcar 0.7.3). */
  readonly line?: BindcarLine;
  /** RATE_LIMIT_* (the release's defaults when omitted). */
  readonly rateLimit?: Partial<RateLimitConfig>;
  /** A quota of its own instead of what RATE_LIMIT_* gives (the sandbox's `rateLimit: {rps, burst}`); ignored when the limiter is off. */
  readonly quota?: Quota;
  readonly faults?: Partial<SidecarFaults>;
  /** Monotonic milliseconds for the limiter and durations (default performance.now). */
  readonly now?: () => number;
  /** Wall clock for default SOA serials (default new Date()). */
  readonly wallClock?: () => Date;
  /** Uniform [0,1) source for the error-rate fault (default Math.random). */
  readonly random?: () => number;
}

/** A listening twin. */
export interface ListeningSidecar {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends idle keep-alive connections, resolves when closed. */
  close(): Promise<void>;
}

/** The twin, handler first. */
export interface Sidecar {
  readonly handler: (request: SidecarRequest) => Promise<SidecarResponse>;
  readonly metrics: SidecarMetrics;
  /** Replaces the faults (unspecified ones go back to none). */
  setFaults(faults: Partial<SidecarFaults>): void;
  /** The error fault set over the control route (`/twin/v1/faults`). */
  readonly faultControl: ErrorFaultControl;
  listen(options?: { host?: string; port?: number }): Promise<ListeningSidecar>;
}

function timedRndc(rndc: RndcLike, metrics: SidecarMetrics, now: () => number): RndcLike {
  const wrap =
    <A extends unknown[]>(command: string, call: (...args: A) => Promise<string>) =>
    async (...args: A): Promise<string> => {
      const started = now();
      let ok = false;
      try {
        const out = await call(...args);
        ok = true;
        return out;
      } finally {
        const seconds = (now() - started) / 1000;
        metrics.rndcCommands.labels(command, resultLabel(ok)).inc();
        metrics.rndcDuration.labels(command).observe(seconds);
      }
    };
  return {
    status: wrap('status', () => rndc.status()),
    addzone: wrap('addzone', (z: string, c: string) => rndc.addzone(z, c)),
    delzone: wrap('delzone', (z: string) => rndc.delzone(z)),
    modzone: wrap('modzone', (z: string, c: string) => rndc.modzone(z, c)),
    showzone: wrap('showzone', (z: string) => rndc.showzone(z)),
    zonestatus: wrap('zonestatus', (z: string) => rndc.zonestatus(z)),
    notify: wrap('notify', (z: string) => rndc.notify(z)),
    reload: wrap('reload', (z?: string) => rndc.reload(z)),
    freeze: wrap('freeze', (z?: string) => rndc.freeze(z)),
    thaw: wrap('thaw', (z?: string) => rndc.thaw(z)),
    retransfer: wrap('retransfer', (z: string) => rndc.retransfer(z)),
  };
}

function timedNsupdate(nsupdate: NsupdateLike, metrics: SidecarMetrics, now: () => number): NsupdateLike {
  return {
    send: async (zone, ops) => {
      const started = now();
      let ok = false;
      try {
        const out = await nsupdate.send(zone, ops);
        ok = true;
        return out;
      } finally {
        // bindcar 0.7 counts nsupdate runs among the rndc commands, as `nsupdate_update`.
        metrics.rndcCommands.labels('nsupdate_update', resultLabel(ok)).inc();
        metrics.rndcDuration.labels('nsupdate_update').observe((now() - started) / 1000);
      }
    },
  };
}

/** tower_governor's SmartIpKeyExtractor: x-forwarded-for, x-real-ip, forwarded, then the peer. */
export function clientKey(headers: Readonly<Record<string, string | undefined>>, remoteAddress: string | undefined): string {
  const xff = headers['x-forwarded-for']?.split(',')[0]?.trim();
  if (xff !== undefined && xff !== '') return xff;
  const real = headers['x-real-ip']?.trim();
  if (real !== undefined && real !== '') return real;
  const forwarded = /for="?\[?([^\]";,]+)/i.exec(headers['forwarded'] ?? '')?.[1];
  if (forwarded !== undefined) return forwarded;
  return (remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}

/** bindcar's auth middleware; undefined when the request may pass, else the 401 body. */
export function authFailure(authorization: string | undefined, token: string | undefined): string | undefined {
  if (authorization === undefined) return 'Missing Authorization header';
  if (!authorization.startsWith('Bearer ')) return 'Invalid Authorization header format. Expected: Bearer <token>';
  const presented = authorization.slice('Bearer '.length);
  if (presented === '') return 'Empty token';
  if (token === undefined) return undefined;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 'Invalid token';
}

function json(status: number, value: unknown, extra: Record<string, string> = {}): SidecarResponse {
  return { status, headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(value) };
}

function fromOutput(output: HandlerOutput): SidecarResponse {
  if (output.text !== undefined) {
    return { status: output.status, headers: { 'content-type': output.contentType ?? 'text/plain; charset=utf-8' }, body: output.text };
  }
  return json(output.status, output.json);
}

/** Builds the twin over a backend (a real named's rndc/nsupdate, or fakes). */
export function createSidecar(options: SidecarOptions): Sidecar {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const rules = bindcarRules[options.line ?? '0.7'];
  const metrics = createSidecarMetrics(rules.release);
  const rateLimit: RateLimitConfig = { ...rules.rateLimit, ...options.rateLimit };
  const limiter = rateLimit.enabled ? new RateLimiter(options.quota ?? rules.quota(rateLimit), now) : undefined;
  let faults: SidecarFaults = { delayMs: 0, errorRate: 0, ...options.faults };
  const faultControl = new ErrorFaultControl();
  const handlers = createHandlers(
    {
      zoneDir: options.zoneDir,
      rndc: timedRndc(options.rndc, metrics, now),
      nsupdate: timedNsupdate(options.nsupdate, metrics, now),
    },
    metrics,
    rules,
  );

  /** The twin's fault control (not a bindcar route): Bearer auth as the protected routes, no rate limit. */
  function control(request: SidecarRequest): SidecarResponse {
    const headers = request.headers ?? {};
    if (options.disableAuth !== true) {
      const failure = authFailure(headers['authorization'], options.token);
      if (failure !== undefined) return json(401, { error: failure });
    }
    const method = request.method.toUpperCase();
    if (method === 'GET') return json(200, faultControl.status());
    if (method === 'PUT') {
      const r = parseErrorFaultRequest(request.body ?? '');
      if (typeof r === 'string') return json(400, { error: `PUT ${faultControlPath}: ${r}` });
      const applied = faultControl.apply(r);
      return applied === null ? json(409, { error: `PUT ${faultControlPath}: fault ${faultControl.active?.id ?? ''} is in force; one at a time` }) : json(201, applied);
    }
    if (method === 'DELETE') {
      const id = new URL(request.path, 'http://twin').searchParams.get('id') ?? undefined;
      const cleared = faultControl.clear(id);
      return json(200, { cleared: cleared !== null, fault: cleared, detail: cleared !== null ? `fault ${cleared.id} cleared after ${cleared.injected} injected errors` : id === undefined ? 'no fault in force' : `fault ${id} is not in force (${faultControl.active === null ? 'none is' : `${faultControl.active.id} is, left alone`})` });
    }
    return { status: 405, headers: { allow: 'GET,PUT,DELETE' }, body: '' };
  }

  async function route(request: SidecarRequest): Promise<SidecarResponse> {
    const headers = request.headers ?? {};
    if ((request.path.split('?')[0] ?? '') === faultControlPath) return control(request);
    const match = matchRoute(request.method, request.path);
    if (match.kind === 'notFound') return { status: 404, headers: {}, body: '' };
    const open = match.kind === 'route' && match.route.open;
    if (!open) {
      if (limiter !== undefined) {
        const decision = limiter.check(clientKey(headers, request.remoteAddress));
        if (!decision.allowed) {
          const seconds = String(Math.floor(decision.waitMs / 1000));
          return {
            status: 429,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'x-ratelimit-after': seconds, 'retry-after': seconds },
            body: `Too Many Requests! Wait for ${seconds}s`,
          };
        }
      }
      if (options.disableAuth !== true) {
        const failure = authFailure(headers['authorization'], options.token);
        if (failure !== undefined) return json(401, { error: failure });
      }
    }
    if (match.kind === 'methodNotAllowed') return { status: 405, headers: { allow: match.allow.join(',') }, body: '' };
    if (!open) {
      if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
      if (faults.errorRate > 0 && random() < faults.errorRate) {
        return json(faults.errorStatus ?? 500, new ApiError('internal', 'injected fault').body());
      }
      const injected = faultControl.decide(random);
      if (injected !== undefined) return json(injected, new ApiError('internal', 'injected fault').body());
    }
    // axum's Json extractor runs before the handler's code, after the layers above: an oversized
    // body is refused here, so nothing is written and no rndc/nsupdate runs.
    if (match.route.jsonBody === true) {
      const tooLarge = bodyLimitRejection(headers['content-type'], request.bodyBytes ?? Buffer.byteLength(request.body ?? ''));
      if (tooLarge !== undefined) return { status: tooLarge.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: tooLarge.text };
    }
    try {
      return fromOutput(
        await handlers[match.route.id]({
          zone: match.zone,
          contentType: headers['content-type'],
          body: request.body ?? '',
          now: wallClock(),
        }),
      );
    } catch (error) {
      if (error instanceof ApiError) return json(error.status, error.body());
      if (isRejection(error)) return { status: error.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: error.text };
      return json(500, new ApiError('internal', error instanceof Error ? error.message : String(error)).body());
    }
  }

  /** bindcar's outermost middleware: every request, any path (raw, unnormalised), any status. */
  async function handler(request: SidecarRequest): Promise<SidecarResponse> {
    const started = now();
    const response = await route(request);
    const path = request.path.split('?')[0] ?? '';
    // The twin's own control route is not bindcar's: its requests stay out of bindcar's metrics.
    if (path === faultControlPath) return response;
    const method = request.method.toUpperCase();
    metrics.httpRequests.labels(method, path, String(response.status)).inc();
    metrics.httpDuration.labels(method, path).observe((now() - started) / 1000);
    return response;
  }

  function nodeListener(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      // Nothing past the limit is kept (memory stays bounded); the count alone decides the 413.
      const room = bindcarBodyLimitBytes - received;
      if (room > 0) chunks.push(chunk.length <= room ? chunk : chunk.subarray(0, room));
      received += chunk.length;
    });
    req.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      handler({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bodyBytes: received,
        ...(req.socket.remoteAddress === undefined ? {} : { remoteAddress: req.socket.remoteAddress }),
      }).then(
        (response) => {
          res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(response.body)) });
          res.end(response.body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(error instanceof Error ? error.message : String(error));
        },
      );
    });
  }

  return {
    handler,
    metrics,
    setFaults(next) {
      faults = { delayMs: 0, errorRate: 0, ...next };
    },
    faultControl,
    listen({ host = '127.0.0.1', port = 0 } = {}) {
      const server = createServer(nodeListener);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          resolve({
            url: `http://${host}:${address.port}`,
            port: address.port,
            close: () =>
              new Promise<void>((done, fail) => {
                server.close((error) => (error ? fail(error) : done()));
                server.closeIdleConnections();
              }),
          });
        });
      });
    },
  };
}
