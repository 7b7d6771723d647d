/** @module Fetching a Prometheus text endpoint over HTTP(S) with an optional CA and bearer token, within a bounded time. */
import http from 'node:http';
import https from 'node:https';
import { parsePrometheusText } from './prometheus-text.js';
import type { Exposition } from './prometheus-text.js';

/** How to reach an endpoint: TLS trust, credentials, time limit. */
export interface FetchOptions {
  /** PEM of the CA(s) that signed the server's certificate (https only). */
  ca?: string | Buffer;
  /** Client certificate and key (PEM), e.g. from a kubeconfig. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Skip verification of the server certificate (only for a sandbox with a throwaway cert). */
  insecureSkipTlsVerify?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Whole-request limit in ms (connect + response); default 5000. */
  timeoutMs?: number;
  /** Largest body accepted, in bytes; default 32 MiB (a scrape of a busy API server is a few MiB). */
  maxBytes?: number;
}

/** A non-2xx answer, a network error, a timeout or an oversized body. */
export class FetchError extends Error {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchError';
    this.status = status;
  }
}

/** GETs `url` and returns the body as text; rejects with a FetchError on anything but a 2xx within the time limit. */
export function fetchText(url: string, options: FetchOptions = {}, signal?: AbortSignal): Promise<string> {
  const u = new URL(url);
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const headers: Record<string, string> = { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1', ...options.headers };
  if (options.bearerToken !== undefined) headers.authorization = `Bearer ${options.bearerToken}`;
  const isHttps = u.protocol === 'https:';
  if (!isHttps && u.protocol !== 'http:') return Promise.reject(new FetchError(`${url}: unsupported protocol ${u.protocol}`, 0));
  return new Promise<string>((resolve, reject) => {
    const common = { method: 'GET', headers, signal, timeout: timeoutMs };
    const req = isHttps
      ? https.request(u, {
          ...common,
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          ...(options.cert !== undefined ? { cert: options.cert } : {}),
          ...(options.key !== undefined ? { key: options.key } : {}),
          rejectUnauthorized: options.insecureSkipTlsVerify !== true,
        })
      : http.request(u, common);
    // `timeout` above is only an idle-socket limit; this bounds the whole exchange.
    const deadline = setTimeout(() => req.destroy(new FetchError(`${url}: no complete answer within ${timeoutMs} ms`, 0)), timeoutMs);
    const done = (): void => clearTimeout(deadline);
    req.on('timeout', () => req.destroy(new FetchError(`${url}: idle for ${timeoutMs} ms`, 0)));
    req.on('error', (e) => {
      done();
      reject(e instanceof FetchError ? e : new FetchError(`${url}: ${e.message}`, 0, { cause: e }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) req.destroy(new FetchError(`${url}: body larger than ${maxBytes} bytes`, res.statusCode ?? 0));
        else chunks.push(c);
      });
      res.on('error', (e) => {
        done();
        reject(e instanceof FetchError ? e : new FetchError(`${url}: ${e.message}`, res.statusCode ?? 0, { cause: e }));
      });
      res.on('end', () => {
        done();
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) reject(new FetchError(`${url}: HTTP ${status}: ${body.slice(0, 200)}`, status));
        else resolve(body);
      });
    });
    req.end();
  });
}

/** Fetches and parses one scrape of a Prometheus text endpoint. */
export async function fetchExposition(url: string, options: FetchOptions = {}, signal?: AbortSignal): Promise<Exposition> {
  return parsePrometheusText(await fetchText(url, options, signal));
}
