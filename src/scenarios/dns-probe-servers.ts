/**
 * @module The servers the DNS prober asks, once the target is open: the ones given
 * (`probe.servers`) or the target's own; where the target's BIND9 is not reachable from here (a
 * cluster), port-forwards this run opens to each instance (TCP only, through the API server), closed
 * with the run's probing. Every scenario that probes DNS gets its servers here.
 */
import type { DnsProbeSettings } from '../drive/dns-probe-hook.js';
import type { Target } from '../targets/target.js';
import { dnsProbeSettings, type DnsProbePlan } from './dns-probe-plan.js';
import { forwardNotes, openForwardsOrExplain } from './dns-reach.js';

/** The prober's settings (or why it cannot probe; null: the run does not probe) and the port-forwards opened for it. */
export interface ProbeServers {
  probe: { settings: DnsProbeSettings } | { reason: string } | null;
  /** What the result should say about how the servers were reached (the forwards' pods, a replaced pod, the last error). */
  notes(): string[];
  /** Closes the port-forwards (idempotent; nothing to do without them). */
  close(): Promise<void>;
}

/**
 * The prober's servers for `plan` on `target`. Without `probe.servers` on a target that names none
 * but can open port-forwards, opens them (every probe then goes over TCP); one that cannot be opened
 * is a TargetNotReadyError (exit 3) naming why and what to do.
 */
export async function openProbeServers(target: Pick<Target, 'dnsServers' | 'openDnsForwards'>, plan: DnsProbePlan | null): Promise<ProbeServers> {
  const probe = plan === null ? null : dnsProbeSettings(plan, target.dnsServers);
  if (plan === null || probe === null || !('reason' in probe) || plan.servers !== undefined || target.openDnsForwards === undefined) {
    return { probe, notes: () => (probe !== null && 'reason' in probe ? [probe.reason] : []), close: () => Promise.resolve() };
  }
  const forwards = await openForwardsOrExplain(target);
  let closed: Promise<void> | null = null;
  return {
    probe: dnsProbeSettings({ ...plan, transport: 'tcp' }, forwards.forwards.map((f) => f.server)),
    notes: () => forwardNotes(forwards),
    close: () => (closed ??= forwards.close()),
  };
}
