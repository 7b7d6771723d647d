/**
 * @module Chaos Mesh experiments from a fault spec and the site it acts on (pure): NetworkChaos for
 * latency (with jitter), loss, bandwidth and partition; PodChaos for kill (pod-kill, or
 * container-kill of one container) and pause (pod-failure: the pod's containers swapped for a
 * pause image until the experiment ends). Every object carries the run-id label and a `duration`,
 * the dead-man switch that ends it if nobody deletes it. Field names and units are those of Chaos
 * Mesh's CRDs (chaos-mesh.org/v1alpha1, helm/chaos-mesh/crds/ at 608b61e).
 */
import { UsageError } from '../../errors.js';
import { runIdLabel } from '../../model/kinds.js';
import { isResourceFault, isServiceFault, isStorageFault, type ChaosMeshKind, type FaultDirection, type FaultSpec } from '../fault.js';
import { isNamedSiteName, type ClusterLinkSite, type ClusterSite, type PodSelection } from './sites.js';

/** The API version of every Chaos Mesh kind. */
export const chaosMeshApiVersion = 'chaos-mesh.org/v1alpha1';

/** Label naming the fault (the experiment's journal key) an object stands for. */
export const faultLabel = 'loadtest.bindy.firestoned.io/fault';

/** A Chaos Mesh object as sent to the API server. */
export interface ChaosObject {
  readonly apiVersion: typeof chaosMeshApiVersion;
  readonly kind: ChaosMeshKind;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: Readonly<Record<string, unknown>>;
}

/** Who the object is, and how long it may live. */
export interface ChaosMeta {
  /** A DNS-1123 name (`lt-<run>-<key>`). */
  readonly name: string;
  /** Where the object is created (the run's namespace): cleanup finds it there by its labels. */
  readonly namespace: string;
  readonly runId: string;
  /** The fault's journal key (label value). */
  readonly key: string;
  /** The dead-man switch, ms: Chaos Mesh recovers every target after it. */
  readonly durationMs: number;
}

/** Chaos Mesh's selector for `p` (namespaces and labels). */
function selector(p: PodSelection): Record<string, unknown> {
  return { namespaces: [p.namespace], labelSelectors: { ...p.labels } };
}

/** A Go duration (`time.ParseDuration`, and the CRD's pattern `^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$`) of `ms` milliseconds. */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a duration: ${ms} ms`);
  if (Number.isInteger(ms / 1000)) return `${ms / 1000}s`;
  // Microsecond precision: what a fault spec can mean; no exponent notation, no trailing zeros.
  return `${(Math.round(ms * 1000) / 1000).toFixed(3).replace(/\.?0+$/, '')}ms`;
}

/** A share (0–1) as Chaos Mesh's percent string (`"20"`, `"0.5"`). */
export function percentText(share: number): string {
  return (share * 100).toFixed(4).replace(/\.?0+$/, '');
}

/**
 * Where a NetworkChaos goes on a link for a fault `direction` (upstream: client → server). The
 * server's egress towards the client pods is preferred: there every packet carries pod IPs. A
 * server outside the pod network (the API server) can only be shaped at the client's egress, with
 * its addresses as `externalTargets` (Chaos Mesh takes them with direction `to` only).
 */
type Placement =
  | { readonly selector: PodSelection; readonly direction: 'to' | 'from' | 'both'; readonly target?: PodSelection; readonly external?: readonly string[] }
  | { readonly refused: string };

function placement(site: ClusterLinkSite, spec: FaultSpec): Placement {
  // Latency counts once per round trip: either way is the same to a request and its answer.
  const dir: FaultDirection = spec.kind === 'latency' ? 'downstream' : spec.kind === 'partition' ? 'both' : 'direction' in spec ? (spec.direction ?? 'upstream') : 'both';
  const server = site.server;
  if ('external' in server) {
    if (site.client === 'anyone') return { refused: `${site.name}: neither side is a pod to shape` };
    if (dir === 'downstream' && spec.kind !== 'latency') return { refused: `${spec.kind} downstream on ${site.name}: the API server is outside the pod network, so only what the operator sends to it can be shaped (use direction upstream or both)` };
    return { selector: site.client, direction: 'to', external: server.external };
  }
  if (site.client === 'anyone') {
    if (dir === 'upstream') return { refused: `${spec.kind} upstream on ${site.name}: its clients are anyone, so only what the BIND9 pods send can be shaped (use direction downstream or both)` };
    return { selector: server, direction: 'to' };
  }
  // Client and server are pods: `to` shapes server → client, `from` client → server, `both` each way.
  const direction = dir === 'downstream' ? 'to' : dir === 'upstream' ? 'from' : 'both';
  return { selector: server, direction, target: site.client };
}

/** The Chaos Mesh kind and plural `spec` becomes (pure). */
export function chaosKindOf(spec: FaultSpec): { kind: 'NetworkChaos' | 'PodChaos' | 'IOChaos'; plural: 'networkchaos' | 'podchaos' | 'iochaos' } {
  if (spec.kind === 'disk-full') return { kind: 'IOChaos', plural: 'iochaos' };
  if (spec.kind === 'kill' || spec.kind === 'pause') return { kind: 'PodChaos', plural: 'podchaos' };
  return { kind: 'NetworkChaos', plural: 'networkchaos' };
}

/**
 * Why `spec` cannot run on a cluster whose chaos-mesh.org/v1alpha1 serves `served` (a Chaos Mesh
 * installed without one of its CRDs: IOChaos is optional in its chart), or undefined (pure).
 */
export function chaosNotServedReason(spec: FaultSpec, served: readonly string[]): string | undefined {
  const k = chaosKindOf(spec);
  if (served.includes(k.plural)) return undefined;
  return `${spec.kind} needs Chaos Mesh's ${k.kind}, which this cluster does not serve (chaos-mesh.org/v1alpha1 serves ${served.filter((p) => p.endsWith('chaos')).join(', ') || 'no chaos kind'}): install Chaos Mesh with its ${k.kind} CRD`;
}

/** Why `spec` cannot become a Chaos Mesh experiment on `site`, or undefined when it can (pure). */
export function chaosUnsupportedReason(spec: FaultSpec, site: ClusterSite): string | undefined {
  if (isServiceFault(spec) || isResourceFault(spec)) return `${spec.kind} has no Chaos Mesh mechanism on a cluster yet (the sandbox runs it)`;
  if (isStorageFault(spec)) {
    if (spec.kind === 'zone-corruption') return 'zone-corruption has no Chaos Mesh mechanism (it writes into the BIND9 pod\'s volume; the sandbox runs it)';
    if (site.site !== 'part' || !isNamedSiteName(site.name)) return `disk-full acts on named's data volume, not on ${site.name}`;
    if ((spec.freeBytes ?? 0) > 0) return 'disk-full with space left free has no Chaos Mesh equivalent (IOChaos fails every write at once): use free=0';
    return undefined;
  }
  if (site.site === 'part') {
    if (spec.kind !== 'kill' && spec.kind !== 'pause') return `${spec.kind} is a network fault: it acts on a link, not on the part ${site.name}`;
    if (spec.kind === 'kill' && spec.signal === 'SIGTERM' && site.container !== undefined && spec.loseData !== true) {
      return `kill with SIGTERM on ${site.name}: Chaos Mesh's container-kill has no grace period (use SIGKILL, or the whole pod with loseData)`;
    }
    if (spec.kind === 'kill' && spec.loseData === true && !isNamedSiteName(site.name)) return `loseData applies to named only (its zone data); ${site.name} keeps no data of its own`;
    return undefined;
  }
  switch (spec.kind) {
    case 'kill':
    case 'pause':
      return `${spec.kind} is a process fault: it acts on a part (operator, named, sidecar), not on the link ${site.name}`;
    case 'reset':
      return 'reset has no Chaos Mesh action (NetworkChaos drops or delays packets; it never sends RST)';
    case 'partition':
      if (spec.mode === 'refuse') return 'partition mode refuse has no Chaos Mesh action (a NetworkChaos partition drops packets: blackhole only)';
      break;
    case 'loss':
      if (spec.retransmitMs !== undefined) return 'loss.retransmitMs belongs to the fault proxy: on a cluster a lost TCP segment is retransmitted by the kernels themselves';
      break;
    default:
      break;
  }
  const p = placement(site, spec);
  return 'refused' in p ? p.refused : undefined;
}

/** The `action` and action fields of a network fault. */
function networkAction(spec: FaultSpec): Record<string, unknown> {
  switch (spec.kind) {
    case 'latency':
      // correlation 0: each packet's delay drawn independently, as the fault proxy draws it.
      return { action: 'delay', delay: { latency: goDuration(spec.ms), ...(spec.jitterMs === undefined || spec.jitterMs === 0 ? {} : { jitter: goDuration(spec.jitterMs) }), correlation: '0' } };
    case 'loss':
      return { action: 'loss', loss: { loss: percentText(spec.share), correlation: '0' } };
    case 'bandwidth': {
      // tc tbf: `rate` in bytes/s ("bps" is bytes per second in Chaos Mesh and tc); `buffer` (the
      // bucket, bytes) must hold at least one full packet and about 10 ms of the rate; `limit`
      // (bytes queued waiting for tokens) one second of it, so a burst waits rather than drops.
      const int32 = 2_147_483_647;
      const buffer = Math.min(int32, Math.max(1600, Math.ceil(spec.bytesPerSecond / 100)));
      const limit = Math.min(int32, Math.max(buffer, spec.bytesPerSecond));
      return { action: 'bandwidth', bandwidth: { rate: `${spec.bytesPerSecond}bps`, limit, buffer } };
    }
    case 'partition':
      return { action: 'partition' };
    default:
      throw new UsageError(`${spec.kind} is not a network fault Chaos Mesh has`);
  }
}

/** Where bindy's BIND9 pods keep zone files and journals (bindy's examples mount their volume there). */
export const bind9DataVolume = '/var/cache/bind';

/** ENOSPC on Linux. */
const enospc = 28;

/** The I/O calls a full filesystem fails (Chaos Mesh's method names). */
const diskFullMethods = ['write', 'create', 'mknod', 'mkdir', 'symlink', 'link', 'rename', 'fsync', 'flush', 'setxattr'] as const;

function containerText(container: string | undefined): string {
  return `container ${container ?? 'bind9'}'s`;
}

/** The built experiment, and one line for logs and reports. */
export interface BuiltChaos {
  readonly object: ChaosObject;
  readonly text: string;
}

/** The Chaos Mesh experiment for `spec` on `site` (pure); a UsageError when there is none ({@link chaosUnsupportedReason}). */
export function buildChaos(spec: FaultSpec, site: ClusterSite, meta: ChaosMeta): BuiltChaos {
  const reason = chaosUnsupportedReason(spec, site);
  if (reason !== undefined) throw new UsageError(`fault on ${site.name}: ${reason}`);
  const metadata = { name: meta.name, namespace: meta.namespace, labels: { [runIdLabel]: meta.runId, [faultLabel]: meta.key } };
  const duration = goDuration(meta.durationMs);
  if (site.site === 'part') {
    const pods = site.pods;
    if (spec.kind === 'disk-full') {
      // ENOSPC from every write-like call on the volume where BIND9 keeps its zones and journals.
      const io = { action: 'fault', mode: pods.mode, selector: selector(pods), containerNames: [site.container ?? 'bind9'], volumePath: bind9DataVolume, path: `${bind9DataVolume}/**/*`, errno: enospc, percent: 100, methods: [...diskFullMethods], duration };
      return { object: { apiVersion: chaosMeshApiVersion, kind: 'IOChaos', metadata, spec: io }, text: `IOChaos fault errno ${enospc} (ENOSPC) on writes under ${containerText(site.container)} ${bind9DataVolume} of ${pods.mode} pod(s) of ${site.name} for ${duration}` };
    }
    let spec2: Record<string, unknown>;
    let text: string;
    if (spec.kind === 'pause') {
      spec2 = { action: 'pod-failure', mode: pods.mode, selector: selector(pods), duration };
      text = `PodChaos pod-failure on ${pods.mode} pod(s) of ${site.name} for ${duration}`;
    } else if (spec.kind === 'kill' && (site.container === undefined || spec.loseData === true)) {
      // The whole pod: its Deployment makes another, with empty storage (no persistent volume: bindy's default).
      spec2 = { action: 'pod-kill', mode: pods.mode, selector: selector(pods), ...(spec.signal === 'SIGTERM' ? {} : { gracePeriod: 0 }), duration };
      text = `PodChaos pod-kill on ${pods.mode} pod(s) of ${site.name}${spec.loseData === true ? ' (its data goes with the pod)' : ''}`;
    } else {
      spec2 = { action: 'container-kill', mode: pods.mode, selector: selector(pods), containerNames: [site.container ?? ''], duration };
      text = `PodChaos container-kill of container ${site.container ?? ''} on ${pods.mode} pod(s) of ${site.name}`;
    }
    return { object: { apiVersion: chaosMeshApiVersion, kind: 'PodChaos', metadata, spec: spec2 }, text };
  }
  const p = placement(site, spec) as Exclude<Placement, { refused: string }>;
  const body: Record<string, unknown> = {
    ...networkAction(spec),
    mode: p.selector.mode,
    selector: selector(p.selector),
    direction: p.direction,
    ...(p.target === undefined ? {} : { target: { mode: p.target.mode, selector: selector(p.target) } }),
    ...(p.external === undefined ? {} : { externalTargets: [...p.external] }),
    duration,
  };
  const towards = p.external !== undefined ? `towards ${p.external.join(', ')}` : p.target === undefined ? 'on everything they send' : `direction ${p.direction} with the client pods`;
  return { object: { apiVersion: chaosMeshApiVersion, kind: 'NetworkChaos', metadata, spec: body }, text: `NetworkChaos ${String(body.action)} on ${site.name} (selector ${Object.entries(p.selector.labels).map(([k, v]) => `${k}=${v}`).join(',')} in ${p.selector.namespace}, ${towards}) for ${duration}` };
}

/** A DNS-1123 object name for a run's fault: `lt-<run id>-<key>`, lower-cased, at most 63 characters (pure). */
export function chaosObjectName(runId: string, key: string): string {
  const slug = `lt-${runId}-${key}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  return slug.slice(0, 63).replace(/-+$/, '');
}
