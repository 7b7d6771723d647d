// test-runner: beside (scripts/run-tests.mjs runs it in a lane of its own: one small sandbox with a secondary, mostly waiting)
/**
 * A fault on a secondary: bind9-crash with `server=secondary-0` on a sandbox with one secondary.
 * Ground truth: the secondary's named is killed for a known 4 s and started again (a new process,
 * its zones kept); its DNS gap covers the outage and is judged against the loose bound (the fault
 * touched it), while the primary, untouched, is judged against the tight 2 s bound and shows no
 * gap; the run converges and the end audit (both servers) is clean. Then its named's CPU capped
 * (a limit on a secondary), reverted, the primary judged untouched. A secondary the sandbox
 * does not run is refused before any load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { chaosSandbox } from './helpers/chaos-sandbox.js';
import { parseResult } from '../src/report/result/index.js';
import { readState } from '../src/targets/sandbox/supervisor/index.js';

test('bind9-crash on secondary-0: its named killed and back, its gap judged loosely, the untouched primary tightly; then a limit on it; a missing secondary is refused', { timeout: 300_000 }, async (t) => {
  const c = await chaosSandbox(t, 'bl-chaos-secondary-', { secondaries: 1 });
  const namedPid = (name: string): number | undefined => c.state.parts.find((p) => p.name === name)?.childPids[0];
  const before = namedPid('named-secondary-0');
  assert.ok(before !== undefined, 'the sandbox runs a secondary named');
  // Then its named under a CPU cap (a limit on a secondary): it keeps answering and transferring, slower.
  // (Not fd-exhaustion here: a secondary whose transfers failed with EMFILE may still lag at the end.)
  const config = join(c.home, 'secondary.yaml');
  await writeFile(config, [
    'report: {formats: [json]}',
    'scenarios:',
    '  chaos:',
    '    experiments:',
    '      - {kind: bind9-crash, at: 5s, duration: 4s, params: {server: secondary-0}}',
    '      - {kind: cpu-throttle, at: 16s, duration: 4s, params: {part: named, server: secondary-0, cpu: 100m}}',
    '',
  ].join('\n'));
  const args = ['--config', config, '--output', c.out, '--json', 'chaos', '--duration', '28s', '--rate', '2/s', '--zones', '1', '--working-set', '5', '--quiet-window', '0s', '--dns-load', 'off'];
  const r = await runCli(args, { env: c.env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const [e, cpu] = result.chaos?.experiments ?? [];
  assert.ok(e !== undefined && cpu !== undefined, 'two experiments');
  assert.deepEqual([cpu.target, cpu.mechanism, cpu.reverted], ['named-secondary-0', 'sandbox-cgroup', true], cpu.revertProof);
  assert.equal(cpu.invariants.find((i) => i.name === 'DNS gap on primary-0')?.limit, 2, 'the primary untouched by the secondary\'s limit');
  assert.equal(e.target, 'named-secondary-0');
  assert.equal(e.reverted, true, e.revertProof);
  const gap = (server: string): { observed: number | null; limit: number; verdict: string } | undefined => e.invariants.find((i) => i.name === `DNS gap on ${server}`);
  const secondary = gap('secondary-0');
  const primary = gap('primary-0');
  assert.ok(secondary !== undefined && primary !== undefined, JSON.stringify(e.invariants));
  assert.equal(secondary.limit, 120, 'the secondary was touched: the loose bound');
  assert.ok(secondary.observed !== null && secondary.observed >= 3, `the secondary's gap covers its 4 s outage: ${secondary.observed} s`);
  assert.equal(primary.limit, 2, 'the primary was not: the tight bound');
  assert.ok(primary.observed !== null && primary.observed < 2, `the primary kept answering: ${primary.observed} s`);
  assert.ok(e.convergenceMs !== null, JSON.stringify(e.invariants));
  t.diagnostic(result.notes.find((n) => n.startsWith('end state ')) ?? 'no end-state note');
  t.diagnostic(`DNS gap: secondary-0 ${secondary.observed} s (bound ${secondary.limit}), primary-0 ${primary.observed} s (bound ${primary.limit}); converged ${e.convergenceMs} ms after the revert`);
  assert.equal(result.chaos?.final?.auditClean, true, result.chaos?.final?.audit);
  const after = (await readState(c.home))?.parts.find((p) => p.name === 'named-secondary-0')?.childPids[0];
  assert.ok(after !== undefined && after !== before, `named-secondary-0 runs again as a new process (${before} → ${after})`);

  const missing = await runCli(['--config', c.config, '--output', c.out, '--json', 'chaos', '--scenario', 'bind9-crash', '--param', 'server=secondary-3', '--duration', '20s', '--fault-duration', '4s'], { env: c.env });
  assert.equal(missing.code, 2, missing.stderr);
  // The sandbox says first that it uses the one already up; the refusal is the last line.
  assert.match(missing.stderr.trimEnd().split('\n').at(-1) ?? '', /^bindy-loadtest: chaos: exp-0 \(bind9-crash: .* on part named-secondary-3.*\): the sandbox runs no named-secondary-3 \(its secondaries: sandbox up --secondaries N, or sandbox\.secondaries\)/);
});
