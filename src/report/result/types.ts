/** @module TypeScript types of the run-result document, version 1 (schemas/run-result.v1.schema.json). */
import type { CounterData, HistogramSummary, TimeSeriesData } from '../../measure/index.js';

/** The result-format version this build writes and reads. */
export const resultSchemaVersion = 1;

/** A JSON value, for the free-form parts (the effective configuration). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Where the run ran. */
export interface TargetInfo {
  kind: 'sandbox' | 'cluster';
  /** Human description: cluster context and server version, or the sandbox's components. */
  description: string;
  /**
   * The bindy (and bindcar) release measured, e.g. `bindy 0.6.2, bindcar 0.7.3 (sandbox twins)`;
   * absent when the target did not say (part of a run's identity for baselines).
   */
  bindyVersion?: string;
}

/** The machine the tool ran on. */
export interface HostInfo {
  hostname: string;
  platform: string;
  arch: string;
  nodeVersion: string;
  cpus: number;
  /** Total memory of the machine, in bytes. */
  memoryBytes: number;
}

/** How the run ended: `aborted` until something marks it otherwise (so an interrupted run says so). */
export type RunStatus = 'completed' | 'failed' | 'aborted';

/** Who ran what, where and when. */
export interface RunMetadata {
  toolVersion: string;
  runId: string;
  scenario: string;
  /** Named profile (quick, standard, extended, chaos), or null when none was used. */
  profile: string | null;
  target: TargetInfo;
  /** Wall clock at the start, RFC 3339 (the one anchor for absolute times). */
  startedAt: string;
  /** Wall clock at the end, RFC 3339; null when the run never finished. */
  endedAt: string | null;
  /** Duration of the run in ms, from the monotonic clock; null when the run never finished. */
  durationMs: number | null;
  status: RunStatus;
  /** argv after the node binary, credentials removed. */
  commandLine: string[];
  /** Seed of every generated fixture and schedule. */
  seed: number | string;
  host: HostInfo;
  /** A sharded run (`--shards`): how many shard processes generated the load, and which of them finished their slice. */
  shards?: ShardsMetadata;
  /** A shard's own result (`shards/shard-<i>.json` beside a sharded run's result): which slice, and its instants on the shards' common clock. */
  shard?: ShardMetadata;
}

/** The shards of a sharded run. */
export interface ShardsMetadata {
  count: number;
  /** Indexes of the shards that ran their slice to the end and returned their result. */
  finished: number[];
}

/** One shard's slice and its instants, in ms since the shards' common start (null: it never happened). */
export interface ShardMetadata {
  index: number;
  count: number;
  /** Objects in its slice. */
  objects: number;
  firstCreateSentMs: number | null;
  lastCreateAnsweredMs: number | null;
  lastReadyMs: number | null;
}

/** The configuration the run used, after flags, file and profile were merged. */
export interface ResultConfig {
  effective: { [key: string]: JsonValue };
  /** Dotted key path → where its value came from (`default`, `profile:NAME`, `file:PATH:LINE`, `flag:--NAME`). */
  origins: Record<string, string>;
}

/** An encoded HDR histogram and the spec needed to decode it. */
export interface EncodedHistogram {
  encoding: 'hdr-compressed-base64';
  unit: string;
  lowest: number;
  highest: number;
  significantDigits: number;
  /** hdr-histogram-js `encodeIntoCompressedBase64` output. */
  data: string;
}

/** A summary together with the histogram it came from. */
export interface MeasuredHistogram {
  summary: HistogramSummary;
  histogram: EncodedHistogram;
}

/** One latency (e.g. `create_to_ready`): all kinds together, optionally broken down per kind. */
export interface LatencyResult extends MeasuredHistogram {
  /** Always microseconds. */
  unit: 'us';
  /** How it was measured: start and end events and the clock. */
  method: string;
  description?: string;
  /** Kind (e.g. `ARecord`) → the same measurement for that kind only. */
  byKind?: Record<string, MeasuredHistogram>;
}

/** Whether bindy exposes a metric and whether it moved during the run. */
export type OperatorMetricState = 'present' | 'missing' | 'never-updated';

/** One observation of the operator's own metrics. */
export interface OperatorMetric {
  /** Our name for the quantity, e.g. `reconcile_duration`. */
  name: string;
  /** bindy's metric name, or null when bindy has none for it. */
  bindyName: string | null;
  state: OperatorMetricState;
  unit?: string;
  /** How the values were obtained (e.g. bucket estimates from two scrapes). */
  method: string;
  labels?: Record<string, string>;
  /** Named figures (`p50`, `p99`, `count`, `rate`…), null where not measurable. */
  values: Record<string, number | null>;
}

/** Requests to the Kubernetes API per verb and resource, and how many per created object. */
export interface ApiAmplification {
  requests: { verb: string; resource: string; count: number }[];
  objectsCreated: number;
  /** Total requests / objects created; null when nothing was created. */
  requestsPerObject: number | null;
  method: string;
}

/** A status condition as last seen on an object. */
export interface ConditionSnapshot {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/** An object that did not reach its milestone. */
export interface FailureRecord {
  kind: string;
  name: string;
  namespace?: string;
  uid: string | null;
  /** The milestone it missed, e.g. `create_to_ready`. */
  phase: string;
  reason: string;
  message: string;
  lastCondition: ConditionSnapshot | null;
  /** When it was declared failed, in ms since the run started. */
  atMs?: number;
}

/** How an observed value is compared with its limit. */
export type Comparison = '<' | '<=' | '>' | '>=' | '==';

/** The verdict on one success criterion. */
export interface CriterionVerdict {
  metric: string;
  /** The observed value in `unit`; null when it could not be measured. */
  observed: number | null;
  limit: number;
  comparison: Comparison;
  unit?: string;
  verdict: 'pass' | 'fail' | 'not-measured';
  reason: string;
  method: string;
}

/** The run's overall verdict: what the first line of every report says. */
export interface RunVerdict {
  /** pass: ran to the end and held every judged criterion and expected behaviour; aborted: not judged. */
  outcome: 'pass' | 'fail' | 'aborted';
  /** fail: each failed criterion and expected behaviour; aborted: why the run stopped; pass: empty. */
  reasons: string[];
}

/** Severity of a finding or recommendation. */
export type Severity = 'info' | 'low' | 'medium' | 'high';

/** A finding or a recommendation with the numbers behind it. */
export interface Finding {
  id: string;
  severity: Severity;
  text: string;
  evidence: Record<string, number | string | null>;
}

/** One invariant of a chaos experiment, judged with its evidence. */
export interface ChaosInvariant {
  name: string;
  /** Null when it could not be measured. */
  observed: number | null;
  limit: number;
  comparison: '<=' | '>=' | '==';
  unit: string;
  verdict: 'pass' | 'fail' | 'not-measured';
  /** What was seen, in words a person can check. */
  evidence: string;
}

/** One chaos experiment: the fault, when it was in force, the proof it was reverted, and its invariants. */
export interface ChaosExperimentResult {
  /** `exp-<index>`, the run journal's key. */
  key: string;
  /** The experiment kind (`operator-kill`, `network-delay`…). */
  kind: string;
  /** The fault mechanism (`sandbox-proxy`, `sandbox-process`). */
  mechanism: string;
  /** A link or a part. */
  target: string;
  description: string;
  /** Planned start after the load started, ms. */
  plannedAtMs: number;
  /** How late it started (the previous experiment was still converging), ms. */
  startedLateMs: number;
  /** Wall-clock times (ISO); absent when the fault was never applied. */
  appliedAt?: string;
  revertedAt?: string;
  /** How long it was in force before its revert began, ms. */
  heldMs: number;
  /** How long the revert and its proof took (a restart, a probe), ms; convergence is counted after it. */
  revertMs?: number;
  reverted: boolean;
  /** How the revert was proven (the link answers again, the process is back). */
  revertProof: string;
  /** Objects and Ready ones just before the fault. */
  before: { objects: number; ready: number } | null;
  /** Fewest Ready and most not-Ready objects seen while the fault was in force. */
  during: { minReady: number; maxNotReady: number } | null;
  /**
   * API answers on bindy's resources from just before the fault to its convergence (every client,
   * apiserver_request_total): 409 Conflict (conflicting writes: two operators, or a stale read) and
   * 429 (throttled). Absent when the API server's metrics could not be read.
   */
  apiResponses?: { conflicts: number; throttled: number; requests: number };
  /** From the revert to the steady state again, ms; null when it did not converge within the bound. */
  convergenceMs: number | null;
  /** The fault's window on the time series' clock (ms since the load started): applied, reverted, converged (null: never). */
  windowMs?: { applied: number; reverted: number; converged: number | null };
  /**
   * The quiet window after its convergence (scenarios.chaos.quietWindowEach), the background load
   * held: its span on the time series' clock, the wait for rest before it (rested: the operator made no reconcile for 5 s in it; else the window opened anyway), what it counted, and
   * the bound of the bindy line measured (null: not judged). Absent when none was asked for or it did not converge.
   */
  quietWindow?: { fromMs: number; toMs: number; settleMs: number; rested: boolean; objects: number; reconciles: number | null; apiWrites: number | null; limit: number | null; bound: string };
  invariants: ChaosInvariant[];
}

/** What the chaos scenario found: each experiment, the end state, the DNS prober's counts. */
export interface ChaosSection {
  experiments: ChaosExperimentResult[];
  /** The desired-vs-served audit and readiness at the end; null when the run was interrupted. */
  final: {
    objects: number;
    ready: number;
    auditClean: boolean;
    audit: string;
    untruthful: number;
    mismatches: string[];
    /** Data loss: records whose acknowledged state no server gives at the end (missing, older data, or still served after their delete). Absent in results written before it was counted. */
    lostWrites?: number;
  } | null;
  /** SOA queries per server asked for the DNS gap. */
  dnsProbe: { server: string; sent: number; answered: number }[];
}

/** One step of a backpressure knee search: the offered rate and what the backlog did. */
export interface BackpressureStepResult {
  rate: number;
  /** The step on the time series' clock (ms since the load started). */
  fromMs: number;
  toMs: number;
  verdict: 'stable' | 'growing' | 'draining' | 'too-short';
  /** Backlog slope over the judged part (its last two thirds), objects per minute, with its 95 % interval. */
  slopePerMinute: number | null;
  slopeInterval: { low: number; high: number } | null;
  completedPerSec: number | null;
  reconcilesPerSec: number | null;
  backlogAtEnd: number | null;
}

/** What the backpressure scenario found: the knee of a step run, or one pressure window with its checks. */
export interface BackpressureSection {
  mode: string;
  /** step: every step run, in order. */
  steps: BackpressureStepResult[];
  /** step: the knee; null for the pressure modes. */
  knee: { rate: number | null; firstGrowingRate: number | null; saturatedReconcilesPerSec: number | null; text: string } | null;
  /** The pressure modes: the window (applied, lifted, recovered) and its checks as invariants; null for step. */
  pressure: ChaosExperimentResult | null;
}

/** The sustained scenario's quiet window on the time series' clock (ms since the load started); it comes after the series end. */
export interface QuietWindowSpan {
  fromMs: number;
  toMs: number;
}

/** One phase of an e2e run on the time series' clock (ms since the churn started); `toMs` null: it had not ended when the run did. */
export interface E2ePhase {
  kind: 'setup' | 'steady' | 'spike' | 'fault' | 'recovery' | 'quiet';
  label: string;
  fromMs: number;
  toMs: number | null;
}

/** One interval of an e2e run and its figures (null: nothing measured in it). */
export interface E2eInterval {
  index: number;
  fromMs: number;
  toMs: number;
  phases: string[];
  figures: Record<string, number | null>;
}

/** The e2e scenario's story: population, phases, the figures per interval, the worst one, the headline. */
export interface E2eSection {
  population: { zones: number; records: number; ready: number; setupMs: number };
  phases: E2ePhase[];
  intervalMs: number;
  intervals: E2eInterval[];
  worst: { index: number; why: string } | null;
  /** What an operator reads first: did it hold, the worst interval, what broke. */
  headline: string[];
}

/** The whole result document. Every section but metadata may be empty. */
export interface RunResult {
  schemaVersion: typeof resultSchemaVersion;
  metadata: RunMetadata;
  config: ResultConfig;
  latencies: Record<string, LatencyResult>;
  timeSeries: TimeSeriesData[];
  counters: Record<string, CounterData>;
  operator: OperatorMetric[];
  /** Null until the API amplification was measured. */
  apiAmplification: ApiAmplification | null;
  failures: FailureRecord[];
  criteria: CriterionVerdict[];
  /** The overall verdict; absent in results written before it existed (readers derive it from status and criteria). */
  verdict?: RunVerdict;
  findings: Finding[];
  recommendations: Finding[];
  notes: string[];
  /** The chaos scenario's experiments (absent for other scenarios). */
  chaos?: ChaosSection;  /** The backpressure scenario's steps and knee, or its pressure window (absent for other scenarios). */
  backpressure?: BackpressureSection;
  /** When the sustained scenario's quiet window was (absent when it had none). */
  quietWindow?: QuietWindowSpan;
  /** The e2e scenario's phases, intervals and headline (absent for other scenarios). */
  e2e?: E2eSection;
}
