/**
 * apiserver-throttle on the sandbox: the API twin's API Priority and Fairness answers the operator's
 * own requests 429 beyond a 1-share priority level (backpressure's api-throttle objects), under
 * background load. Checked from the API twin's apiserver_request_total (429s really answered), the
 * experiment's verdicts (both objects proven gone, converged), and nothing left behind; then a
 * throttle a dead run journalled is lifted by `cleanup` from the journal.
 *
 * The twin answers in microseconds, so it is given a 5 ms request latency (standing for etcd) for
 * requests to overlap and a 3-seat level to fill; the operator twin requeues a failed reconcile
 * after 3 s instead of bindy's 30 s, so convergence fits the test's time (with 30 s, backpressure
 * measured recoveries of 28–30 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { runCli } from './helpers/cli.js';
import { chaosSandbox, counterSum } from './helpers/chaos-sandbox.js';
import { parseResult } from '../src/report/result/index.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { runIdLabel } from '../src/model/kinds.js';
import { FlowControlMechanism } from '../src/faults/index.js';
import { fetchText } from '../src/observe/metrics-fetch.js';

/** Requests the API twin answered `code` (its own apiserver_request_total). */
const requestsWithCode = (metrics: string, code: string): number => counterSum(metrics, 'apiserver_request_total', { code });

test('apiserver-throttle: the API server answers the operator 429 while the throttle holds, the run converges after both objects are gone, and cleanup lifts a dead run\'s throttle', { timeout: 120_000 }, async (t) => {
  const started = performance.now();
  const { home, state, env, out, config } = await chaosSandbox(t, 'bl-chaos-throttle-', { apiServerArgs: ['--request-latency', '5ms'], operatorArgs: ['--not-ready-requeue', '3s'] });
  const metricsUrl = state.parts.find((p) => p.name === 'apiserver')?.metricsUrl;
  assert.ok(metricsUrl !== undefined);
  const before = requestsWithCode(await fetchText(metricsUrl, { insecureSkipTlsVerify: true }), '429');

  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'apiserver-throttle', '--duration', '10s', '--fault-duration', '4s', '--rate', '8/s', '--zones', '2', '--working-set', '4', '--dns-load', 'off', '--quiet-window', '0s'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'apiserver-throttle api-flowcontrol apiserver');
  assert.equal(e.reverted, true, e.revertProof);
  assert.match(e.revertProof, /^FlowSchema \S+-throttle-\w+ gone \(GET 404\); PriorityLevelConfiguration \S+ gone \(GET 404\)$/);
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), ['fault reverted:pass', 'converged after the revert:pass', 'DNS gap on primary-0:pass', 'the operator did not restart:pass']);
  // Ground truth from the API twin's own counts: 429s were really answered (only the throttle answers any).
  const after = requestsWithCode(await fetchText(metricsUrl, { insecureSkipTlsVerify: true }), '429');
  assert.ok(after - before > 0, `apiserver_request_total{code="429"} rose by ${after - before}`);
  assert.ok((result.counters['api_responses_429']?.value ?? 0) > 0, 'the run counted them too');
  assert.equal(result.chaos?.final?.auditClean, true, result.chaos?.final?.audit);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  t.diagnostic(`429s answered: ${after - before} (the run's counter: ${result.counters['api_responses_429']?.value ?? '-'}); held ${e.heldMs} ms; converged ${e.convergenceMs ?? '-'} ms after the revert; revert ${e.revertMs} ms`);

  // Nothing left: no APF object of the run.
  const client = new KubeClient({ kubeconfigPath: state.kubeconfig });
  t.after(() => client.close());
  for (const kind of ['FlowSchema', 'PriorityLevelConfiguration'] as const) {
    const l = await client.list(kind, null, `${runIdLabel}=${result.metadata.runId}`);
    assert.ok(l.ok && l.value.items.length === 0, `${kind}: nothing of the run left`);
  }

  // A run that died with the throttle in force (its owner pid gone): cleanup lifts it from the journal alone.
  const orphanRun = 'chaos-throttle-dead';
  const mechanism = new FlowControlMechanism({ home, kubeconfigPath: state.kubeconfig, runId: orphanRun, ...(state.operatorIdentity === undefined ? {} : { operator: state.operatorIdentity.serviceAccount }) });
  const { applied, journalFile: jf } = await faultOfDeadRun(out, orphanRun, mechanism, 'apiserver', { kind: 'throttle', shares: 1 });
  const fs = await client.get('FlowSchema', null, applied.id);
  assert.ok(fs.ok && fs.value !== null, 'the throttle is in force');
  const c = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '20s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`cleanup: fault exp-0 of run ${orphanRun} on API server \\S+ \\(FlowSchema and PriorityLevelConfiguration ${applied.id}\\): reverted: FlowSchema ${applied.id} gone \\(GET 404\\); PriorityLevelConfiguration ${applied.id} gone \\(GET 404\\)`));
  for (const kind of ['FlowSchema', 'PriorityLevelConfiguration'] as const) {
    const g = await client.get(kind, null, applied.id);
    assert.ok(g.ok && g.value === null, `${kind} ${applied.id} gone`);
  }
  assert.equal(existsSync(jf), false, 'the journal is removed once everything is undone');
  t.diagnostic(`wall time ${Math.round(performance.now() - started)} ms`);
});
