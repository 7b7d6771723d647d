/** @module A proxy link's definition (name, transport, listen port, upstream), validated from JSON or a flag. */
import { UsageError } from '../../errors.js';
import type { LinkProtocol } from '../fault.js';

/** Where a link forwards to. Loopback only: faults never leave 127.0.0.0/8. */
export interface Upstream {
  readonly host: string;
  readonly port: number;
}

/** One link of the proxy. */
export interface LinkSpec {
  /** A DNS-label-like name, e.g. `operator-named-udp`; used in URLs and journals. */
  readonly name: string;
  readonly protocol: LinkProtocol;
  /** Port on 127.0.0.1 (0 = any free one). */
  readonly listenPort: number;
  readonly upstream: Upstream;
}

const nameRe = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** True for an IPv4 address in 127.0.0.0/8 or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isPort(v: unknown, allowZero: boolean): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= (allowZero ? 0 : 1) && v <= 65535;
}

/** Validates a link definition from JSON; a bad one throws a one-line UsageError prefixed with `where`. */
export function parseLinkSpec(value: unknown, where = 'link'): LinkSpec {
  const fail = (msg: string): never => {
    throw new UsageError(`${where}: ${msg}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('must be a JSON object {name, protocol, listenPort, upstream: {host, port}}');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!['name', 'protocol', 'listenPort', 'upstream'].includes(key)) fail(`unknown field "${key}"`);
  const name = o['name'];
  if (typeof name !== 'string' || !nameRe.test(name)) return fail(`name must be a DNS label (a-z, 0-9, -), got ${JSON.stringify(name)}`);
  const protocol = o['protocol'];
  if (protocol !== 'tcp' && protocol !== 'udp') return fail(`${name}: protocol must be tcp or udp, got ${JSON.stringify(protocol)}`);
  const listenPort = o['listenPort'] ?? 0;
  if (!isPort(listenPort, true)) return fail(`${name}: listenPort must be an integer 0-65535, got ${JSON.stringify(listenPort)}`);
  const up = o['upstream'] as Record<string, unknown> | undefined;
  if (typeof up !== 'object' || up === null) return fail(`${name}: upstream must be {host, port}`);
  const host = up['host'] ?? '127.0.0.1';
  if (typeof host !== 'string' || !isLoopbackHost(host)) return fail(`${name}: upstream.host must be a loopback address (127.0.0.0/8), got ${JSON.stringify(host)}`);
  if (!isPort(up['port'], false)) return fail(`${name}: upstream.port must be an integer 1-65535, got ${JSON.stringify(up['port'])}`);
  return { name, protocol, listenPort, upstream: { host: host === 'localhost' ? '127.0.0.1' : host, port: up['port'] } };
}

/**
 * Parses the flag form `NAME=PROTO:LISTENPORT:HOST:PORT` (e.g. `dns=udp:0:127.0.0.1:5353`), or
 * `NAME=PROTO:HOST:PORT` for listen port 0.
 */
export function parseLinkFlag(text: string, where = '--link'): LinkSpec {
  const m = /^([^=]+)=(tcp|udp):(?:(\d+):)?([^:]+):(\d+)$/.exec(text);
  if (m === null) throw new UsageError(`${where}: ${JSON.stringify(text)} is not NAME=tcp|udp:[LISTENPORT:]HOST:PORT`);
  return parseLinkSpec({ name: m[1], protocol: m[2], listenPort: Number(m[3] ?? 0), upstream: { host: m[4], port: Number(m[5]) } }, where);
}
