/**
 * `burst --shards 3 --target cluster` end to end through an API server: the coordinator creates
 * the shard Job's RBAC, ConfigMaps and Indexed Job on the API server twin, a Job controller twin
 * (test/helpers/job-runner.ts) runs each index as a local process of this CLI with the pod
 * template's args and a kubeconfig in place of the ServiceAccount, the shards talk only through
 * ConfigMaps, and the merged result is exactly the shards' sum; nothing is left afterwards. Bad
 * input is refused with one line before anything is created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, usageLine } from './helpers/cli.js';
import { startFakeOperator } from './helpers/api-sandbox.js';
import { twinCluster, twinNamespace } from './helpers/twin-cluster.js';
import { startJobRunner } from './helpers/job-runner.js';
import { kindsOfLine, runIdLabel } from '../src/model/kinds.js';
import { shardJobKinds } from '../src/model/object-kinds.js';
import { mergeHistograms } from '../src/measure/index.js';
import { histogramOf, parseResult, type RunResult } from '../src/report/result/index.js';
import { shardJobNames } from '../src/scenarios/shard-job-manifest.js';

const ns = twinNamespace;

test('bad input: no --shard-image, --shards 0, --shard-runner job on the sandbox → exit 2, one line, nothing created', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-job-shards-bad-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const globals = ['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', join(dir, 'out')];
  const before = sb.server.store.rv;
  for (const [argv, pattern] of [
    [[...globals, '--shards', '3', 'burst', '--zones', '3', '--records', '9'], /^bindy-loadtest: --shards 3 on --target cluster runs the shards as a Kubernetes Indexed Job: --shard-image \(shardImage\) is not set; /],
    [[...globals, '--shards', '0', '--shard-image', 'img', 'burst', '--zones', '3'], /^bindy-loadtest: --shards: expected a positive integer, got '0'$/],
    [['--output', join(dir, 'out'), '--shards', '2', '--shard-runner', 'job', '--shard-image', 'img', 'burst', '--zones', '2'], /^bindy-loadtest: --shard-runner job: the shards run as a Kubernetes Job, which needs --target cluster/],
  ] as const) {
    assert.match(usageLine(await runCli(argv, { env: { BINDY_LOADTEST_SANDBOX_HOME: join(dir, 'no-sandbox') } })), pattern);
  }
  assert.equal(sb.server.store.rv, before, 'nothing was written to the API server');
  assert.deepEqual(await readdir(dir), ['kubeconfig'], 'no result, no journal');
});

test('burst --shards 3 on a cluster: an Indexed Job through the API server, merged histograms exactly the shards\', counts add, nothing left', { timeout: 180_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-job-shards-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const op = startFakeOperator(sb.server, { readyDelayMs: 20 });
  t.after(() => op.stop());
  const runner = startJobRunner(sb.server, { kubeconfig });
  t.after(() => runner.stop());
  const out = join(dir, 'out');
  const runId = 'job-shards';
  const r = await runCli(['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', out, '--json', '--shards', '3', '--shard-image', 'registry.example/bindy-loadtest:test', 'burst', '--records', '30', '--zones', '3', '--timeout', '1m', '--run-id', runId], { env: { ...process.env } });
  await runner.settled();
  assert.equal(r.code, 0, `${r.stderr.split('\n').slice(-20).join('\n')}\n${runner.pods.map((p) => `pod ${p.index}: ${p.log}`).join('\n')}`);
  const result = parseResult(r.stdout, 'stdout');
  assert.deepEqual(result.metadata.shards, { count: 3, finished: [0, 1, 2] });

  // The pods ran the hidden shard command on the spec ConfigMap, one per index, and ended well.
  const names = shardJobNames(runId);
  assert.deepEqual(runner.pods.map((p) => [p.index, p.args.join(' '), p.exit]), [0, 1, 2].map((i) => [i, `burst-shard --spec-configmap ${ns}/${names.spec}`, 0]));

  // Each shard's result (read from its report ConfigMap) is kept; the merge is exact.
  const shards: RunResult[] = [];
  for (const i of [0, 1, 2]) shards.push(parseResult(await readFile(join(out, runId, 'shards', `shard-${i}.json`), 'utf8'), `shard-${i}.json`));
  shards.forEach((s, i) => assert.deepEqual({ index: s.metadata.shard?.index, objects: s.metadata.shard?.objects }, { index: i, objects: 11 }));
  const sum = (name: string): number => shards.reduce((n, s) => n + (s.counters[name]?.value ?? 0), 0);
  assert.equal(result.counters['objects_ready']?.value, 33);
  assert.equal(sum('objects_ready'), 33);
  assert.equal(result.counters['creates_accepted']?.value, sum('creates_accepted'));
  for (const name of ['create_to_ready', 'api_create']) {
    const merged = result.latencies[name];
    assert.ok(merged, name);
    const parts = shards.map((s) => s.latencies[name]).filter((e) => e !== undefined);
    assert.equal(parts.length, 3);
    assert.equal(histogramOf(merged).encode(), mergeHistograms(parts.map(histogramOf)).encode(), `${name}: the same counts in every bucket`);
    assert.equal(merged.summary.count, 33);
  }

  // Nothing is left: no Job, ConfigMap, RBAC or bindy object with the run id; the clean run's journal is gone.
  for (const kind of [...shardJobKinds, ...kindsOfLine('0.6')]) {
    if (kind === 'ClusterBind9Provider') continue;
    const l = await sb.client.list(kind, ns, `${runIdLabel}=${runId}`);
    assert.ok(l.ok, `${kind} list`);
    if (l.ok) assert.deepEqual(l.value.items.map((i) => i.metadata.name), [], `${kind} left with the run id`);
  }
  assert.deepEqual(await readdir(join(out, 'journal')), []);
});

test('a shard pod that fails fails the run with its error, as a local shard that exits non-zero: the others are stopped, nothing is left', { timeout: 180_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-job-shards-fail-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const op = startFakeOperator(sb.server, { readyDelayMs: 20 });
  t.after(() => op.stop());
  const runId = 'job-shards-fail';
  // Pod 1 starts once the others wait at the gate, with credentials that do not exist: it fails before it can say anything, as a pod whose
  // ServiceAccount token is refused would; the Job controller then terminates the others (backoffLimit 0), which say so.
  const othersReady = new Promise<void>((resolve) => {
    const ready = new Set<string>();
    const stop = sb.server.store.watch('/configmaps', sb.server.store.rv, (e) => {
      const m = e.object.metadata;
      if (m.labels?.[runIdLabel] === runId && (e.object as { data?: Record<string, string> }).data?.['ready'] === 'true') ready.add(m.name);
      if (ready.size === 2) {
        stop();
        resolve();
      }
    });
  });
  const runner = startJobRunner(sb.server, { kubeconfig, podEnv: (i) => (i === 1 ? { KUBECONFIG: join(dir, 'missing-kubeconfig') } : {}), startAfter: (i) => (i === 1 ? othersReady : Promise.resolve()) });
  t.after(() => runner.stop());
  const out = join(dir, 'out');
  const r = await runCli(['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', out, '--shards', '3', '--shard-image', 'img', 'burst', '--records', '30', '--zones', '3', '--timeout', '1m', '--run-id', runId], { env: { ...process.env } });
  await runner.settled();
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^bindy-loadtest: shard 1 of 3 failed \(its pod ended without saying how: the Job failed \(BackoffLimitExceeded: Job has reached the specified backoff limit\)\)$/m);
  assert.notEqual(runner.pods.find((p) => p.index === 1)?.exit, 0);
  const result = parseResult(await readFile(join(out, runId, 'result.json'), 'utf8'), 'result.json');
  assert.equal(result.metadata.status, 'aborted');
  assert.ok(!(result.metadata.shards?.finished ?? []).includes(1), 'shard 1 did not finish');
  assert.deepEqual(runner.pods.map((p) => [p.index, p.exit]), [[0, 130], [1, 2], [2, 130]], 'the others were terminated and said so');
  for (const kind of [...shardJobKinds, ...kindsOfLine('0.6')]) {
    if (kind === 'ClusterBind9Provider') continue;
    const l = await sb.client.list(kind, ns, `${runIdLabel}=${runId}`);
    assert.ok(l.ok, `${kind} list`);
    if (l.ok) assert.deepEqual(l.value.items.map((i) => i.metadata.name), [], `${kind} left with the run id`);
  }
});
