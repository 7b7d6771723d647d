/**
 * @module The success criteria as data: which figure each one judges, how, and which scenario
 * measures it; and the check, before any load, that a scenario can measure the criteria it was given.
 */
import { UsageError } from '../errors.js';
import type { CriteriaConfig, ValueOrigin } from '../config/index.js';
import { formatOrigin } from '../config/index.js';
import type { Comparison } from '../report/result/index.js';
import type { FigureId } from './figures.js';
import { memoryGrowthMinimum } from './figures.js';

/** One criterion key of the configuration (`criteria.<key>`). */
export type CriterionKey = keyof CriteriaConfig;

/** What a criterion judges and how. */
export interface CriterionSpec {
  /** The figure it compares with its limit. */
  figure: FigureId;
  /** The metric name written into `result.criteria[].metric`. */
  metric: string;
  /** How the observed value must compare with the limit to pass. */
  comparison: Comparison;
  /** Unit of the observed value and the limit in the verdict. */
  unit: string;
  /** The configured value (in the config's unit) → the limit in `unit`. */
  toLimit: (configured: number) => number;
  /** Scenarios that measure it (names of `src/scenarios/`; some are still to come). */
  measuredBy: readonly string[];
  /** What the figure is, in words (docs and the "not measured" reason). */
  measures: string;
  /** A condition the run must meet for the figure to exist, when there is one. */
  requires?: string;
}

/** Limits are upper bounds ("crosses" = exceeds) except the sustained rate, a lower bound. */
export const criteriaTable: Readonly<Record<CriterionKey, CriterionSpec>> = {
  // The scenario's own headline latencies come first: they are what a user looks at.
  createToReadyP99: {
    figure: 'create_to_ready_p99',
    metric: 'create_to_ready.p99',
    comparison: '<=',
    unit: 'ms',
    toLimit: (ms) => ms,
    measuredBy: ['burst', 'sustained'],
    measures: 'p99 of create → first watch event showing Ready=True at the written generation, from the intended start',
  },
  updateToReadyP99: {
    figure: 'update_to_ready_p99',
    metric: 'update_to_ready.p99',
    comparison: '<=',
    unit: 'ms',
    toLimit: (ms) => ms,
    measuredBy: ['sustained'],
    measures: 'p99 of update → first watch event showing Ready=True at the generation the update produced, from the intended start',
  },
  deleteToGoneP99: {
    figure: 'delete_to_gone_p99',
    metric: 'delete_to_gone.p99',
    comparison: '<=',
    unit: 'ms',
    toLimit: (ms) => ms,
    measuredBy: ['sustained'],
    measures: 'p99 of delete → the DELETED watch event (finalizers done), from the intended start',
  },
  reconcileP99: {
    figure: 'reconcile_p99',
    metric: 'reconcile_duration.p99',
    comparison: '<=',
    unit: 'ms',
    toLimit: (ms) => ms,
    measuredBy: ['burst', 'sustained', 'chaos', 'backpressure'],
    measures: "p99 of bindy's reconcile duration: a bucket estimate (histogram_quantile over the run's bucket deltas)",
  },
  e2ePropagationP99: {
    figure: 'e2e_propagation_p99',
    metric: 'create_to_resolvable.p99',
    comparison: '<=',
    unit: 'ms',
    toLimit: (ms) => ms,
    measuredBy: ['burst', 'sustained', 'e2e'],
    measures: 'p99 of create → first matching DNS answer from BIND9 (the slowest server per object), from the intended start',
    requires: 'the DNS prober (burst and sustained: on by default on the sandbox, --dns-probe)',
  },
  dnsQueryP99: {
    figure: 'dns_query_p99',
    metric: 'dns_query.p99',
    comparison: '<=',
    unit: 'ms',
    toLimit: (ms) => ms,
    measuredBy: ['bind-query'],
    measures: 'p99 of DNS query latency against BIND9 (dnsperf -v, every query)',
  },
  maxDnsQueryLoss: {
    figure: 'dns_query_loss',
    metric: 'dns_query_loss',
    comparison: '<=',
    unit: 'fraction',
    toLimit: (f) => f,
    measuredBy: ['bind-query'],
    measures: 'DNS queries dnsperf got no answer to within the query timeout / queries it sent',
  },
  minDnsThroughputQps: {
    figure: 'dns_max_throughput',
    metric: 'resperf_max_throughput',
    comparison: '>=',
    unit: '1/s',
    toLimit: (r) => r,
    measuredBy: ['bind-resperf'],
    measures: "resperf's maximum throughput: the most answers per second of a ramp interval whose loss stayed within --max-loss; a lower bound when resperf's own limit or the ramp's top stopped it (then it can pass, never fail)",
  },
  minSustainedOpsPerSec: {
    figure: 'sustained_ops_rate',
    metric: 'sustained_ops_rate',
    comparison: '>=',
    unit: '1/s',
    toLimit: (r) => r,
    measuredBy: ['sustained'],
    measures: "operations completed per second over the sustained scenario's steady phase (a burst's create rate is not a sustained rate)",
  },
  maxErrorRate: {
    figure: 'error_rate',
    metric: 'error_rate',
    comparison: '<=',
    unit: 'fraction',
    toLimit: (f) => f,
    measuredBy: ['burst', 'sustained', 'chaos', 'e2e'],
    measures: 'failed or rejected operations / attempted operations',
  },
  maxRetryRate: {
    figure: 'retry_rate',
    metric: 'retry_rate',
    comparison: '<=',
    unit: 'fraction',
    toLimit: (f) => f,
    measuredBy: ['sustained', 'chaos'],
    measures: 'retried operations / attempted operations (client retries; bindy never increments its requeues_total)',
  },
  maxMemoryMB: {
    figure: 'memory_peak',
    metric: 'operator_memory.peak',
    comparison: '<=',
    unit: 'MiB',
    toLimit: (mib) => mib,
    measuredBy: ['burst', 'sustained', 'chaos', 'backpressure'],
    measures: "the operator's peak resident set size",
  },
  maxCpuCores: {
    figure: 'cpu_peak',
    metric: 'operator_cpu.peak',
    comparison: '<=',
    unit: 'cores',
    toLimit: (c) => c,
    measuredBy: ['burst', 'sustained', 'chaos', 'backpressure'],
    measures: "the operator's peak CPU (cores, over one scrape interval)",
  },
  maxQueueDepth: {
    figure: 'queue_depth_peak',
    metric: 'client_side_backlog.peak',
    comparison: '<=',
    unit: 'objects',
    toLimit: (n) => n,
    measuredBy: ['sustained', 'backpressure'],
    measures: 'peak client-side backlog (written, not yet Ready): bindy has no queue-depth metric',
  },
  maxMemoryGrowthMBPerHour: {
    figure: 'memory_growth',
    metric: 'operator_memory.growth',
    comparison: '<=',
    unit: 'MiB/h',
    toLimit: (x) => x,
    measuredBy: ['sustained', 'chaos', 'burst'],
    measures: "slope of a least-squares line over the operator's RSS in the steady phase, with its 95 % confidence interval",
    requires: `a steady phase of at least ${memoryGrowthMinimum.durationMs / 60_000} min with ${memoryGrowthMinimum.points} or more RSS samples by default (judge.memoryGrowthMinimum)`,
  },
};

/** A scenario and the criteria it can measure (each scenario declares its own list). */
export interface ScenarioMetrics {
  scenario: string;
  measures: readonly CriterionKey[];
}

/**
 * Burst: create→Ready p99 (its headline figure), create→resolvable p99 (with the DNS prober),
 * reconcile p99, error rate, memory, CPU, and memory growth only when its steady phase (after the
 * backlog drained) is long enough (see `criteriaTable`).
 */
export const burstMetrics: ScenarioMetrics = {
  scenario: 'burst',
  // Not maxQueueDepth: a burst's backlog peaks near its own size by construction, so a limit on it
  // judges the burst size, not bindy; queue depth is judged under sustained load.
  measures: ['createToReadyP99', 'e2ePropagationP99', 'reconcileP99', 'maxErrorRate', 'maxMemoryMB', 'maxCpuCores', 'maxMemoryGrowthMBPerHour'],
};

/**
 * Sustained: everything an open-loop run over time measures: the sustained rate, create→answered
 * by DNS (with the prober), errors and retries, the backlog peak (under a steady offered rate its size is the system's, not the
 * scenario's), and the operator's figures.
 */
export const sustainedMetrics: ScenarioMetrics = {
  scenario: 'sustained',
  measures: ['createToReadyP99', 'updateToReadyP99', 'deleteToGoneP99', 'e2ePropagationP99', 'reconcileP99', 'minSustainedOpsPerSec', 'maxErrorRate', 'maxRetryRate', 'maxMemoryMB', 'maxCpuCores', 'maxQueueDepth', 'maxMemoryGrowthMBPerHour'],
};

/**
 * Chaos: the background load's error rate only; its own invariants (convergence, DNS gap, revert
 * proof, the desired-vs-served audit) are judged per experiment, with bindy's chaos-suite bounds.
 * Latency criteria would judge the faults' size, not bindy.
 */
export const chaosMetrics: ScenarioMetrics = {
  scenario: 'chaos',
  measures: ['maxErrorRate'],
};

/**
 * e2e: the operations' latencies (a fault in the run costs the operations around it their p99: the
 * profiles that inject faults set limits for that), create→answered at the slowest server, DNS
 * query latency and loss, errors, retries, backlog, the operator's memory and CPU. Not the sustained
 * rate: the churn is what the run offers, not a capacity being measured.
 */
export const e2eMetrics: ScenarioMetrics = {
  scenario: 'e2e',
  measures: ['createToReadyP99', 'updateToReadyP99', 'deleteToGoneP99', 'e2ePropagationP99', 'reconcileP99', 'dnsQueryP99', 'maxDnsQueryLoss', 'maxErrorRate', 'maxRetryRate', 'maxMemoryMB', 'maxCpuCores', 'maxQueueDepth', 'maxMemoryGrowthMBPerHour'],
};

/**
 * Backpressure: the backlog peak (judged under pressure as its own check too), the operator's
 * memory and CPU. Latency criteria would judge the pressure's size, not bindy; its checks and the
 * knee are its verdict.
 */
export const backpressureMetrics: ScenarioMetrics = {
  scenario: 'backpressure',
  measures: ['maxQueueDepth', 'maxMemoryMB', 'maxCpuCores'],
};

/** bind query: the DNS side alone, dnsperf's latency p99 and loss (the records it creates first are its setup). */
export const bindQueryMetrics: ScenarioMetrics = {
  scenario: 'bind-query',
  measures: ['dnsQueryP99', 'maxDnsQueryLoss'],
};

/** bind resperf: its maximum throughput, a capacity figure, against minDnsThroughputQps (not the loss: losses beyond the knee are what a ramp finds). */
export const bindResperfMetrics: ScenarioMetrics = {
  scenario: 'bind-resperf',
  measures: ['minDnsThroughputQps'],
};

/** bind transfer: its changes never seen on a secondary are its verdict; no configured criterion reads its propagation yet. */
export const bindTransferMetrics: ScenarioMetrics = {
  scenario: 'bind-transfer',
  measures: [],
};

/** bind zones: the dnsperf phase on the loaded zones is judged like bind query's; zones never served are its verdict. */
export const bindZonesMetrics: ScenarioMetrics = {
  scenario: 'bind-zones',
  measures: ['dnsQueryP99', 'maxDnsQueryLoss'],
};

/** bind rndc: bindcar's answers (errors, no answer) are its verdict; no configured criterion reads its per-route latencies yet. */
export const bindRndcMetrics: ScenarioMetrics = {
  scenario: 'bind-rndc',
  measures: [],
};

/** Discovery: its own stages and orphans are its verdict; no configured criterion reads them yet. */
export const discoveryMetrics: ScenarioMetrics = {
  scenario: 'discovery',
  measures: [],
};

/** Whether a criterion's value was set by the user (a flag or the file) rather than a profile or default. */
export function isExplicit(origin: ValueOrigin | undefined): boolean {
  return origin !== undefined && (origin.kind === 'flag' || origin.kind === 'file');
}

/** What the pre-load check found. */
export interface MeasurabilityPlan {
  /** Criteria this scenario measures. */
  measured: CriterionKey[];
  /** Criteria from a profile or default it does not measure: reported "not measured by this scenario". */
  notMeasured: { criterion: CriterionKey; reason: string }[];
  /** Measured criteria with a condition the run must meet (e.g. memory growth's minimum steady phase). */
  conditions: { criterion: CriterionKey; requires: string }[];
}

/**
 * Before any load: splits the criteria into those the scenario measures and those it does not.
 * A criterion set explicitly (flag or file) that the scenario cannot measure is a UsageError naming
 * it, where it was set and the scenario that would measure it: asking for a check that cannot
 * happen must not turn into a silent pass. One that came from a profile or the defaults is listed
 * as not measured by this scenario.
 */
export function checkCriteriaMeasurable(criteria: Readonly<CriteriaConfig>, origins: ReadonlyMap<string, ValueOrigin>, scenario: ScenarioMetrics): MeasurabilityPlan {
  const plan: MeasurabilityPlan = { measured: [], notMeasured: [], conditions: [] };
  const problems: string[] = [];
  for (const key of Object.keys(criteriaTable) as CriterionKey[]) {
    if (!(key in criteria)) continue;
    const spec = criteriaTable[key];
    if (scenario.measures.includes(key)) {
      plan.measured.push(key);
      if (spec.requires !== undefined) plan.conditions.push({ criterion: key, requires: spec.requires });
      continue;
    }
    const others = spec.measuredBy.filter((s) => s !== scenario.scenario);
    const who = others.length === 0 ? 'no scenario yet' : `the ${others.join(' or ')} scenario`;
    const origin = origins.get(`criteria.${key}`);
    if (isExplicit(origin) && origin !== undefined) {
      problems.push(`${formatOrigin(origin)}: criteria.${key} cannot be measured by the ${scenario.scenario} scenario (${spec.measures}); ${who} measures it`);
    } else {
      plan.notMeasured.push({ criterion: key, reason: `not measured by the ${scenario.scenario} scenario: ${who} measures ${spec.measures}` });
    }
  }
  if (problems.length > 0) {
    throw new UsageError(problems.join('\n'), { hint: `remove ${problems.length === 1 ? 'it' : 'them'} from the command line or file, or run the scenario named` });
  }
  return plan;
}
