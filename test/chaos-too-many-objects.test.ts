/**
 * too-many-objects on the sandbox: an object-count ResourceQuota puts the run's namespace at its
 * limit for the kinds the background load creates; the API twin's quota admission refuses every
 * create beyond it (403 "exceeded quota"), as kube-apiserver does. Checked from the API twin's own
 * apiserver_request_total (403s really answered, as many as the run counted apart), the
 * experiment's verdicts (the quota took effect, creates accepted again after it was lifted, proven
 * gone, converged), the run's outcome (a refused create is not a failed operation) and nothing left;
 * then a quota a dead run journalled is lifted by `cleanup` from the journal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { faultOfDeadRun } from './helpers/dead-run.js';
import { runCli } from './helpers/cli.js';
import { chaosSandbox, counterSum } from './helpers/chaos-sandbox.js';
import { parseResult } from '../src/report/result/index.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { runIdLabel } from '../src/model/kinds.js';
import { QuotaMechanism } from '../src/faults/quota/object-quota.js';
import { fetchText } from '../src/observe/metrics-fetch.js';

/** Creates the API twin answered 403 (its own apiserver_request_total). */
const refusedCreates = (metrics: string): number => counterSum(metrics, 'apiserver_request_total', { verb: 'POST', code: '403' });

test('too-many-objects: creates are refused 403 "exceeded quota" while the quota holds and counted apart, accepted again once it is proven gone; cleanup lifts a dead run\'s quota', { timeout: 120_000 }, async (t) => {
  const { home, state, env, out, config } = await chaosSandbox(t, 'bl-chaos-quota-');
  const metricsUrl = state.parts.find((p) => p.name === 'apiserver')?.metricsUrl;
  assert.ok(metricsUrl !== undefined);
  const before = refusedCreates(await fetchText(metricsUrl, { insecureSkipTlsVerify: true }));

  const r = await runCli(['--config', config, '--output', out, '--json', 'chaos', '--scenario', 'too-many-objects', '--duration', '12s', '--fault-duration', '4s', '--rate', '8/s', '--zones', '2', '--working-set', '4', '--dns-load', 'off', '--quiet-window', '8s'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-30).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const e = result.chaos?.experiments[0];
  assert.ok(e !== undefined);
  assert.equal(`${e.kind} ${e.mechanism} ${e.target}`, 'too-many-objects api-quota apiserver');
  assert.match(e.description, /^too-many-objects: object-count quota on ARecord\b.* at the count when set: creates beyond it refused 403 on part apiserver/);
  assert.equal(e.reverted, true, e.revertProof);
  assert.match(e.revertProof, /^ResourceQuota bindy-loadtest\/\S+-quota-\w+ gone \(GET 404\)$/);
  t.diagnostic(e.invariants.map((i) => `${i.name}: ${i.observed ?? '-'} ${i.verdict} (${i.evidence})`).join('; '));
  assert.deepEqual(e.invariants.map((i) => `${i.name}:${i.verdict}`), [
    'fault reverted:pass',
    'converged after the revert:pass',
    'DNS gap on primary-0:pass',
    'the operator did not restart:pass',
    'the quota took effect:pass',
    'creates accepted again after the lift:pass',
  ]);
  // Ground truth from the API twin's own counts: as many 403s answered to creates as the run counted apart.
  const refused = result.counters['operations_refused_by_quota']?.value ?? 0;
  const after = refusedCreates(await fetchText(metricsUrl, { insecureSkipTlsVerify: true }));
  assert.ok(refused > 0, 'creates were refused');
  assert.equal(after - before, refused, `apiserver_request_total{verb="POST",code="403"} rose by ${after - before}; the run counted ${refused}`);
  // Refused is not failed: the run passes with every accepted operation's effect seen.
  assert.equal(result.counters['operations_failed']?.value, 0);
  assert.equal(result.chaos?.final?.auditClean, true, result.chaos?.final?.audit);
  assert.equal(result.verdict?.outcome, 'pass', result.verdict?.reasons.join('; '));
  // At rest afterwards, judged for the 0.6 twin by its 300 s requeues (a few in 8 s over ~20 objects).
  const quiet = result.counters['quiet_window_reconciles']?.value;
  const bound = result.counters['quiet_window_bound']?.value;
  assert.ok(quiet !== undefined && bound !== undefined && quiet <= bound, `quiet window: ${quiet ?? '-'} reconciles, bound ${bound ?? '-'}`);
  assert.ok(result.notes.some((n) => n.startsWith('quiet window bound for bindy 0.6: its 300 s requeues')), result.notes.filter((n) => n.startsWith('quiet')).join('\n'));

  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const client = new KubeClient({ kubeConfig: kc });
  t.after(() => client.close());
  const left = await client.list('ResourceQuota', 'bindy-loadtest', `${runIdLabel}=${result.metadata.runId}`);
  assert.ok(left.ok && left.value.items.length === 0, 'no quota of the run left');

  // A run that died with the quota in force (its owner pid gone): cleanup lifts it from the journal alone.
  const orphanRun = 'chaos-quota-dead';
  const mechanism = new QuotaMechanism({ kubeConfig: kc, namespace: 'bindy-loadtest', runId: orphanRun, home });
  const { applied, journalFile } = await faultOfDeadRun(out, orphanRun, mechanism, 'apiserver', { kind: 'quota', kinds: ['ARecord'], headroom: 0 });
  const made = await client.create({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: { name: 'over-quota', namespace: 'bindy-loadtest' }, spec: { name: 'x', ipv4Addresses: ['192.0.2.9'] } });
  assert.ok(!made.ok && made.error.status === 403 && /exceeded quota/.test(made.error.message), 'the quota is in force');
  const c = await runCli(['--output', out, 'cleanup', '--run-id', orphanRun, '--timeout', '20s'], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`cleanup: fault exp-0 of run ${orphanRun} on ResourceQuota bindy-loadtest/${applied.id} on \\S+: reverted: ResourceQuota bindy-loadtest/${applied.id} gone \\(GET 404\\)`));
  const g = await client.get('ResourceQuota', 'bindy-loadtest', applied.id);
  assert.ok(g.ok && g.value === null, 'the quota is gone');
  assert.equal(existsSync(journalFile), false, 'the journal is removed once everything is undone');
});
