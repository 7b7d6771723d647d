/**
 * @module The fault proxy's control API as a pure request handler (method, path, body → status,
 * JSON body), so its rules are tested without a socket; proxy.ts serves it over HTTP on 127.0.0.1.
 *
 *   GET    /healthz                       {ok: true}
 *   GET    /links                         {links: LinkStatus[]}
 *   POST   /links                         add a link {name, protocol, listenPort, upstream} → 201 LinkStatus
 *   GET    /links/NAME                    LinkStatus (fault, counters, history)
 *   PUT    /links/NAME/fault[?id=ID]      set a fault (body: a fault spec) → 201 ActiveFault; 409 if another is active
 *   DELETE /links/NAME/fault[?id=ID]      clear it (only fault ID when given) → 200 {cleared, fault, detail}
 *
 * Errors are `{error: "<one line>"}` with 400 (bad JSON or spec), 404 (no such link or route),
 * 405, 409 (a fault is already active, a link name is taken) or 413 (body too large).
 */
import { LoadtestError } from '../../errors.js';
import { parseFaultSpec } from '../fault.js';
import type { ActiveFault, ClearFaultResult, LinkStatus, SetFaultResult } from './link.js';
import { parseLinkSpec, type LinkSpec } from './link-spec.js';

/** What the handler needs from the proxy. */
export interface ControlledProxy {
  linkStatuses(): LinkStatus[];
  linkStatus(name: string): LinkStatus | undefined;
  addLink(spec: LinkSpec): Promise<LinkStatus>;
  setFault(link: string, spec: ReturnType<typeof parseFaultSpec>, id?: string): SetFaultResult;
  clearFault(link: string, id?: string): ClearFaultResult;
}

/** A control request. */
export interface ControlRequest {
  readonly method: string;
  /** Path with optional query, e.g. `/links/dns/fault?id=f-1`. */
  readonly path: string;
  readonly body: string;
}

/** A control response; `body` is serialised as JSON. */
export interface ControlResponse {
  readonly status: number;
  readonly body: unknown;
}

const error = (status: number, message: string): ControlResponse => ({ status, body: { error: message } });

function parseJson(body: string, where: string): { ok: true; value: unknown } | { ok: false; response: ControlResponse } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (e) {
    return { ok: false, response: error(400, `${where}: body is not JSON (${(e as Error).message.split('\n')[0]})`) };
  }
}

/** Answers one control request. */
export async function handleControl(proxy: ControlledProxy, req: ControlRequest): Promise<ControlResponse> {
  const url = new URL(req.path, 'http://proxy');
  const where = `${req.method} ${url.pathname}`;
  const id = url.searchParams.get('id') ?? undefined;
  let parts: string[];
  try {
    parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return error(400, `${where}: the path is not valid percent-encoding`);
  }
  try {
    if (parts.length === 1 && parts[0] === 'healthz') return req.method === 'GET' ? { status: 200, body: { ok: true } } : error(405, `${where}: use GET`);
    if (parts[0] !== 'links') return error(404, `${where}: no such route (see /links)`);
    if (parts.length === 1) {
      if (req.method === 'GET') return { status: 200, body: { links: proxy.linkStatuses() } };
      if (req.method !== 'POST') return error(405, `${where}: use GET or POST`);
      const json = parseJson(req.body, where);
      if (!json.ok) return json.response;
      const spec = parseLinkSpec(json.value, where);
      if (proxy.linkStatus(spec.name) !== undefined) return error(409, `${where}: link ${spec.name} exists already`);
      return { status: 201, body: await proxy.addLink(spec) };
    }
    const name = parts[1] ?? '';
    const link = proxy.linkStatus(name);
    if (link === undefined) return error(404, `${where}: no link named ${JSON.stringify(name)} (links: ${proxy.linkStatuses().map((l) => l.name).join(', ') || 'none'})`);
    if (parts.length === 2) return req.method === 'GET' ? { status: 200, body: link } : error(405, `${where}: use GET`);
    if (parts.length !== 3 || parts[2] !== 'fault') return error(404, `${where}: no such route (see /links/${name}/fault)`);
    if (req.method === 'PUT') {
      const json = parseJson(req.body, where);
      if (!json.ok) return json.response;
      const spec = parseFaultSpec(json.value, where);
      const r = proxy.setFault(name, spec, id);
      return r.ok ? { status: 201, body: r.fault satisfies ActiveFault } : error(r.status, `${where}: ${r.reason}`);
    }
    if (req.method === 'DELETE') return { status: 200, body: proxy.clearFault(name, id) };
    return error(405, `${where}: use PUT or DELETE`);
  } catch (e) {
    if (e instanceof LoadtestError) return error(e.exitCode === 2 ? 400 : 500, e.message.split('\n')[0] ?? e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') return error(409, `${where}: ${err.message}`);
    throw e;
  }
}
