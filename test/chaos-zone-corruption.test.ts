/**
 * zone-corruption on the sandbox: the first zone file of named torn in half (as a crash mid-write
 * leaves it) and named restarted, under background load. Checked at named's side while the fault
 * holds (the torn zone answers SERVFAIL, the other zone NOERROR), then the file written back and
 * reloaded, every record served again (the journal replays on the mended file), the run converged;
 * then a tear a dead run journalled is mended by `cleanup`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from './helpers/cli.js';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { parseResult } from '../src/report/result/index.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { readState } from '../src/targets/sandbox/supervisor/index.js';
import { namedDataDir } from '../src/targets/sandbox/supervisor/restart.js';
import { udpQuery } from '../src/targets/sandbox/bind9/udp-query.js';
import { readRndcConf, Rndc } from '../src/targets/sandbox/bind9/rndc.js';
import { ZoneCorruptionMechanism } from '../src/faults/index.js';
import { zoneFilesOf } from '../src/faults/storage/zone-corruption.js';

const soa = async (port: number, zone: string): Promise<string> => {
  const a = await udpQuery(port, zone, 'SOA', 1500).catch(() => undefined);
  return a === undefined ? 'no answer' : a.rcode === 0 ? 'NOERROR' : a.rcode === 2 ? 'SERVFAIL' : `rcode ${a.rcode}`;
};

test('zone-corruption: the torn zone answers SERVFAIL after named\'s restart while the other answers; the file is mended and reloaded, every record served again, the run converges, and cleanup mends a dead run\'s tear', { timeout: 150_000 }, async (t) => {
  const started = performance.now();
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-zc-'));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true, operatorArgs: ['--not-ready-requeue', '3s'] });
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const out = join(home, 'results');
  const config = join(home, 'chaos.yaml');
  await writeFile(config, ['report:', '  formats: [json]', ''].join('\n'));
  const state = await readState(home);
  const namedPart = state?.parts.find((p) => p.name === 'named');
  assert.ok(state !== undefined && namedPart !== undefined);
  const dir = namedDataDir(namedPart);
  const namedBefore = namedPart.childPids[0];

  // While the run goes on: wait (polling state.json every 50 ms, bounded) for named's restart, then ask it for both zones.
  const during = (async () => {
    const t0 = performance.now();
    let now = namedBefore;
    while (now === namedBefore && performance.now() - t0 < 40_000) {
      await new Promise((r) => setTimeout(r, 50));
      now = (await readState(home))?.parts.find((p) => p.name === 'named')?.childPids[0];
    }
    const [torn, other] = zoneFilesOf(readdirSync(dir));
    return { restarted: now !== namedBefore, torn: torn?.zone, other: other?.zone, tornSays: torn === undefined ? '-' : await soa(state.dns.port, torn.zone), otherSays: other === undefined ? '-' : await soa(state.dns.port, other.zone) };
  })();
  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'zone-corruption', '--duration', '12s', '--fault-duration', '4s', '--rate', '4/s', '--zones', '2', '--working-set', '6', '--dns-load', 'off', '--quiet-window', '0s'], { env });
  const seen = await during;
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'zone-corruption sandbox-zonefile named');
  assert.equal(seen.restarted, true, 'named was started again');
  assert.equal(seen.tornSays, 'SERVFAIL', `${seen.torn ?? '?'}: a torn zone fails to load`);
  assert.equal(seen.otherSays, 'NOERROR', `${seen.other ?? '?'}: the other zone loads`);
  assert.equal(e.reverted, true, e.revertProof);
  const zone = (seen.torn ?? '').replace(/\./g, '\\.');
  assert.match(e.revertProof, new RegExp(`^tore ${zone} \\(cut to \\d+ of \\d+ bytes\\); named restarted .*; wrote back 1 torn zone file \\(${zone}\\) and reloaded it; named runs \\(pid \\d+\\); no zone file torn; ${zone} SOA NOERROR$`));
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'the operator did not restart:pass']);
  // The audit at the end: every record of the run, the torn zone's included, served as its CR says.
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  t.diagnostic(`during: ${seen.torn ?? '?'} ${seen.tornSays}, ${seen.other ?? '?'} ${seen.otherSays}; converged ${e.convergenceMs ?? '-'} ms after the revert; revert ${e.revertMs} ms; proof: ${e.revertProof}`);

  // A zone left torn by a run that died (its owner pid gone): cleanup writes it back from the journal alone.
  await writeFile(join(dir, 'cleanup-probe.example.zone'), '$TTL 300\n@ IN SOA ns.cleanup-probe.example. h.cleanup-probe.example. 1 3600 600 86400 300\n@ IN NS ns.cleanup-probe.example.\nns IN A 127.0.0.1\n');
  // The run's zones are gone with its objects: one of our own, added to named as bindcar adds one.
  await new Rndc(readRndcConf(state.rndcConfFile ?? '')).run(['addzone', 'cleanup-probe.example', '{ type primary; file "cleanup-probe.example.zone"; };']);
  assert.equal(await soa(state.dns.port, 'cleanup-probe.example'), 'NOERROR');
  const orphanRun = 'chaos-zc-dead';
  const { applied, journalFile: jf } = await faultOfDeadRun(out, orphanRun, new ZoneCorruptionMechanism({ home }), 'named', { kind: 'zone-corruption' });
  const d = applied.descriptor;
  assert.ok(d.mechanism === 'sandbox-zonefile' && d.files[0] !== undefined);
  const good = await readFile(d.files[0].backup);
  assert.ok((await readFile(d.files[0].path)).length < good.length, 'the file is torn');
  const c = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '30s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`cleanup: fault exp-0 of run ${orphanRun} on part named \\(torn zone file of ${d.files[0].zone.replace(/\./g, '\\.')}\\): reverted: named runs \\(pid \\d+\\); no zone file torn; `));
  assert.deepEqual(await readFile(d.files[0].path), good, 'written back byte for byte');
  assert.equal(existsSync(d.files[0].backup), false, 'the copy is removed once mended');
  assert.equal(await soa(state.dns.port, 'cleanup-probe.example'), 'NOERROR', 'served again');
  assert.equal(existsSync(jf), false, 'the journal is removed once everything is undone');
  t.diagnostic(`wall time ${Math.round(performance.now() - started)} ms`);
});
