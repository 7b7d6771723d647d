// test-runner: alone (scripts/run-tests.mjs runs this file after the others, with nothing beside it)
/**
 * @module Accuracy of the burst's create→Ready against the sandbox: the operator twin is told to
 * add a known delay to every ARecord reconcile, and the measured ARecord create→Ready p50, p95 and
 * p99 must never be below the distribution that delay induces (within 5 % plus the p99 of a no-delay
 * run on this machine and the run's own schedule slip), and above it by at most one more delayed
 * reconcile.
 *
 * What an ARecord's create→Ready contains in the twin (src/targets/sandbox/operator/): a record
 * needs two reconciles in series before it is Ready, as in bindy: (1) the ADDED event → the
 * finalizer is added and the reconcile returns (kube-runtime's finalizer helper); (2) the
 * finalizer's MODIFIED event → publish by UPDATE to named and write Ready=True. Each gets the delay,
 * so the injected quantity is D1 + D2 with D1, D2 drawn independently: fixed 1 s → 2 s;
 * uniform(800,1200) → 1600 + 400·T with T the sum of two U(0,1) (triangular), p50 = 2000 ms,
 * p95 ≈ 2273.5 ms, p99 = 1600 + 400·(2 − √0.02) ≈ 2343.4 ms.
 *
 * Why delays of a second, not a quarter: the record's second reconcile reads the zone's tag
 * (below), so the zone reconciles its creation and finalizer trigger (bindcar status and notify, the
 * lists, the tags) must be done within about one delay, also on a loaded CI machine. (Until the
 * bindcar twin spoke rndc natively, each rndc command was a process spawn, the zones fell behind
 * and records paid a third delayed reconcile: p99 6.3 s for 2 s injected. Native: a quiet machine
 * measures p50 2,034 ms, p95 2,059 ms, p99 2,089 ms for 2,000 ms, the no-delay p99 86 ms.)
 *
 * Only ARecord reconciles are delayed (`reconcileDelayKinds: [ARecord]`): the zone reconcile that
 * tags a record with `status.zoneRef` must be done before the record's second reconcile reads its
 * cache. Delaying the zones too lets a zone still busy with the previous event tag the record late,
 * and that record pays a third delayed reconcile (a real effect of a slow operator, but not the
 * injected distribution this test checks).
 *
 * How the run keeps everything else out: every worker pool large (64 per kind) so no reconcile
 * waits for a worker; bindcar's rate limiter off; zones first, then records round-robin over them,
 * 40 zones and 120 records at 10 creates/s, so each zone is Ready before its first record arrives
 * and sees one record every 4 s;
 * only ARecords are judged (the zones' own create→Ready is a different chain). The suite runs this
 * file alone (test-runner: alone, see scripts/run-tests.mjs): beside another sandbox test, the zone
 * reconciles (bindcar → rndc, lists, patches) slowed enough that some records' second reconcile ran
 * before their zone had tagged them, and they paid a third (p99 1.37 s against 0.77 s expected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';

// 120 records so that p99 is the 2nd largest value (rank 119), not the single slowest (with 80 it
// was the max, and one stalled record decided the test), and p95 the 7th; 40 zones so that each
// sees one record every 4 s at 10 creates/s and is idle, and Ready, when its next record arrives.
const zones = 40;
const records = 120;

interface Quantiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  /** The run's own schedule slip p99 and API create p50, ms: what the tool and the API server added. */
  slipP99: number;
  apiP50: number;
}

/** One burst against a sandbox the CLI starts from a config file written here; ARecord create→Ready in ms. */
async function measure(dir: string, name: string, reconcileDelay: string): Promise<Quantiles> {
  const config = join(dir, `${name}.yaml`);
  await writeFile(
    config,
    [
      'sandbox:',
      '  operator:',
      '    workers: 64',
      `    reconcileDelay: ${reconcileDelay}`,
      '    reconcileDelayKinds: [ARecord]',
      '  sidecar:',
      '    rateLimit: off',
      'report:',
      '  formats: [json]',
      '',
    ].join('\n'),
  );
  // A home of its own: the CLI starts a sandbox with these settings and stops it after the run, so
  // `--keep` only skips the finalizer-driven cleanup (not what is measured here): the objects go with the sandbox.
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(dir, `home-${name}`) };
  // --no-dns-probe: the prober's queries would share the two cores with the twin and named; this
  // test checks create→Ready alone (create→resolvable has its own test, burst-dns-probe).
  const argv = ['--config', config, '--output', join(dir, 'results'), '--json', 'burst', '--zones', String(zones), '--records', String(records), '--kinds', 'A=1', '--qps', '10', '--concurrency', '20', '--timeout', '90s', '--keep', '--run-id', `accuracy-${name}`, '--no-dns-probe'];
  const r = await runCli(argv, { env });
  assert.equal(r.code, 0, `${name}: ${r.stderr.split('\n').slice(-15).join('\n')}`);
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(result.counters['objects_ready']?.value, zones + records, `${name}: every zone and record Ready`);
  const s = result.latencies['create_to_ready']?.byKind?.['ARecord']?.summary;
  assert.ok(s !== undefined && s.p50 !== null && s.p95 !== null && s.p99 !== null, `${name}: ARecord create→Ready measured`);
  const slip = result.latencies['schedule_slip']?.summary.p99 ?? 0;
  const api = result.latencies['api_create']?.summary.p50 ?? 0;
  return { n: s.count, p50: s.p50 / 1000, p95: s.p95 / 1000, p99: s.p99 / 1000, slipP99: (slip ?? 0) / 1000, apiP50: (api ?? 0) / 1000 };
}

test('create→Ready matches the reconcile delay injected into the operator twin (fixed 1 s, uniform 0.8–1.2 s)', { timeout: 420_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-burst-accuracy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));

  const base = await measure(dir, 'nodelay', '0s');
  t.diagnostic(`no delay: n=${base.n} p50 ${base.p50.toFixed(1)} ms p99 ${base.p99.toFixed(1)} ms; schedule slip p99 ${base.slipP99.toFixed(1)} ms, API create p50 ${base.apiP50.toFixed(1)} ms`);
  assert.equal(base.n, records);

  const cases: { name: string; delay: string; maxDelay: number; expected: { p50: number; p95: number; p99: number } }[] = [
    // Two reconciles in series (finalizer, then publish), each delayed: see the module comment.
    { name: 'fixed', delay: '1s', maxDelay: 1000, expected: { p50: 2000, p95: 2000, p99: 2000 } },
    // Triangular T = U1 + U2 on (0, 2): P(T > t) = (2 − t)²/2 for t ≥ 1, so the q-quantile is 2 − √(2(1 − q)).
    { name: 'uniform', delay: 'uniform(800ms,1200ms)', maxDelay: 1200, expected: { p50: 2000, p95: 1600 + 400 * (2 - Math.sqrt(0.1)), p99: 1600 + 400 * (2 - Math.sqrt(0.02)) } },
  ];
  for (const c of cases) {
    const m = await measure(dir, c.name, c.delay);
    t.diagnostic(`${c.delay}: n=${m.n} p50 ${m.p50.toFixed(1)} ms (expected ${c.expected.p50.toFixed(1)}), p95 ${m.p95.toFixed(1)} ms (expected ${c.expected.p95.toFixed(1)}), p99 ${m.p99.toFixed(1)} ms (expected ${c.expected.p99.toFixed(1)}); schedule slip p99 ${m.slipP99.toFixed(1)} ms, API create p50 ${m.apiP50.toFixed(1)} ms`);
    assert.equal(m.n, records);
    // create→Ready counts from the intended start: a run whose own schedule slipped (the tool's
    // delay, reported apart as schedule_slip) may be late by that much too (CI once: every quantile
    // of the uniform run ~250 ms late while the fixed run beside it was exact).
    const tolerance = (q: 'p50' | 'p95' | 'p99'): number => 0.05 * c.expected[q] + base.p99 + m.slipP99;
    // Each quantile: never below what was injected (the tool must not under-report); above, by at
    // most one more delayed reconcile (a record whose zone tagged it late pays a third: bindy's chain,
    // see the module comment). A quiet machine often shows them exact (fixed 1 s: p50 2,032-2,036,
    // p95 2,053-2,059, p99 2,069-2,089 ms), but not always: CI and an idle machine also measured the
    // uniform run's p50 234-263 ms late and the fixed run's p95 181-292 ms late, with schedule slip
    // p99 ≤ 29 ms (an open question about the twin's record/zone chain, not the tool's clock).
    for (const q of ['p50', 'p95', 'p99'] as const) {
      const low = c.expected[q] - tolerance(q);
      const high = c.expected[q] + c.maxDelay + tolerance(q);
      assert.ok(m[q] >= low && m[q] <= high, `${c.delay}: measured ${q} ${m[q].toFixed(1)} ms outside ${low.toFixed(1)}–${high.toFixed(1)} ms (injected ${c.expected[q].toFixed(1)} ms, at most one more delayed reconcile)`);
    }
  }
});
