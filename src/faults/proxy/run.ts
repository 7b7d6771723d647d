/**
 * @module Standalone entry of the fault proxy: start the links, print one JSON ready line, serve
 * the control API until SIGINT/SIGTERM, then close every socket and exit 0. Runnable with
 * `node --import tsx src/faults/proxy/run.ts --link dns=udp:0:127.0.0.1:5353 --link api=tcp:127.0.0.1:6443`.
 */
import { parseArgs } from 'node:util';
import { runsAsScript } from '../../runs-as-script.js';
import { UsageError } from '../../errors.js';
import type { LinkStatus } from './link.js';
import { parseLinkFlag, parseLinkSpec, type LinkSpec } from './link-spec.js';
import { startFaultProxy } from './proxy.js';

/** What the proxy prints as one JSON line once every link listens. */
export interface FaultProxyReadyLine {
  readonly ready: true;
  readonly pid: number;
  readonly controlUrl: string;
  readonly links: readonly Pick<LinkStatus, 'name' | 'protocol' | 'listen' | 'upstream'>[];
}

/** Options of {@link runFaultProxy}. */
export interface RunFaultProxyOptions {
  readonly links: readonly LinkSpec[];
  readonly controlPort?: number;
  /** Stops the proxy when aborted (besides SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Where log lines go (default: stderr, with a timestamp). */
  readonly log?: (line: string) => void;
}

/** Starts the proxy, writes a {@link FaultProxyReadyLine} to `out`, and resolves once a signal has stopped it. */
export async function runFaultProxy(options: RunFaultProxyOptions, out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const proxy = await startFaultProxy({
    links: options.links,
    ...(options.controlPort === undefined ? {} : { controlPort: options.controlPort }),
    // stderr is the part's log file when the supervisor starts it.
    log: options.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)),
  });
  const ready: FaultProxyReadyLine = {
    ready: true,
    pid: process.pid,
    controlUrl: proxy.controlUrl,
    links: proxy.linkStatuses().map(({ name, protocol, listen, upstream }) => ({ name, protocol, listen, upstream })),
  };
  out(JSON.stringify(ready));
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    options.signal?.addEventListener('abort', done, { once: true });
  });
  await proxy.close();
}

/** Parses the entry's argv (pure): repeated `--link NAME=PROTO:[LISTENPORT:]HOST:PORT`, `--links-json '[…]'`, `--control-port N`. */
export function parseProxyArgs(args: readonly string[]): { links: LinkSpec[]; controlPort: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { link: { type: 'string', multiple: true }, 'links-json': { type: 'string' }, 'control-port': { type: 'string', default: '0' } },
    }));
  } catch (e) {
    throw new UsageError(`fault proxy: ${(e as Error).message}`);
  }
  const links = (values.link ?? []).map((l) => parseLinkFlag(l));
  if (values['links-json'] !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values['links-json']);
    } catch {
      throw new UsageError('--links-json: not JSON');
    }
    if (!Array.isArray(parsed)) throw new UsageError('--links-json: must be a JSON array of links');
    links.push(...parsed.map((v: unknown, i) => parseLinkSpec(v, `--links-json[${i}]`)));
  }
  const names = links.map((l) => l.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UsageError(`--link: the name ${dup} is used twice`);
  const controlPort = Number(values['control-port']);
  if (!Number.isInteger(controlPort) || controlPort < 0 || controlPort > 65535) throw new UsageError(`--control-port: ${values['control-port']} is not a port 0-65535`);
  return { links, controlPort };
}

if (runsAsScript(import.meta.url, 'proxy/run')) {
  try {
    const args = parseProxyArgs(process.argv.slice(2));
    runFaultProxy(args).catch((error: unknown) => {
      process.stderr.write(`fault proxy: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 3;
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
