/**
 * @module The fault proxy: a set of named TCP and UDP links on 127.0.0.1 and the HTTP control API
 * that sets and clears their faults. Runs as its own process (run.ts), so a killed tool does not
 * take every link of the sandbox with it.
 */
import { createServer, type Server } from 'node:http';
import type { FaultSpec } from '../fault.js';
import { handleControl, type ControlledProxy } from './control-api.js';
import type { ClearFaultResult, LinkBase, LinkStatus, SetFaultResult } from './link.js';
import type { LinkSpec } from './link-spec.js';
import { TcpLink } from './tcp-link.js';
import { UdpLink, type UdpLinkOptions } from './udp-link.js';

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  readonly links: readonly LinkSpec[];
  /** Control API port on 127.0.0.1 (0 = any free one). */
  readonly controlPort?: number;
  /** Tuning of UDP client mappings. */
  readonly udp?: UdpLinkOptions;
  /** Receives one line per link added and per fault set, cleared or expired. */
  readonly log?: (line: string) => void;
}

/** A running fault proxy. */
export interface RunningFaultProxy extends ControlledProxy {
  /** e.g. `http://127.0.0.1:40123`. */
  readonly controlUrl: string;
  /** Stops every link and the control API, leaving no socket or timer behind. */
  close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;

class FaultProxy implements ControlledProxy {
  readonly #links = new Map<string, LinkBase>();

  constructor(
    private readonly udp: UdpLinkOptions | undefined,
    private readonly log: (line: string) => void,
  ) {}

  linkStatuses(): LinkStatus[] {
    return [...this.#links.values()].map((l) => l.status());
  }

  linkStatus(name: string): LinkStatus | undefined {
    return this.#links.get(name)?.status();
  }

  async addLink(spec: LinkSpec): Promise<LinkStatus> {
    if (this.#links.has(spec.name)) throw new Error(`link ${spec.name} exists already`);
    const link = spec.protocol === 'tcp' ? new TcpLink(spec, this.log) : new UdpLink(spec, this.udp, this.log);
    try {
      await link.listen();
    } catch (e) {
      await link.close(); // e.g. EADDRINUSE: leave no socket or timer behind
      throw e;
    }
    this.#links.set(spec.name, link);
    this.log(`link ${spec.name}: ${spec.protocol} 127.0.0.1:${link.listenPort} → ${spec.upstream.host}:${spec.upstream.port}`);
    return link.status();
  }

  setFault(name: string, spec: FaultSpec, id?: string): SetFaultResult {
    const link = this.#links.get(name);
    if (link === undefined) return { ok: false, status: 400, reason: `no link named ${name}` };
    return link.setFault(spec, id);
  }

  clearFault(name: string, id?: string): ClearFaultResult {
    const link = this.#links.get(name);
    if (link === undefined) return { cleared: false, fault: null, detail: `no link named ${name}` };
    return link.clearFault(id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#links.values()].map((l) => l.close()));
    this.#links.clear();
  }
}

function serve(proxy: FaultProxy, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const reply = (status: number, body: unknown): void => {
      const text = `${JSON.stringify(body)}\n`;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBodyBytes) chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) {
        reply(413, { error: `${req.method} ${req.url}: body larger than ${maxBodyBytes} bytes` });
        return;
      }
      handleControl(proxy, { method: req.method ?? 'GET', path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') }).then(
        (r) => reply(r.status, r.body),
        (e: unknown) => reply(500, { error: `${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}` }),
      );
    });
  });
  server.keepAliveTimeout = 2000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Starts the links and the control API; on any failure closes what was started and rethrows. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<RunningFaultProxy> {
  const proxy = new FaultProxy(options.udp, options.log ?? (() => undefined));
  let server: Server | undefined;
  try {
    for (const spec of options.links) await proxy.addLink(spec);
    server = await serve(proxy, options.controlPort ?? 0);
  } catch (e) {
    await proxy.close();
    throw e;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const http = server;
  return {
    controlUrl: `http://127.0.0.1:${port}`,
    linkStatuses: () => proxy.linkStatuses(),
    linkStatus: (name) => proxy.linkStatus(name),
    addLink: (spec) => proxy.addLink(spec),
    setFault: (name, spec, id) => proxy.setFault(name, spec, id),
    clearFault: (name, id) => proxy.clearFault(name, id),
    close: async () => {
      http.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => http.close(() => resolve())), proxy.close()]);
    },
  };
}
