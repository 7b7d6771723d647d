/**
 * @module The backpressure plan (pure): the background load (the sustained engine over the
 * sustained section's zones, kinds, mix and working set) and, per mode, either the rate steps of a
 * knee search (`step`) or one pressure window with how it is applied and lifted (`slow-sidecar`,
 * `api-throttle`). A mode this build has no mechanism for is a usage error before anything starts.
 */
import type { BackpressureMode, Config } from '../config/index.js';
import { formatDuration, formatRate } from '../config/values.js';
import { UsageError } from '../errors.js';
import { describeFault, type LatencyFault } from '../faults/fault.js';
import type { OperatorLimits } from '../faults/limits/change.js';
import { formatCpuCores } from '../config/values.js';
import { stepRates, type RateStep } from '../judge/knee.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';
import { planSustained, type SustainedPlanData } from './sustained-plan.js';
import { throttlePrecedence } from '../faults/flowcontrol/throttle.js';

/** Steps a knee search may have: more is a typo in a rate, not a plan. */
export const maxSteps = 100;

/** The API Priority and Fairness objects api-throttle creates: a FlowSchema routing bindy's ServiceAccount to a small priority level. */
export interface ThrottlePlan {
  /** Name of both objects (`<run id>-squeeze`). */
  name: string;
  /** nominalConcurrencyShares of the priority level. */
  shares: number;
  /** Before the suggested `service-accounts` schema (9000) that would otherwise take bindy's requests. */
  matchingPrecedence: number;
}

/** The pressure of a pressure mode: when, how long, and what is applied. */
export type PlannedPressure =
  | { mode: 'slow-sidecar'; atMs: number; durationMs: number; link: 'operator-sidecar'; spec: LatencyFault; text: string }
  | { mode: 'api-throttle'; atMs: number; durationMs: number; throttle: ThrottlePlan; text: string }
  | { mode: 'operator-limits'; atMs: number; durationMs: number; limits: OperatorLimits; text: string };

/** What only the backpressure drive reads. */
export interface BackpressurePlanData {
  mode: BackpressureMode;
  load: SustainedPlanData;
  /** `step`: the rates, on the measured schedule's clock; empty for the pressure modes. */
  steps: RateStep[];
  /** The pressure modes: the one window; null for `step`. */
  pressure: PlannedPressure | null;
  recoveryBoundMs: number;
  /** On a cluster, changes to what the run did not create are allowed. */
  allowClusterChanges: boolean;
  /** The backlog-under-pressure check's limit (criteria.maxQueueDepth). */
  maxQueueDepth: number;
}

/** The FlowSchema's precedence (shared with chaos's apiserver-throttle). */
export { throttlePrecedence };

/** The pressure window of a pressure mode (pure); a UsageError for a mode with no mechanism yet. */
export function plannedPressure(mode: Exclude<BackpressureMode, 'step'>, b: Readonly<Config['scenarios']['backpressure']>, runId: string): PlannedPressure {
  const when = `from ${formatDuration(b.pressureAt)} for ${formatDuration(b.pressureDuration)}`;
  switch (mode) {
    case 'slow-sidecar': {
      // Added to every bindcar answer: the operator waits that much longer for each call.
      const spec: LatencyFault = { kind: 'latency', ms: b.sidecarDelay, direction: 'downstream' };
      return { mode, atMs: b.pressureAt, durationMs: b.pressureDuration, link: 'operator-sidecar', spec, text: `slow-sidecar: ${describeFault(spec)} on link operator-sidecar (every bindcar answer to the operator), ${when}` };
    }
    case 'api-throttle': {
      const throttle: ThrottlePlan = { name: `${runId}-squeeze`, shares: b.throttleShares, matchingPrecedence: throttlePrecedence };
      return {
        mode,
        atMs: b.pressureAt,
        durationMs: b.pressureDuration,
        throttle,
        text: `api-throttle: a FlowSchema ${throttle.name} (precedence ${throttle.matchingPrecedence}) puts bindy's ServiceAccount's requests on its own resources and Events (not its Lease) in a PriorityLevelConfiguration with nominalConcurrencyShares ${b.throttleShares} and limitResponse Reject (the API server answers 429 beyond its seats), ${when}`,
      };
    }
    case 'operator-limits': {
      const limits: OperatorLimits = { cpuCores: b.limitCpu, workers: b.limitWorkers, ...(b.limitMemory === undefined ? {} : { memoryMiB: b.limitMemory }) };
      const what = `CPU ${formatCpuCores(b.limitCpu)}${b.limitMemory === undefined ? '' : `, memory ${b.limitMemory}Mi`}`;
      return {
        mode,
        atMs: b.pressureAt,
        durationMs: b.pressureDuration,
        limits,
        text: `operator-limits: the operator's limits lowered to ${what} (cluster: bindy's Deployment patched and rolled out; sandbox: the twin restarted with ${b.limitWorkers} worker${b.limitWorkers === 1 ? '' : 's'} in control groups with that quota), ${when}; the restarts this takes are the tool's, not counted as crashes`,
      };
    }
  }
}

/** The backpressure scenario's plan. */
export function planBackpressure(input: PlanInput): ScenarioPlan<BackpressurePlanData> {
  const b = input.config.scenarios.backpressure;
  const s = input.config.scenarios.sustained;
  let steps: RateStep[] = [];
  let pressure: PlannedPressure | null = null;
  let sustained: Config['scenarios']['sustained'];
  let profile: { segments: { durationMs: number; fromPerSec: number; toPerSec: number }[]; text: string } | undefined;
  if (b.mode === 'step') {
    if (b.startRate <= 0) throw new UsageError('scenarios.backpressure.startRate: must be above 0/s (e.g. --start-rate 5/s)');
    if (b.stepRate <= 0) throw new UsageError('scenarios.backpressure.stepRate: must be above 0/s (e.g. --step-rate 5/s)');
    const rates = stepRates(b.startRate, b.stepRate, b.maxRate);
    if (rates.length > maxSteps) throw new UsageError(`scenarios.backpressure: ${formatRate(b.startRate)} to ${formatRate(b.maxRate)} by ${formatRate(b.stepRate)} is ${rates.length} steps, above ${maxSteps}: raise stepRate`);
    steps = rates.map((rate, i) => ({ rate, fromMs: i * b.stepDuration, toMs: (i + 1) * b.stepDuration }));
    profile = {
      segments: rates.map((r) => ({ durationMs: b.stepDuration, fromPerSec: r, toPerSec: r })),
      text: `${rates.length} steps of ${formatDuration(b.stepDuration)}: ${rates.map((r) => formatRate(r)).join(', ')} (the schedule stops at the first step whose backlog grows)`,
    };
    sustained = { ...s, rate: rates.at(-1) ?? b.startRate, duration: rates.length * b.stepDuration, rampUp: 0, quietWindow: 0 };
  } else {
    if (b.rate <= 0) throw new UsageError('scenarios.backpressure.rate: must be above 0/s (e.g. --rate 10/s)');
    pressure = plannedPressure(b.mode, b, input.runId);
    sustained = { ...s, rate: b.rate, duration: b.duration, rampUp: 0, quietWindow: 0 };
  }
  const config: Config = { ...input.config, scenarios: { ...input.config.scenarios, sustained } };
  const load = planSustained({ ...input, config }, profile);
  const data = load.data;
  if (data === undefined) throw new Error('the sustained plan carries no schedule');
  const describe = [
    ...load.describe.slice(0, 2),
    b.mode === 'step'
      ? `3. steps of the offered rate (the sustained engine; its mix, kinds and working set): ${profile?.text ?? ''}`
      : `3. background load: ${formatRate(b.rate)} for ${formatDuration(b.duration)} on an open-loop schedule (the sustained engine; its mix, kinds and working set)`,
    ...(b.mode === 'step'
      ? [
          `4. each step is judged on its last two thirds: the client-side backlog's slope with its 95 % interval (growing = the interval above 0 and a growth of at least max(5, one second of the rate))`,
          '5. the knee: the highest rate whose backlog stayed flat before the first step whose backlog grew; with the operator\'s reconciles/s at that step (its ceiling once saturated)',
        ]
      : [
          `4. pressure: ${pressure?.text ?? ''}; journalled before it is applied, lifted at its end (and on error or Ctrl-C)`,
          `5. checks: no operator crash or restart; backoff (the operator's reconciles/s under pressure at most 3× its rate before); no conflicting writes (409s); backlog under pressure; recovery ≤ ${formatDuration(b.recoveryTimeout)} after the lift (every object written before it Ready)`,
        ]),
    `6. cleanup: whatever the pressure changed is restored first, then everything labelled loadtest.bindy.firestoned.io/run-id=${input.runId} deleted (unless --keep)`,
  ];
  return {
    ...load,
    scenario: 'backpressure',
    describe,
    data: { mode: b.mode, load: data, steps, pressure, recoveryBoundMs: b.recoveryTimeout, allowClusterChanges: b.allowClusterChanges, maxQueueDepth: input.config.criteria.maxQueueDepth },
  };
}
