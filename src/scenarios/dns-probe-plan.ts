/**
 * @module Whether a run probes DNS and with what bounds (pure, from the configuration), and the
 * servers it asks once the target is open: the ones given (`probe.servers`), else the target's own.
 */
import type { Config, DnsAddress, OnOffAuto } from '../config/index.js';
import { defaultProbeSpacing } from '../observe/probe-schedule.js';
import type { ProbeServer, ProbeTransport } from '../observe/dns-prober.js';
import type { DnsProbeSettings } from '../drive/dns-probe-hook.js';
import type { DnsServer } from '../targets/target.js';

/** The prober's part of a plan. */
export interface DnsProbePlan {
  /** Servers given by the user; absent = the target's own. */
  servers?: readonly DnsAddress[];
  ratePerSecond: number;
  maxInFlight: number;
  /** Wait for DNS answers after the wait for Ready, ms. */
  timeoutMs: number;
  maxIntervalMs: number;
  /** How the queries travel (probe.transport). */
  transport: ProbeTransport;
  /** Without `servers` on a cluster: through port-forwards the run opens (TCP, through the API server). */
  throughForwards: boolean;
}

/**
 * The probe plan, or null when the run does not probe: `on` always, `off` never, `auto` on the
 * sandbox (its named is on loopback) or when `probe.servers` says where BIND9 is. A cluster's BIND9
 * Services are not reachable from here by default.
 */
export function dnsProbePlan(config: Readonly<Config>, setting: OnOffAuto): DnsProbePlan | null {
  const p = config.probe;
  const on = setting === 'on' || (setting === 'auto' && (config.target === 'sandbox' || p.servers !== undefined));
  if (!on) return null;
  const throughForwards = p.servers === undefined && config.target === 'cluster';
  return { ...(p.servers === undefined ? {} : { servers: p.servers }), ratePerSecond: p.rate, maxInFlight: p.inFlight, timeoutMs: p.timeout, maxIntervalMs: p.maxInterval, transport: throughForwards ? 'tcp' : p.transport, throughForwards };
}

function address(a: DnsAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** One line for the plan's description. */
export function describeDnsProbe(plan: DnsProbePlan | null): string {
  if (plan === null) return 'DNS not probed (--dns-probe to ask BIND9 for every record; on a cluster through port-forwards the run opens, or probe.servers)';
  const where = plan.servers !== undefined ? plan.servers.map(address).join(', ') : plan.throughForwards ? "each BIND9 instance of the cluster, through a port-forward the run opens (TCP, through the API server; the pod is looked up again if it is replaced)," : "the target's BIND9 servers";
  return (
    `DNS probed: ${where} asked for every record${plan.transport === 'tcp' && !plan.throughForwards ? ' over TCP (one pipelined connection per server)' : ''} until it answers the desired data, at most ${plan.ratePerSecond} queries/s and ${plan.maxInFlight} in flight; ` +
    `after the wait for Ready, up to ${Math.round(plan.timeoutMs / 1000)} s more for every Ready record to be answered`
  );
}

/** The prober's settings for an open target, or the reason it cannot probe. */
export function dnsProbeSettings(plan: DnsProbePlan, targetServers: readonly DnsServer[]): { settings: DnsProbeSettings } | { reason: string } {
  const servers: ProbeServer[] =
    plan.servers !== undefined
      ? plan.servers.map((a) => ({ host: a.host, port: a.port, name: address(a) }))
      : targetServers.map((s, i) => ({ host: s.host, port: s.port, name: s.name ?? `dns-${i}` }));
  if (servers.length === 0) {
    // A cluster's scenarios open port-forwards then (Target.openDnsForwards); this reason is for the rest.
    return { reason: 'DNS not probed: the target names no DNS server reachable from here; give one with probe.servers (--probe-servers host:port; through kubectl port-forward with probe.transport tcp)' };
  }
  return {
    settings: {
      servers,
      ratePerSecond: plan.ratePerSecond,
      maxInFlight: plan.maxInFlight,
      timeoutMs: plan.timeoutMs,
      spacing: { ...defaultProbeSpacing, maxIntervalMs: Math.max(plan.maxIntervalMs, defaultProbeSpacing.fastIntervalMs) },
      transport: plan.transport,
    },
  };
}
