/** @module The typed configuration every other module imports: plain numbers in stated units, after validation. */
import { bindyLines, type BindyKind, type BindyLine, type RecordKind } from '../model/kinds.js';
import type { Distribution, IntRange, Operation, RndcCommand, Weights } from './values.js';

/** The named profiles. */
export const profileNames = ['quick', 'standard', 'extended', 'chaos', 'production'] as const;
/** One named profile. */
export type ProfileName = (typeof profileNames)[number];

/** Where a run happens. */
export const targetKinds = ['sandbox', 'cluster'] as const;
/** Where a run happens: the local sandbox twin, or a real cluster. */
export type TargetKind = (typeof targetKinds)[number];
/** Where a sharded run's shards run: `job` = a Kubernetes Indexed Job (one pod each), `local` = processes of this machine, `auto` = job on a cluster, local on the sandbox. */
export const shardRunners = ['auto', 'local', 'job'] as const;
/** One shard runner. */
export type ShardRunner = (typeof shardRunners)[number];

/** Scenarios a profile's suite can list: each runs from the profile's values alone. */
export const suiteScenarios = ['burst', 'sustained', 'chaos', 'backpressure', 'e2e'] as const;
/** One scenario of a suite. */
export type SuiteScenario = (typeof suiteScenarios)[number];

/** Weights per record kind, summing to 1. */
export type KindMix = Weights<RecordKind>;
/** Weights per create/update/delete, summing to 1. */
export type OperationMix = Weights<Operation>;

/** What the fixture generator builds. */
export interface FixturesConfig {
  /** Number of DNSZones. */
  zones: number;
  /** Records in each zone. */
  recordsPerZone: number;
  /** Share of each record kind. */
  kinds: KindMix;
  /** Record TTLs are drawn from this range, in seconds. */
  ttl: IntRange;
  /** Zone names; `{}` is replaced by the zone's index. */
  zoneNamePattern: string;
  /** Record names inside a zone; `{}` is replaced by the record's index. */
  recordNamePattern: string;
  /** Share (0..1) of generated DNS queries that ask for names that do not exist. */
  nxdomainShare: number;
  /** Name of the Bind9Cluster the zones select. */
  clusterName: string;
}

/** Many records created at once, as fast as the concurrency allows. */
export interface BurstOptions {
  kind: 'burst';
  /** Records created in the burst, spread round-robin over `zones`. */
  records: number;
  /** DNSZones the records are spread over. */
  zones: number;
  /** Zones and records interleaved in one stream (each zone followed by its records) instead of every zone first. */
  mixed: boolean;
  /** Share of each record kind (`A=100` for ARecords only). */
  kinds: KindMix;
  /** Writes in flight at once. */
  concurrency: number;
  /** Upper bound on writes per second; absent = as fast as the concurrency allows. */
  qps?: number;
  /** How long to wait for every record to become Ready, in ms. */
  timeout: number;
  /** The DNS prober: `auto` = on for the sandbox, or when `probe.servers` is set. */
  dnsProbe: OnOffAuto;
}

/** A switch whose default depends on the target. */
export type OnOffAuto = 'auto' | 'on' | 'off';

/** A DNS server address. */
export interface DnsAddress {
  host: string;
  port: number;
}

/** The DNS prober's bounds (shared by every scenario that probes). */
export interface ProbeConfig {
  /** DNS servers to ask; absent = the target's own (the sandbox's named; a cluster has none reachable without one given). */
  servers?: readonly DnsAddress[];
  /** Probe queries per second, all servers together. */
  rate: number;
  /** Probe queries in flight at once. */
  inFlight: number;
  /** After the wait for Ready, how long to wait for DNS to answer every Ready record, in ms. */
  timeout: number;
  /** Longest spacing of one record's probes, in ms. */
  maxInterval: number;
  /** How probe queries travel: `udp` (EDNS0, TCP when truncated) or `tcp` only, one pipelined connection per server (what a kubectl port-forward carries). */
  transport: 'udp' | 'tcp';
}

/** An open-loop arrival rate of create/update/delete operations. */
export interface SustainedOptions {
  kind: 'sustained';
  /** Target operations per second after the ramp-up. */
  rate: number;
  /** Total duration including the ramp-up, in ms. */
  duration: number;
  /** Linear ramp from 0 to `rate`, in ms. */
  rampUp: number;
  /** Share of creates, updates and deletes. */
  operations: OperationMix;
  /** Share of each record kind for creates. */
  kinds: KindMix;
  /** DNSZones the records are spread over. */
  zones: number;
  /** Records created (and Ready) before the schedule starts, not measured; with `churn`, the size kept. */
  workingSet: number;
  /** Create+delete pairs that keep the working set at `workingSet` instead of the operation mix. */
  churn: boolean;
  /** Writes in flight at once; an operation due when all are busy is dropped (counted). */
  concurrency: number;
  /** Ask DNS for every changed record until it answers the new state (default auto: on for the sandbox or when probe.servers is set). */
  dnsProbe: OnOffAuto;
  /** Bound on each wait (zones, working set, outstanding operations after the schedule), in ms. */
  timeout: number;
  /** Reconciles and API writes are counted at rest over this window after the load, in ms (0 = none). */
  quietWindow: number;
}

/** The links between the parts where network faults are injected. */
export const networkLinks = ['operator-apiserver', 'operator-sidecar', 'operator-bind', 'sidecar-bind', 'client-bind'] as const;
/** One link between two parts of the deployment. */
export type NetworkLink = (typeof networkLinks)[number];

/** Timing every chaos experiment shares: start offset and length, in ms from the scenario start. */
interface ExperimentTiming {
  /** Start, in ms after the chaos scenario starts. */
  at: number;
  /** How long the fault lasts (for a kill: until the process is started again), in ms. */
  duration: number;
}

/** Kill the operator process (or pod). */
export interface OperatorKillExperiment extends ExperimentTiming {
  kind: 'operator-kill';
  params: { signal: 'SIGKILL' | 'SIGTERM' };
}
/** Kill bindcar (the sidecar) in one instance; it is started again when the fault ends. */
export interface SidecarDownExperiment extends ExperimentTiming {
  kind: 'sidecar-down';
  /** `server`: `primary` or `secondary-<i>`, whose bindcar is killed. */
  params: { signal: 'SIGKILL' | 'SIGTERM'; server: string };
}
/** Kill BIND9 (named) in one instance; it is started again (zone directory kept) when the fault ends. */
export interface Bind9CrashExperiment extends ExperimentTiming {
  kind: 'bind9-crash';
  /** `zoneData`: `keep` (a restart with its volume) or `lose` (a pod without one: named comes back with no zones, bindy #486); `server`: `primary` or `secondary-<i>`. */
  params: { signal: 'SIGKILL' | 'SIGTERM'; zoneData: 'keep' | 'lose'; server: string };
}
/** Delay every bindcar response. */
export interface SidecarDelayExperiment extends ExperimentTiming {
  kind: 'sidecar-delay';
  /** `delay` in ms. */
  params: { delay: number };
}
/** Make a share of bindcar requests fail. */
export interface SidecarErrorsExperiment extends ExperimentTiming {
  kind: 'sidecar-errors';
  /** `errorRate` as a fraction; `status` the HTTP status returned. */
  params: { errorRate: number; status: number };
}
/** Add latency (and jitter) to one link. */
export interface NetworkDelayExperiment extends ExperimentTiming {
  kind: 'network-delay';
  /** `latency` and `jitter` in ms. */
  params: { link: NetworkLink; latency: number; jitter: number };
}
/** Drop a share of packets on one link. */
export interface PacketLossExperiment extends ExperimentTiming {
  kind: 'packet-loss';
  /** `loss` as a fraction. */
  params: { link: NetworkLink; loss: number };
}
/** Cut one link completely. */
export interface PartitionExperiment extends ExperimentTiming {
  kind: 'partition';
  params: { link: NetworkLink };
}
/** Cap a link's throughput, both ways. */
export interface BandwidthExperiment extends ExperimentTiming {
  kind: 'bandwidth';
  /** `rate` in bytes per second, shared by every connection of the link, each way. */
  params: { link: NetworkLink; rate: number };
}
/** Make the API server answer the operator's requests 429 beyond a few seats (API Priority and Fairness, as backpressure's api-throttle). */
export interface ApiserverThrottleExperiment extends ExperimentTiming {
  kind: 'apiserver-throttle';
  /** `shares`: nominalConcurrencyShares of the priority level the operator's requests are put in. */
  params: { shares: number };
}

/** The sandbox parts whose processes a limit can act on. */
export const limitedParts = ['operator', 'sidecar', 'named'] as const;
/** The bindy release lines the operator twin can behave as (sandbox.operator.version). */
export const twinBindyVersions = bindyLines;
/** One of {@link twinBindyVersions}. */
export type TwinBindyVersion = BindyLine;
/** One of {@link limitedParts}. */
export type LimitedPart = (typeof limitedParts)[number];

/** Cap one part's CPU (a CFS quota, as a CPU limit) while it runs. */
export interface CpuThrottleExperiment extends ExperimentTiming {
  kind: 'cpu-throttle';
  /** `cpu` in cores; `server`: whose named or sidecar (`primary`, `secondary-<i>`). */
  params: { part: LimitedPart; cpu: number; server: string };
}
/** Cap what one part allocates (a memory limit) while it runs. */
export interface MemoryPressureExperiment extends ExperimentTiming {
  kind: 'memory-pressure';
  /** `limit` in MiB; `server`: whose named or sidecar (`primary`, `secondary-<i>`). */
  params: { part: LimitedPart; limit: number; server: string };
}

/** Let one part open only a few more file descriptors than it has open (its soft RLIMIT_NOFILE lowered). */
export interface FdExhaustionExperiment extends ExperimentTiming {
  kind: 'fd-exhaustion';
  /** `spare`: descriptors it may still open; `server`: whose named or sidecar (`primary`, `secondary-<i>`). */
  params: { part: LimitedPart; spare: number; server: string };
}

/** Fill named's data filesystem (its zone directory, bindcar's too) until `free` bytes are left: writes fail with ENOSPC. */
export interface DiskFullExperiment extends ExperimentTiming {
  kind: 'disk-full';
  /** `free`: bytes left free (0: full); `server`: whose named (`primary`, `secondary-<i>`). */
  params: { free: number; server: string };
}

/** Tear zone files of named as a crash mid-write would, found at named's restart: those zones fail to load (SERVFAIL). */
export interface ZoneCorruptionExperiment extends ExperimentTiming {
  kind: 'zone-corruption';
  /** `zones`: how many zone files (the first in name order); `server`: whose named (`primary`, `secondary-<i>`: refused, a secondary has no zone files). */
  params: { zones: number; server: string };
}

/**
 * Put the run's namespace at an object-count ResourceQuota on the kinds the load creates (the same
 * object on a cluster as on the sandbox): creates beyond it are refused 403 by the API server.
 */
export interface TooManyObjectsExperiment extends ExperimentTiming {
  kind: 'too-many-objects';
  /** `headroom`: objects of each kind the namespace may still gain when the quota is set (0: at its limit). */
  params: { headroom: number };
}

/**
 * A second operator replica beside the running one for the fault's duration: with leader election
 * (`on`) it must stand by; without (`off`) both reconcile the same objects (split brain).
 */
export interface SplitBrainExperiment extends ExperimentTiming {
  kind: 'split-brain';
  params: { leaderElection: 'on' | 'off' };
}

/** One fault injected during the chaos scenario, discriminated by `kind`. */
export type ChaosExperiment =
  | OperatorKillExperiment
  | Bind9CrashExperiment
  | SidecarDownExperiment
  | SidecarDelayExperiment
  | SidecarErrorsExperiment
  | NetworkDelayExperiment
  | PacketLossExperiment
  | PartitionExperiment
  | BandwidthExperiment
  | ApiserverThrottleExperiment
  | CpuThrottleExperiment
  | MemoryPressureExperiment
  | FdExhaustionExperiment
  | DiskFullExperiment
  | ZoneCorruptionExperiment
  | TooManyObjectsExperiment
  | SplitBrainExperiment;

/** Steady background load with faults injected on a schedule. */
export interface ChaosOptions {
  kind: 'chaos';
  /** Total duration, in ms. */
  duration: number;
  /** Background operations per second while the faults happen. */
  rate: number;
  /** The faults, in any order. */
  experiments: readonly ChaosExperiment[];
  /** How long after a fault's revert the steady state may take to come back, in ms (bindy's suite: 120 s). */
  convergeTimeout: number;
  /** Background DNS queries (dnsperf) for the whole load: auto = when the target names a DNS server. */
  dnsLoad: OnOffAuto;
  /** Their rate, per second. */
  queryRate: number;
  /** On a cluster: the address the in-cluster dnsperf Job of those queries asks (one); absent = the primary Bind9Instance's Service, port 53. */
  inClusterServer?: readonly DnsAddress[];
  /** After the load and the end state: reconciles counted at rest over this window, in ms (0 = none; bindy's suite: 60 s, ≤ 3 reconciles). */
  quietWindow: number;
  /**
   * After each experiment converged: the background load held and reconciles counted at rest over
   * this window, in ms, judged per bindy line as the end's (0 = none; bindy's suite has one after every step).
   */
  quietWindowEach: number;
  /** On a cluster: allow experiments that change what the run did not create (split-brain scales bindy's Deployment); e2e's experiments obey it too. */
  allowClusterChanges: boolean;
}

/** A run that looks like production: a population, churn, DNS queries, random spikes and faults on a schedule, all at once. */
export interface E2eOptions {
  kind: 'e2e';
  /** Length of the churn (and of everything beside it), in ms. */
  duration: number;
  /** DNSZones of the population. */
  zones: number;
  /** Records each zone starts with, drawn per zone from this range (seeded). */
  recordsPerZone: IntRange;
  /** Record kinds of the population and of the churn's creates. */
  kinds: KindMix;
  /** Record operations per second (written per minute in files: 120/m). */
  churn: number;
  /** create/update/delete weights of the churn. */
  operations: OperationMix;
  /** Background DNS queries (dnsperf) for the whole run: auto = when the target names a DNS server. */
  dnsLoad: OnOffAuto;
  /** Their rate, per second. */
  queryRate: number;
  /** On a cluster: the address the in-cluster dnsperf Job of those queries asks (one); absent = the primary Bind9Instance's Service, port 53. */
  inClusterServer?: readonly DnsAddress[];
  /** Spikes are drawn once per this interval, in ms. */
  spikeEvery: number;
  /** Chance that an interval has a spike, 0–1. */
  spikeProbability: number;
  /** A spike's churn rate is the churn times this. */
  spikeMultiplier: number;
  /** Length of one spike, in ms. */
  spikeDuration: number;
  /** Every figure is summarised per interval of this length, in ms. */
  interval: number;
  /** Faults injected on a schedule during the run (the chaos experiments' shape). */
  experiments: readonly ChaosExperiment[];
  /** How long after a fault's revert the steady state may take to come back, in ms. */
  convergeTimeout: number;
  /** Writes in flight at once; an operation due when all are busy is dropped. */
  concurrency: number;
  /** Bound on the setup waits and on the wait for outstanding operations and DNS answers, in ms. */
  timeout: number;
  /** After everything settled: reconciles and API writes counted at rest over this long, in ms (0 = none). */
  quietWindow: number;
}

/** The pressure a backpressure run applies (see docs/backpressure.md). */
export const backpressureModes = ['step', 'slow-sidecar', 'api-throttle', 'operator-limits'] as const;
/** One of {@link backpressureModes}. */
export type BackpressureMode = (typeof backpressureModes)[number];

/** Pressure bindy must survive: a slow bindcar, a throttled API, or a rate raised step by step until the backlog stops draining. */
export interface BackpressureOptions {
  kind: 'backpressure';
  /** Which pressure. */
  mode: BackpressureMode;
  /** Offered operations per second of the pressure modes (not `step`). */
  rate: number;
  /** Total length of a pressure mode's load, in ms. */
  duration: number;
  /** Start of the pressure, in ms after the load starts. */
  pressureAt: number;
  /** Length of the pressure, in ms. */
  pressureDuration: number;
  /** Bound on the recovery after the pressure is lifted (every object written before it Ready), in ms. */
  recoveryTimeout: number;
  /** slow-sidecar: delay added to every bindcar answer, in ms. */
  sidecarDelay: number;
  /** operator-limits: the operator's CPU limit under pressure, in cores. */
  limitCpu: number;
  /** operator-limits: its memory limit under pressure, in MiB; absent: unchanged. */
  limitMemory?: number;
  /** operator-limits on the sandbox: the twin's concurrent reconciles under pressure. */
  limitWorkers: number;
  /** api-throttle: nominalConcurrencyShares of the priority level bindy's requests are put in. */
  throttleShares: number;
  /** On a cluster, change what the run did not create (APF objects for api-throttle, bindy's Deployment for operator-limits). */
  allowClusterChanges: boolean;
  /** First step's operations per second. */
  startRate: number;
  /** Added operations per second per step. */
  stepRate: number;
  /** Stop at this rate even without push-back. */
  maxRate: number;
  /** Length of each step, in ms. */
  stepDuration: number;
}

/** dnsperf against BIND9 directly, to measure the DNS side alone. */
export interface BindOptions {
  kind: 'bind';
  /** Queries per second dnsperf sends. */
  qps: number;
  /** How long dnsperf runs, in ms. */
  duration: number;
  /** dnsperf clients (sockets). */
  clients: number;
  /** DNSZones created before querying. */
  zones: number;
  /** Records created (round-robin over the zones) and queried. */
  records: number;
  /** Record-kind weights of the created records. */
  kinds: Partial<Record<RecordKind, number>>;
  /** dnsperf `-q`: queries outstanding at most. */
  maxOutstanding: number;
  /** dnsperf `-t`, in ms. */
  queryTimeout: number;
  /** Bound on the wait for the created records to be Ready and answered, in ms. */
  timeout: number;
  /** A query file to use instead of creating records. */
  queryFile?: string;
  /** The server dnsperf queries (one); absent = the target's first BIND9 server. */
  server?: readonly DnsAddress[];
  /** On a cluster without `server`: the address the in-cluster dnsperf Job asks (one); absent = the primary Bind9Instance's Service, port 53. */
  inClusterServer?: readonly DnsAddress[];
  /** bind resperf: the rate resperf's ramp reaches at its end (`-m`), queries per second. */
  maxQps: number;
  /** bind resperf: how long the ramp takes (`-r`), in ms. */
  ramp: number;
  /** bind resperf: an interval losing more than this share does not count for the maximum throughput (`-L`). */
  maxLoss: number;
}

/** Zone transfers: records changed on the primary through the operator, timed until each secondary answers them. */
export interface TransferOptions {
  kind: 'transfer';
  /** DNSZones created (each with secondaries, as the target's Bind9Cluster has them). */
  zones: number;
  /** ARecords created (round-robin over the zones), then changed. */
  records: number;
  /** Record changes per second (open loop, each from its intended start). */
  rate: number;
  /** How long changes are started, in ms. */
  duration: number;
  /** A change not answered by a server within this long of its intended start counts as never seen there, in ms. */
  changeTimeout: number;
  /** Bound on the wait for the created records to be Ready and answered by every server, in ms. */
  timeout: number;
}

/** The `bind rndc` storms: reload (one zone at a rate), mixed (weighted commands from many clients), write-reload (big zone writes, then reloads). */
export const rndcModes = ['reload', 'mixed', 'write-reload'] as const;
/** One `bind rndc` storm. */
export type RndcMode = (typeof rndcModes)[number];

/** bindcar under a storm: its routes driven open loop from many client addresses, through bindcar's REST API only. */
export interface RndcOptions {
  kind: 'rndc';
  mode: RndcMode;
  /** Requests per second offered, all clients together (open loop, each from its intended start). */
  rate: number;
  /** How long requests are started, in ms. */
  duration: number;
  /** Distinct clients; on loopback each sends from its own address (127.0.0.2, .3, …), so bindcar's per-IP limiter sees them apart. */
  clients: number;
  /** Small zones the run creates for the storm (reload: each reload goes to one of them, round-robin). */
  zones: number;
  /** mixed: the weighted commands. */
  mix: Weights<RndcCommand>;
  /** write-reload: big zones written (created with `records` records each), each followed by reloads. */
  writes: number;
  /** write-reload: records in each big zone. */
  records: number;
  /** Requests in flight at most; one due with none free is dropped and counted (never queued). */
  maxInFlight: number;
  /** A request unanswered this long is a timeout, in ms. */
  requestTimeout: number;
  /** bindcar's base URL; absent: the sandbox's bindcar twin. */
  bindcarUrl?: string;
  /** File holding bindcar's Bearer token (else $BINDCAR_TOKEN; on the sandbox, its own token file). */
  tokenFile?: string;
  /** bindcar's TSIG update key name, for zones that take record writes (mixed's record-add/record-remove); on the sandbox, its own. */
  updateKey?: string;
}

/** BIND9 loading the zones bindy writes (`bind zones`): zones created through bindcar with their records in the zone file, then queried. */
export interface ZonesOptions {
  kind: 'zones';
  /** Zones created. */
  zones: number;
  /** Records in each zone's file (as fixtures: the kinds' mix, TXT up to 2 KB). */
  recordsPerZone: number;
  /** Record-kind weights. */
  kinds: Weights<RecordKind>;
  /** Zone creates in flight at once; against a loopback bindcar each from its own address (127.0.0.2, …). */
  concurrency: number;
  /** Bound on the wait until every zone is served, in ms. */
  timeout: number;
  /** bindcar's base URL; absent: the sandbox's bindcar twin. */
  bindcarUrl?: string;
  /** File holding bindcar's Bearer token (else $BINDCAR_TOKEN; on the sandbox, its own token file). */
  tokenFile?: string;
  /** Sign every zone: bindcar's `dnssecPolicy` (a policy named in named.conf, or BIND's built-in `default`) with inline signing, as bindy's DNSZone `dnssecPolicy` asks. */
  dnssecPolicy?: string;
  /** On a cluster without `bindcarUrl`: named's directory in the primary pod's `bind9` container (absent: bindy's, /var/cache/bind). */
  zoneDir?: string;
}

/** Service discovery: annotated Services and Ingresses → scout's ARecords → DNS, and back. */
export interface DiscoveryOptions {
  kind: 'discovery';
  /** Annotated LoadBalancer Services created. */
  services: number;
  /** Annotated Ingresses created. */
  ingresses: number;
  /** Rules (hosts) of each Ingress: scout writes one ARecord per rule. */
  ingressRules: number;
  /** Clusters whose scouts publish into the zones, each with the same sources (same namespace and names): 1 = the target's own; more = other clusters (bindy #474). */
  clusters: number;
  /** Of the sources, those whose address changes once they are answered. */
  flips: number;
  /** DNSZones they are spread over. */
  zones: number;
  /** Creates and deletes in flight at once. */
  concurrency: number;
  /** Bound on each phase's wait, in ms. */
  timeout: number;
  /** Scout's cluster name (part of every ARecord name). */
  scoutCluster: string;
  /** Prefix of the annotations scout reads. */
  annotationPrefix: string;
}

/** The options of every scenario, discriminated by `kind`. */
export type ScenarioOptions = BurstOptions | SustainedOptions | ChaosOptions | E2eOptions | DiscoveryOptions | BackpressureOptions | BindOptions | TransferOptions | RndcOptions | ZonesOptions;
/** The scenario kinds. */
export type ScenarioKind = ScenarioOptions['kind'];

/** One section per scenario kind, each with its own options type. */
export interface ScenariosConfig {
  burst: BurstOptions;
  sustained: SustainedOptions;
  chaos: ChaosOptions;
  e2e: E2eOptions;
  discovery: DiscoveryOptions;
  backpressure: BackpressureOptions;
  bind: BindOptions;
  transfer: TransferOptions;
  rndc: RndcOptions;
  zones: ZonesOptions;
}

/** Success criteria: a run fails when a measured value crosses one of these. */
export interface CriteriaConfig {
  /** Create → Ready p99 of the scenario's own objects, in ms. */
  createToReadyP99: number;
  /** Update → Ready p99 (the write's generation Ready), in ms. */
  updateToReadyP99: number;
  /** Delete → gone p99 (the DELETED watch event), in ms. */
  deleteToGoneP99: number;
  /** Operator reconcile latency p99, in ms. */
  reconcileP99: number;
  /** Create → answered by BIND9 p99, in ms. */
  e2ePropagationP99: number;
  /** DNS query latency p99 against BIND9, in ms. */
  dnsQueryP99: number;
  /** DNS queries lost / sent, as a fraction. */
  maxDnsQueryLoss: number;
  /** BIND9's maximum throughput (resperf, within its loss limit) that must be reached, queries per second. */
  minDnsThroughputQps: number;
  /** Sustained operations per second that must be reached. */
  minSustainedOpsPerSec: number;
  /** Failed operations / all operations, as a fraction. */
  maxErrorRate: number;
  /** Retried operations / all operations, as a fraction. */
  maxRetryRate: number;
  /** Operator resident memory, in MiB. */
  maxMemoryMB: number;
  /** Operator CPU, in cores. */
  maxCpuCores: number;
  /** Objects written but not yet Ready, at the worst moment. */
  maxQueueDepth: number;
  /** Slope of operator memory over the steady phase, in MiB per hour. */
  maxMemoryGrowthMBPerHour: number;
}

/** The sidecar twin's rate limiter: off, or a token bucket. */
/** bindcar's limiter in the sandbox: `release` is the bindcar release's own (0.7.3: 1/s burst 10; 0.9.0: 10/s burst 50, per client IP). */
export type RateLimitConfig = { kind: 'release' } | { kind: 'off' } | { kind: 'token-bucket'; rps: number; burst: number };

/** The most secondary BIND9 servers a sandbox runs. */
/** Rules one Ingress of a discovery run may have (each is one host, one ARecord). */
export const maxIngressRules = 16;
/** Other source clusters a sandbox may run for service discovery (each an API server twin and a scout twin). */
export const maxSourceClusters = 3;
export const maxSandboxSecondaries = 3;

/** Tunables of the sandbox twin. */
export interface SandboxConfig {
  /** Secondary BIND9 servers (each a named with its bindcar twin), 0..{@link maxSandboxSecondaries}. */
  secondaries: number;
  operator: {
    /** Concurrent reconciles. */
    workers: number;
    /** Extra delay added to every reconcile. */
    reconcileDelay: Distribution;
    /** Kinds whose reconciles get `reconcileDelay` (default: every bindy kind). */
    reconcileDelayKinds: readonly BindyKind[];
    /** Share (0..1) of reconciles that fail on purpose. */
    errorRate: number;
    /** Publish a zone's records again after the zone had to be created again on a primary (bindy after #486; 0.6.2 does not). */
    republishOnZoneRecreate: boolean;
    /** The bindy release line the twin behaves as: `0.6` (0.6.2) or `0.8`. */
    version: TwinBindyVersion;
    /** Injected memory leak, MiB per minute (capped at 1 GiB); absent = none. */
    leak?: number;
    /** Injected crash: the process exits non-zero after this many reconciles; absent = never. */
    crashAfter?: number;
    /** Throughput ceiling: reconciles per second across every worker; absent = no cap. */
    capacity?: number;
    /** How long a failing bindcar call is retried, ms; absent = bindy's budget (120 s). */
    bindcarRetryBudget?: number;
  };
  apiserver: {
    /** Added to every resource request after its APF admission (a seat is held meanwhile), ms; 0 = none. */
    requestLatency: number;
    /** Life of a core/v1 Event after its last write (kube-apiserver's --event-ttl), ms; 0 = Events never expire. */
    eventTtl: number;
  };
  sidecar: {
    rateLimit: RateLimitConfig;
    /** Static Bearer token (BIND_API_TOKEN); absent = a random one per run. Secret: never printed. */
    token?: string;
  };
  scout: {
    /** What the scout twins' stale cleanup deletes: released scout's (`unscoped`, bindy #474), or scoped to the zone (PR #497) or to its own cluster. */
    staleCleanup: StaleCleanup;
  };
}

/** The scout twins' stale-record cleanup: released scout's, or one of the two fixes. */
export const staleCleanups = ['unscoped', 'zone', 'own-cluster'] as const;
/** One of {@link staleCleanups}. */
export type StaleCleanup = (typeof staleCleanups)[number];

/** How the judge reads figures (not criteria: these say when a figure exists at all). */
export interface JudgeConfig {
  /** The least steady phase a memory-growth slope is fitted on: its length (ms) and RSS samples. */
  memoryGrowthMinimum: { duration: number; samples: number };
}

/** Report formats besides the JSON result, which is always written. */
export const reportFormats = ['json', 'markdown', 'html', 'prometheus'] as const;
/** One report format. */
export type ReportFormat = (typeof reportFormats)[number];

/** Which reports to write and where to push. */
export interface ReportConfig {
  formats: readonly ReportFormat[];
  /** Prometheus Pushgateway URL; absent = no push. */
  pushgateway?: string;
  /** Interval of the plain progress lines (stderr not a terminal), ms; a terminal redraws 4 times a second. */
  progressInterval: number;
}

/** The whole effective configuration. */
export interface Config {
  /** The profile the values started from; absent = defaults only. */
  profile?: ProfileName;
  namespace: string;
  target: TargetKind;
  kubeconfig?: string;
  context?: string;
  /** Directory for results and reports. */
  output: string;
  /** Prometheus server URL to query instead of scraping. */
  prometheus?: string;
  /** The operator's /metrics URL when it runs outside the cluster (target cluster): no Deployment required. */
  operatorMetrics?: string;
  /** Seed for every generator. */
  seed: number;
  /** Run id (label value); absent = generated at the start of a run. */
  runId?: string;
  /** Processes the load is generated from (burst only): each runs a disjoint slice of the objects and of the rate; 1 = this process alone. */
  shards: number;
  /** Where the shards run (`auto`: an Indexed Job on a cluster, local processes on the sandbox). */
  shardRunner: ShardRunner;
  /** The tool's container image the Job's pods run (required for the job runner; the repo's Dockerfile builds it). */
  shardImage?: string;
  /** The scenarios a run of the whole profile runs, in order (scripts/run-profile.sh, the load-tests workflow). */
  suite: readonly SuiteScenario[];
  fixtures: FixturesConfig;
  scenarios: ScenariosConfig;
  probe: ProbeConfig;
  criteria: CriteriaConfig;
  judge: JudgeConfig;
  sandbox: SandboxConfig;
  report: ReportConfig;
}
