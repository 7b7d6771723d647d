/**
 * The sustained scenario from the command line: bad input refused before anything starts, and a
 * real run against the sandbox twin (real named, operator twin) in which every operation is
 * accounted for, the API server's own counts agree, the quiet window is measured, and nothing with
 * the run id is left afterwards (checked through the API).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { kindsOfLine, runIdLabel } from '../src/model/kinds.js';
import { parseResult } from '../src/report/result/index.js';

const badFlags: [string, string[], RegExp][] = [
  ['a rate of 0', ['--rate', '0/s'], /^bindy-loadtest: --rate: expected a rate like 50\/s/],
  ['a rate that is not one', ['--rate', 'fast'], /^bindy-loadtest: --rate: /],
  ['a duration that is not one', ['--duration', '5 minutes'], /^bindy-loadtest: --duration: expected a duration/],
  ['a ramp-up longer than the duration', ['--duration', '1m', '--ramp-up', '2m'], /^bindy-loadtest: --ramp-up: rampUp 2m is longer than duration 1m/],
  ['a mix of two weights', ['--mix', '60,30'], /^bindy-loadtest: --mix: expected 3 weights \(create,update,delete\)/],
  ['a mix with an unknown operation', ['--mix', 'create=50,patch=50'], /^bindy-loadtest: --mix: /],
  ['churn without a working set', ['--churn'], /^bindy-loadtest: --churn keeps the working set at its size: give --working-set N/],
  ['a duration of 0', ['--duration', '0s', '--ramp-up', '0s'], /^bindy-loadtest: --duration: must be above 0/],
  ['a negative working set', ['--working-set', '-3'], /^bindy-loadtest: --working-set: /],
];

for (const [what, args, expected] of badFlags) {
  test(`sustained with ${what} → one line naming it, exit 2, nothing started`, async (t) => {
    const home = await mkdtemp(join(tmpdir(), 'bl-sustained-bad-'));
    t.after(() => rm(home, { recursive: true, force: true }));
    const r = await runCli(['--output', join(home, 'results'), 'sustained', ...args], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, expected);
    assert.equal(existsSync(join(home, 'results')), false, 'no result folder: nothing ran');
    assert.deepEqual(await readdir(home), [], 'no sandbox state: nothing started');
  });
}

test('sustained at 12/s for 30 s against the sandbox: every operation accounted for and cross-checked, quiet window measured, nothing left', { timeout: 300_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-sustained-sandbox-'));
  const out = join(home, 'results');
  t.after(() => rm(home, { recursive: true, force: true }));
  // This test is about the tool, so the twin must keep up: bindcar 0.7's rate limiter (about 1
  // request/s, and a 0.6.2 zone reconcile makes 2) is off. With it on, a new record waits for its
  // zone's next reconcile, which under that limiter comes about every 2 s per zone, or 30 s after a
  // 429: at 10 creates/s the 0.6.2 twin falls behind (create→Ready p99 55 s seen here), which is the
  // system's behaviour, measured, and not what this test checks.
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true });
  t.after(() => sb.stop());
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const args = ['--output', out, '--json', 'sustained', '--rate', '12/s', '--duration', '30s', '--ramp-up', '5s', '--zones', '2', '--mix', '60,30,10', '--working-set', '20', '--quiet-window', '10s', '--dns-probe'];
  const r = await runCli(args, { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-25).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(result.metadata.status, 'completed');
  const c = (n: string): number => result.counters[n]?.value ?? NaN;
  // ramp 0 → 12/s over 5 s (30) + 25 s at 12/s (300). (12/s, not 10/s: the default criterion
  // minSustainedOpsPerSec is 10/s, and an offered rate equal to it leaves no room for one late operation.)
  assert.equal(c('operations_due'), 330);
  assert.equal(c('operations_attempted') + c('operations_dropped'), c('operations_due'));
  assert.equal(c('operations_succeeded') + c('operations_failed') + c('operations_abandoned'), c('operations_attempted'));
  assert.equal(c('operations_failed'), 0);
  for (const [type, latency] of [['creates', 'create_to_ready'], ['updates', 'update_to_ready'], ['deletes', 'delete_to_gone']] as const) {
    assert.ok(c(`${type}_done`) > 0, `${type} ran`);
    assert.equal(result.latencies[latency]?.summary.count, c(`${type}_done`), `${latency}: one sample per ${type.slice(0, -1)} that took effect`);
    assert.equal(result.latencies[`${latency}_from_send`]?.summary.count, c(`${type}_done`));
  }
  // The API server's own request counts agree with the engine's (creates, applies, deletes).
  // The DNS prober (--dns-probe): every change that took effect answered by every server, from its intended start.
  const superseded = c('dns_changes_superseded');
  const servers = Object.keys(result.latencies).filter((k) => k.startsWith('create_to_resolvable.')).map((k) => k.slice('create_to_resolvable.'.length));
  assert.ok(servers.includes('primary-0'), `servers probed: ${servers.join(', ')}`);
  for (const [type, name] of [['creates', 'create_to_resolvable'], ['updates', 'update_to_resolvable'], ['deletes', 'delete_to_gone_from_dns']] as const) {
    for (const server of servers) {
      const n = result.latencies[`${name}.${server}`]?.summary.count ?? 0;
      assert.ok(n > 0 && n <= c(`${type}_done`) && n >= c(`${type}_done`) - superseded, `${name}.${server}: ${n} answered of ${c(`${type}_done`)} done (${superseded} superseded)`);
    }
  }
  assert.equal(c('ready_but_not_served'), 0);
  assert.equal(c('served_wrong_data'), 0);
  assert.ok((result.latencies['create_to_resolvable.primary-0']?.summary.min ?? -1) >= 0);
  assert.equal(c('api_crosscheck_mismatches'), 0, result.notes.find((n) => n.startsWith('cross-check')) ?? 'no cross-check note');
  assert.ok(c('quiet_window_seconds') >= 10 && Number.isFinite(c('quiet_window_reconciles')) && Number.isFinite(c('quiet_window_api_writes')), 'quiet window measured');
  // Its span on the time series' clock: after the engine's last sample, as long as its counter says (ms rounding).
  const quiet = result.quietWindow;
  const lastSample = result.timeSeries.find((s) => s.name === 'client_side_backlog')?.points.at(-1)?.t ?? NaN;
  assert.ok(quiet !== undefined && quiet.fromMs > lastSample, `quiet window ${JSON.stringify(quiet)} after the last sample at ${lastSample} ms`);
  assert.ok(Math.abs(quiet.toMs - quiet.fromMs - c('quiet_window_seconds') * 1000) <= 1, `${JSON.stringify(quiet)} vs ${c('quiet_window_seconds')} s`);
  assert.ok(c('sustained_ops_rate') > 0);
  for (const name of ['offered_ops_per_second', 'achieved_ops_per_second', 'completed_ops_per_second', 'client_side_backlog', 'working_set']) {
    assert.ok((result.timeSeries.find((s) => s.name === name)?.points.length ?? 0) >= 25, `${name} sampled every second`);
  }
  assert.ok(result.findings.some((f) => f.id === 'backlog-stable' || f.id === 'backlog-growing'), 'the backlog has a verdict');
  const runDir = (await readdir(out)).find((d) => d.startsWith('sustained-'));
  assert.ok(runDir !== undefined);
  const summary = await readFile(join(out, runDir, 'summary.md'), 'utf8');
  assert.match(summary, /update_to_ready/);
  assert.match(summary, new RegExp(`quiet window \\d+ s at rest \\(${Math.round(quiet.fromMs / 1000)} s to ${Math.round(quiet.toMs / 1000)} s after the load started\\)`));

  const client = new KubeClient({ kubeconfigPath: sb.state.kubeconfig });
  for (const kind of kindsOfLine('0.6')) {
    if (kind === 'ClusterBind9Provider') continue;
    const l = await client.list(kind, null, `${runIdLabel}=${result.metadata.runId}`);
    assert.ok(l.ok, `${kind} list`);
    if (l.ok) assert.equal(l.value.items.length, 0, `${kind} objects left with the run id`);
  }
  // The operator's Events about the run's zones and records went too, those about objects the run
  // deleted while it ran included (every zone and record in this sandbox was the run's); those
  // about the sandbox's own Bind9Instance, not the run's, stay.
  const cleaned = /cleanup: \d+ objects labelled with the run id deleted and seen gone; (\d+) Events about them deleted$/m.exec(result.notes.join('\n'));
  assert.ok(cleaned !== null && Number(cleaned[1]) > 0, result.notes.filter((n) => n.startsWith('cleanup')).join('\n'));
  const events = await client.list('Event', 'bindy-loadtest', '');
  assert.ok(events.ok);
  const about = events.value.items.map((e) => (e.involvedObject as { kind?: string } | undefined)?.kind ?? '?');
  assert.deepEqual(about.filter((k) => k === 'DNSZone' || k.endsWith('Record')), [], 'no Event about a run object left');
  assert.ok(about.includes('Bind9Instance'), `the Events about the sandbox's own objects stay: ${about.join(', ')}`);
});
