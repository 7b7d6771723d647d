/**
 * disk-full on the sandbox: named's directory is a 256 MiB tmpfs the sandbox mounted (it runs as
 * root here); a ballast file fills it under background load. Checked at the kernel's and named's
 * side while the fault holds (a write there fails with ENOSPC; a DNS UPDATE, which named must
 * journal, is refused SERVFAIL; a query is answered from memory), then the ballast removed, a write
 * succeeds again, the run converged; then a ballast a dead run journalled is removed by `cleanup`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { runCli } from './helpers/cli.js';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { parseResult } from '../src/report/result/index.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { readState } from '../src/targets/sandbox/supervisor/index.js';
import { DiskFullMechanism, runProbe } from '../src/faults/index.js';

const run = promisify(execFile);
const free = async (path: string): Promise<number> => {
  const s = await statfs(path);
  return s.bavail * s.bsize;
};

test('disk-full: named\'s filesystem refuses writes (ENOSPC) and named refuses updates (SERVFAIL) while it still answers queries; the ballast is removed after, the run converges, and cleanup removes a dead run\'s ballast', { timeout: 120_000 }, async (t) => {
  const started = performance.now();
  const home = await mkdtemp(join(tmpdir(), 'bl-chaos-disk-'));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, faultProxy: true, namedDiskBytes: 256 * 2 ** 20, sidecarRateLimitOff: true, operatorArgs: ['--not-ready-requeue', '3s'] });
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const out = join(home, 'results');
  const config = join(home, 'chaos.yaml');
  await writeFile(config, ['report:', '  formats: [json]', ''].join('\n'));
  const state = await readState(home);
  const disk = state?.namedDisk;
  assert.ok(state !== undefined && disk !== undefined, 'a sandbox asked for one, started as root, has named on a tmpfs of its own');
  assert.equal(disk.sizeBytes, 256 * 2 ** 20);
  const freeBefore = await free(disk.mount);

  // While the run goes on: poll the filesystem (every 20 ms, bounded) until it is full, then write there, update named, and query it.
  const during = (async () => {
    const t0 = performance.now();
    while ((await free(disk.mount)) > 0 && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    const freeDuring = await free(disk.mount);
    const write = await writeFile(join(disk.mount, 'probe'), Buffer.alloc(64 * 1024)).then(() => 'written', (e: NodeJS.ErrnoException) => e.code ?? e.message);
    await rm(join(disk.mount, 'probe'), { force: true });
    const zone = readdirSync(disk.mount).find((f) => f.endsWith('.zone'))?.slice(0, -'.zone'.length);
    // Larger than a page (4 KiB): a small update may still fit in the last page the journal already has.
    const txt = Array.from({ length: 20 }, () => `"${'x'.repeat(250)}"`).join(' ');
    const script = `server 127.0.0.1 ${state.dns.port}\nzone ${zone ?? ''}\nupdate add disk-full-probe.${zone ?? ''} 300 TXT ${txt}\nsend\n`;
    const update = await new Promise<string>((resolve) => {
      const p = execFile('nsupdate', ['-k', state.updateKeyFile], (e, stdout, stderr) => resolve(e === null ? 'NOERROR' : `${stdout}${stderr}`.trim()));
      p.stdin?.end(script);
    });
    const query = await runProbe({ kind: 'dns', protocol: 'udp', name: zone ?? 'version.bind', type: 'SOA', timeoutMs: 1500 }, state.dns);
    return { freeDuring, write, zone, update, query };
  })();
  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'disk-full', '--duration', '10s', '--fault-duration', '4s', '--rate', '8/s', '--zones', '1', '--working-set', '4', '--dns-load', 'off', '--quiet-window', '0s'], { env });
  const seen = await during;
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'disk-full sandbox-disk named');
  assert.equal(seen.freeDuring, 0, 'nothing left free');
  assert.equal(seen.write, 'ENOSPC', 'the kernel refuses a write on named\'s filesystem');
  assert.ok(seen.zone !== undefined, 'the run\'s zone file is on the filesystem');
  assert.match(seen.update, /update failed: SERVFAIL/, 'named cannot journal the update');
  assert.equal(seen.query.ok, true, `named answers from memory: ${seen.query.detail}`);
  assert.equal(e.reverted, true, e.revertProof);
  assert.match(e.revertProof, /^\d+\.\d MiB of ballast on \S+ \(256\.0 MiB\): \d+\.\d MiB free before, 0\.0 MiB after; removed the ballast \(\d+\.\d MiB\) from \S+: \d+\.\d MiB free; ballast gone; \d+\.\d MiB free on \S+, a 64 KiB write succeeds; /);
  assert.ok((await free(disk.mount)) >= freeBefore - 8 * 2 ** 20, 'the space is back (less what the run\'s zones took)');
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'the operator did not restart:pass']);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  t.diagnostic(`during: free ${seen.freeDuring} B, write ${seen.write}, update of ${seen.zone ?? '?'}: ${seen.update}, query ${seen.query.detail}; converged ${e.convergenceMs ?? '-'} ms after the revert; revert ${e.revertMs} ms; proof: ${e.revertProof}`);

  // A run that died with the disk full (its owner pid gone): cleanup removes the ballast from the journal alone.
  const orphanRun = 'chaos-disk-dead';
  const { applied, journalFile: jf } = await faultOfDeadRun(out, orphanRun, new DiskFullMechanism({ home, disk }), 'named', { kind: 'disk-full' });
  assert.equal(await free(disk.mount), 0, 'the disk is full');
  const ballast = applied.descriptor.mechanism === 'sandbox-disk' ? applied.descriptor.ballast : '';
  const c = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '20s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`cleanup: fault exp-0 of run ${orphanRun} on part named \\(ballast ${ballast.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): reverted: ballast gone; \\d+\\.\\d MiB free on \\S+, a 64 KiB write succeeds`));
  assert.equal(existsSync(ballast), false);
  assert.ok((await free(disk.mount)) > 0);
  assert.equal(existsSync(jf), false, 'the journal is removed once everything is undone');
  // `sandbox down` (t.after) unmounts it: nothing of the sandbox stays mounted.
  await sb.stop();
  const mounts = (await run('cat', ['/proc/self/mounts'])).stdout;
  assert.equal(mounts.includes(disk.mount), false, 'unmounted at stop');
  t.diagnostic(`wall time ${Math.round(performance.now() - started)} ms`);
});
