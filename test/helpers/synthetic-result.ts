/** @module Test helper: run results built from synthetic HDR histograms and series with known distributions. */
import { createRng } from '../../src/model/fixtures/prng.js';
import type { Rng } from '../../src/model/fixtures/prng.js';
import { createLatencyHistogram } from '../../src/measure/index.js';
import { createRunResult, finishRunResult, latencyResult } from '../../src/report/result/index.js';
import type { OperatorMetric, RunResult } from '../../src/report/result/index.js';

/** A standard normal draw (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u1 = 1 - rng.next();
  const u2 = rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A log-normal latency in µs with median `medianUs` and log-space sd `sigma`. */
export function logNormal(rng: Rng, medianUs: number, sigma: number): number {
  return medianUs * Math.exp(sigma * gaussian(rng));
}

/** What a synthetic burst result contains. */
export interface SyntheticOptions {
  seed: number;
  runId?: string;
  scenario?: string;
  targetDescription?: string;
  /** create_to_ready: n samples, log-normal with this median (µs) and sigma. */
  latency?: { n: number; medianUs: number; sigma?: number };
  counters?: Record<string, number>;
  /** Operator figures. */
  reconcileP99S?: number | null;
  memoryPeakMB?: number;
  cpuPeak?: number;
  /** Operator RSS series: value(tMs) in bytes, sampled every intervalMs up to durationMs. */
  rss?: { durationMs: number; intervalMs: number; bytesAt: (tMs: number, rng: Rng) => number };
  backlog?: number[];
}

/** A completed run result of scenario `burst` (unless told otherwise) with the given figures. */
export function syntheticResult(o: SyntheticOptions): RunResult {
  const rng = createRng(o.seed);
  const r = createRunResult({
    toolVersion: '0.1.0',
    runId: o.runId ?? `run-${o.seed}`,
    scenario: o.scenario ?? 'burst',
    profile: null,
    target: { kind: 'sandbox', description: o.targetDescription ?? 'synthetic sandbox' },
    startedAt: '2026-01-01T00:00:00.000Z',
    commandLine: [],
    seed: o.seed,
    host: { hostname: 'h', platform: 'linux', arch: 'x64', nodeVersion: 'v20', cpus: 2, memoryBytes: 1 },
  });
  if (o.latency !== undefined) {
    const h = createLatencyHistogram();
    for (let i = 0; i < o.latency.n; i++) h.record(logNormal(rng, o.latency.medianUs, o.latency.sigma ?? 0.3));
    r.latencies.create_to_ready = latencyResult(h, 'synthetic log-normal');
  }
  for (const [name, value] of Object.entries(o.counters ?? {})) r.counters[name] = { value, unit: name.endsWith('_rate') ? '1/s' : 'objects', description: `synthetic ${name}` };
  const op: OperatorMetric[] = [];
  if (o.reconcileP99S !== undefined) {
    op.push({ name: 'reconcile_duration', bindyName: 'bindy_firestoned_io_reconciliation_duration_seconds', state: o.reconcileP99S === null ? 'never-updated' : 'present', unit: 's', method: 'bucket estimate (synthetic)', values: { count: 10, p99: o.reconcileP99S } });
  }
  if (o.memoryPeakMB !== undefined) op.push({ name: 'process_memory', bindyName: 'process_resident_memory_bytes', state: 'present', unit: 'MB', method: 'synthetic RSS', values: { peak: o.memoryPeakMB } });
  if (o.cpuPeak !== undefined) op.push({ name: 'process_cpu', bindyName: 'process_cpu_seconds_total', state: 'present', unit: 'cores', method: 'synthetic CPU', values: { peak: o.cpuPeak, mean: o.cpuPeak / 2 } });
  r.operator = op;
  if (o.rss !== undefined) {
    const points = [];
    for (let t = 0; t <= o.rss.durationMs; t += o.rss.intervalMs) points.push({ t, value: o.rss.bytesAt(t, rng) });
    r.timeSeries.push({ name: 'operator_memory_rss', unit: 'bytes', description: 'synthetic RSS', points });
  }
  if (o.backlog !== undefined) {
    r.timeSeries.push({ name: 'client_side_backlog', unit: 'objects', description: 'client-side backlog (synthetic)', points: o.backlog.map((value, i) => ({ t: i * 1000, value })) });
  }
  return finishRunResult(r, { status: 'completed', endedAt: '2026-01-01T00:10:00.000Z', durationMs: 600_000 });
}
