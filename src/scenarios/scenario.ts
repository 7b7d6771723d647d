/** @module The shape every scenario has (STYLE rule 1): a plain object with a pure plan, a drive and a verify. */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { ObjectKind } from '../model/object-kinds.js';
import type { Bind9ClusterObject } from '../model/fixtures/objects.js';
import type { Journal } from '../observe/journal.js';
import type { KubeClient, KubeObject } from '../observe/kube-client.js';
import type { TrackerEvent } from '../observe/watch-tracker.js';
import type { BurstEvent } from '../drive/burst.js';
import type { SustainedEvent } from '../drive/sustained-session.js';
import type { ApiAmplification, OperatorMetric, RunResult } from '../report/result/index.js';
import type { ScenarioMetrics } from '../judge/criteria.js';
import type { Target } from '../targets/target.js';
import type { DnsProbePlan } from './dns-probe-plan.js';
import type { ShardSlot } from './shard-slice.js';
import type { ShardedOutcome, ShardedRun } from './burst-sharded.js';

/** What a plan is computed from: the validated configuration, the run id and the command's own switches. */
export interface PlanInput {
  config: Readonly<Config>;
  runId: string;
  /** `--mixed`: zones and records interleaved in one stream instead of every zone first. */
  interleave: boolean;
  /** Plan only this shard's slice (a shard process of a sharded run). */
  shard?: ShardSlot;
}

/** A scenario's plan: computed before any I/O, printed by `--dry-run`, then driven. `D`: what only that scenario's drive reads. */
export interface ScenarioPlan<D = unknown> {
  scenario: string;
  runId: string;
  namespace: string;
  /** Put in place before the measured writes (not measured). */
  setup: { namespace: string; cluster: Bind9ClusterObject };
  /** Kinds the measured stream contains (one watch each). */
  kinds: readonly ObjectKind[];
  /** Objects in the measured stream. */
  total: number;
  /** One line per step, for `--dry-run` and the report. */
  describe: readonly string[];
  /** The measured stream, regenerated on each call (deterministic from the seed; never held in memory). */
  objects: () => Iterable<KubeObject>;
  engine: { concurrency: number; qps?: number; timeoutMs: number };
  /** The scenario's own plan data (the sustained schedule and mix…); absent for burst. */
  data?: D;
  /** Ask DNS for every record until it answers the desired data; absent or null: no probing. */
  dnsProbe?: DnsProbePlan | null;
  /** The slice a shard process runs (its objects carry the shard label, its watches select it); absent: the whole run. */
  shard?: ShardSlot;
}

/** Result sections an observer fills (operator metrics, API amplification). */
export interface ObserverSections {
  operator?: OperatorMetric[];
  apiAmplification?: ApiAmplification;
  timeSeries?: RunResult['timeSeries'];
  notes?: string[];
  /** Counters the observer measured (API responses by code). */
  counters?: RunResult['counters'];
}

/**
 * Something measured around the run besides the scenario's own figures (operator metrics, API
 * request counts): started just before the first measured write, stopped after the wait for Ready.
 */
export interface RunObserver {
  name: string;
  start(ctx: { target: Target; runId: string; namespace: string }): Promise<void>;
  /** `objectsCreated`: objects the run created (API amplification is per created object). */
  stop(end: { objectsCreated: number }): Promise<ObserverSections>;
}

/** What `drive` is given. */
export interface DriveContext {
  target: Target;
  client: KubeClient;
  journal: Journal;
  /** Stop starting new operations (first Ctrl-C). */
  stopStarting: AbortSignal;
  /** Stop waiting now (after the operations in flight have answered). */
  hardStop: AbortSignal;
  observers: readonly RunObserver[];
  onEvent: (e: BurstEvent | TrackerEvent | SustainedEvent | ShardProgressEvent) => void;
  /** Awaited after the watches start and before the first write (a shard waits there for the common start); absent: none. */
  startGate?: () => Promise<void>;
  /** Where a drive that deletes objects during the run adds each run object's UID, for cleanup to remove their Events. */
  runObjectUids?: Set<string>;
}

/** Progress of a sharded run's shards since the last one: objects created, seen Ready, failed. */
export interface ShardProgressEvent {
  type: 'shard-progress';
  created: number;
  ready: number;
  failed: number;
}

/** What `drive` measured: sections of the run result. */
export type DriveOutcome = Pick<RunResult, 'latencies' | 'counters' | 'timeSeries' | 'failures' | 'notes' | 'operator' | 'apiAmplification' | 'chaos' | 'backpressure' | 'quietWindow' | 'e2e'>;

/** The verdict on a finished run (criteria proper come later): what did not go as it should. */
export interface Verification {
  passed: boolean;
  /** One line per problem, naming counts. */
  problems: string[];
}

/** One scenario; `D` is its own plan data. Methods, not properties: a Scenario<D> is used as a Scenario. */
export interface Scenario<D = unknown> {
  name: string;
  describe: string;
  /** Its section under `scenarios.` in the configuration. */
  options: keyof Config['scenarios'];
  /** The success criteria it can measure (checked before any load). */
  metrics: ScenarioMetrics;
  plan(input: PlanInput): ScenarioPlan<D>;
  /** The run injects faults: a sandbox started for it gets the fault proxy (a function: only for some of its settings). */
  needsFaults?: boolean | ((config: Readonly<Config>) => boolean);
  /** The run fills named's disk (disk-full): a sandbox started for it puts named's directory on a size-limited filesystem of its own. */
  needsNamedDisk?: (config: Readonly<Config>) => boolean;
  /** The run needs secondary BIND9 servers: a sandbox started for it runs at least this many (whatever sandbox.secondaries says). */
  minSecondaries?: number;
  /** The run needs service discovery: a sandbox started for it runs the scout twin under this cluster name. */
  scoutCluster?(config: Readonly<Config>): string;
  /** Other source clusters a sandbox started for the run must have (each an API server and a scout twin); absent: none. */
  sourceClusters?(config: Readonly<Config>): number;
  /**
   * A target of the scenario's own instead of the configured one (a bare bindcar URL), opened and
   * checked before anything starts (its errors end the run with one line); undefined: the configured target.
   */
  ownTarget?(config: Readonly<Config>, io: { env: NodeJS.ProcessEnv; cwd: string }): Promise<Target | undefined>;
  /** Why `target` cannot run `plan` (said before any load: exit 2), or undefined when it can. */
  checkTarget?(target: Target, plan: ScenarioPlan<D>): string | undefined;
  drive(ctx: DriveContext, plan: ScenarioPlan<D>): Promise<DriveOutcome>;
  /** How the scenario runs as `config.shards` processes (`--shards`); absent: it cannot shard. */
  sharded?: ShardedDrive<D>;
  verify(result: RunResult): Verification;
}

/** A scenario's sharded run: what refuses a configuration, and the drive that starts, releases and merges the shards. */
export interface ShardedDrive<D = unknown> {
  /** Why `config` cannot be sharded (exit 2 before anything starts), or undefined. */
  problem(config: Readonly<Config>): string | undefined;
  drive(ctx: DriveContext, plan: ScenarioPlan<D>, run: ShardedRun): Promise<ShardedOutcome>;
}

/** Figures of one part of a run (a dnsperf phase, a storm, a sampling), to add to its outcome. */
export interface FigureSections {
  latencies?: DriveOutcome['latencies'];
  counters?: DriveOutcome['counters'];
  timeSeries?: DriveOutcome['timeSeries'];
  notes?: readonly string[];
}

/** Adds `s`'s latencies, counters, series and notes to the outcome. */
export function addFigures(outcome: DriveOutcome, s: FigureSections): void {
  if (s.latencies !== undefined) Object.assign(outcome.latencies, s.latencies);
  if (s.counters !== undefined) Object.assign(outcome.counters, s.counters);
  if (s.timeSeries !== undefined) outcome.timeSeries.push(...s.timeSeries);
  if (s.notes !== undefined) outcome.notes.push(...s.notes);
}

/** Adds what the observers measured to the outcome (operator metrics, API amplification, notes). */
export function mergeObservers(outcome: DriveOutcome, sections: readonly ObserverSections[]): void {
  for (const s of sections) {
    if (s.operator !== undefined) outcome.operator.push(...s.operator);
    if (s.apiAmplification !== undefined) outcome.apiAmplification = s.apiAmplification;
    if (s.timeSeries !== undefined) outcome.timeSeries.push(...s.timeSeries);
    if (s.notes !== undefined) outcome.notes.push(...s.notes);
    if (s.counters !== undefined) Object.assign(outcome.counters, s.counters);
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A fresh run id, `<scenario>-YYYYMMDD-HHMMSS-xxxx` (UTC, 4 random hex digits): a valid label value and DNS label. */
export function generateRunId(scenario: string, at: Date = new Date(), random: () => string = () => randomBytes(2).toString('hex')): string {
  const d = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const t = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${scenario}-${d}-${t}-${random()}`;
}
