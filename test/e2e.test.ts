/**
 * `e2e` against the sandbox (its own, started for the run): a population, churn with spikes, DNS
 * queries and an operator kill at once. Every change is followed to DNS per stage, DNS qps and
 * latency are series, the fault's window and the spikes are phases, the figures come per interval,
 * the criteria are judged and nothing is left behind. Bad input: one line, exit 2, nothing started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, usageLine } from './helpers/cli.js';
import { processesMentioning } from './helpers/cli-child.js';
import { parseResult } from '../src/report/result/index.js';

test('e2e on the sandbox: churn, spikes, DNS queries and an operator kill at once; every stage per server, the phases, the timeline, nothing left', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-e2e-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const out = join(home, 'results');
  const r = await runCli(
    [
      '--output', out, '--json', 'e2e', '--run-id', 'e2e1', '--format', 'json,markdown,html',
      '--duration', '30s', '--zones', '2', '--records-per-zone', '5..10', '--churn', '120/m', '--mix', '30,40,30',
      '--spike-every', '10s', '--spike-probability', '100%', '--spike-duration', '3s', '--spike-multiplier', '3',
      '--query-rate', '100/s', '--interval', '10s', '--quiet-window', '5s',
      '--scenario', 'operator-kill', '--fault-duration', '6s',
    ],
    { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } },
  );
  // Criteria may fail under the kill (that is a judgement); the run itself must finish.
  assert.ok(r.code === 0 || r.code === 1, r.stderr.split('\n').slice(-40).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.notEqual(result.verdict?.outcome, 'aborted', result.verdict?.reasons.join('; '));
  const e = result.e2e;
  assert.ok(e !== undefined, 'the e2e section');

  // The population, then changes of every type, each followed to Ready and to DNS on the server.
  assert.equal(e.population.zones, 2);
  assert.ok(e.population.records >= 10 && e.population.records <= 20 && e.population.ready === e.population.records, JSON.stringify(e.population));
  const count = (name: string): number => result.latencies[name]?.summary.count ?? 0;
  for (const name of ['create_to_observed', 'create_to_ready', 'update_to_ready', 'delete_to_gone', 'create_to_resolvable.primary-0', 'update_to_resolvable.primary-0', 'delete_to_gone_from_dns.primary-0',
    'create_to_resolvable.secondary-0', 'update_to_resolvable.secondary-0', 'delete_to_gone_from_dns.secondary-0', 'ready_to_resolvable']) {
    assert.ok(count(name) > 0, `${name}: ${count(name)}`);
  }
  // Stages in order: the operator observes a record before it makes it Ready.
  assert.ok((result.latencies['create_to_observed']?.summary.p50 ?? Infinity) <= (result.latencies['create_to_ready']?.summary.p50 ?? 0));
  // The secondary learns a change from the primary: per change, never before it (the slowest server is the secondary's figure or later).
  assert.ok((result.latencies['create_to_resolvable.secondary-0']?.summary.p50 ?? 0) >= (result.latencies['create_to_resolvable.primary-0']?.summary.min ?? Infinity));
  // An update is answered when its new TTL is served: never before the update was asked for.
  assert.ok((result.latencies['update_to_resolvable.primary-0']?.summary.min ?? -1) >= 0);
  assert.equal(result.counters['served_wrong_data']?.value ?? 0, 0);

  // DNS queries all along, as series.
  const series = (name: string): number => result.timeSeries.find((s) => s.name === name)?.points.length ?? 0;
  assert.ok(series('dns_answers_per_second') >= 20, 'DNS answers per second');
  assert.ok(series('dns_query_p99') >= 20, 'DNS latency per second');
  assert.ok((result.counters['dns_queries_sent']?.value ?? 0) >= 2500);

  // The phases: three spikes (one per 10 s at 100 %), the fault at a quarter of the run, its recovery, the quiet window.
  const kinds = e.phases.map((p) => p.kind);
  assert.equal(kinds.filter((k) => k === 'spike').length, 3, JSON.stringify(e.phases));
  const fault = e.phases.find((p) => p.kind === 'fault');
  assert.ok(fault !== undefined && fault.fromMs >= 7000 && fault.fromMs < 10_000 && (fault.toMs ?? 0) - fault.fromMs >= 6000, JSON.stringify(fault));
  assert.ok(kinds.includes('recovery') && kinds.includes('quiet') && kinds.includes('setup'), kinds.join(','));
  const exp = result.chaos?.experiments[0];
  assert.equal(exp?.invariants.find((i) => i.name === 'fault reverted')?.verdict, 'pass');
  assert.equal(result.counters['chaos_faults_not_reverted']?.value, 0);

  // Every figure per interval; the fault's interval names it; a worst interval with why.
  assert.equal(e.intervals.length, 3);
  assert.ok(e.intervals.every((i) => (i.figures['operations'] ?? 0) > 0 && i.figures['dns_answers_per_second'] !== null), JSON.stringify(e.intervals.map((i) => i.figures)));
  assert.ok(e.intervals[0]?.phases.includes('exp-0 operator-kill'), JSON.stringify(e.intervals[0]?.phases));
  assert.ok(e.worst !== null && e.worst.why.length > 0);
  assert.match(e.headline[0] ?? '', /^the steady state (held|did NOT hold)/);

  // Judged: every criterion the e2e scenario measures on the sandbox has a verdict.
  for (const metric of ['create_to_ready.p99', 'update_to_ready.p99', 'delete_to_gone.p99', 'create_to_resolvable.p99', 'dns_query.p99', 'dns_query_loss', 'error_rate', 'retry_rate', 'client_side_backlog.peak', 'reconcile_duration.p99']) {
    const v = result.criteria.find((c) => c.metric === metric);
    assert.ok(v !== undefined && (v.verdict === 'pass' || v.verdict === 'fail'), `${metric}: ${JSON.stringify(v)}`);
  }

  // The story comes first in every report.
  const dir = join(out, 'e2e1');
  const md = readFileSync(join(dir, 'summary.md'), 'utf8');
  assert.ok(md.indexOf('## The story') > 0 && md.indexOf('## The story') < md.indexOf('## Success criteria'), 'the story before the criteria');
  assert.match(md, /### Timeline \(every 10 s/);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.ok(html.includes('id="e2e"') && html.includes('"kind":"spike"'), 'the story section and the spike bands on the charts');
  assert.match(r.stderr, /\n {2}the steady state (held|did NOT hold)/);

  // Nothing left behind: every object gone, the fault reverted, the sandbox the run started stopped.
  assert.ok(result.notes.some((n) => /cleanup: \d+ objects labelled with the run id deleted and seen gone/.test(n)), result.notes.filter((n) => n.startsWith('cleanup')).join('\n'));
  assert.deepEqual(processesMentioning(home), [], 'the sandbox the run started is gone');
});

test('e2e bad input: one line naming what is wrong, exit 2, nothing started', { timeout: 60_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-e2e-bad-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const out = join(home, 'results');
  const cases: [string[], RegExp][] = [
    [['e2e', '--spike-multiplier', '0'], /--spike-multiplier: expected a number ≥ 1, got '0'/],
    [['e2e', '--churn', '100/s', '--duration', '1h', '--zones', '2'], /^bindy-loadtest: scenarios\.e2e\.churn: 100\/s for 1h .* could grow a zone to [\d,]+ records, above the 10,000/],
    [['--profile', 'nope', 'e2e'], /--profile.*'nope' is invalid.*production/],
    [['e2e', '--duration', '1m', '--scenario', 'operator-kill', '--fault-duration', '2m'], /--fault-duration: 2m from 15s ends after --duration 1m/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCli(['--output', out, ...argv], { env });
    assert.match(usageLine(r), re, argv.join(' '));
  }
  assert.equal(existsSync(out), false, 'no result directory: nothing ran');
  assert.deepEqual(processesMentioning(home), [], 'no sandbox started');
});
