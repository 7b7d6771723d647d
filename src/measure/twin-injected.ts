/**
 * @module What the sandbox's operator twin says it injected on purpose (its ground-truth tunables),
 * read from a scrape of its `/metrics`, as one line for a run's notes (pure).
 */
import type { MetricSample } from './bucket-quantile.js';

/**
 * The twin's gauge of injected tunables, one sample per tunable that is on (the twin declares it in
 * `targets/sandbox/operator/metrics.ts`; named here again so measure/ need not import the twin).
 */
export const twinInjectedMetricName = 'bindy_loadtest_twin_injected';

/** How each tunable reads in a note; unknown ones are shown as `name=value`. */
const describe: Readonly<Record<string, (v: number) => string>> = {
  leak_mib_per_minute: (v) => `memory leak ${v} MiB/min (${v * 60} MiB/h)`,
  crash_after_reconciles: (v) => `crash after ${v} reconciles`,
  capacity_reconciles_per_second: (v) => `capacity ${v} reconciles/s`,
  capacity_burst: (v) => `capacity burst ${v}`,
  error_rate: (v) => `error rate ${Math.round(v * 1e6) / 1e4} %`,
  reconcile_delay_ms: (v) => `reconcile delay ${v} ms`,
  bindcar_retry_budget_ms: (v) => `bindcar retry budget ${v / 1000} s (bindy's: 120 s)`,
};

/** `operator twin injected: memory leak 30 MiB/min (1800 MiB/h); …`, or null when the scrape names nothing injected (bindy itself, or a twin with every tunable off). */
export function twinInjectedNote(samples: readonly MetricSample[]): string | null {
  const parts = samples
    .filter((s) => s.name === twinInjectedMetricName && typeof s.labels['tunable'] === 'string')
    .map((s) => {
      const tunable = s.labels['tunable'] ?? '';
      return describe[tunable]?.(s.value) ?? `${tunable}=${s.value}`;
    });
  return parts.length === 0 ? null : `operator twin injected (its /metrics, ${twinInjectedMetricName}): ${parts.join('; ')}`;
}
