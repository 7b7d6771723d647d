/** @module Answers of the Kubernetes API on bindy's resources between two scrapes of `apiserver_request_total`, by response code (pure). */
import type { MetricSample } from './bucket-quantile.js';
import { bindyGroup } from '../model/kinds.js';
import { apiRequestCounter } from './api-amplification.js';
import { labelKey } from './bucket-quantile.js';

/**
 * Requests on bindy's resources (group bindy.firestoned.io, status included) between `before` and
 * `after`, summed per response code: every client of the API server, so the load's own requests
 * count too (its creates never conflict; its updates are server-side applies). A counter that went
 * down (the API server restarted) counts from zero.
 */
export function bindyResponseCodes(before: readonly MetricSample[], after: readonly MetricSample[]): Record<string, number> {
  const first = new Map<string, number>();
  for (const s of before) if (s.name === apiRequestCounter && s.labels.group === bindyGroup) first.set(labelKey(s.labels), s.value);
  const codes: Record<string, number> = {};
  for (const s of after) {
    if (s.name !== apiRequestCounter || s.labels.group !== bindyGroup) continue;
    const b = first.get(labelKey(s.labels)) ?? 0;
    const increase = s.value < b ? s.value : s.value - b;
    if (increase === 0) continue;
    const code = s.labels.code ?? 'unknown';
    codes[code] = (codes[code] ?? 0) + increase;
  }
  return codes;
}
