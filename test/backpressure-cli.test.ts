/**
 * The backpressure scenario from the command line, against the sandbox twin. Ground truth: the
 * operator twin's capacity tunable caps its reconciles at a known rate, so a step run must find the
 * knee within one step of it, read the saturated reconcile rate at it and never above it. The
 * api-throttle mode squeezes the operator's ServiceAccount through the API twin's API Priority and
 * Fairness: 429s for bindy only, the throttle proven gone, recovery measured. Bad input is refused
 * before anything starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';
import { capacityBurst } from '../src/targets/sandbox/operator/token-bucket.js';

const badInput: [string, string[], RegExp][] = [
  ['an unknown mode', ['--mode', 'meteor'], /^bindy-loadtest: --mode: .*expected one of step, slow-sidecar, api-throttle, operator-limits/],
  ['a CPU limit that is not a quantity', ['--mode', 'operator-limits', '--limit-cpu', '2 cores'], /^bindy-loadtest: --limit-cpu: expected a CPU quantity like 100m, 0\.5 or 2 \(cores\)/],
  ['a pressure past the load', ['--mode', 'slow-sidecar', '--duration', '1m', '--pressure-at', '45s', '--pressure-duration', '30s'], /^bindy-loadtest: --pressure-duration: the pressure ends at 1m15s/],
  ['a start rate above the max rate', ['--start-rate', '50/s', '--max-rate', '10/s'], /^bindy-loadtest: --start-rate: startRate 50\/s is above maxRate 10\/s/],
  ['a zero step duration', ['--step-duration', '0s'], /^bindy-loadtest: --step-duration: must be above 0/],
];

for (const [what, args, expected] of badInput) {
  test(`backpressure with ${what} → one line naming it, exit 2, nothing started`, async (t) => {
    const home = await mkdtemp(join(tmpdir(), 'bl-bp-bad-'));
    t.after(() => rm(home, { recursive: true, force: true }));
    const r = await runCli(['--output', join(home, 'results'), 'backpressure', ...args], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, expected);
    assert.equal(existsSync(join(home, 'results')), false, 'no result folder: nothing ran');
    assert.deepEqual(await readdir(home), [], 'no sandbox state: nothing started');
  });
}

/** The twin's capacity: reconciles per second it starts at most (token bucket), the ground truth of the knee. */
const capacity = 8;

test(`step mode: the knee lies within one step of the operator twin's capacity (${capacity} reconciles/s), whose ceiling the run reads and never exceeds; the schedule stops at the first growing step`, { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-bp-step-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const config = join(home, 'bp.yaml');
  // bindcar's limiter off: only the operator's capacity decides. Updates only, over one zone: an
  // update costs about one record reconcile (its zone's reconcile is deduplicated under load).
  await writeFile(config, ['sandbox:', '  sidecar:', '    rateLimit: off', '  operator:', `    capacity: ${capacity}/s`, 'report:', '  formats: [json]', ''].join('\n'));
  const args = ['--config', config, '--output', join(home, 'results'), '--json', 'backpressure', '--mode', 'step', '--start-rate', '3/s', '--step-rate', '3/s', '--max-rate', '12/s', '--step-duration', '18s', '--mix', '0,100,0', '--zones', '1', '--working-set', '15'];
  const r = await runCli(args, { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const b = result.backpressure;
  assert.ok(b !== undefined && b.knee !== null, 'a knee section');
  const summary = b.steps.map((s) => `${s.rate}/s ${s.verdict} slope ${s.slopePerMinute?.toFixed(1)} completed ${s.completedPerSec?.toFixed(2)} reconciles ${s.reconcilesPerSec?.toFixed(2)}`).join('; ');
  t.diagnostic(`steps: ${summary}; knee ${b.knee.rate}/s, saturated ${b.knee.saturatedReconcilesPerSec?.toFixed(2)} reconciles/s`);
  // The knee: the last flat rate, below the capacity (an update costs at least one reconcile); the
  // first growing one is where the operator is saturated. How many reconciles an update costs is
  // the twin's (0.6.2: a status write wakes its own object again; the zone's reconcile is merged
  // only when it is already queued): about 1.1 in most runs (knee 6/s, 9/s growing), but 2.6 in one
  // CI run, where 3/s already kept the twin at 8.00 reconciles/s while keeping up and 6/s grew.
  // So the ground truth checked is the saturation, not a fixed rate: at the knee every update
  // offered completed; at the first growing step fewer did while the operator ran at its ceiling.
  assert.ok(b.knee.rate !== null && b.knee.rate < capacity, `knee below ${capacity}/s: ${summary}`);
  assert.ok(b.knee.firstGrowingRate !== null && b.knee.firstGrowingRate > b.knee.rate, summary);
  const step = (rate: number | null): (typeof b.steps)[number] | undefined => b.steps.find((x) => x.rate === rate);
  const flat = step(b.knee.rate);
  const growing = step(b.knee.firstGrowingRate);
  assert.ok(flat?.completedPerSec != null && flat.completedPerSec >= b.knee.rate * 0.9, `the knee's step kept up: ${summary}`);
  assert.ok(growing?.completedPerSec != null && growing.completedPerSec < b.knee.firstGrowingRate, `the growing step fell behind: ${summary}`);
  // The schedule stopped at the first growing step: nothing after it ran.
  assert.equal(b.steps.at(-1)?.rate, b.knee.firstGrowingRate, summary);
  // Saturated, the operator ran at its ceiling.
  const sat = b.knee.saturatedReconcilesPerSec;
  assert.ok(sat !== null && sat > capacity * 0.85 && sat <= capacity * 1.1, `saturated reconciles/s at the capacity: ${sat}`);
  assert.equal(result.counters['knee_rate']?.value, b.knee.rate);
  assert.equal(result.counters['operations_failed']?.value, 0);
  // And never above it: any k consecutive 1 s windows hold at most burst + capacity·k reconciles
  // (finishes lag starts by one reconcile, and a window edge falls between scrapes: one more second).
  const counts = (result.timeSeries.find((x) => x.name === 'operator_reconciles_per_second')?.points ?? []).map((p) => p.value);
  assert.ok(counts.length >= 25, `reconcile rate sampled: ${counts.length} windows`);
  const burst = capacityBurst(capacity);
  for (let i = 0; i < counts.length; i++) {
    let sum = 0;
    for (let k = 1; i + k <= counts.length; k++) {
      sum += counts[i + k - 1] ?? 0;
      assert.ok(sum <= burst + capacity * (k + 1) + 1e-9, `${sum.toFixed(1)} reconciles in ${k} s from window ${i}: above ${burst} + ${capacity}/s`);
    }
  }
  assert.ok(result.notes.some((n) => n.includes(`capacity ${capacity} reconciles/s`)), 'the twin says what was injected');
});

test('api-throttle: bindy alone is answered 429 while a FlowSchema squeezes its ServiceAccount; the throttle is lifted and proven gone, the operator survives and recovers', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-bp-throttle-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const config = join(home, 'bp.yaml');
  // The API twin holds each request 5 ms (standing for etcd), so the operator's requests overlap as they do on a real server.
  // Recovery is paced by bindy 0.6.2's fixed 30 s requeues: usually one (28–30 s), but a record whose
  // zone failed too waits for the zone's requeue and then for its own, which may just miss it: one
  // CI run recovered in 89 s, against the 90 s bound this test had. The bound allows four.
  await writeFile(config, ['sandbox:', '  sidecar:', '    rateLimit: off', '  apiserver:', '    requestLatency: 5ms', 'report:', '  formats: [json]', ''].join('\n'));
  const args = ['--config', config, '--output', join(home, 'results'), '--json', 'backpressure', '--mode', 'api-throttle', '--rate', '8/s', '--duration', '40s', '--pressure-at', '10s', '--pressure-duration', '15s', '--recovery-timeout', '150s', '--zones', '2', '--working-set', '10', '--throttle-shares', '1'];
  const r = await runCli(args, { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const p = result.backpressure?.pressure;
  assert.ok(p !== undefined && p !== null, 'a pressure window');
  t.diagnostic(p.invariants.map((i) => `${i.name}: ${i.observed ?? '—'} ${i.unit} ${i.verdict}`).join('; '));
  assert.deepEqual(p.invariants.map((i) => `${i.name}:${i.verdict}`), [
    'pressure lifted:pass',
    'no operator crash or restart:pass',
    'backoff, not a hot loop:pass',
    'no conflicting writes:pass',
    'backlog under pressure:pass',
    'recovered after the lift:pass',
    'pressure took effect:pass',
  ]);
  assert.match(p.revertProof, /FlowSchema \S+-squeeze gone \(GET 404\); PriorityLevelConfiguration \S+-squeeze gone \(GET 404\)/);
  assert.ok(p.heldMs >= 15_000 && p.heldMs < 18_000, `held ${p.heldMs} ms`);
  // Only bindy was throttled: every write of the tool went through.
  assert.ok((result.counters['api_responses_429']?.value ?? 0) > 0);
  assert.equal(result.counters['operations_failed']?.value, 0);
  assert.equal(result.counters['operations_retried']?.value, 0, 'the tool itself never met a 429');
  assert.ok((result.counters['recovery_seconds']?.value ?? -1) >= 0);
});
