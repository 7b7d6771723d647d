/** @module Health of each part of a running sandbox: its process, and an answer on its own protocol. */
import { readFile } from 'node:fs/promises';
import { udpQuery } from '../bind9/udp-query.js';
import { FetchError, fetchText } from '../../../observe/metrics-fetch.js';
import { isAlive } from './part-process.js';
import { partKind, type PartName, type PartState, type SandboxState } from './state.js';

/** One part's health. */
export interface PartHealth {
  name: PartState['name'];
  pid: number;
  alive: boolean;
  healthy: boolean;
  /** What was probed and what it answered (or why not). */
  detail: string;
}

/** The HTTP status of a GET of `url` (trusting `ca` for https); rejects when no answer arrives. */
async function httpStatus(url: string, ca: string | undefined): Promise<number> {
  try {
    await fetchText(url, { timeoutMs: 2000, ...(ca === undefined ? {} : { ca }) });
    return 200;
  } catch (err) {
    if (err instanceof FetchError && err.status !== 0) return err.status;
    throw err;
  }
}

/** The DNS port and bindcar URL of the server part `name` belongs to: the primary's, or secondary i's (pure). */
export function serverOfPart(state: Pick<SandboxState, 'dns' | 'sidecarUrl' | 'secondaries'>, name: PartName): { dnsPort: number; sidecarUrl: string } | undefined {
  const m = /-secondary-(\d+)$/.exec(name);
  if (m === null) return { dnsPort: state.dns.port, sidecarUrl: state.sidecarUrl };
  const sec = state.secondaries?.find((s) => s.index === Number(m[1]));
  return sec === undefined ? undefined : { dnsPort: sec.dns.port, sidecarUrl: sec.sidecarUrl };
}

async function probe(part: PartState, state: SandboxState, ca: string | undefined): Promise<{ healthy: boolean; detail: string }> {
  try {
    const server = serverOfPart(state, part.name);
    switch (partKind(part.name)) {
      case 'named': {
        if (server === undefined) return { healthy: false, detail: 'state.json names no such secondary' };
        const a = await udpQuery(server.dnsPort, 'version.bind', 'TXT', 1500);
        return { healthy: true, detail: `DNS 127.0.0.1:${server.dnsPort} answers (rcode ${a.rcode})` };
      }
      case 'apiserver': {
        // A source cluster's API server has its own address and CA.
        const source = /^apiserver-source-(\d+)$/.exec(part.name);
        const other = source === null ? undefined : state.sourceClusters?.find((c) => c.index === Number(source[1]));
        if (source !== null && other === undefined) return { healthy: false, detail: 'state.json names no such source cluster' };
        const url = other?.apiServerUrl ?? state.apiServerUrl;
        const otherCa = other?.caFile === undefined ? undefined : await readFile(other.caFile, 'utf8').catch(() => undefined);
        const code = await httpStatus(`${url}/readyz`, other === undefined ? ca : otherCa);
        return { healthy: code === 200, detail: `${url}/readyz → ${code}` };
      }
      case 'sidecar': {
        if (server === undefined) return { healthy: false, detail: 'state.json names no such secondary' };
        const code = await httpStatus(`${server.sidecarUrl}/api/v1/health`, undefined);
        return { healthy: code === 200, detail: `${server.sidecarUrl}/api/v1/health → ${code}` };
      }
      case 'operator': {
        const url = part.metricsUrl ?? '';
        const code = await httpStatus(url, undefined);
        return { healthy: code === 200, detail: `${url} → ${code}` };
      }
      case 'scout':
        // bindy's scout serves nothing (no metrics, no probe): a live process is all there is to see.
        return { healthy: true, detail: 'process alive (scout serves no endpoint)' };
      case 'faultproxy': {
        const url = `${state.faultProxy?.controlUrl ?? ''}/healthz`;
        const code = await httpStatus(url, undefined);
        return { healthy: code === 200, detail: `${url} → ${code}` };
      }
    }
  } catch (err) {
    return { healthy: false, detail: (err as Error).message };
  }
}

async function caOf(state: SandboxState): Promise<string | undefined> {
  return state.caFile === undefined ? undefined : readFile(state.caFile, 'utf8').catch(() => undefined);
}

async function healthOf(p: PartState, state: SandboxState, ca: string | undefined): Promise<PartHealth> {
  const alive = isAlive(p.pid);
  if (!alive) return { name: p.name, pid: p.pid, alive, healthy: false, detail: 'process is gone' };
  const r = await probe(p, state, ca);
  return { name: p.name, pid: p.pid, alive, ...r };
}

/** Probes every part of the sandbox. */
export async function sandboxHealth(state: SandboxState): Promise<PartHealth[]> {
  const ca = await caOf(state);
  return Promise.all(state.parts.map((p) => healthOf(p, state, ca)));
}

/** Probes one part: its process is alive and it answers on its own protocol. */
export async function partHealth(state: SandboxState, part: PartState): Promise<PartHealth> {
  return healthOf(part, state, await caOf(state));
}
