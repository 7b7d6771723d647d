/**
 * @module Lean requests to the API server for the hot paths: one create per object, the watches,
 * and the lists and deletions of a run's objects (whose DNSZones carry large status arrays).
 *
 * client-node's generated client spends about twice the CPU of a plain `https.request` per call:
 * it re-reads the CA file and builds a new agent for every request, then goes through node-fetch
 * and its middleware. On a small machine the tool's own CPU then caps the create rate and inflates
 * every create latency. This module keeps client-node for what it knows (the kubeconfig: TLS
 * material, tokens, exec and OIDC plugins, impersonation) by calling `applyToHTTPSOptions`, caches
 * the result for a second, and sends the request itself over a pooled keep-alive agent.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { PooledAuthentication } from './pooled-client.js';

/** How long applied credentials are reused; a rotated token is picked up within this, ms. */
const authReuseMs = 1000;

/** A response as read: status, headers and the body's bytes. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Applied {
  options: RequestOptions;
  headers: OutgoingHttpHeaders;
}

/** Reads `res` to its end; its body is kept only when `keepBody` (otherwise drained, empty). */
function readResponse(res: IncomingMessage, keepBody: boolean): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => {
      if (keepBody) chunks.push(c);
    });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
}

/** Sends JSON requests to the kubeconfig's current cluster over pooled connections. */
export class KubeTransport {
  readonly #kc: KubeConfig;
  readonly #auth: PooledAuthentication;
  readonly #target: { protocol: string; hostname: string; port: string; prefix: string };
  readonly #request: typeof httpsRequest;
  #applied: Promise<Applied> | null = null;
  /** When the last apply started (`now()` ms). */
  #appliedAt = 0;
  /** The last applied options once resolved: lets a request skip a promise hop while they are fresh. */
  #ready: Applied | null = null;
  readonly #now: () => number;

  /** `now` is the wall clock in ms that times the credential reuse (tests pass their own). */
  constructor(kubeConfig: KubeConfig, auth: PooledAuthentication, now: () => number = Date.now) {
    const cluster = kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig has no current cluster');
    this.#kc = kubeConfig;
    this.#auth = auth;
    const server = new URL(cluster.server);
    this.#target = {
      protocol: server.protocol,
      hostname: server.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: server.port,
      // The server URL may carry a path prefix (e.g. a proxy's /k8s/clusters/ID).
      prefix: server.pathname.replace(/\/+$/, ''),
    };
    this.#request = server.protocol === 'http:' ? httpRequest : httpsRequest;
    this.#now = now;
  }

  /**
   * The kubeconfig's TLS options, headers and a pooled agent, applied at most once per
   * authReuseMs. While a re-apply is under way, requests go on with the previous (a moment ago
   * valid) credentials rather than each starting its own.
   */
  #options(): Applied | Promise<Applied> {
    const now = this.#now();
    if (this.#applied === null || now - this.#appliedAt >= authReuseMs) {
      const next = this.#apply(now);
      return this.#ready ?? next;
    }
    return this.#ready ?? this.#applied;
  }

  #apply(now: number): Promise<Applied> {
    this.#appliedAt = now;
    const p = (async (): Promise<Applied> => {
      const options: RequestOptions = {};
      await this.#kc.applyToHTTPSOptions(options);
      if (options.agent instanceof HttpAgent) options.agent = this.#auth.pooledAgent(options.agent);
      const headers: OutgoingHttpHeaders = { ...(options.headers as OutgoingHttpHeaders | undefined), accept: 'application/json' };
      const applied = { options, headers };
      this.#ready = applied;
      return applied;
    })();
    this.#applied = p;
    // A failed apply (an exec plugin erroring) is not cached: the next request tries again.
    p.catch(() => {
      if (this.#applied === p) this.#applied = null;
    });
    return p;
  }

  /**
   * Sends `method path` with a JSON body (or none) and reads the whole response. Rejects only on
   * transport errors. `contentType` names the body's media type for patches (default application/json).
   */
  async send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
    return readResponse(await this.#open(method, path, body, undefined, contentType), true);
  }

  /**
   * Sends `method path` and reads the body only when the status is not 2xx (to report it); a 2xx
   * body is drained unread. For deletes, whose answer is the deleted object(s).
   */
  async sendForStatus(method: string, path: string): Promise<RawResponse> {
    const res = await this.#open(method, path, undefined);
    const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
    return readResponse(res, !ok);
  }

  /** Sends a GET and resolves with the response as it starts (a stream: a watch); `signal` aborts the request. */
  stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
    return this.#open('GET', path, undefined, signal);
  }

  async #open(method: string, path: string, body: unknown, signal?: AbortSignal, contentType = 'application/json'): Promise<IncomingMessage> {
    const ready = this.#options();
    const { options, headers: base } = ready instanceof Promise ? await ready : ready;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload === undefined ? base : { ...base, 'content-type': contentType, 'content-length': Buffer.byteLength(payload) };
    const t = this.#target;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.#request(
        {
          // TLS material lives in the pooled agent's options; credentials in the headers (and `auth` for basic).
          agent: options.agent,
          ...(options.auth === undefined ? {} : { auth: options.auth }),
          protocol: t.protocol,
          hostname: t.hostname,
          port: t.port,
          path: `${t.prefix}${path}`,
          method,
          headers,
          ...(signal === undefined ? {} : { signal }),
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
