/**
 * chaos --quiet-window-each against the sandbox twin as bindy's 0.8 line ("at rest there are no
 * reconciles"): after the experiment converged, the background load is held, so the window counts
 * the operator at rest (under load the twin would reconcile every write and fail 0.8's bound); the
 * schedule offers nothing while held, drops nothing for it, and resumes where it stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult } from '../src/report/result/index.js';

test('a quiet window after each experiment: the load held (nothing offered, nothing dropped, resumed after), 0 reconciles at rest on the 0.8 twin, judged and reported', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-quiet-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const config = join(home, 'chaos.yaml');
  await writeFile(config, ['sandbox:', '  sidecar:', '    rateLimit: off', '  operator:', "    version: '0.8'", 'report:', '  formats: [json, markdown]', ''].join('\n'));
  const out = join(home, 'results');
  const args = ['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'sidecar-delay', '--param', 'delay=1s', '--duration', '20s', '--fault-duration', '4s', '--rate', '3/s', '--zones', '1', '--working-set', '6', '--dns-load', 'off', '--quiet-window', '0s', '--quiet-window-each', '6s', '--run-id', 'quiet-each'];
  const r = await runCli(args, { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined && e.convergenceMs !== null, 'the experiment converged');
  const q = e.quietWindow;
  assert.ok(q !== undefined, 'the experiment has its quiet window');
  t.diagnostic(`quiet window ${q.fromMs}–${q.toMs} ms after the load started (rest wait ${q.settleMs} ms): ${q.reconciles} reconciles, ${q.apiWrites} API writes over ${q.objects} objects; ${q.bound}`);
  assert.ok(q.toMs - q.fromMs >= 5_999, `${q.toMs - q.fromMs} ms`);
  assert.ok(e.windowMs?.converged !== null && e.windowMs !== undefined && q.fromMs >= e.windowMs.converged, 'after the convergence');
  const inv = e.invariants.find((i) => i.name === 'quiet window after convergence');
  assert.ok(inv !== undefined, e.invariants.map((i) => i.name).join(', '));
  assert.equal(inv.verdict, 'pass', inv.evidence);
  assert.equal(inv.observed, 0, `0.8: no reconcile at rest (${inv.evidence})`);
  assert.equal(q.limit, 1, "0.8's bound, 3 per 60 s, over 6 s");
  assert.ok(q.objects >= 7, `objects ${q.objects}: the zone and the working set at least`);
  // Nothing offered while held: every offered-rate sample wholly inside the window is 0.
  const offered = result.timeSeries.find((s) => s.name === 'offered_ops_per_second')?.points ?? [];
  const inside = offered.filter((p) => p.t > q.fromMs + 1_100 && p.t <= q.toMs);
  assert.ok(inside.length >= 3, `${inside.length} samples inside`);
  assert.deepEqual(inside.filter((p) => p.value !== 0), [], 'no operation offered while the load was held');
  // Nothing dropped for it: the whole schedule (3/s for 20 s) offered and started, the load resumed after the hold.
  const c = (n: string): number => result.counters[n]?.value ?? NaN;
  assert.equal(c('operations_due'), 60);
  assert.equal(c('operations_attempted'), 60);
  assert.equal(c('operations_dropped'), 0);
  const last = offered.filter((p) => p.value > 0).at(-1);
  assert.ok(last !== undefined && last.t > q.toMs, `operations offered after the window (last at ${last?.t ?? '-'} ms)`);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  const md = await readFile(join(out, 'quiet-each', 'summary.md'), 'utf8');
  assert.match(md, /Quiet window after convergence, the background load held: 0 reconciles and \d+ API writes in 6 s at rest/);
});
