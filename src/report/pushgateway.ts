/**
 * @module Pushes a run's Prometheus text (from prometheus.ts) to a Prometheus Pushgateway:
 * `PUT /metrics/job/bindy_loadtest/instance/<run id>/scenario/<scenario>/profile/<profile>`, which
 * replaces every metric of that group, so pushing a result again is idempotent.
 */
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { RunResult } from './result/index.js';
import { profileLabel, renderPrometheus } from './prometheus.js';

/** The Pushgateway job every run is pushed under. */
export const pushJob = 'bindy_loadtest';

/** Options of {@link pushResult}. */
export interface PushOptions {
  /** Base URL of the Pushgateway, e.g. `http://127.0.0.1:9091` (a path prefix is kept). */
  url: string;
  /** Give up after this long, ms (default 10 000). */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** What a push did. */
export interface PushOutcome {
  /** The URL the metrics were PUT to. */
  url: string;
  status: number;
  /** Size of the pushed text, bytes. */
  bytes: number;
}

/**
 * One `/<name>/<value>` segment of a grouping key. A value that is empty or holds a `/` cannot be
 * a plain path segment, so it is sent as `<name>@base64/<base64url>` (an empty value as `=`), as
 * the Pushgateway's URL rules require; any other value is percent-encoded.
 */
export function groupingSegment(name: string, value: string): string {
  if (value === '') return `/${name}@base64/=`;
  if (value.includes('/')) return `/${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `/${name}/${encodeURIComponent(value)}`;
}

/** The grouping-key URL for `r` under `base`: job bindy_loadtest, instance = run id, scenario, profile (`none` when none). */
export function pushUrl(base: string, r: RunResult): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch (cause) {
    throw new UsageError(`--pushgateway ${base}: not a URL (e.g. http://127.0.0.1:9091)`, { cause });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--pushgateway ${base}: must be an http:// or https:// URL`);
  const prefix = u.pathname.replace(/\/+$/, '');
  const m = r.metadata;
  const path =
    `${prefix}/metrics` +
    groupingSegment('job', pushJob) +
    groupingSegment('instance', m.runId) +
    groupingSegment('scenario', m.scenario) +
    groupingSegment('profile', profileLabel(m.profile));
  return `${u.origin}${path}`;
}

/**
 * Renders `r` as Prometheus text and PUTs it to the Pushgateway. An unreachable gateway, a
 * timeout or a non-2xx answer is a TargetNotReadyError (exit 3) naming the URL and what came back.
 */
export async function pushResult(r: RunResult, options: PushOptions): Promise<PushOutcome> {
  const url = pushUrl(options.url, r);
  const body = await renderPrometheus(r);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new TargetNotReadyError(`pushgateway ${options.url}: ${describeFetchError(cause, timeoutMs)}`, {
      cause,
      hint: 'check the --pushgateway URL and that the Pushgateway is running (default port 9091)',
    });
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    throw new TargetNotReadyError(`pushgateway ${options.url}: PUT ${url} answered HTTP ${res.status}${text.trim() === '' ? '' : `: ${text.trim().split('\n')[0]}`}`);
  }
  return { url, status: res.status, bytes: Buffer.byteLength(body) };
}

/**
 * Asks the Pushgateway `GET <base>/-/ready` before a run, so an unreachable or wrong URL is found
 * before any load (TargetNotReadyError, exit 3), not after the run. A bad URL is a UsageError.
 */
export async function checkPushgateway(base: string, options: Omit<PushOptions, 'url'> = {}): Promise<void> {
  let u: URL;
  try {
    u = new URL(base);
  } catch (cause) {
    throw new UsageError(`--pushgateway ${base}: not a URL (e.g. http://127.0.0.1:9091)`, { cause });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--pushgateway ${base}: must be an http:// or https:// URL`);
  const ready = `${u.origin}${u.pathname.replace(/\/+$/, '')}/-/ready`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const hint = 'check the --pushgateway URL and that the Pushgateway is running (default port 9091); nothing was started';
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(ready, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new TargetNotReadyError(`pushgateway ${base}: ${describeFetchError(cause, timeoutMs)}`, { cause, hint });
  }
  await res.body?.cancel().catch(() => undefined);
  if (!res.ok) throw new TargetNotReadyError(`pushgateway ${base}: GET ${ready} answered HTTP ${res.status}: not a ready Pushgateway`, { hint });
}

/** A one-line reason from a fetch failure: the socket error code (ECONNREFUSED, ENOTFOUND…) or the timeout. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown; errors?: unknown } | undefined) : undefined;
  if (cause !== undefined && typeof cause.code === 'string') return `unreachable (${cause.code})`;
  // A host with several addresses fails with an AggregateError: its first error says why.
  const first: unknown = Array.isArray(cause?.errors) ? (cause.errors as unknown[])[0] : undefined;
  if (first !== null && typeof first === 'object' && typeof (first as { code?: unknown }).code === 'string') return `unreachable (${String((first as { code: string }).code)})`;
  if (typeof cause?.message === 'string' && cause.message !== '') return `unreachable (${cause.message})`;
  return `unreachable (${err instanceof Error ? err.message : String(err)})`;
}
