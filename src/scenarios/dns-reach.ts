/**
 * @module How a run reaches the target's BIND9 servers from here: the target's own addresses
 * (the sandbox: UDP, TCP on truncation), or port-forwards this run opens to each instance (a
 * cluster: TCP only, through the API server, one pipelined connection per server). The DNS
 * prober, the chaos scenarios' audit and DNS-gap prober all reach BIND9 through here.
 */
import type { RecordType } from 'dns-packet';
import { TargetNotReadyError } from '../errors.js';
import type { ExchangeOptions, QueryResult } from '../observe/dns-exchange.js';
import { PipelinedDnsClient } from '../observe/dns-tcp-client.js';
import { serverName } from '../observe/dns-gap.js';
import type { ProbeServer } from '../observe/dns-prober.js';
import type { Bind9Forwards } from '../targets/cluster/bind9-forwards.js';
import type { DnsServer, Target } from '../targets/target.js';

/** The hint of an exit 3 when no port-forward could be opened. */
const forwardHint = "wait until bindy has created the cluster's instances and their pods are Ready, and let your user create pods/portforward in the namespace; for the DNS prober you may give an address instead (--probe-servers host:port: a NodePort or LoadBalancer Service) or --no-dns-probe";

/** Opens the target's port-forwards to BIND9, or throws a TargetNotReadyError (exit 3) saying why and what to do. */
export async function openForwardsOrExplain(target: Pick<Target, 'openDnsForwards'>): Promise<Bind9Forwards> {
  if (target.openDnsForwards === undefined) throw new Error('this target opens no port-forwards');
  try {
    return await target.openDnsForwards();
  } catch (e) {
    throw new TargetNotReadyError(`BIND9 cannot be reached through a port-forward: ${e instanceof Error ? e.message : String(e)}`, { hint: forwardHint });
  }
}

/** What a run's result says about the port-forwards it used: which pod each server went to, a replaced pod, the last error. */
export function forwardNotes(forwards: Bind9Forwards): string[] {
  const out = [`DNS asked over TCP through port-forwards this run opened (through the API server, as kubectl port-forward): ${forwards.describe}`];
  for (const f of forwards.forwards) {
    if (f.forward.pods.length > 1) out.push(`${f.server.name}'s pod was replaced during the run: its port-forward followed ${f.forward.pods.join(' → ')} (${f.forward.connections} connections)`);
    if (f.forward.lastError !== null) out.push(`the port-forward to ${f.server.name} met an error (last: ${f.forward.lastError})`);
  }
  return out;
}

/** BIND9's servers as reached from here, and how to ask them. */
export interface DnsReach {
  /** Named servers (`primary-0`…), in the target's order. */
  servers: (DnsServer & { name: string })[];
  /** Through port-forwards: every question over the server's pipelined TCP connection; absent: UDP (queryDns). */
  query?: (server: ProbeServer, name: string, type: RecordType, o: ExchangeOptions) => Promise<QueryResult>;
  /** Through port-forwards: an SOA asked over that connection, resolving with the RCODE; absent: UDP. */
  ask?: (server: DnsServer, name: string, timeoutMs: number) => Promise<number>;
  /** True when the servers are port-forwards (a network fault on a pod's interface does not show on them). */
  forwarded: boolean;
  notes(): string[];
  /** Closes the connections and port-forwards (idempotent). */
  close(): Promise<void>;
}

/**
 * The target's BIND9 servers as reached from here: its own addresses when it names some; else
 * port-forwards opened now (exit 3 when none can be); else none (the target cannot be reached: the
 * caller says what that leaves unchecked).
 */
export async function openDnsReach(target: Pick<Target, 'dnsServers' | 'openDnsForwards'>): Promise<DnsReach> {
  if (target.dnsServers.length > 0 || target.openDnsForwards === undefined) {
    return { servers: target.dnsServers.map((s) => ({ ...s, name: serverName(s) })), forwarded: false, notes: () => [], close: () => Promise.resolve() };
  }
  const forwards = await openForwardsOrExplain(target);
  const clients = new Map(forwards.forwards.map((f) => [f.server.name, new PipelinedDnsClient(f.server)]));
  const client = (s: { name?: string; host: string; port: number }): PipelinedDnsClient => {
    const c = clients.get(s.name ?? '');
    if (c === undefined) throw new Error(`no port-forward to ${serverName(s)}`);
    return c;
  };
  let closed: Promise<void> | null = null;
  return {
    servers: forwards.forwards.map((f) => f.server),
    query: (server, name, type, o) => client(server).query(name, type, o),
    ask: (server, name, timeoutMs) => client(server).query(name, 'SOA', { timeoutMs }).then((r) => (r.packet.flags ?? 0) & 0xf),
    forwarded: true,
    notes: () => forwardNotes(forwards),
    close: () =>
      (closed ??= (async () => {
        for (const c of clients.values()) c.close();
        await forwards.close();
      })()),
  };
}
