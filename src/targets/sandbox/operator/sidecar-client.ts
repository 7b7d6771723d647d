/** @module bindy's calls to bindcar: ensure a zone exists (status → create on 404 → notify) and delete it, with bindy's backoff on 429/5xx. */
import { LoadtestError, ExitCode } from '../../../errors.js';
import { retryWithBackoff, bindcarBackoff, type BackoffPolicy } from './backoff.js';

/** A bindcar answer that was not what the call needed. */
export class SidecarCallError extends LoadtestError {
  readonly status: number | undefined;

  constructor(message: string, status?: number, cause?: unknown) {
    super(message, 'E_SIDECAR_CALL', ExitCode.targetNotReady, cause === undefined ? {} : { cause });
    this.status = status;
  }
}

/** Where bindcar is and how to authenticate. */
export interface SidecarEndpoint {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Bearer token. */
  readonly token: string;
}

/** The body of `POST /api/v1/zones` bindy sends (a primary zone, or a secondary one with `primaries`). */
export interface CreateZoneBody {
  readonly zoneName: string;
  readonly zoneType: 'primary' | 'secondary';
  readonly zoneConfig: {
    readonly ttl: number;
    readonly soa: Record<string, unknown>;
    readonly nameServers: readonly string[];
    readonly nameServerIps: Readonly<Record<string, string>>;
    /** Primary zone: the secondaries' named, `<ip>:<port>` (bindy's `with_transfer_port`). */
    readonly alsoNotify?: readonly string[];
    /** Primary zone: the secondaries' bare addresses (an ACL: no port). */
    readonly allowTransfer?: readonly string[];
    /** Secondary zone: the primaries' named, `<ip>:<port>`. */
    readonly primaries?: readonly string[];
  };
  readonly updateKeyName?: string;
}

/** Retryable: no answer at all, 429 and 5xx (bindy's `is_retryable`). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof SidecarCallError)) return false;
  return error.status === undefined || error.status === 429 || error.status >= 500;
}

/**
 * What bindy's zone finalizer does once a bindcar call has failed for good (its retry budget is
 * spent): `let go` removes the finalizer anyway (the zone may stay in BIND9), `keep` fails the
 * reconcile so it is requeued. The hook a later bindy line changes.
 */
export type ZoneFinalizerPolicy = (error: unknown) => 'let go' | 'keep';

/**
 * bindy 0.6.2 with bindcar 0.7: a zone deleted before it reached named gets 500 from freeze, which
 * is retried for the whole budget (≈ 130 s with the last delay), then bindy logs it and lets the
 * zone go. An interrupted call (the operator stopping) keeps it. In the 0.8 line bindcar 0.9 answers
 * 404 for a missing zone, which {@link SidecarClient.deleteZone} already takes as done, at once.
 */
export const bindy062ZoneFinalizer: ZoneFinalizerPolicy = (error) => (error instanceof SidecarCallError && !isAbort(error.cause) ? 'let go' : 'keep');

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

/** Counts of calls made, for the twin's own accounting in tests. */
export interface SidecarClient {
  /** A primary zone: status, create on 404, then notify (bindy's add_dnszone). */
  ensureZone(body: CreateZoneBody, signal?: AbortSignal): Promise<'existed' | 'created'>;
  /** A secondary zone: status, create on 404 (no notify: the caller asks for a retransfer). */
  ensureSecondaryZone(body: CreateZoneBody, signal?: AbortSignal): Promise<'existed' | 'created'>;
  /** `POST …/retransfer`: the secondary transfers the zone from its primaries now. */
  retransfer(zoneName: string, signal?: AbortSignal): Promise<void>;
  /** Freeze (unless `freeze: false`, bindy's choice for secondary zones), then delete; 404 counts as done. */
  deleteZone(zoneName: string, signal?: AbortSignal, options?: { freeze?: boolean }): Promise<void>;
}

/** A client with bindy's retry policy (shortened in tests). */
export function createSidecarClient(endpoint: SidecarEndpoint, policy: BackoffPolicy = bindcarBackoff): SidecarClient {
  async function call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${endpoint.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoint.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      throw new SidecarCallError(`${method} ${path}: ${error instanceof Error ? error.message : String(error)}`, undefined, error);
    }
    const text = await res.text();
    return { status: res.status, text };
  }
  /** One call with retries; `ok` says which statuses end it without error. */
  function withRetry(method: string, path: string, ok: (s: number) => boolean, body?: unknown, signal?: AbortSignal): Promise<number> {
    return retryWithBackoff(
      async () => {
        const r = await call(method, path, body, signal);
        if (!ok(r.status)) throw new SidecarCallError(`${method} ${path} answered ${r.status}: ${r.text.slice(0, 200)}`, r.status);
        return r.status;
      },
      isRetryable,
      policy,
      undefined,
      signal,
    );
  }
  const zonePath = (z: string): string => `/api/v1/zones/${encodeURIComponent(z)}`;
  return {
    async ensureZone(body, signal) {
      const status = await withRetry('GET', `${zonePath(body.zoneName)}/status`, (s) => s === 200 || s === 404, undefined, signal);
      let outcome: 'existed' | 'created' = 'existed';
      if (status === 404) {
        await withRetry('POST', '/api/v1/zones', (s) => s === 201 || s === 200 || s === 409, body, signal);
        outcome = 'created';
      }
      await withRetry('POST', `${zonePath(body.zoneName)}/notify`, (s) => s >= 200 && s < 300, undefined, signal);
      return outcome;
    },
    async ensureSecondaryZone(body, signal) {
      const status = await withRetry('GET', `${zonePath(body.zoneName)}/status`, (s) => s === 200 || s === 404, undefined, signal);
      if (status !== 404) return 'existed';
      await withRetry('POST', '/api/v1/zones', (s) => s === 201 || s === 200 || s === 409, body, signal);
      return 'created';
    },
    async retransfer(zoneName, signal) {
      await withRetry('POST', `${zonePath(zoneName)}/retransfer`, (s) => s >= 200 && s < 300, undefined, signal);
    },
    async deleteZone(zoneName, signal, options) {
      // Freeze first so named writes the journal into the zone file before it goes (bindy's order);
      // bindy does not freeze a secondary zone (it takes no updates).
      if (options?.freeze !== false) await withRetry('POST', `${zonePath(zoneName)}/freeze`, (s) => (s >= 200 && s < 300) || s === 404, undefined, signal);
      await withRetry('DELETE', zonePath(zoneName), (s) => (s >= 200 && s < 300) || s === 404, undefined, signal);
    },
  };
}
