/** @module Health of each part of a running sandbox: its process, and an answer on its own protocol. */
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { udpQuery } from '../bind9/udp-query.js';
import { isAlive } from './part-process.js';
import type { PartState, SandboxState } from './state.js';

/** One part's health. */
export interface PartHealth {
  name: PartState['name'];
  pid: number;
  alive: boolean;
  healthy: boolean;
  /** What was probed and what it answered (or why not). */
  detail: string;
}

/** GETs `url` (trusting `ca` for https) and resolves with the status code, or rejects after `timeoutMs`. */
export function httpStatus(url: string, opts: { ca?: string; timeoutMs?: number } = {}): Promise<number> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method: 'GET', timeout: opts.timeoutMs ?? 2000, ...(opts.ca === undefined ? {} : { ca: opts.ca }) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs ?? 2000} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function probe(part: PartState, state: SandboxState, ca: string | undefined): Promise<{ healthy: boolean; detail: string }> {
  try {
    switch (part.name) {
      case 'named': {
        const a = await udpQuery(state.dns.port, 'version.bind', 'TXT', 1500);
        return { healthy: true, detail: `DNS 127.0.0.1:${state.dns.port} answers (rcode ${a.rcode})` };
      }
      case 'apiserver': {
        const code = await httpStatus(`${state.apiServerUrl}/readyz`, ca === undefined ? {} : { ca });
        return { healthy: code === 200, detail: `${state.apiServerUrl}/readyz → ${code}` };
      }
      case 'sidecar': {
        const code = await httpStatus(`${state.sidecarUrl}/api/v1/health`);
        return { healthy: code === 200, detail: `${state.sidecarUrl}/api/v1/health → ${code}` };
      }
      case 'operator': {
        const url = part.metricsUrl ?? '';
        const code = await httpStatus(url);
        return { healthy: code === 200, detail: `${url} → ${code}` };
      }
    }
  } catch (err) {
    return { healthy: false, detail: (err as Error).message };
  }
}

/** Probes every part of the sandbox. */
export async function sandboxHealth(state: SandboxState): Promise<PartHealth[]> {
  const ca = state.caFile === undefined ? undefined : await readFile(state.caFile, 'utf8').catch(() => undefined);
  return Promise.all(
    state.parts.map(async (p) => {
      const alive = isAlive(p.pid);
      if (!alive) return { name: p.name, pid: p.pid, alive, healthy: false, detail: 'process is gone' };
      const r = await probe(p, state, ca);
      return { name: p.name, pid: p.pid, alive, ...r };
    }),
  );
}
