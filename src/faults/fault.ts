/**
 * @module The one fault interface: what a fault is (a spec), what applying it gives back (an
 * AppliedFault that can revert itself and prove it), and the JSON revert descriptor a `cleanup`
 * after SIGKILL uses to revert it without the tool's memory. Mechanisms (the sandbox fault proxy
 * today; the supervisor, Chaos Mesh and native cluster faults later) implement {@link FaultMechanism}.
 */
import type { DeploymentLimitsDescriptor } from './limits/change.js';
import { UsageError } from '../errors.js';
import { formatSizeBytes } from '../config/values.js';

/** Which way a directional fault acts: towards the server (`upstream`), back to the client, or both. */
export type FaultDirection = 'upstream' | 'downstream' | 'both';

/** Fields every fault spec may carry. */
interface FaultCommon {
  /** Dead-man switch: the mechanism reverts the fault by itself after this many ms (as Chaos Mesh's `duration`). */
  readonly durationMs?: number;
}

/** Added delay per packet (UDP datagram, TCP chunk) in `direction` (default `upstream`). */
export interface LatencyFault extends FaultCommon {
  readonly kind: 'latency';
  readonly ms: number;
  /** Each delay is drawn uniformly from `ms ± jitterMs` (clamped at 0). */
  readonly jitterMs?: number;
  readonly direction?: FaultDirection;
  /** Seed of the jitter draws (default: from the fault id). */
  readonly seed?: number;
}

/**
 * A share of packets lost in `direction` (default `upstream`). UDP: the datagram is dropped. TCP:
 * the kernels on both ends retransmit a lost segment, so what an application sees is the segment
 * arriving `retransmitMs` late (default 200 ms, Linux's minimum RTO), with everything behind it held.
 */
export interface LossFault extends FaultCommon {
  readonly kind: 'loss';
  /** 0 < share ≤ 1. */
  readonly share: number;
  readonly direction?: FaultDirection;
  /** TCP only: the delay that stands for one retransmission. */
  readonly retransmitMs?: number;
  /** Seed of the loss draws (default: from the fault id). */
  readonly seed?: number;
}

/** A link rate limit in `direction` (default `upstream`), shared by every connection or client of the link. */
export interface BandwidthFault extends FaultCommon {
  readonly kind: 'bandwidth';
  readonly bytesPerSecond: number;
  readonly direction?: FaultDirection;
}

/**
 * Nothing passes either way. TCP `blackhole` (default): new connections are accepted but never
 * reach the server and existing ones stall, until the partition heals and they all resume; TCP
 * `refuse`: new connections are reset at once, existing ones stall. UDP: every datagram is dropped.
 */
export interface PartitionFault extends FaultCommon {
  readonly kind: 'partition';
  readonly mode?: 'blackhole' | 'refuse';
}

/** TCP only: every open connection is reset (RST both ways), and so is every new one while the fault lasts. */
export interface ResetFault extends FaultCommon {
  readonly kind: 'reset';
}

/**
 * A sandbox part's process is killed with `signal` (default SIGKILL) and stays down until the fault
 * is reverted, which starts it again as it was (same ports, same files).
 */
export interface KillFault extends FaultCommon {
  readonly kind: 'kill';
  readonly signal?: 'SIGKILL' | 'SIGTERM';
  /**
   * named only: its data goes with it (zone files, journals, the zones bindcar added), as a BIND9
   * pod restarted without a persistent volume (bindy's default); its config and keys stay. The
   * revert starts it with no zones: bringing them back is the operator's job (bindy #486).
   */
  readonly loseData?: boolean;
}

/** A sandbox part's process is frozen (SIGSTOP) until the fault is reverted (SIGCONT): it holds its sockets but answers nothing. */
export interface PauseFault extends FaultCommon {
  readonly kind: 'pause';
}

/** bindcar answers a `share` of its API requests (not /health, not /metrics) with `status`, without touching named. */
export interface HttpErrorsFault extends FaultCommon {
  readonly kind: 'http-errors';
  /** 0 < share ≤ 1. */
  readonly share: number;
  /** HTTP status of the failures, 400–599. */
  readonly status: number;
}

/**
 * The API server answers the operator's own requests (its resources and Events, not its Lease) 429
 * beyond the seats of a priority level of `shares` nominal shares (API Priority and Fairness).
 */
export interface ThrottleFault extends FaultCommon {
  readonly kind: 'throttle';
  /** nominalConcurrencyShares of the level (a real server's defaults sum to 245 of 600 seats). */
  readonly shares: number;
}

/**
 * The run's namespace at an object-count ResourceQuota on `kinds`: the API server refuses every
 * create beyond it (403 "exceeded quota"), as on a cluster whose namespace quota is reached.
 */
export interface QuotaFault extends FaultCommon {
  readonly kind: 'quota';
  /** The kinds counted (those the load creates), by kind name (ARecord, DNSZone…). */
  readonly kinds: readonly string[];
  /** Objects of each kind the namespace may still gain when the quota is set (0: at its limit). */
  readonly headroom: number;
}

/** A part's processes moved into a control group whose CFS quota is `cores` (as a kubelet's CPU limit): they run at most that much CPU time per period. */
export interface CpuLimitFault extends FaultCommon {
  readonly kind: 'cpu-limit';
  /** CPU cores, > 0 (0.05 = 50m). */
  readonly cores: number;
}

/** A part's processes moved into a control group with a memory limit of `mib`: what they allocate from then on is capped (the kernel reclaims, then OOM-kills). */
export interface MemoryLimitFault extends FaultCommon {
  readonly kind: 'memory-limit';
  /** MiB, > 0. */
  readonly mib: number;
}

/** A part's process may open only `spare` more file descriptors than it has open when the fault starts (its soft RLIMIT_NOFILE lowered with prlimit; the hard limit kept). */
export interface FdLimitFault extends FaultCommon {
  readonly kind: 'fd-limit';
  /** File descriptors it may still open, ≥ 0 (0: every new socket, file or pipe fails with EMFILE). */
  readonly spare: number;
}

/**
 * named's data filesystem (its zone directory, which bindcar writes too, as in a BIND9 pod's shared
 * volume) filled by a ballast file until `freeBytes` are left: every write beyond fails with ENOSPC
 * (zone files, journals of dynamic updates). Reverted by removing the ballast.
 */
export interface DiskFullFault extends FaultCommon {
  readonly kind: 'disk-full';
  /** Bytes left free, ≥ 0 (default 0: full). */
  readonly freeBytes?: number;
}

/**
 * A second operator replica beside the running one, as a Deployment scaled to two: with leader
 * election it must stand by while the first holds the Lease; without it both reconcile (split brain).
 */
export interface ReplicaFault extends FaultCommon {
  readonly kind: 'replica';
  /** Whether the second replica takes part in leader election (false: it reconciles whatever the Lease says). */
  readonly leaderElection: boolean;
}

/** A network fault on one link of the fault proxy. */
export type NetworkFault = LatencyFault | LossFault | BandwidthFault | PartitionFault | ResetFault;

/** A fault on one sandbox part's process. */
export type ProcessFault = KillFault | PauseFault;

/** A fault in what a part answers (its own fault hooks, or the API server's flow control), not in its process or a link. */
export type ServiceFault = HttpErrorsFault | ThrottleFault | QuotaFault;

/** A resource limit on a part's processes (control groups). */
export type ResourceFault = CpuLimitFault | MemoryLimitFault | FdLimitFault;

/**
 * Zone files of named torn as a crash in the middle of a write leaves them (the first half of their
 * bytes, cut mid-record), found by named at its next start: named is killed, the files cut, named
 * started again; those zones fail to load (SERVFAIL) while the others answer. Reverted by writing
 * back each file still torn and reloading its zone.
 */
export interface ZoneCorruptionFault extends FaultCommon {
  readonly kind: 'zone-corruption';
  /** How many zone files (default 1; the first in name order). */
  readonly zones?: number;
}

/** A fault of a part's storage. */
export type StorageFault = DiskFullFault | ZoneCorruptionFault;

/** Any fault: on a link (network kinds) or on a part (process, service, resource and storage kinds). */
export type FaultSpec = NetworkFault | ProcessFault | ServiceFault | ResourceFault | StorageFault | ReplicaFault;

/** The kinds of {@link FaultSpec}. */
export type FaultKind = FaultSpec['kind'];

/** Kinds that act on a link's traffic. */
export const networkFaultKinds: readonly NetworkFault['kind'][] = ['latency', 'loss', 'bandwidth', 'partition', 'reset'];

/** Kinds that act on a part's process. */
export const processFaultKinds: readonly ProcessFault['kind'][] = ['kill', 'pause'];

/** Kinds that act on what a part answers. */
export const serviceFaultKinds: readonly ServiceFault['kind'][] = ['http-errors', 'throttle', 'quota'];

/** Kinds that limit a part's resources. */
export const resourceFaultKinds: readonly ResourceFault['kind'][] = ['cpu-limit', 'memory-limit', 'fd-limit'];

/** Kinds that act on a part's storage. */
export const storageFaultKinds: readonly StorageFault['kind'][] = ['disk-full', 'zone-corruption'];

/** Every fault kind, in the order the docs list them. */
export const faultKinds: readonly FaultKind[] = [...networkFaultKinds, ...processFaultKinds, ...serviceFaultKinds, ...resourceFaultKinds, ...storageFaultKinds, 'replica'];

/** True for the kinds that limit a part's resources. */
export function isResourceFault(spec: FaultSpec): spec is ResourceFault {
  return spec.kind === 'cpu-limit' || spec.kind === 'memory-limit' || spec.kind === 'fd-limit';
}

/** True for the kinds that act on a part's storage. */
export function isStorageFault(spec: FaultSpec): spec is StorageFault {
  return spec.kind === 'disk-full' || spec.kind === 'zone-corruption';
}

/** True for the kinds that act on a part's process rather than on a link. */
export function isProcessFault(spec: FaultSpec): spec is ProcessFault {
  return spec.kind === 'kill' || spec.kind === 'pause';
}

/** True for the kinds that act on what a part answers. */
export function isServiceFault(spec: FaultSpec): spec is ServiceFault {
  return spec.kind === 'http-errors' || spec.kind === 'throttle' || spec.kind === 'quota';
}

/** What a fault acts on: a link's traffic, or a part's process (a pod or container on a cluster). */
export type FaultSite = 'link' | 'part';

/** Transport of a link. */
export type LinkProtocol = 'tcp' | 'udp';

/** Upper bound of every delay and duration a spec may name: 24 h. */
const maxMs = 86_400_000;

const allowedKeys: Record<FaultKind, readonly string[]> = {
  latency: ['ms', 'jitterMs', 'direction', 'seed'],
  loss: ['share', 'direction', 'retransmitMs', 'seed'],
  bandwidth: ['bytesPerSecond', 'direction'],
  partition: ['mode'],
  reset: [],
  kill: ['signal', 'loseData'],
  pause: [],
  'http-errors': ['share', 'status'],
  throttle: ['shares'],
  quota: ['kinds', 'headroom'],
  'cpu-limit': ['cores'],
  'memory-limit': ['mib'],
  'fd-limit': ['spare'],
  'disk-full': ['freeBytes'],
  'zone-corruption': ['zones'],
  replica: ['leaderElection'],
};

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/**
 * Validates a fault spec from untrusted JSON (config, control API) and returns it typed; a bad
 * spec throws a one-line UsageError prefixed with `where` (e.g. `--fault` or `PUT /links/x/fault`).
 */
export function parseFaultSpec(value: unknown, where = 'fault spec'): FaultSpec {
  const fail = (msg: string): never => {
    throw new UsageError(`${where}: ${msg}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`must be a JSON object with a "kind" (got ${describe(value)})`);
  const o = value as Record<string, unknown>;
  const kind = o['kind'];
  if (typeof kind !== 'string' || !(faultKinds as readonly string[]).includes(kind)) {
    return fail(`kind must be one of ${faultKinds.join(', ')} (got ${describe(kind)})`);
  }
  const k = kind as FaultKind;
  for (const key of Object.keys(o)) {
    if (key !== 'kind' && key !== 'durationMs' && !allowedKeys[k].includes(key)) {
      return fail(`${k} has no field "${key}" (its fields: ${[...allowedKeys[k], 'durationMs'].join(', ')})`);
    }
  }
  const num = (key: string, min: number, max: number, opts: { integer?: boolean; minExclusive?: boolean } = {}): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    const ok = typeof v === 'number' && Number.isFinite(v) && (opts.minExclusive === true ? v > min : v >= min) && v <= max && (opts.integer !== true || Number.isInteger(v));
    if (!ok) fail(`${k}.${key} must be ${opts.integer === true ? 'an integer' : 'a number'} ${opts.minExclusive === true ? '>' : '≥'} ${min} and ≤ ${max} (got ${describe(v)})`);
    return v as number;
  };
  const required = (key: string, v: number | undefined): number => (v === undefined ? fail(`${k}.${key} is required`) : v);
  const direction = (): FaultDirection | undefined => {
    const v = o['direction'];
    if (v === undefined) return undefined;
    if (v !== 'upstream' && v !== 'downstream' && v !== 'both') return fail(`${k}.direction must be upstream, downstream or both (got ${describe(v)})`);
    return v;
  };
  const durationMs = num('durationMs', 0, maxMs, { integer: true, minExclusive: true });
  const common = durationMs === undefined ? {} : { durationMs };
  const seed = (): { seed?: number } => {
    const s = num('seed', 0, 0xffffffff, { integer: true });
    return s === undefined ? {} : { seed: s };
  };
  const dir = (): { direction?: FaultDirection } => {
    const d = direction();
    return d === undefined ? {} : { direction: d };
  };
  switch (k) {
    case 'latency': {
      const ms = required('ms', num('ms', 0, maxMs));
      const jitterMs = num('jitterMs', 0, maxMs);
      return { kind: 'latency', ms, ...(jitterMs === undefined ? {} : { jitterMs }), ...dir(), ...seed(), ...common };
    }
    case 'loss': {
      const share = required('share', num('share', 0, 1, { minExclusive: true }));
      const retransmitMs = num('retransmitMs', 0, maxMs);
      return { kind: 'loss', share, ...(retransmitMs === undefined ? {} : { retransmitMs }), ...dir(), ...seed(), ...common };
    }
    case 'bandwidth':
      return { kind: 'bandwidth', bytesPerSecond: required('bytesPerSecond', num('bytesPerSecond', 0, 1e12, { integer: true, minExclusive: true })), ...dir(), ...common };
    case 'partition': {
      const mode = o['mode'];
      if (mode !== undefined && mode !== 'blackhole' && mode !== 'refuse') return fail(`partition.mode must be blackhole or refuse (got ${describe(mode)})`);
      return { kind: 'partition', ...(mode === undefined ? {} : { mode }), ...common };
    }
    case 'reset':
      return { kind: 'reset', ...common };
    case 'kill': {
      const signal = o['signal'];
      if (signal !== undefined && signal !== 'SIGKILL' && signal !== 'SIGTERM') return fail(`kill.signal must be SIGKILL or SIGTERM (got ${describe(signal)})`);
      const loseData = o['loseData'];
      if (loseData !== undefined && typeof loseData !== 'boolean') return fail(`kill.loseData must be true or false (got ${describe(loseData)})`);
      return { kind: 'kill', ...(signal === undefined ? {} : { signal }), ...(loseData === true ? { loseData } : {}), ...common };
    }
    case 'pause':
      return { kind: 'pause', ...common };
    case 'http-errors':
      return { kind: 'http-errors', share: required('share', num('share', 0, 1, { minExclusive: true })), status: required('status', num('status', 400, 599, { integer: true })), ...common };
    case 'throttle':
      return { kind: 'throttle', shares: required('shares', num('shares', 1, 1000, { integer: true })), ...common };
    case 'quota': {
      const kinds = o['kinds'];
      if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((x) => typeof x === 'string' && /^[A-Z][A-Za-z0-9]*$/.test(x))) return fail(`quota.kinds must be a non-empty array of kind names (got ${describe(kinds)})`);
      return { kind: 'quota', kinds: kinds as string[], headroom: required('headroom', num('headroom', 0, 1_000_000, { integer: true })), ...common };
    }
    case 'cpu-limit':
      return { kind: 'cpu-limit', cores: required('cores', num('cores', 0, 1024, { minExclusive: true })), ...common };
    case 'memory-limit':
      return { kind: 'memory-limit', mib: required('mib', num('mib', 0, 1048576, { minExclusive: true })), ...common };
    case 'fd-limit':
      return { kind: 'fd-limit', spare: required('spare', num('spare', 0, 1_000_000, { integer: true })), ...common };
    case 'disk-full': {
      const freeBytes = num('freeBytes', 0, 1e15, { integer: true });
      return { kind: 'disk-full', ...(freeBytes === undefined ? {} : { freeBytes }), ...common };
    }
    case 'zone-corruption': {
      const zones = num('zones', 1, 10_000, { integer: true });
      return { kind: 'zone-corruption', ...(zones === undefined ? {} : { zones }), ...common };
    }
    case 'replica': {
      const le = o['leaderElection'];
      if (typeof le !== 'boolean') return fail(`replica.leaderElection must be true or false (got ${describe(le)})`);
      return { kind: 'replica', leaderElection: le, ...common };
    }
  }
}

/**
 * Why `spec` cannot act on `on` (a link of that protocol, or a part's `process`), or undefined when
 * it can: network kinds act on links only, process kinds on parts only.
 */
export function faultUnsupportedReason(spec: FaultSpec, on: LinkProtocol | 'process'): string | undefined {
  if (spec.kind === 'replica') return `replica starts a second operator process: it acts on the part operator (the sandbox-replica mechanism), not on ${on === 'process' ? "a part's running process" : 'a link'}`;
  if (isStorageFault(spec)) return `${spec.kind} is a storage fault: it acts on a part's data filesystem, not on ${on === 'process' ? "a part's process" : 'a link'}`;
  if (isResourceFault(spec)) return `${spec.kind} is a resource limit: it acts on a part's ${spec.kind === 'fd-limit' ? 'rlimits' : 'control groups'}, not on ${on === 'process' ? "a part's process signals" : 'a link'}`;
  if (isServiceFault(spec)) return `${spec.kind} is a service fault: it acts on what a part answers (${spec.kind === 'http-errors' ? "bindcar's fault hooks" : spec.kind === 'quota' ? "the API server's quota admission" : "the API server's flow control"}), not on ${on === 'process' ? "a part's process" : 'a link'}`;
  if (on === 'process') {
    return isProcessFault(spec) ? undefined : `${spec.kind} is a network fault: it acts on a link of the fault proxy, not on a part's process (process faults: ${processFaultKinds.join(', ')})`;
  }
  if (isProcessFault(spec)) return `${spec.kind} is a process fault: it acts on a sandbox part (operator, sidecar, named), not on a link (network faults: ${networkFaultKinds.join(', ')})`;
  const protocol = on;
  if (protocol === 'udp' && spec.kind === 'reset') return 'reset applies to TCP links only (UDP has no connection to reset)';
  if (protocol === 'udp' && spec.kind === 'partition' && spec.mode === 'refuse') return 'partition mode refuse applies to TCP links only (a UDP partition drops every datagram)';
  if (protocol === 'udp' && spec.kind === 'loss' && spec.retransmitMs !== undefined) return 'loss.retransmitMs applies to TCP links only (a lost datagram is gone)';
  return undefined;
}

/** Whether a directional fault acts on traffic going `way` (non-directional faults act both ways). */
export function actsOn(spec: FaultSpec, way: 'upstream' | 'downstream'): boolean {
  if (spec.kind !== 'latency' && spec.kind !== 'loss' && spec.kind !== 'bandwidth') return true;
  const d = spec.direction ?? 'upstream';
  return d === 'both' || d === way;
}

/** One-line description of a spec, for logs and reports, e.g. `latency 200 ms ±20 ms upstream for 30 s`. */
export function describeFault(spec: FaultSpec): string {
  const dirText = spec.kind === 'latency' || spec.kind === 'loss' || spec.kind === 'bandwidth' ? ` ${spec.direction ?? 'upstream'}` : '';
  const forText = spec.durationMs === undefined ? '' : ` for ${spec.durationMs} ms`;
  switch (spec.kind) {
    case 'latency':
      return `latency ${spec.ms} ms${spec.jitterMs === undefined ? '' : ` ±${spec.jitterMs} ms`}${dirText}${forText}`;
    case 'loss':
      return `loss ${(spec.share * 100).toFixed(2).replace(/\.?0+$/, '')} %${dirText}${forText}`;
    case 'bandwidth':
      return `bandwidth ${spec.bytesPerSecond} B/s${dirText}${forText}`;
    case 'partition':
      return `partition (${spec.mode ?? 'blackhole'})${forText}`;
    case 'reset':
      return `reset${forText}`;
    case 'kill':
      return `kill (${spec.signal ?? 'SIGKILL'})${spec.loseData === true ? ' losing its data' : ''}${forText === '' ? ' until reverted' : forText}`;
    case 'pause':
      return `pause (SIGSTOP)${forText === '' ? ' until reverted' : forText}`;
    case 'http-errors':
      return `HTTP ${spec.status} to ${(spec.share * 100).toFixed(2).replace(/\.?0+$/, '')} % of requests${forText}`;
    case 'throttle':
      return `429 beyond a priority level of ${spec.shares} share${spec.shares === 1 ? '' : 's'} for the operator${forText}`;
    case 'quota':
      return `object-count quota on ${spec.kinds.join(', ')} at ${spec.headroom === 0 ? 'the count when set' : `the count when set + ${spec.headroom}`}: creates beyond it refused 403${forText}`;
    case 'cpu-limit':
      return `CPU capped at ${Math.round(spec.cores * 1000)}m${forText}`;
    case 'memory-limit':
      return `memory capped at ${spec.mib} MiB${forText}`;
    case 'fd-limit':
      return `open files capped at ${spec.spare} more than open${forText}`;
    case 'disk-full':
      return `data filesystem filled${(spec.freeBytes ?? 0) === 0 ? '' : ` to ${formatSizeBytes(spec.freeBytes ?? 0)} free`}${forText}`;
    case 'zone-corruption':
      return `${spec.zones ?? 1} zone file${(spec.zones ?? 1) === 1 ? '' : 's'} torn, found at named's restart${forText}`;
    case 'replica':
      return `a second operator replica ${spec.leaderElection ? 'with leader election (it must stand by)' : 'without leader election (both reconcile: split brain)'}${forText}`;
  }
}

/**
 * How to check, through a link, that it answers normally again: a DNS query (UDP or TCP) or an
 * HTTP(S) GET (any status counts as an answer). Sent to the link's listen address.
 */
export type ProbeSpec =
  | { readonly kind: 'dns'; readonly protocol: LinkProtocol; readonly name: string; readonly type: 'SOA' | 'NS' | 'A'; readonly timeoutMs?: number }
  | { readonly kind: 'http'; readonly tls?: boolean; readonly path: string; readonly timeoutMs?: number };

/**
 * What a `cleanup` needs to revert a fault of the sandbox fault proxy after the tool was killed:
 * plain JSON, written to the run journal before the fault is applied.
 */
export interface ProxyRevertDescriptor {
  readonly mechanism: 'sandbox-proxy';
  readonly version: 1;
  /** The proxy's control API, e.g. `http://127.0.0.1:40123`. */
  readonly controlUrl: string;
  readonly link: string;
  /** The fault's id on that link; a revert clears only this fault, never a later one. */
  readonly faultId: string;
  /** Where the link listens, for the probe. */
  readonly listen: { readonly host: string; readonly port: number };
  readonly probe?: ProbeSpec;
}

/** The sandbox parts a process fault can act on. */
export type ProcessFaultTarget = 'operator' | 'sidecar' | 'named';

/** Every {@link ProcessFaultTarget}. */
export const processFaultTargets: readonly ProcessFaultTarget[] = ['operator', 'sidecar', 'named'];

/** A secondary server's named or bindcar on the sandbox (`named-secondary-0`, `sidecar-secondary-1`): kills and pauses act on them too. */
export type SecondaryServerPart = `named-secondary-${number}` | `sidecar-secondary-${number}`;

/** Whether `s` names a secondary server's named or bindcar (pure). */
export function isSecondaryServerPart(s: unknown): s is SecondaryServerPart {
  return typeof s === 'string' && /^(named|sidecar)-secondary-(0|[1-9][0-9]{0,2})$/.test(s);
}

/**
 * What a `cleanup` needs to revert a process fault on a sandbox part after the tool was killed:
 * the sandbox home (its state.json says how to start the part again) and what to undo.
 */
export interface ProcessRevertDescriptor {
  readonly mechanism: 'sandbox-process';
  readonly version: 1;
  /** The sandbox home, the folder of state.json. */
  readonly home: string;
  readonly part: ProcessFaultTarget | SecondaryServerPart;
  /** `restart` after a kill, `resume` (SIGCONT) after a pause. */
  readonly action: 'restart' | 'resume';
  /** The processes the fault acted on (the part's, or named's for `named`). */
  readonly pids: readonly number[];
}

/**
 * What a `cleanup` needs to lift an error fault of the sandbox's bindcar twin after the tool was
 * killed: the sandbox home (state.json names the token file) and the fault's id on the twin.
 */
export interface SidecarRevertDescriptor {
  readonly mechanism: 'sandbox-sidecar';
  readonly version: 1;
  readonly home: string;
  /** The twin's base URL, e.g. `http://127.0.0.1:40200`. */
  readonly url: string;
  /** The fault's id on the twin; a revert clears only this fault. */
  readonly faultId: string;
}

/**
 * What a `cleanup` needs to lift a throttle of the sandbox's API server (a FlowSchema and a
 * PriorityLevelConfiguration of one name): the sandbox home (state.json: its kubeconfig) and the
 * server it was made on (a sandbox started there later is another one, never touched).
 */
export interface FlowControlRevertDescriptor {
  readonly mechanism: 'api-flowcontrol';
  readonly version: 1;
  readonly home: string;
  readonly server: string;
  /** Name of both objects. */
  readonly name: string;
}

/**
 * What a `cleanup` needs to lift a resource limit of a sandbox part: the control groups made for it
 * (removing them moves what runs there back to its own group, their parent) and the part, started
 * again when the limit killed it (an OOM kill).
 */
export interface CgroupRevertDescriptor {
  readonly mechanism: 'sandbox-cgroup';
  readonly version: 1;
  readonly home: string;
  readonly part: ProcessFaultTarget | SecondaryServerPart;
  /** The processes moved in. */
  readonly pids: readonly number[];
  /** The groups made (child groups of the part's own), removed on revert. */
  readonly groups: readonly string[];
}

/** What a `cleanup` needs to restore a part's open-files limit: the process and its limits of before. */
export interface RlimitRevertDescriptor {
  readonly mechanism: 'sandbox-rlimit';
  readonly version: 1;
  readonly home: string;
  readonly part: ProcessFaultTarget | SecondaryServerPart;
  readonly pid: number;
  /** RLIMIT_NOFILE before the fault ('unlimited' as -1). */
  readonly soft: number;
  readonly hard: number;
}

/**
 * What a `cleanup` needs to empty a filled data filesystem of a sandbox part: the ballast file
 * (removing it is the revert) on the size-limited filesystem the sandbox mounted for the part.
 */
export interface DiskRevertDescriptor {
  readonly mechanism: 'sandbox-disk';
  readonly version: 1;
  readonly home: string;
  readonly part: ProcessFaultTarget;
  /** The filesystem's mount point (named's directory). */
  readonly mount: string;
  /** The ballast file, inside `mount`. */
  readonly ballast: string;
}

/** One zone file a zone-corruption fault tore: where it is, its good bytes, and how to tell it is still torn. */
export interface TornZoneFile {
  readonly zone: string;
  /** The zone file, in named's directory. */
  readonly path: string;
  /** A copy of its bytes before the tear (in the sandbox's folder, outside named's directory). */
  readonly backup: string;
  /** SHA-256 (hex) of the torn bytes: a file with other bytes was written again since, and is left alone. */
  readonly tornSha256: string;
}

/**
 * What a `cleanup` needs to mend torn zone files of the sandbox's named: each file, its copy of
 * before, and the hash of the torn bytes; named is started again if it is down.
 */
export interface ZoneFileRevertDescriptor {
  readonly mechanism: 'sandbox-zonefile';
  readonly version: 1;
  readonly home: string;
  readonly part: 'named';
  readonly files: readonly TornZoneFile[];
}

/** The Chaos Mesh kinds the tool writes (chaos-mesh.org/v1alpha1). */
export type ChaosMeshKind = 'NetworkChaos' | 'PodChaos' | 'StressChaos' | 'IOChaos';

/** Every {@link ChaosMeshKind}. */
export const chaosMeshKinds: readonly ChaosMeshKind[] = ['NetworkChaos', 'PodChaos', 'StressChaos', 'IOChaos'];

/**
 * What a `cleanup` needs to revert a Chaos Mesh experiment after the tool was killed: which object
 * on which cluster. Deleting it is the revert (Chaos Mesh's finalizer holds the object until every
 * target is recovered); its `duration` ends it anyway if nobody does.
 */
export interface ChaosMeshRevertDescriptor {
  readonly mechanism: 'chaos-mesh';
  readonly version: 1;
  /** The API server it was created on: a revert refuses another one. */
  readonly server: string;
  readonly kind: ChaosMeshKind;
  readonly namespace: string;
  readonly name: string;
}

/**
 * What a `cleanup` needs after a native pod kill on a cluster (no Chaos Mesh): nothing to undo (the
 * pods' controller replaces them), only to prove it: the pods the selector matched are gone and as
 * many Ready pods match it again.
 */
export interface PodDeleteRevertDescriptor {
  readonly mechanism: 'cluster-native';
  readonly version: 1;
  readonly server: string;
  readonly namespace: string;
  /** Label selector of the pods (`a=b,c=d`). */
  readonly labelSelector: string;
  /** The pods deleted, by name and uid. */
  readonly pods: readonly { readonly name: string; readonly uid: string }[];
  /** Ready pods matching the selector before the kill: the revert waits for as many again. */
  readonly readyBefore: number;
}

/**
 * What a `cleanup` needs to mend zone files a zone corruption tore in a cluster's BIND9 pod
 * (through pods/exec): the pod (by uid: a replaced pod took its files with it), its container,
 * named's directory, the run's folder of copies beside the files, and the zones.
 */
export interface PodZoneFileRevertDescriptor {
  readonly mechanism: 'pod-zonefile';
  readonly version: 1;
  readonly server: string;
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string;
  readonly container: string;
  /** named's directory, where the files are `<zone>.zone`. */
  readonly zoneDir: string;
  /** The copies of the files before the tear: `<zoneDir>/.bindy-loadtest-<run-id>` (a revert removes it). */
  readonly backupDir: string;
  readonly zones: readonly string[];
}

/**
 * What a `cleanup` needs to lift an object-count quota: the ResourceQuota to delete (proven gone,
 * GET 404), on the API server it was made on: the sandbox's (`home`) or a cluster's.
 */
export interface QuotaRevertDescriptor {
  readonly mechanism: 'api-quota';
  readonly version: 1;
  /** The API server it was made on: a revert refuses another one. */
  readonly server: string;
  /** The sandbox home whose API server it is; absent on a cluster (the revert then needs that cluster's kubeconfig). */
  readonly home?: string;
  readonly namespace: string;
  readonly name: string;
}

/** What a `cleanup` needs to stop a second operator replica: the marker in its command line (`--replica <id>`). */
export interface ReplicaRevertDescriptor {
  readonly mechanism: 'sandbox-replica';
  readonly version: 1;
  readonly home: string;
  readonly replicaId: string;
}

/**
 * What a `cleanup` needs to undo split-brain on a cluster: bindy's Deployment, its replicas and its
 * leader-election env entry before and as the run set them (a revert only ever goes from exactly
 * the latter back to the former), on the API server it was made on.
 */
export interface DeploymentReplicaRevertDescriptor {
  readonly mechanism: 'deployment-replica';
  readonly version: 1;
  readonly server: string;
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  readonly replicas: { readonly original: number; readonly applied: number };
  /** null: leader election left as it was; else the env entry before (null: absent) and as set. */
  readonly leaderElection: { readonly original: { readonly name: string; readonly value?: string } | null; readonly applied: { readonly name: string; readonly value?: string } } | null;
}

/**
 * What a `cleanup` needs to undo cpu-throttle or memory-pressure of the operator on a cluster:
 * backpressure's record of a Deployment's resources change (before and as the run set them, on the
 * API server it was made on), journalled as a fault.
 */
export type DeploymentLimitsRevertDescriptor = Omit<DeploymentLimitsDescriptor, 'change'> & { readonly mechanism: 'deployment-limits' };

/** A revert descriptor of a cluster mechanism (needs that cluster's kubeconfig to act). */
export type ClusterRevertDescriptor = ChaosMeshRevertDescriptor | PodDeleteRevertDescriptor | DeploymentReplicaRevertDescriptor | DeploymentLimitsRevertDescriptor | PodZoneFileRevertDescriptor;

/** A revert descriptor of any mechanism. */
export type RevertDescriptor = ProxyRevertDescriptor | ProcessRevertDescriptor | SidecarRevertDescriptor | FlowControlRevertDescriptor | CgroupRevertDescriptor | RlimitRevertDescriptor | DiskRevertDescriptor | ZoneFileRevertDescriptor | QuotaRevertDescriptor | ReplicaRevertDescriptor | ClusterRevertDescriptor;

/** True for descriptors of a cluster mechanism. */
export function isClusterDescriptor(d: RevertDescriptor): boolean {
  return d.mechanism === 'chaos-mesh' || d.mechanism === 'cluster-native' || d.mechanism === 'deployment-replica' || d.mechanism === 'deployment-limits' || d.mechanism === 'pod-zonefile' || (d.mechanism === 'api-quota' && d.home === undefined);
}

/** What a revert did. */
export interface RevertOutcome {
  /** The fault is no longer active (now, or it already was not). */
  readonly reverted: boolean;
  /** It had already ended (dead-man, an earlier revert, its mechanism gone). */
  readonly already: boolean;
  readonly detail: string;
}

/** Evidence that a fault is gone: the mechanism's own word and, when a probe is known, an answer through the link. */
export interface RevertProof {
  /** True when the mechanism no longer has the fault and the probe (if any) answered. */
  readonly reverted: boolean;
  /** Wall-clock time of the check (ISO). */
  readonly checkedAt: string;
  /** The mechanism reports the fault inactive. */
  readonly faultCleared: boolean;
  readonly probe?: { readonly ok: boolean; readonly rttMs?: number; readonly detail: string };
  /** One line a report can show. */
  readonly evidence: string;
}

/** A fault in force: revert it, and prove it reverted. */
export interface AppliedFault {
  readonly id: string;
  /** What it acts on: a link name for the proxy (a part or pod later). */
  readonly target: string;
  readonly spec: FaultSpec;
  /** Wall-clock time it took effect (ISO). */
  readonly appliedAt: string;
  /** When its dead-man switch reverts it (ISO), if it has one. */
  readonly expiresAt?: string;
  /** Written to the journal; enough to revert without this object. */
  readonly descriptor: RevertDescriptor;
  /** Undoes the fault (idempotent: a second call, or one after the dead-man, reports `already`). */
  revert(): Promise<RevertOutcome>;
  /** Checks that the fault is gone and the target answers normally. */
  verifyReverted(): Promise<RevertProof>;
  /** What the mechanism saw of the fault's own effect, read at the revert (a replica's reconciles); absent: nothing. */
  observations?(): Readonly<Record<string, number>>;
}

/** A way of injecting faults (the sandbox proxy, later the supervisor, Chaos Mesh, native cluster faults). */
export interface FaultMechanism {
  /** Stable name, also the `mechanism` of its revert descriptors. */
  readonly name: RevertDescriptor['mechanism'];
  /** The mechanism lifts a fault by itself after `spec.durationMs` (the fault proxy, Chaos Mesh's `duration`): a caller should give one. */
  readonly deadMan?: boolean;
  /** Why this mechanism cannot apply `spec` to `target` (unknown target, unsupported kind), or undefined when it can. */
  unsupportedReason(target: string, spec: FaultSpec): string | undefined;
  /**
   * Applies `spec` to `target`. `beforeApply` gets the revert descriptor before the fault takes
   * effect, so the caller can journal it first (DESIGN.md: written to the run journal before it
   * happens); if it throws, nothing is applied.
   */
  apply(target: string, spec: FaultSpec, options?: ApplyOptions): Promise<AppliedFault>;
}

/** Options of {@link FaultMechanism.apply}. */
export interface ApplyOptions {
  /** Called (and awaited) with the revert descriptor before the fault takes effect. */
  readonly beforeApply?: (descriptor: RevertDescriptor) => void | Promise<void>;
}

/** True when `id` is a valid fault id: 1-64 of a-z, 0-9 and `-` (ids travel in URLs and journals). */
export function isFaultId(id: string): boolean {
  return /^[a-z0-9][-a-z0-9]{0,63}$/.test(id);
}

/** Validates a revert descriptor read back from a journal; a bad one throws a one-line UsageError. */
export function parseRevertDescriptor(value: unknown, where = 'revert descriptor'): RevertDescriptor {
  const fail = (msg: string): never => {
    throw new UsageError(`${where}: ${msg}`);
  };
  if (typeof value !== 'object' || value === null) return fail('must be a JSON object');
  const o = value as Record<string, unknown>;
  if (!['sandbox-proxy', 'sandbox-process', 'sandbox-sidecar', 'api-flowcontrol', 'sandbox-cgroup', 'sandbox-rlimit', 'sandbox-disk', 'sandbox-zonefile', 'api-quota', 'sandbox-replica', 'chaos-mesh', 'cluster-native', 'deployment-replica', 'deployment-limits', 'pod-zonefile'].includes(String(o['mechanism']))) return fail(`unknown mechanism ${describe(o['mechanism'])}`);
  if (o['version'] !== 1) return fail(`unsupported version ${describe(o['version'])}`);
  const nonEmpty = (...keys: string[]): void => {
    for (const key of keys) if (typeof o[key] !== 'string' || o[key] === '') fail(`${key} must be a non-empty string`);
  };
  if (o['mechanism'] === 'chaos-mesh') {
    nonEmpty('server', 'namespace', 'name');
    if (!(chaosMeshKinds as readonly unknown[]).includes(o['kind'])) return fail(`kind must be one of ${chaosMeshKinds.join(', ')} (got ${describe(o['kind'])})`);
    return value as ChaosMeshRevertDescriptor;
  }
  if (o['mechanism'] === 'deployment-replica') {
    nonEmpty('server', 'namespace', 'name', 'container');
    const r = o['replicas'] as Record<string, unknown> | null | undefined;
    const count = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
    if (typeof r !== 'object' || r === null || !count(r['original']) || !count(r['applied'])) return fail('replicas must be {original, applied}, non-negative integers');
    const le = o['leaderElection'];
    const envVar = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as Record<string, unknown>)['name'] === 'BINDY_ENABLE_LEADER_ELECTION';
    if (le !== null && !(typeof le === 'object' && le !== undefined && envVar((le as Record<string, unknown>)['applied']) && ((le as Record<string, unknown>)['original'] === null || envVar((le as Record<string, unknown>)['original'])))) {
      return fail('leaderElection must be null or {original: null or the BINDY_ENABLE_LEADER_ELECTION entry, applied: that entry}');
    }
    return value as DeploymentReplicaRevertDescriptor;
  }
  if (o['mechanism'] === 'deployment-limits') {
    nonEmpty('server', 'namespace', 'name', 'container');
    const isMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!(o['original'] === null || isMap(o['original']))) return fail('original must be null or an object (the container\'s resources before)');
    if (!isMap(o['applied'])) return fail('applied must be an object (the resources the run set)');
    return value as DeploymentLimitsRevertDescriptor;
  }
  if (o['mechanism'] === 'pod-zonefile') {
    nonEmpty('server', 'namespace', 'pod', 'podUid', 'container', 'zoneDir', 'backupDir');
    const dir = o['zoneDir'] as string;
    // A revert removes backupDir and writes `<zoneDir>/<zone>.zone`: only ever the run's folder directly in zoneDir, and zone names.
    if (!dir.startsWith('/')) return fail('zoneDir must be an absolute path');
    const rest = (o['backupDir'] as string).startsWith(`${dir.replace(/\/+$/, '')}/`) ? (o['backupDir'] as string).slice(dir.replace(/\/+$/, '').length + 1) : '';
    if (!/^\.bindy-loadtest-[a-z0-9][-a-z0-9]*$/.test(rest)) return fail('backupDir must be zoneDir/.bindy-loadtest-<run-id>');
    const zones = o['zones'];
    if (!Array.isArray(zones) || zones.length === 0 || !zones.every((z) => typeof z === 'string' && /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(z))) return fail('zones must be a non-empty array of zone names');
    return value as PodZoneFileRevertDescriptor;
  }
  if (o['mechanism'] === 'cluster-native') {
    nonEmpty('server', 'namespace', 'labelSelector');
    const pods = o['pods'];
    if (!Array.isArray(pods) || !pods.every((p) => typeof p === 'object' && p !== null && typeof (p as Record<string, unknown>)['name'] === 'string' && typeof (p as Record<string, unknown>)['uid'] === 'string')) {
      return fail('pods must be an array of {name, uid}');
    }
    if (!Number.isInteger(o['readyBefore']) || (o['readyBefore'] as number) < 0) return fail('readyBefore must be a non-negative integer');
    return value as PodDeleteRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-sidecar') {
    nonEmpty('home', 'url', 'faultId');
    return value as SidecarRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-zonefile') {
    nonEmpty('home');
    if (o['part'] !== 'named') return fail(`part must be named (got ${describe(o['part'])})`);
    const files = o['files'];
    const fileOk = (f: unknown): boolean => {
      if (typeof f !== 'object' || f === null) return false;
      const r = f as Record<string, unknown>;
      // A revert writes `path` from `backup`: only ever a zone file.
      return typeof r['zone'] === 'string' && typeof r['path'] === 'string' && r['path'].endsWith('.zone') && typeof r['backup'] === 'string' && typeof r['tornSha256'] === 'string' && /^[0-9a-f]{64}$/.test(r['tornSha256']);
    };
    if (!Array.isArray(files) || files.length === 0 || !files.every(fileOk)) return fail('files must be a non-empty array of {zone, path (a .zone file), backup, tornSha256}');
    return value as ZoneFileRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-disk') {
    nonEmpty('home', 'mount', 'ballast');
    if (!(processFaultTargets as readonly unknown[]).includes(o['part'])) return fail(`part must be one of ${processFaultTargets.join(', ')} (got ${describe(o['part'])})`);
    const mount = o['mount'] as string;
    // A revert deletes the ballast: only ever a file directly inside the mount it names.
    if (!(o['ballast'] as string).startsWith(`${mount}/`) || (o['ballast'] as string).slice(mount.length + 1).includes('/')) return fail('ballast must be a file directly inside mount');
    return value as DiskRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-rlimit') {
    nonEmpty('home');
    if (!(processFaultTargets as readonly unknown[]).includes(o['part']) && !isSecondaryServerPart(o['part'])) return fail(`part must be one of ${processFaultTargets.join(', ')} or a secondary's named-secondary-<i>, sidecar-secondary-<i> (got ${describe(o['part'])})`);
    if (!Number.isInteger(o['pid']) || (o['pid'] as number) <= 0) return fail('pid must be a positive integer');
    for (const k of ['soft', 'hard']) if (!Number.isInteger(o[k]) || (o[k] as number) < -1) fail(`${k} must be an integer ≥ -1 (-1: unlimited)`);
    return value as RlimitRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-cgroup') {
    nonEmpty('home');
    if (!(processFaultTargets as readonly unknown[]).includes(o['part']) && !isSecondaryServerPart(o['part'])) return fail(`part must be one of ${processFaultTargets.join(', ')} or a secondary's named-secondary-<i>, sidecar-secondary-<i> (got ${describe(o['part'])})`);
    const pids = o['pids'];
    if (!Array.isArray(pids) || !pids.every((p) => Number.isInteger(p) && (p as number) > 0)) return fail('pids must be an array of positive integers');
    const groups = o['groups'];
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && g.startsWith('/sys/fs/cgroup/'))) return fail('groups must be an array of paths under /sys/fs/cgroup/');
    return value as CgroupRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-replica') {
    nonEmpty('home');
    // A revert stops the processes whose command line carries this marker: only ever ours.
    if (typeof o['replicaId'] !== 'string' || !/^r[0-9a-f]{8}$/.test(o['replicaId'])) return fail(`replicaId must be r and 8 hex digits (got ${describe(o['replicaId'])})`);
    return value as ReplicaRevertDescriptor;
  }
  if (o['mechanism'] === 'api-quota') {
    nonEmpty('server', 'namespace', 'name');
    if (o['home'] !== undefined) nonEmpty('home');
    return value as QuotaRevertDescriptor;
  }
  if (o['mechanism'] === 'api-flowcontrol') {
    nonEmpty('home', 'server', 'name');
    return value as FlowControlRevertDescriptor;
  }
  if (o['mechanism'] === 'sandbox-process') {
    if (typeof o['home'] !== 'string' || o['home'] === '') return fail('home must be a non-empty string');
    if (!(processFaultTargets as readonly unknown[]).includes(o['part']) && !isSecondaryServerPart(o['part'])) return fail(`part must be one of ${processFaultTargets.join(', ')} or a secondary's named-secondary-<i>, sidecar-secondary-<i> (got ${describe(o['part'])})`);
    if (o['action'] !== 'restart' && o['action'] !== 'resume') return fail(`action must be restart or resume (got ${describe(o['action'])})`);
    const pids = o['pids'];
    if (!Array.isArray(pids) || !pids.every((p) => Number.isInteger(p) && (p as number) > 0)) return fail('pids must be an array of positive integers');
    return value as ProcessRevertDescriptor;
  }
  for (const key of ['controlUrl', 'link', 'faultId'] as const) {
    if (typeof o[key] !== 'string' || o[key] === '') fail(`${key} must be a non-empty string`);
  }
  const listen = o['listen'] as Record<string, unknown> | undefined;
  if (typeof listen !== 'object' || listen === null || typeof listen['host'] !== 'string' || typeof listen['port'] !== 'number') return fail('listen must be {host, port}');
  return value as ProxyRevertDescriptor;
}
