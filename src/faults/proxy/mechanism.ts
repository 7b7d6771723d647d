/**
 * @module The sandbox fault proxy as a {@link FaultMechanism}: applies a fault to a link through
 * the control API under an id chosen here (so the revert descriptor can be journalled before the
 * fault exists), reverts it by that id, and proves the revert from the proxy's word and a probe.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { faultUnsupportedReason, type AppliedFault, type ApplyOptions, type FaultMechanism, type FaultSpec, type LinkProtocol, type ProbeSpec, type ProxyRevertDescriptor, type RevertOutcome, type RevertProof } from '../fault.js';
import { runProbe } from '../probe.js';
import { ProxyControlClient } from './client.js';
import { ProxyUnreachableError } from './control-errors.js';

/** A link as the mechanism knows it (from the proxy's ready line or GET /links). */
export interface KnownLink {
  readonly name: string;
  readonly protocol: LinkProtocol;
  readonly listen: { readonly host: string; readonly port: number };
}

/** Reverts the fault a descriptor names; safe to repeat, and safe when the proxy is gone. */
export async function revertProxyFault(d: ProxyRevertDescriptor): Promise<RevertOutcome> {
  const client = new ProxyControlClient(d.controlUrl);
  try {
    const r = await client.clearFault(d.link, d.faultId);
    if (r.cleared) return { reverted: true, already: false, detail: `link ${d.link}: ${r.detail}` };
    // Not cleared: it ended earlier (dead-man, an earlier revert, never applied), or another fault is active and stays.
    return { reverted: true, already: true, detail: `link ${d.link}: ${r.detail}` };
  } catch (e) {
    if (e instanceof ProxyUnreachableError && e.refused) {
      return { reverted: true, already: true, detail: `${e.message}: with the proxy gone, none of its faults is active` };
    }
    return { reverted: false, already: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Checks that the proxy no longer has the fault and that the link answers its probe. */
export async function verifyProxyFaultReverted(d: ProxyRevertDescriptor): Promise<RevertProof> {
  const client = new ProxyControlClient(d.controlUrl);
  let faultCleared: boolean;
  let said: string;
  try {
    const link = await client.link(d.link);
    faultCleared = link.fault?.id !== d.faultId;
    const past = link.history.find((p) => p.id === d.faultId);
    said = faultCleared
      ? `proxy: fault ${d.faultId} not active on ${d.link}${past === undefined ? '' : ` (cleared ${past.clearedAt} by ${past.clearedBy})`}`
      : `proxy: fault ${d.faultId} still active on ${d.link}`;
  } catch (e) {
    faultCleared = e instanceof ProxyUnreachableError && e.refused;
    said = `proxy: ${e instanceof Error ? e.message : String(e)}`;
  }
  const checkedAt = new Date().toISOString();
  if (d.probe === undefined) return { reverted: faultCleared, checkedAt, faultCleared, evidence: said };
  const probe = await runProbe(d.probe, d.listen);
  return { reverted: faultCleared && probe.ok, checkedAt, faultCleared, probe, evidence: `${said}; ${probe.detail}` };
}

/** Options of {@link ProxyFaultMechanism}. */
export interface ProxyFaultMechanismOptions {
  readonly controlUrl: string;
  readonly links: readonly KnownLink[];
  /** How to prove each link answers again, by link name (links without one are proven by the proxy's word only). */
  readonly probes?: Readonly<Record<string, ProbeSpec>>;
}

/** The sandbox fault proxy behind the one fault interface. */
export class ProxyFaultMechanism implements FaultMechanism {
  readonly name = 'sandbox-proxy' as const;
  readonly deadMan = true;
  readonly #client: ProxyControlClient;
  readonly #links: ReadonlyMap<string, KnownLink>;

  constructor(private readonly options: ProxyFaultMechanismOptions) {
    this.#client = new ProxyControlClient(options.controlUrl);
    this.#links = new Map(options.links.map((l) => [l.name, l]));
  }

  /** A mechanism for the proxy at `controlUrl`, learning its links from the proxy itself. */
  static async connect(controlUrl: string, probes?: Readonly<Record<string, ProbeSpec>>): Promise<ProxyFaultMechanism> {
    const links = await new ProxyControlClient(controlUrl).links();
    return new ProxyFaultMechanism({ controlUrl, links, ...(probes === undefined ? {} : { probes }) });
  }

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    const link = this.#links.get(target);
    if (link === undefined) return `the sandbox fault proxy has no link ${JSON.stringify(target)} (links: ${[...this.#links.keys()].join(', ') || 'none'})`;
    return faultUnsupportedReason(spec, link.protocol);
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined) throw new UsageError(`fault on ${target}: ${reason}`);
    const link = this.#links.get(target) as KnownLink;
    const probe = this.options.probes?.[target];
    const descriptor: ProxyRevertDescriptor = {
      mechanism: 'sandbox-proxy',
      version: 1,
      controlUrl: this.options.controlUrl,
      link: target,
      faultId: `f-${randomBytes(6).toString('hex')}`,
      listen: link.listen,
      ...(probe === undefined ? {} : { probe }),
    };
    await options.beforeApply?.(descriptor);
    const active = await this.#client.setFault(target, spec, descriptor.faultId);
    return {
      id: active.id,
      target,
      spec,
      appliedAt: active.appliedAt,
      ...(active.expiresAt === undefined ? {} : { expiresAt: active.expiresAt }),
      descriptor,
      revert: () => revertProxyFault(descriptor),
      verifyReverted: () => verifyProxyFaultReverted(descriptor),
    };
  }
}
