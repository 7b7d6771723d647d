/** @module A client of the fault proxy's control API (for the mechanism, `cleanup` and tests). */
import { ProxyControlError, ProxyUnreachableError } from './control-errors.js';
import type { FaultSpec } from '../fault.js';
import type { ActiveFault, ClearFaultResult, LinkStatus } from './link.js';
import type { LinkSpec } from './link-spec.js';

/** Calls one proxy's control API. */
export class ProxyControlClient {
  constructor(
    readonly controlUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.controlUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (e) {
      throw new ProxyUnreachableError(this.controlUrl, e);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProxyControlError(res.status, `fault proxy ${method} ${path}: answered ${res.status} with something that is not JSON`);
    }
    if (!res.ok) {
      const reason = (json as { error?: unknown }).error;
      throw new ProxyControlError(res.status, typeof reason === 'string' ? reason : `fault proxy ${method} ${path}: ${res.status}`);
    }
    return json as T;
  }

  /** Every link with its fault and counters. */
  async links(): Promise<LinkStatus[]> {
    return (await this.#call<{ links: LinkStatus[] }>('GET', '/links')).links;
  }

  /** One link. */
  link(name: string): Promise<LinkStatus> {
    return this.#call('GET', `/links/${encodeURIComponent(name)}`);
  }

  /** Adds a link while the proxy runs. */
  addLink(spec: LinkSpec): Promise<LinkStatus> {
    return this.#call('POST', '/links', spec);
  }

  /** Sets a fault on a link, with a caller-chosen id when given (so it can be journalled first). */
  setFault(link: string, spec: FaultSpec, id?: string): Promise<ActiveFault> {
    return this.#call('PUT', `/links/${encodeURIComponent(link)}/fault${id === undefined ? '' : `?id=${encodeURIComponent(id)}`}`, spec);
  }

  /** Clears a link's fault (only fault `id` when given). */
  clearFault(link: string, id?: string): Promise<ClearFaultResult> {
    return this.#call('DELETE', `/links/${encodeURIComponent(link)}/fault${id === undefined ? '' : `?id=${encodeURIComponent(id)}`}`);
  }
}
