/**
 * @module The background DNS queries of chaos and e2e, decided from the configuration (pure): on
 * or off, their rate, and where dnsperf runs. From this machine it asks through the target's
 * client link (a fault on that link must show); on a cluster it runs in a pod of a Job next to
 * BIND9 (the tool's image), so the figures are BIND9's under the fault, not a port-forward's.
 */
import { formatRate, type Config, type DnsAddress, type OnOffAuto } from '../config/index.js';
import type { DnsperfLoad, ResperfLoad } from '../drive/dnsperf/index.js';

/** A background DNS query unanswered this long is lost, ms: short, so a gap shows within a second or two. */
export const backgroundQueryTimeoutMs = 1000;

/** The background DNS queries of one run. */
export interface BackgroundDnsPlan {
  /** The settings' section (scenarios.chaos or scenarios.e2e), for the messages. */
  section: 'chaos' | 'e2e';
  setting: OnOffAuto;
  /** Queries per second. */
  qps: number;
  /**
   * On a cluster: the pod's image (undefined: not set), the address it asks (undefined: the
   * primary Bind9Instance's Service) and the run's configuration the pod receives; null: dnsperf
   * runs on this machine.
   */
  inCluster: { image: string | undefined; server: DnsAddress | undefined; config: Readonly<Config> } | null;
}

/** The background DNS queries the configuration asks for in `section`. */
export function planBackgroundDns(config: Readonly<Config>, section: 'chaos' | 'e2e'): BackgroundDnsPlan {
  const s = config.scenarios[section];
  const image = config.shardImage?.trim() === '' ? undefined : config.shardImage;
  return {
    section,
    setting: s.dnsLoad,
    qps: s.queryRate,
    inCluster: config.target === 'cluster' ? { image, server: s.inClusterServer?.[0], config } : null,
  };
}

function address(a: DnsAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** Where the queries come from and go to, for the plan's line. */
export function backgroundDnsWhere(p: BackgroundDnsPlan): string {
  if (p.inCluster === null) return 'through the client link when the target has one';
  const to = p.inCluster.server === undefined ? "the primary Bind9Instance's Service (port 53)" : address(p.inCluster.server);
  if (p.inCluster.image === undefined) return `on a cluster from a pod of a Job next to BIND9, which needs this tool's image (--shard-image, not set${p.setting === 'auto' ? ': none will be sent' : ''})`;
  return `from a pod of a Job next to BIND9 (image ${p.inCluster.image}) asking ${to}`;
}

/** The plan's line for the queries (`lead`: how the scenario's plan introduces them). */
export function backgroundDnsLine(p: BackgroundDnsPlan, lead: string): string {
  if (p.setting === 'off') return `   no background DNS queries (scenarios.${p.section}.dnsLoad off)`;
  const when = p.setting === 'on' ? ' (required)' : p.inCluster === null ? ' (when the target names a DNS server)' : '';
  return `   ${lead}: dnsperf at ${formatRate(p.qps)} for the whole load, every zone's SOA and NS and one missing name each, ${backgroundDnsWhere(p)}${when}; latency, answers and loss each second`;
}

/**
 * Why the target cannot run the queries the plan requires (checked before anything is created),
 * or undefined: `reachable` is how many DNS servers the target names that this machine reaches.
 */
export function backgroundDnsUnsupported(p: BackgroundDnsPlan, reachable: number): string | undefined {
  if (p.setting !== 'on') return undefined;
  if (p.inCluster !== null) {
    return p.inCluster.image === undefined
      ? `scenarios.${p.section}.dnsLoad is on: on a cluster the queries run inside it, as a Job of this tool's image: --shard-image (shardImage) is not set; build and push the image from the repo's Dockerfile (docs/cluster.md#in-cluster-dns-load), or set dnsLoad to auto or off`
      : undefined;
  }
  return reachable === 0 ? `scenarios.${p.section}.dnsLoad is on but the target names no DNS server reachable from here (set it to auto or off)` : undefined;
}

/**
 * dnsperf's load for `durationMs`: one client, room for every query of two timeouts in flight
 * (during a fault none is refused for lack of a slot).
 */
export function backgroundDnsperfLoad(qps: number, durationMs: number): DnsperfLoad {
  return { qps, durationMs, clients: 1, maxOutstanding: Math.max(100, Math.ceil(qps * (backgroundQueryTimeoutMs / 1000) * 2)), timeoutMs: backgroundQueryTimeoutMs };
}

/** resperf's load of the in-cluster spec, never run (the spec carries both engines' loads). */
export function unusedResperfLoad(l: DnsperfLoad): ResperfLoad {
  return { maxQps: l.qps, rampMs: l.durationMs, maxLoss: 0.01, clients: l.clients, maxOutstanding: l.maxOutstanding, timeoutMs: l.timeoutMs };
}
