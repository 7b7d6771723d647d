/**
 * sidecar-errors on the sandbox: the bindcar twin answers every API request 503 for the fault's
 * window (set over its fault control, Bearer token), under background load. Checked from the twin's
 * own bindcar metrics (503s really answered, as many as the revert proof says were injected), the
 * experiment's verdicts (reverted and proven, converged), and nothing left: no fault on the twin,
 * no object of the run. Then a fault a dead run journalled is lifted by `cleanup` from the journal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { runCli } from './helpers/cli.js';
import { chaosSandbox } from './helpers/chaos-sandbox.js';
import { parseResult } from '../src/report/result/index.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { kindsOfLine, runIdLabel } from '../src/model/kinds.js';
import { SidecarFaultMechanism } from '../src/faults/index.js';
import type { FaultControlStatus } from '../src/targets/sandbox/sidecar/fault-control.js';

/** Sum of bindcar_http_requests_total samples with `status`. */
function requestsWithStatus(metrics: string, status: string): number {
  return metrics
    .split('\n')
    .filter((l) => l.startsWith('bindcar_http_requests_total{') && l.includes(`status="${status}"`))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

test('sidecar-errors: bindcar answers 503 while the fault holds, the run converges after the revert, and cleanup lifts a dead run\'s fault from its journal', { timeout: 120_000 }, async (t) => {
  const started = performance.now();
  // A sandbox that outlives the run, so the twin's metrics can be read after it; no fault proxy needed (the fault is the twin's own).
  const { home, state, env, out, config } = await chaosSandbox(t, 'bl-chaos-sc-err-');
  const metricsUrl = `${state.sidecarUrl}/metrics`;
  const before = requestsWithStatus(await (await fetch(metricsUrl)).text(), '503');

  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'sidecar-errors', '--param', 'errorRate=100%', '--param', 'status=503', '--duration', '10s', '--fault-duration', '4s', '--rate', '4/s', '--zones', '1', '--working-set', '4', '--dns-load', 'off', '--quiet-window', '0s'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'sidecar-errors sandbox-sidecar sidecar');
  assert.equal(e.reverted, true, e.revertProof);
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'the operator did not restart:pass']);
  // The proof: the twin says the fault is gone (with how many errors it injected) and answered an API request cleanly.
  const injected = Number(/cleared by api at \S+ after (\d+) injected errors\); GET \S+\/api\/v1\/zones → 200$/.exec(e.revertProof)?.[1] ?? NaN);
  assert.ok(injected > 0, e.revertProof);
  // Ground truth from bindcar's own metrics: the 503s were really answered, exactly as many as injected.
  const after = requestsWithStatus(await (await fetch(metricsUrl)).text(), '503');
  assert.equal(after - before, injected, `bindcar_http_requests_total{status="503"} rose by ${after - before}`);
  assert.equal(result.chaos?.final?.auditClean, true, result.chaos?.final?.audit);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  t.diagnostic(`503s answered by bindcar: ${injected}; converged ${e.convergenceMs ?? '-'} ms after the revert; revert ${e.revertMs} ms; run ${Math.round(performance.now() - started)} ms so far`);

  // Nothing left: no fault on the twin, no object of the run.
  const token = (await readFile(state.sidecarTokenFile, 'utf8')).trim();
  const control = async (): Promise<FaultControlStatus> => (await (await fetch(`${state.sidecarUrl}/twin/v1/faults`, { headers: { authorization: `Bearer ${token}` } })).json()) as FaultControlStatus;
  assert.equal((await control()).active, null);
  const client = new KubeClient({ kubeconfigPath: state.kubeconfig });
  for (const kind of kindsOfLine('0.6')) {
    const l = await client.list(kind, null, `${runIdLabel}=${result.metadata.runId}`);
    assert.ok(l.ok && l.value.items.length === 0, `${kind}: nothing of the run left`);
  }

  // A run that died with the fault in force (its owner pid gone): cleanup lifts exactly that fault from the journal.
  const orphanRun = 'chaos-sc-err-dead';
  const mechanism = new SidecarFaultMechanism({ home, url: state.sidecarUrl });
  const { applied, journalFile: jf } = await faultOfDeadRun(out, orphanRun, mechanism, 'sidecar', { kind: 'http-errors', share: 1, status: 500, durationMs: 600_000 });
  assert.equal((await control()).active?.id, applied.id);
  assert.equal((await fetch(`${state.sidecarUrl}/api/v1/zones`, { headers: { authorization: `Bearer ${token}` } })).status, 500, 'the fault is in force');
  const c = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '20s'], { env });
  assert.equal(c.code, 0, c.stderr);
  // At least the request above was answered 500; the sandbox's operator may have met the fault too (CI: 2).
  const lifted = new RegExp(`cleanup: fault exp-0 of run ${orphanRun} on bindcar twin \\S+: reverted: .*fault ${applied.id} not in force .*cleared by api .*after (\\d+) injected errors\\); GET \\S+/api/v1/zones → 200`).exec(c.stderr);
  assert.ok(lifted !== null && Number(lifted[1]) >= 1, c.stderr);
  assert.equal((await control()).active, null);
  assert.equal(existsSync(jf), false, 'the journal is removed once everything is undone');
  t.diagnostic(`wall time ${Math.round(performance.now() - started)} ms`);
});
