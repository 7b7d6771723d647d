/**
 * `bind transfer` against a sandbox with a secondary (two real named): the secondary answers the
 * records bindy wrote to the primary only (create_to_resolvable per server), every change reaches
 * it, and the propagation figures recover a known stall of the transfer path: the secondary's
 * named is stopped (SIGSTOP) for 2 s as the change phase starts, so the changes of those 2 s
 * (one per record: none is overtaken by a later one) reach it only after, while those after
 * propagate in well under a second. Bad flags: one line, exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { runCli, usageLine } from './helpers/cli.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { parseResult } from '../src/report/result/index.js';

const pauseMs = 2000;

test('bind transfer on a sandbox with a secondary: records reach it by transfer only, every change arrives, a 2 s stall of the secondary is recovered', { timeout: 120_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-xfer-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const t0 = performance.now();
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, secondaries: 1, sidecarRateLimitOff: true, operatorArgs: ['--no-leader-election'] });
  t.after(() => sb.stop());
  t.diagnostic(`sandbox with one secondary up in ${Math.round(performance.now() - t0)} ms`);
  const secondaryNamed = sb.state.parts.find((p) => p.name === 'named-secondary-0')?.childPids[0];
  assert.ok(secondaryNamed !== undefined, 'the secondary named runs under its own part');
  assert.deepEqual(sb.state.secondaries?.map((s) => s.name), ['secondary-0']);

  // The stall: SIGSTOP the secondary's named when the change phase starts, SIGCONT 2 s later (and at the end whatever happens).
  let stalled = false;
  const resume = (): void => {
    try {
      process.kill(secondaryNamed, 'SIGCONT');
    } catch {
      // already gone: nothing to resume
    }
  };
  t.after(resume);
  let stderr = '';
  const io: CliIo = {
    stdout: () => undefined,
    stderr: (text) => {
      stderr += text;
      if (!stalled && text.includes('record changes at')) {
        stalled = true;
        process.kill(secondaryNamed, 'SIGSTOP');
        setTimeout(resume, pauseMs).unref();
      }
    },
    stdoutStream: new Writable({ write: (_c, _e, cb) => cb() }),
    isTTY: false,
    env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home },
    cwd: home,
  };
  const out = join(home, 'results');
  const code = await main(['--output', out, 'bind', 'transfer', '--zones', '1', '--records', '16', '--rate', '4/s', '--duration', '4s', '--change-timeout', '15s', '--run-id', 'bxa', '--format', 'markdown'], io);
  assert.equal(code, 0, stderr);
  assert.ok(stalled, 'the change phase was seen starting');
  const path = join(out, 'bxa', 'result.json');
  const r = parseResult(await readFile(path, 'utf8'), path);
  const c = (name: string): number => {
    const v = r.counters[name]?.value;
    assert.ok(v !== undefined, `counter ${name}`);
    return v;
  };
  // The secondary answered every record created through the operator: bindy writes the primary only, so by NOTIFY + transfer.
  const onSecondary = r.latencies['create_to_resolvable.secondary-0'];
  assert.equal(onSecondary?.summary.count, 16, 'every created record answered by the secondary');
  assert.equal(r.latencies['create_to_resolvable.primary-0']?.summary.count, 16);
  assert.equal(c('changes_planned'), 16);
  assert.equal(c('changes_accepted'), 16);
  assert.equal(c('changes_on_primary'), 16);
  assert.equal(c('changes_never_on_secondary'), 0, 'every change reached the secondary (NOTIFY + IXFR after the stall)');
  // One change per record: none can be superseded, so each change made during the stall must wait for its end.
  assert.equal(c('changes_on_secondary'), 16);
  assert.equal(c('changes_superseded_on_secondary'), 0);
  // The transfer figures and BIND9's own counters.
  const p2s = r.latencies['primary_to_secondary']?.summary;
  assert.ok(p2s !== undefined && p2s.count >= 8, 'primary_to_secondary measured');
  const ms = (us: number | null): number => (us ?? Number.NaN) / 1000;
  t.diagnostic(`primary_to_secondary: min ${ms(p2s.min)} ms, p50 ${ms(p2s.p50)} ms, max ${ms(p2s.max)} ms; change_to_primary p50 ${ms(r.latencies['change_to_primary']?.summary.p50 ?? null)} ms; serial lag max ${c('serial_lag_max')}`);
  assert.ok(ms(p2s.max) >= pauseMs * 0.7, `the stall shows: slowest propagation ${ms(p2s.max)} ms ≥ ${pauseMs * 0.7} ms`);
  assert.ok(ms(p2s.min) < 500, `changes after the stall propagate fast: fastest ${ms(p2s.min)} ms`);
  assert.ok(ms(r.latencies['change_to_primary']?.summary.p50 ?? null) < pauseMs, 'the primary was not stalled');
  assert.ok(c('serial_lag_max') >= 1, 'the secondary\'s SOA serial was seen behind during the stall');
  t.diagnostic(`BIND9: primary served ${c('bind9_primary_0_transfers_served')} transfers, sent ${c('bind9_primary_0_notify_sent')} NOTIFYs; secondary asked ${c('bind9_secondary_0_axfr_requested')} AXFR + ${c('bind9_secondary_0_ixfr_requested')} IXFR, ${c('bind9_secondary_0_xfr_success')} succeeded, ${c('bind9_secondary_0_notify_received')} NOTIFYs in`);
  assert.ok(c('bind9_primary_0_transfers_served') >= 1, 'the primary served transfers (its statistics channel)');
  assert.ok(c('bind9_secondary_0_xfr_success') >= 1, 'the secondary counted incoming transfers');
  const md = await readFile(join(out, 'bxa', 'summary.md'), 'utf8');
  assert.match(md, /primary_to_secondary/);

  // Bad flags: one line, exit 2, nothing started.
  const bad = usageLine(await runCli(['bind', 'transfer', '--rate', 'fast'], { env: { BINDY_LOADTEST_SANDBOX_HOME: home } }));
  assert.match(bad, /--rate|scenarios\.transfer\.rate/);
});
