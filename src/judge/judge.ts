/** @module After a run: every criterion → a verdict with metric, observed value, limit, comparison and method (pure). */
import type { CriteriaConfig, ValueOrigin } from '../config/index.js';
import { formatOrigin } from '../config/index.js';
import type { Comparison, CriterionVerdict, RunResult } from '../report/result/index.js';
import { criteriaTable, isExplicit } from './criteria.js';
import type { CriterionKey } from './criteria.js';
import { readFigure } from './figures.js';
import type { FigureOptions } from './figures.js';

/** A verdict in the result's `criteria` section, plus the criterion key, where its limit came from and any interval. */
export interface Verdict extends CriterionVerdict {
  /** The configuration key, e.g. `maxErrorRate`. */
  criterion: CriterionKey;
  /** Where the limit came from (`flag --x`, `file f.yaml:3`, `profile quick`, `default`). */
  origin: string;
  /** True when the limit was set explicitly (flag or file). */
  explicit: boolean;
  /** Confidence interval of the observed value, when it has one (memory growth). */
  interval?: { low: number; high: number; confidence: number };
}

function holds(observed: number, comparison: Comparison, limit: number): boolean {
  switch (comparison) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/** Options of {@link judge}. */
export interface JudgeOptions extends FigureOptions {
  /**
   * Set when the run stopped before its end (why, e.g. `interrupted by SIGINT`): a partial run is
   * not judged as if it had finished, so every criterion is `not-measured` with this reason.
   */
  notJudged?: string;
}

/**
 * Judges every criterion in `criteria` against `result`, in the order of the criteria table, and
 * replaces `result.criteria` with the verdicts. A figure missing from the result is
 * `not-measured` with the reason (never a pass). A bucket estimate that is only a lower bound
 * passes nothing (it fails a limit below it, else it is not measured). Memory growth is decided on
 * the slope; its confidence interval is reported, and the reason says when it straddles the limit.
 */
export function judge(result: RunResult, criteria: Readonly<CriteriaConfig>, origins: ReadonlyMap<string, ValueOrigin>, options: JudgeOptions = {}): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const key of Object.keys(criteriaTable) as CriterionKey[]) {
    const configured = criteria[key];
    if (configured === undefined) continue;
    const spec = criteriaTable[key];
    const origin = origins.get(`criteria.${key}`);
    const limit = spec.toLimit(configured);
    const figure = readFigure(result, spec.figure, options);
    const notApplicable = options.notApplicable?.[key];
    const base = {
      criterion: key,
      metric: spec.metric,
      limit,
      comparison: spec.comparison,
      unit: spec.unit,
      method: figure.method,
      origin: origin === undefined ? 'unknown' : formatOrigin(origin),
      explicit: isExplicit(origin),
    };
    if (options.notJudged !== undefined) {
      verdicts.push({ ...base, observed: null, verdict: 'not-measured', reason: `not judged: ${options.notJudged} (a partial result)` });
      continue;
    }
    if (figure.value === null || notApplicable !== undefined) {
      verdicts.push({ ...base, observed: figure.value, verdict: 'not-measured', reason: notApplicable ?? figure.reason ?? 'not in the result' });
      continue;
    }
    const observed = figure.value;
    const ok = holds(observed, spec.comparison, limit);
    const stated = `${fmt(observed)} ${spec.unit} ${ok ? '' : 'not '}${spec.comparison} ${fmt(limit)} ${spec.unit}`;
    const v: Verdict = { ...base, observed, verdict: ok ? 'pass' : 'fail', reason: stated };
    // A lower bound can prove a value high enough, never low enough: the truth may lie above it.
    if (figure.lowerBound === true && (spec.comparison === '>=' ? !ok : ok)) {
      v.verdict = 'not-measured';
      v.reason = `${fmt(observed)} ${spec.unit} is only a lower bound (${figure.id === 'reconcile_p99' ? 'the bucket estimate reached the last finite bucket' : figure.method.replace(/^.*; a lower bound: /, '')}), so it cannot show the value ${spec.comparison} ${fmt(limit)} ${spec.unit}`;
    }
    if (figure.interval !== undefined) {
      const { low, high, confidence } = figure.interval;
      v.interval = figure.interval;
      const straddles = low <= limit && limit <= high;
      v.reason += `; ${Math.round(confidence * 100)} % CI ${fmt(low)}..${fmt(high)} ${spec.unit}${straddles ? ' includes the limit: the verdict rests on the slope alone' : ''}`;
    }
    verdicts.push(v);
  }
  result.criteria = verdicts;
  return verdicts;
}

/** The verdicts that fail the run: any `fail`. Explicit criteria left unmeasured are returned apart so the caller can say so. */
export function failedVerdicts(verdicts: readonly Verdict[]): { failed: Verdict[]; explicitNotMeasured: Verdict[] } {
  return {
    failed: verdicts.filter((v) => v.verdict === 'fail'),
    explicitNotMeasured: verdicts.filter((v) => v.verdict === 'not-measured' && v.explicit),
  };
}
