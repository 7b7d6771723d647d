/**
 * @module A run's summary metrics in the Prometheus text exposition format (0.0.4), rendered from
 * the JSON run result alone (pure: no I/O). Built on prom-client's Registry, which escapes label
 * values and help text as the format requires. Names and labels are documented in docs/report.md.
 * A figure the run did not measure is left out, never written as 0.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { HistogramSummary } from '../measure/index.js';
import { verdictOf } from './verdict-line.js';
import type { RunResult } from './result/index.js';

/** Prefix of every metric this module writes. */
export const metricPrefix = 'bindy_loadtest';

/** Summary fields written as `quantile` labels of bindy_loadtest_latency_seconds; 0 is the minimum, 1 the maximum. */
const quantiles: readonly [keyof HistogramSummary, string][] = [
  ['min', '0'],
  ['p50', '0.5'],
  ['p90', '0.9'],
  ['p95', '0.95'],
  ['p99', '0.99'],
  ['p999', '0.999'],
  ['max', '1'],
];

/** Result counters that count objects by state, and the `state` label each becomes in bindy_loadtest_objects_total. */
export const objectStates: Readonly<Record<string, string>> = Object.freeze({
  creates_started: 'started',
  creates_accepted: 'created',
  creates_rejected: 'rejected',
  create_errors: 'create_error',
  creates_abandoned: 'abandoned',
  objects_ready: 'ready',
  objects_ready_at_relist: 'ready_at_relist',
  objects_not_ready: 'not_ready',
  objects_deleted_before_ready: 'deleted_before_ready',
  objects_unconfirmed: 'unconfirmed',
});

/** Label value for a profile: the name, or `none` (also used in the Pushgateway grouping key). */
export function profileLabel(profile: string | null): string {
  return profile ?? 'none';
}

/** The run's summary metrics as Prometheus text (exposition format 0.0.4), ending in a newline. */
export async function renderPrometheus(r: RunResult): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  const m = r.metadata;
  const p = metricPrefix;

  new Gauge({
    name: `${p}_run_info`,
    help: 'Always 1; the labels identify the run (join on run_id).',
    labelNames: ['run_id', 'scenario', 'profile', 'target', 'tool_version', 'status'],
    registers,
  }).set({ run_id: m.runId, scenario: m.scenario, profile: profileLabel(m.profile), target: m.target.kind, tool_version: m.toolVersion, status: m.status }, 1);
  // The overall verdict, one series per outcome (1 for the run's, 0 for the others), so a gate can alert on FAIL or ABORTED.
  const verdict = new Gauge({ name: `${p}_verdict`, help: 'The run\'s overall verdict: 1 for its outcome (pass, fail, aborted), 0 for the others.', labelNames: ['outcome'], registers });
  for (const o of ['pass', 'fail', 'aborted'] as const) verdict.set({ outcome: o }, verdictOf(r).outcome === o ? 1 : 0);
  const started = Date.parse(m.startedAt);
  if (Number.isFinite(started)) {
    new Gauge({ name: `${p}_run_start_timestamp_seconds`, help: 'Wall-clock start of the run, Unix seconds.', registers }).set(started / 1000);
  }
  if (m.durationMs !== null) {
    new Gauge({ name: `${p}_run_duration_seconds`, help: 'Duration of the run, seconds, monotonic clock.', registers }).set(m.durationMs / 1000);
  }

  const latencies = Object.entries(r.latencies);
  if (latencies.length > 0) {
    const latency = new Gauge({
      name: `${p}_latency_seconds`,
      help: 'Latency at a quantile (0 = min, 1 = max) from the HDR histogram (3 significant digits), seconds; kind="all" for every kind together.',
      labelNames: ['operation', 'kind', 'quantile'],
      registers,
    });
    const mean = new Gauge({ name: `${p}_latency_mean_seconds`, help: 'Mean latency from the HDR histogram, seconds.', labelNames: ['operation', 'kind'], registers });
    const count = new Gauge({ name: `${p}_latency_observations`, help: 'Number of latency values recorded.', labelNames: ['operation', 'kind'], registers });
    const notRecorded = new Gauge({
      name: `${p}_latency_not_recorded`,
      help: 'Latency values offered but not recorded: below 1 us, above 1 h, or invalid (negative or NaN).',
      labelNames: ['operation', 'reason'],
      registers,
    });
    for (const [operation, entry] of latencies) {
      const parts: [string, HistogramSummary][] = [['all', entry.summary], ...Object.entries(entry.byKind ?? {}).map(([k, v]): [string, HistogramSummary] => [k, v.summary])];
      for (const [kind, s] of parts) {
        count.set({ operation, kind }, s.count);
        if (s.mean !== null) mean.set({ operation, kind }, s.mean / 1e6);
        for (const [field, quantile] of quantiles) {
          const v = s[field];
          if (typeof v === 'number') latency.set({ operation, kind, quantile }, v / 1e6);
        }
      }
      const oor = entry.summary.outOfRange;
      for (const reason of ['below', 'above', 'invalid'] as const) notRecorded.set({ operation, reason }, oor[reason]);
    }
  }

  const counterNames = Object.keys(r.counters).sort();
  const states = counterNames.filter((n) => objectStates[n] !== undefined);
  if (states.length > 0) {
    const objects = new Counter({ name: `${p}_objects_total`, help: 'Objects of the run by state (see docs/report.md for each state).', labelNames: ['state'], registers });
    for (const n of states) objects.inc({ state: objectStates[n] ?? n }, r.counters[n]?.value ?? 0);
  }
  if (counterNames.length > 0) {
    const counter = new Gauge({ name: `${p}_counter`, help: 'Every counter of the run result, by name, in its unit.', labelNames: ['name', 'unit'], registers });
    for (const n of counterNames) {
      const c = r.counters[n];
      if (c !== undefined) counter.set({ name: n, unit: c.unit }, c.value);
    }
  }

  if (r.criteria.length > 0) {
    new Gauge({ name: `${p}_criteria_passed`, help: '1 when every success criterion passed; 0 when one failed or was not measured.', registers }).set(
      r.criteria.every((c) => c.verdict === 'pass') ? 1 : 0,
    );
    const verdicts = new Gauge({ name: `${p}_criteria`, help: 'Number of success criteria by verdict.', labelNames: ['verdict'], registers });
    for (const v of ['pass', 'fail', 'not-measured'] as const) verdicts.set({ verdict: v }, r.criteria.filter((c) => c.verdict === v).length);
    const passed = new Gauge({ name: `${p}_criterion_passed`, help: '1 if the criterion passed, 0 if it failed; absent when not measured.', labelNames: ['metric'], registers });
    const observed = new Gauge({ name: `${p}_criterion_observed`, help: 'Observed value of a criterion, in its unit; absent when not measured.', labelNames: ['metric', 'unit'], registers });
    const limit = new Gauge({ name: `${p}_criterion_limit`, help: 'Limit of a criterion, in its unit; comparison is how observed is compared with it.', labelNames: ['metric', 'unit', 'comparison'], registers });
    for (const c of r.criteria) {
      const unit = c.unit ?? '';
      if (c.verdict !== 'not-measured') passed.set({ metric: c.metric }, c.verdict === 'pass' ? 1 : 0);
      if (c.observed !== null) observed.set({ metric: c.metric, unit }, c.observed);
      limit.set({ metric: c.metric, unit, comparison: c.comparison }, c.limit);
    }
  }

  const a = r.apiAmplification;
  if (a !== null) {
    const requests = new Counter({ name: `${p}_api_requests_total`, help: 'Requests to the Kubernetes API during the run (apiserver_request_total increase), by verb and resource.', labelNames: ['verb', 'resource'], registers });
    for (const q of a.requests) requests.inc({ verb: q.verb, resource: q.resource }, q.count);
    if (a.requestsPerObject !== null) {
      new Gauge({ name: `${p}_api_requests_per_object`, help: 'Requests to the Kubernetes API per object the run created.', registers }).set(a.requestsPerObject);
    }
  }

  if (r.failures.length > 0) {
    const failures = new Counter({ name: `${p}_failures_total`, help: 'Objects that missed a milestone, by the milestone (phase) and reason.', labelNames: ['phase', 'reason'], registers });
    for (const f of r.failures) failures.inc({ phase: f.phase, reason: f.reason });
  }

  const operatorValues = r.operator.flatMap((o) => Object.entries(o.values).filter((e): e is [string, number] => e[1] !== null).map(([figure, v]) => ({ o, figure, v })));
  if (operatorValues.length > 0) {
    const op = new Gauge({
      name: `${p}_operator_value`,
      help: "A figure observed from the operator's own metrics (percentiles are bucket estimates); labels is the source label set as k=v,...",
      labelNames: ['quantity', 'figure', 'unit', 'labels'],
      registers,
    });
    for (const { o, figure, v } of operatorValues) {
      const labels = Object.entries(o.labels ?? {}).map(([k, val]) => `${k}=${val}`).join(',');
      op.set({ quantity: o.name, figure, unit: o.unit ?? '', labels }, v);
    }
  }

  if (r.findings.length + r.recommendations.length > 0) {
    const findings = new Gauge({ name: `${p}_findings`, help: 'Number of findings and recommendations by severity.', labelNames: ['type', 'severity'], registers });
    for (const [type, list] of [['finding', r.findings], ['recommendation', r.recommendations]] as const) {
      for (const sev of ['info', 'low', 'medium', 'high'] as const) {
        const n = list.filter((f) => f.severity === sev).length;
        if (n > 0) findings.set({ type, severity: sev }, n);
      }
    }
  }
  const text = await registry.metrics();
  return text.endsWith('\n') ? text : `${text}\n`;
}
