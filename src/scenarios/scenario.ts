/** @module The shape every scenario has (STYLE rule 1): a plain object with a pure plan, a drive and a verify. */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { BindyKind } from '../model/kinds.js';
import type { Bind9ClusterObject } from '../model/fixtures/objects.js';
import type { Journal } from '../observe/journal.js';
import type { KubeClient, KubeObject } from '../observe/kube-client.js';
import type { TrackerEvent } from '../observe/watch-tracker.js';
import type { BurstEvent } from '../drive/burst.js';
import type { ApiAmplification, OperatorMetric, RunResult } from '../report/result/index.js';
import type { ScenarioMetrics } from '../judge/criteria.js';
import type { Target } from '../target/target.js';
import type { DnsProbePlan } from './dns-probe-plan.js';

/** What a plan is computed from: the validated configuration, the run id and the command's own switches. */
export interface PlanInput {
  config: Readonly<Config>;
  runId: string;
  /** `--mixed`: zones and records interleaved in one stream instead of every zone first. */
  interleave: boolean;
}

/** A scenario's plan: computed before any I/O, printed by `--dry-run`, then driven. */
export interface ScenarioPlan {
  scenario: string;
  runId: string;
  namespace: string;
  /** Put in place before the measured writes (not measured). */
  setup: { namespace: string; cluster: Bind9ClusterObject };
  /** Kinds the measured stream contains (one watch each). */
  kinds: readonly BindyKind[];
  /** Objects in the measured stream. */
  total: number;
  /** One line per step, for `--dry-run` and the report. */
  describe: readonly string[];
  /** The measured stream, regenerated on each call (deterministic from the seed; never held in memory). */
  objects: () => Iterable<KubeObject>;
  engine: { concurrency: number; qps?: number; timeoutMs: number };
  /** Ask DNS for every record until it answers the desired data; absent or null: no probing. */
  dnsProbe?: DnsProbePlan | null;
}

/** Result sections an observer fills (operator metrics, API amplification). */
export interface ObserverSections {
  operator?: OperatorMetric[];
  apiAmplification?: ApiAmplification;
  timeSeries?: RunResult['timeSeries'];
  notes?: string[];
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
  onEvent: (e: BurstEvent | TrackerEvent) => void;
}

/** What `drive` measured: sections of the run result. */
export type DriveOutcome = Pick<RunResult, 'latencies' | 'counters' | 'timeSeries' | 'failures' | 'notes' | 'operator' | 'apiAmplification'>;

/** The verdict on a finished run (criteria proper come later): what did not go as it should. */
export interface Verification {
  passed: boolean;
  /** One line per problem, naming counts. */
  problems: string[];
}

/** One scenario. */
export interface Scenario {
  name: string;
  describe: string;
  /** Its section under `scenarios.` in the configuration. */
  options: keyof Config['scenarios'];
  /** The success criteria it can measure (checked before any load). */
  metrics: ScenarioMetrics;
  plan(input: PlanInput): ScenarioPlan;
  drive(ctx: DriveContext, plan: ScenarioPlan): Promise<DriveOutcome>;
  verify(result: RunResult): Verification;
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
