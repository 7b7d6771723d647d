/** @module The one verdict line every report starts with — PASS, FAIL (what failed) or ABORTED — read from the run result (pure). */
import type { CriterionVerdict, RunResult, RunVerdict } from './result/index.js';
import { formatWithUnit } from './units.js';

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}

/** One failed criterion as `create_to_ready.p99 25300 ms (limit <= 15000 ms, profile standard)`: where the limit came from when the verdict says. */
export function failedCriterionText(v: CriterionVerdict & { origin?: unknown }): string {
  const origin = typeof v.origin === 'string' && v.origin !== 'unknown' ? `, ${v.origin}` : '';
  if (v.unit === 'MiB' || v.unit === 'MiB/h') {
    // Memory is shown in MB everywhere; the configured MiB figure follows so it can be found in the config.
    return `${v.metric} ${formatWithUnit(v.observed, v.unit)} (limit ${v.comparison} ${formatWithUnit(v.limit, v.unit)} = ${fmt(v.limit)} ${v.unit}${origin})`;
  }
  const unit = v.unit === undefined ? '' : ` ${v.unit}`;
  return `${v.metric} ${v.observed === null ? '—' : fmt(v.observed)}${unit} (limit ${v.comparison} ${fmt(v.limit)}${unit}${origin})`;
}

/** The result's verdict; for a result written before the verdict existed, derived from its status and criteria. */
export function verdictOf(r: RunResult): RunVerdict {
  if (r.verdict !== undefined) return r.verdict;
  if (r.metadata.status === 'aborted') return { outcome: 'aborted', reasons: ['the run did not finish (status aborted)'] };
  const failed = r.criteria.filter((v) => v.verdict === 'fail').map(failedCriterionText);
  if (failed.length > 0) return { outcome: 'fail', reasons: failed };
  if (r.metadata.status === 'failed') return { outcome: 'fail', reasons: ["the scenario's expected behaviours did not hold (see the notes and failures)"] };
  return { outcome: 'pass', reasons: [] };
}

/**
 * `PASS (2 criteria passed, 6 not measured)`, `FAIL: create_to_ready.p99 25300 ms (limit <= 15000 ms, profile standard); …`
 * or `ABORTED: interrupted by SIGINT; criteria not judged (a partial result)`.
 */
export function verdictLine(r: RunResult): string {
  const v = verdictOf(r);
  switch (v.outcome) {
    case 'aborted':
      return `ABORTED: ${v.reasons.join('; ')}; criteria not judged (a partial result)`;
    case 'fail':
      return `FAIL: ${v.reasons.join('; ')}`;
    case 'pass': {
      const passed = r.criteria.filter((c) => c.verdict === 'pass').length;
      const notMeasured = r.criteria.filter((c) => c.verdict === 'not-measured').length;
      return `PASS (${passed} ${passed === 1 ? 'criterion' : 'criteria'} passed, ${notMeasured} not measured)`;
    }
  }
}
