/**
 * @module A deterministic synthetic run result with every section filled (latencies per kind, time
 * series, operator metrics, API amplification, failures, verdicts, findings), sized like a real
 * burst. For the report's tests and for trying the renderers without a cluster; its strings
 * include markup so escaping is exercised.
 */
import { createLatencyHistogram } from '../../src/measure/index.js';
import type { QuantityHistogram } from '../../src/measure/index.js';
import { createRunResult, finishRunResult, latencyResult } from '../../src/report/result/index.js';
import type { RunResult } from '../../src/report/result/index.js';

/** Options of {@link syntheticResult}. */
export interface SyntheticResultOptions {
  /** Records created (default 1000). */
  records?: number;
  /** How many of them fail to become Ready (default 3). */
  failures?: number;
  /** A string with markup put into names, messages and notes (default a closing script tag and a tag). */
  hostile?: string;
}

const kinds = ['ARecord', 'AAAARecord', 'CNAMERecord', 'MXRecord', 'TXTRecord', 'NSRecord', 'SRVRecord', 'CAARecord'];

/** A small deterministic generator (LCG), so the same options give the same result. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A synthetic burst result; see the module comment. */
export function syntheticResult(options: SyntheticResultOptions = {}): RunResult {
  const records = options.records ?? 1000;
  const nFail = Math.min(options.failures ?? 3, records);
  const hostile = options.hostile ?? '</script><script>alert("x")</script><b>&amp;\'';
  const rnd = prng(42);
  const r = createRunResult({
    toolVersion: '0.1.0',
    runId: 'lt-synthetic-0001',
    scenario: 'burst',
    profile: 'quick',
    target: { kind: 'sandbox', description: `sandbox: API server twin, operator twin (2 workers) ${hostile}` },
    startedAt: '2026-01-12T09:30:00.000Z',
    commandLine: ['burst', '--records', String(records), '--note', hostile],
    seed: 7,
    host: { hostname: 'ci-runner', platform: 'linux 6.1.0', arch: 'x64', nodeVersion: 'v20.20.2', cpus: 2, memoryBytes: 8_589_934_592 },
  });
  const ready = createLatencyHistogram();
  const api = createLatencyHistogram();
  const slip = createLatencyHistogram();
  const readyByKind: Record<string, QuantityHistogram> = {};
  const apiByKind: Record<string, QuantityHistogram> = {};
  for (let i = 0; i < records - nFail; i++) {
    const kind = kinds[i % kinds.length] ?? 'ARecord';
    // Log-normal-ish spread with a slow tail: what a queue in front of two workers looks like.
    const v = 80_000 * Math.exp(rnd() * 3.5) + (rnd() < 0.02 ? 4_000_000 * rnd() : 0);
    const a = 2_000 + 20_000 * rnd() ** 3;
    ready.record(v);
    api.record(a);
    slip.record(300 * rnd());
    (readyByKind[kind] ??= createLatencyHistogram()).record(v);
    (apiByKind[kind] ??= createLatencyHistogram()).record(a);
  }
  ready.record(-5); // an end before its start: counted as invalid, never clamped
  r.latencies.create_to_ready = latencyResult(
    ready,
    'intended start of the create (monotonic) to the first watch event with Ready=True at observedGeneration >= the created generation',
    { byKind: readyByKind, description: `create → Ready per object ${hostile}` },
  );
  r.latencies.api_create = latencyResult(api, 'request handed to client-node to response read', { byKind: apiByKind });
  r.latencies.schedule_slip = latencyResult(slip, 'intended start to request handed to client-node');
  r.latencies.delete_to_gone = latencyResult(createLatencyHistogram(), 'delete request sent to the DELETED watch event (no deletes in a burst)');

  const durationMs = 60_000;
  const backlog = [];
  const rss = [];
  const cpu = [];
  const rec = [];
  const err = [];
  const creates = [];
  const readies = [];
  for (let t = 0; t <= durationMs; t += 1000) {
    const f = t / durationMs;
    backlog.push({ t, value: Math.round(records * Math.max(0, Math.min(1, f * 8)) * Math.max(0, 1 - f * 1.3)) });
    rss.push({ t, value: 60e6 + 40e6 * f + 2e6 * rnd() });
    if (t > 0) {
      cpu.push({ t, value: 0.2 + 0.6 * rnd() });
      rec.push({ t, value: 20 + 10 * rnd() });
      err.push({ t, value: rnd() < 0.1 ? 1 : 0 });
      creates.push({ t, value: t <= 10_000 ? 48 + 4 * rnd() : 0 });
      readies.push({ t, value: 15 + 10 * rnd() });
    }
  }
  r.timeSeries.push(
    { name: 'creates_per_second', unit: '1/s', description: 'creates the API server accepted (2xx), per second over 1 s windows', points: creates },
    { name: 'ready_per_second', unit: '1/s', description: 'created objects first seen Ready=True at their generation, per second over 1 s windows', points: readies },
    { name: 'client_side_backlog', unit: 'objects', description: 'objects this run created (2xx) not yet seen Ready by the watch, every 1000 ms', points: backlog },
    { name: 'operator_memory_rss', unit: 'bytes', description: 'operator resident set size, process_resident_memory_bytes scraped every 1 s', points: rss },
    { name: 'operator_cpu', unit: 'cores', description: 'rate of process_cpu_seconds_total over 1000 ms windows', points: cpu },
    { name: 'operator_reconciles_per_second', unit: '1/s', description: 'rate of bindy_firestoned_io_reconciliations_total over 1000 ms windows', points: rec },
    { name: 'operator_errors_per_second', unit: '1/s', description: 'rate of bindy_firestoned_io_errors_total over 1000 ms windows', points: err },
  );
  const counter = (value: number, unit: string, description: string): RunResult['counters'][string] => ({ value, unit, description });
  r.counters = {
    creates_started: counter(records, 'operations', 'creates handed to the client'),
    creates_accepted: counter(records, 'objects', 'creates answered 2xx'),
    objects_ready: counter(records - nFail, 'objects', 'created objects seen Ready'),
    objects_not_ready: counter(nFail, 'objects', 'created objects never seen Ready before the timeout'),
    create_rate: counter(48.2, '1/s', 'creates accepted / (last create response - first create sent)'),
    ready_rate: counter(21.7, '1/s', 'objects Ready / (last Ready - first create sent)'),
    odd_counter: counter(1, 'things', hostile),
  };
  r.operator = [
    { name: 'reconcile_duration', bindyName: 'bindy_firestoned_io_reconciliation_duration_seconds', state: 'present', unit: 's', method: 'bucket estimate from the bucket deltas between the first and last scrape', labels: { resource_type: 'ARecord' }, values: { count: 812, p50: 0.08, p99: 0.9, mean: 0.11 } },
    { name: 'queue_depth', bindyName: null, state: 'missing', method: 'not observed: bindy has no queue-depth metric', values: {} },
    { name: 'retries', bindyName: 'bindy_firestoned_io_requeues_total', state: 'never-updated', method: 'increase between the first and last scrape', values: { count: 0 } },
    { name: 'process_memory', bindyName: 'process_resident_memory_bytes', state: 'present', unit: 'bytes', method: 'every scrape', values: { first: 60e6, last: 100e6, peak: 102e6, mean: 80e6 } },
  ];
  r.apiAmplification = {
    requests: [
      { verb: 'POST', resource: 'arecords.bindy.firestoned.io', count: records },
      { verb: 'PATCH', resource: 'arecords.bindy.firestoned.io/status', count: 2 * records },
      { verb: 'GET', resource: 'dnszones.bindy.firestoned.io', count: 3 * records },
      { verb: 'POST', resource: 'events', count: records },
    ],
    objectsCreated: records,
    requestsPerObject: 7,
    method: 'increase of apiserver_request_total between a scrape at the start and one at the end of the run, per verb and resource',
  };
  for (let i = 0; i < nFail; i++) {
    r.failures.push({
      kind: 'ARecord',
      name: `rec-${i}-${hostile}`,
      namespace: 'bindy-loadtest',
      uid: `uid-${i}`,
      phase: 'create_to_ready',
      reason: 'NotReadyByTimeout',
      message: `not Ready within 120000 ms ${hostile}`,
      lastCondition: { type: 'Ready', status: 'False', reason: 'ZoneNotFound', message: 'zone example.test not found' },
      atMs: 59_000,
    });
  }
  const p99 = ready.valueAt(99) ?? 0;
  r.criteria = [
    { metric: 'create_to_ready.p99', observed: p99, limit: 10_000_000, comparison: '<', unit: 'us', verdict: p99 < 10_000_000 ? 'pass' : 'fail', reason: 'p99 against the limit', method: 'HDR p99 of create_to_ready' },
    { metric: 'objects_not_ready', observed: nFail, limit: 0, comparison: '<=', unit: 'objects', verdict: nFail <= 0 ? 'pass' : 'fail', reason: `${nFail} objects never Ready ${hostile}`, method: 'counter objects_not_ready' },
    { metric: 'create_to_resolvable.p99', observed: null, limit: 30_000_000, comparison: '<', unit: 'us', verdict: 'not-measured', reason: 'DNS prober disabled in this run', method: 'first matching DNS answer from BIND9 minus intended start' },
  ];
  r.findings = [{ id: 'slow-tail', severity: 'medium', text: `2% of records took over 4 s to become Ready ${hostile}`, evidence: { p99_us: p99, objects: records, note: hostile } }];
  r.recommendations = [{ id: 'more-workers', severity: 'low', text: 'Raise the operator\'s worker count: the backlog drained at 21.7/s.', evidence: { ready_rate: 21.7 } }];
  r.notes = [`synthetic result for tests ${hostile}`];
  r.config = {
    effective: { scenarios: { burst: { records, concurrency: 32, qps: null } }, namespace: 'bindy-loadtest', label: hostile },
    origins: { 'scenarios.burst.records': 'flag:--records', 'scenarios.burst.concurrency': 'profile:quick', namespace: 'default' },
  };
  return finishRunResult(r, { status: nFail > 0 ? 'failed' : 'completed', endedAt: '2026-01-12T09:31:00.000Z', durationMs });
}

/** A chaos section for `r`: one experiment that converged, one that did not (with hostile text), and an end state. */
export function withChaos(r: RunResult, hostile = '</script><b>x</b>'): RunResult {
  const inv = (name: string, observed: number | null, limit: number, verdict: 'pass' | 'fail' | 'not-measured', evidence: string) => ({ name, observed, limit, comparison: '<=' as const, unit: 's', verdict, evidence });
  r.chaos = {
    experiments: [
      { key: 'exp-0', kind: 'operator-kill', mechanism: 'sandbox-process', target: 'operator', description: 'operator-kill: kill (SIGKILL) until reverted on part operator, at 10s for 10s', plannedAtMs: 10_000, startedLateMs: 0, appliedAt: '2026-12-03T10:00:10.000Z', revertedAt: '2026-12-03T10:00:20.000Z', heldMs: 10_000, revertMs: 2_400, reverted: true, revertProof: 'operator runs (pid 123), not paused; metrics → 200', before: { objects: 30, ready: 30 }, during: { minReady: 16, maxNotReady: 14 }, apiResponses: { conflicts: 3, throttled: 0, requests: 412 }, convergenceMs: 2_100, windowMs: { applied: 10_000, reverted: 22_400, converged: 24_500 }, invariants: [inv('converged after the revert', 2.1, 120, 'pass', 'every object Ready'), inv('DNS gap on primary-0', 0.27, 2, 'pass', 'SOA answered')] },
      { key: 'exp-1', kind: 'bind9-crash', mechanism: 'sandbox-process', target: 'named', description: `bind9-crash ${hostile}`, plannedAtMs: 40_000, startedLateMs: 0, appliedAt: '2026-12-03T10:00:40.000Z', revertedAt: '2026-12-03T10:00:44.000Z', heldMs: 4_000, revertMs: 900, reverted: true, revertProof: 'named runs', before: { objects: 30, ready: 30 }, during: { minReady: 30, maxNotReady: 0 }, convergenceMs: null, windowMs: { applied: 40_000, reverted: 44_900, converged: null }, invariants: [inv('converged after the revert', null, 15, 'fail', `6 records missing ${hostile}`)] },
    ],
    final: { objects: 31, ready: 31, auditClean: false, audit: 'primary-0: 25 match, 6 missing, 0 wrong, 0 stale, 0 orphaned, 0 unanswered', untruthful: 6, mismatches: [`primary-0: missing ARecord/a host-1.zone-0.example.com A: expected 192.0.2.1, served NXDOMAIN ${hostile}`] },
    dnsProbe: [{ server: 'primary-0', sent: 240, answered: 240 }],
  };
  return r;
}
