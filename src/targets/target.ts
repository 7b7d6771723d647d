/** @module The Target: what every scenario runs against (a real cluster or the sandbox twin), behind one interface. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { TargetInfo } from '../report/result/index.js';
import type { Bind9ClusterObject } from '../model/fixtures/objects.js';
import type { FaultMechanism, FaultSite, FaultSpec, RevertDescriptor } from '../faults/fault.js';
import type { OperatorLimitsMechanism } from '../faults/limits/change.js';
import type { BindcarCreateZone } from '../drive/bindcar-client.js';
import type { Bind9Forwards } from './cluster/bind9-forwards.js';
import type { PodBindcar } from './cluster/bindcar-forward.js';

/** A DNS server the scenarios may query (BIND9). */
export interface DnsServer {
  host: string;
  port: number;
  /** A label stable across runs for reports, e.g. `primary-0` (the address may change from run to run). */
  name?: string;
  /** What it is to bindy: a primary (records are written there) or a secondary (fed by NOTIFY + zone transfer). */
  role?: 'primary' | 'secondary';
  /** Its named process when it runs on this machine (the sandbox): memory and CPU from /proc; absent elsewhere. */
  pid?: number;
  /** Its named's pid as of now, when that process may be replaced during a run (a fault restarting named on the sandbox); undefined when none runs. */
  pidNow?: () => Promise<number | undefined>;
}

/** A Prometheus text endpoint, named by the part it belongs to (`operator`, `sidecar`, `apiserver`, `bind9`). */
export interface MetricsEndpoint {
  name: string;
  url: string;
}

/**
 * Who bindy's operator is to the API server: the user its requests authenticate as, with its
 * groups, and the ServiceAccount behind it. What a FlowSchema subject must name to single out the
 * operator's requests (API Priority and Fairness).
 */
export interface OperatorIdentity {
  /** `system:serviceaccount:<namespace>:<name>`. */
  readonly user: string;
  readonly groups: readonly string[];
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
}

/** The identity of a ServiceAccount's tokens, with the groups kube-apiserver gives them. */
export function serviceAccountIdentity(namespace: string, name: string): OperatorIdentity {
  return {
    user: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    serviceAccount: { namespace, name },
  };
}

/** What a run needs in place before its first measured write: the labelled namespace and the Bind9Cluster its zones select. */
export interface TargetSetup {
  namespace: string;
  /** The Bind9Cluster the zones select (by name = `fixtures.clusterName`); created only when the target provisions it. */
  cluster: Bind9ClusterObject;
  /** Bound on waiting for the Bind9Cluster to be Ready, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called before the Bind9Cluster is created (the run journal), so a killed run's cleanup finds it. */
  beforeCreate?: (obj: Bind9ClusterObject) => void;
}

/** What setup did, for the report's notes. */
export interface SetupReport {
  namespaceCreated: boolean;
  clusterCreated: boolean;
  /** How long the Bind9Cluster took to be Ready (0 when it already was), ms. */
  clusterReadyMs: number;
  /** Who made what the run found already there, when the target knows (the sandbox makes both when it starts). */
  provisionedBy?: string;
}

/** The report's note on setup (pure): what the run created, and who made what it found. */
export function setupNoteText(namespace: string, clusterName: string, s: SetupReport): string {
  const found = s.provisionedBy === undefined ? 'already there' : `created by ${s.provisionedBy}`;
  const ready = s.clusterReadyMs > 0 ? `, Ready after ${(s.clusterReadyMs / 1000).toFixed(1)} s` : '';
  return (
    `setup (not measured): namespace ${namespace} ${s.namespaceCreated ? 'created' : `(${found})`}; ` +
    `Bind9Cluster ${clusterName} ${s.clusterCreated ? 'created' : `(${found})`}${ready}`
  );
}

/** The fault mechanisms a target offers, and what it cannot do with them (said before any load). */
export interface TargetFaults {
  readonly mechanisms: Partial<Record<RevertDescriptor['mechanism'], FaultMechanism>>;
  /** Where clients reach the DNS servers through a link faults act on (UDP only), in `dnsServers`' order: the DNS gap is measured there. */
  readonly clientDnsServers?: readonly DnsServer[];
  /** The mechanism that acts on the link or part `target` here (sandbox: the fault proxy, the supervisor, or a twin's own fault control for `spec`; cluster: Chaos Mesh, or the native fallback). */
  mechanismFor(site: FaultSite, target: string, spec?: FaultSpec): FaultMechanism | undefined;
  /** Why `spec` cannot be applied to the link or part `target` here (with how to make it possible), or undefined when it can. */
  unsupportedReason(site: FaultSite, target: string, spec: FaultSpec): string | undefined;
}

/**
 * A place scenarios run against. Nothing outside `src/targets/` knows which kind it has: the
 * scenario only uses the kubeconfig, the endpoints and `setup`.
 */
export interface Target {
  readonly info: TargetInfo;
  readonly kubeConfig: KubeConfig;
  /** Namespace of every object the run creates. */
  readonly namespace: string;
  readonly dnsServers: readonly DnsServer[];
  /**
   * Opens port-forwards to the run's BIND9 servers where they are not reachable from here (a
   * cluster: TCP only, through the API server); absent where `dnsServers` reach them.
   */
  readonly openDnsForwards?: () => Promise<Bind9Forwards>;
  /** bindcar endpoints (base URLs); empty when they are not reachable from here (in-cluster Services). */
  readonly sidecarEndpoints: readonly string[];
  readonly metricsEndpoints: readonly MetricsEndpoint[];
  /** Makes sure the namespace (labelled) and the Bind9Cluster exist, creating what this target may create. */
  setup(s: TargetSetup): Promise<SetupReport>;
  /** Releases what opening the target started (a sandbox started for this run is stopped). Idempotent. */
  close(): Promise<void>;
  /** True when close() stops a sandbox this run started, whose API server takes every object with it. */
  readonly closeRemovesObjects?: boolean;
  /** Fault injection (the chaos scenario); absent where this target has none. */
  readonly faults?: TargetFaults;
  /**
   * Who the operator is to the API server (sandbox: the operator twin's token; cluster: the
   * ServiceAccount of bindy's Deployment); absent when unknown (no operator found, or none running).
   */
  readonly operatorIdentity?: OperatorIdentity;
  /** Lowers the operator's limits (backpressure operator-limits): the twin's workers and control groups, or bindy's Deployment; absent where no operator was found. */
  readonly operatorLimits?: OperatorLimitsMechanism;
  /** The target's own bindcar (the sandbox's twin): its URL, the file of its Bearer token (never the token) and its TSIG update key name. */
  readonly bindcar?: {
    readonly url: string;
    readonly tokenFile: string;
    readonly updateKeyName?: string;
    /**
     * Loads a zone as bindcar would (its zone file written into bindcar's zone directory, then
     * `rndc addzone` with bindcar's block), without the request: for zones over bindcar's 2 MiB
     * request limit, where the zone directory and named's control channel are on this machine (the
     * sandbox); bindcar deletes such a zone like any other. Absent elsewhere.
     */
    readonly loadZone?: (request: BindcarCreateZone) => Promise<void>;
  };
  /**
   * Opens a port-forward to bindcar in the first primary BIND9 pod (a cluster, where bindcar is an
   * in-cluster Service), with a way to load zones over its request limit into that pod's named
   * through pods/exec; absent where `bindcar` reaches it (the sandbox).
   */
  readonly openBindcar?: () => Promise<PodBindcar>;
  /** False for a target with no Kubernetes API behind it (a bare bindcar URL): nothing is set up there and no object is cleaned up. */
  readonly kubernetes?: boolean;
  /** Service discovery the target is known to run (the sandbox's scout twin); absent: unknown (a cluster's scout is trusted to be there). */
  readonly discovery?: {
    readonly scoutCluster: string;
    /** Other clusters whose scouts publish into this target's zones (the sandbox's source clusters): where their sources are created. */
    readonly sourceClusters?: readonly { readonly name: string; readonly kubeconfig: string }[];
  };
}

/**
 * Criteria whose figure a target can report but that do not describe bindy there, with the reason.
 * The sandbox runs the tool's own operator twin, so its memory and CPU say nothing about bindy's.
 */
export function criteriaNotJudgedOn(kind: TargetInfo['kind']): Readonly<Record<string, string>> {
  if (kind === 'cluster') return {};
  const twin = 'the sandbox\'s operator is this tool\'s twin, not bindy: its memory and CPU say nothing about bindy\'s (they are reported, not judged)';
  return { maxMemoryMB: twin, maxCpuCores: twin, maxMemoryGrowthMBPerHour: twin };
}
