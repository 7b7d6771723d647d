/** @module The DNS prober's flags, shared by the scenarios that probe (burst, sustained, e2e): where, how fast, how long, over what. */
import type { Command } from 'commander';
import type { FlagOverride } from '../config/index.js';
import type { ConfigFlag } from './config-flags.js';

/** The probe.* keys the probe flags set. */
export const probeConfigFlags: readonly ConfigFlag[] = [
  { flag: '--probe-servers', key: 'probe.servers' },
  { flag: '--probe-rate', key: 'probe.rate' },
  { flag: '--probe-timeout', key: 'probe.timeout' },
  { flag: '--probe-transport', key: 'probe.transport' },
];

/** What `--dns-probe` / `--no-dns-probe` leave in the parsed flags. */
export interface DnsProbeFlag {
  dnsProbe?: boolean;
}

/**
 * Adds the prober's flags to `cmd`; with `onOffKey` (a scenario's `dnsProbe` key) also
 * `--dns-probe` / `--no-dns-probe`, whose default `defaultText` says.
 */
export function addProbeOptions(cmd: Command, onOffKey?: { key: string; defaultText: string }): Command {
  if (onOffKey !== undefined) {
    cmd.option('--dns-probe', `ask DNS for every record until it answers the desired data (${onOffKey.defaultText}; ${onOffKey.key})`).option('--no-dns-probe', 'do not probe DNS');
  }
  return cmd
    .option('--probe-servers <list>', "DNS servers to probe, host:port comma-separated (default: the target's BIND9; on a cluster, port-forwards the run opens; probe.servers)")
    .option('--probe-rate <rate>', 'probe queries per second, all servers together (default 500/s; probe.rate)')
    .option('--probe-timeout <duration>', 'after the wait for the operations to take effect, how long to wait for DNS to answer them (default 1m; probe.timeout)')
    .option('--probe-transport <udp|tcp>', 'how probe queries travel: udp (default) or tcp only, one pipelined connection per server, e.g. through kubectl port-forward (probe.transport)');
}

/** `--dns-probe` / `--no-dns-probe` as the scenario's `key`, named by the flag actually given. */
export function dnsProbeOverride(o: DnsProbeFlag, key: string): FlagOverride[] {
  if (o.dnsProbe === undefined) return [];
  return [{ flag: o.dnsProbe ? '--dns-probe' : '--no-dns-probe', key, raw: o.dnsProbe }];
}
