/**
 * The background DNS queries of chaos and e2e on a cluster: dnsperf in a pod of a one-pod Job next
 * to BIND9, its pod ready before the load and released at the load's start, stopped when the load
 * ends. Through the API server twin with the Job controller twin (test/helpers/job-runner.ts: the
 * pod is a local process of this CLI running the real dnsperf) against a real named behind a relay
 * adding a known 20 ms. Ground truth: nothing is asked before the release; the figures carry the
 * delay; stopped after 150 queries of a 60 s load, it returns what it asked (far fewer than the
 * whole load's) without waiting for the 60 s; the Job and all made for it are deleted. Without a
 * server to ask: `auto` is a note, `on` exit 3 naming --in-cluster-server, and nothing is created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startJobRunner } from './helpers/job-runner.js';
import { jobObjectsLeft, twinCluster, twinNamespace as ns } from './helpers/twin-cluster.js';
import { udpRelay } from './helpers/udp-relay.js';
import { startNamed } from '../src/targets/sandbox/bind9/index.js';
import { resolveConfig } from '../src/config/index.js';
import { TargetNotReadyError } from '../src/errors.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { Journal } from '../src/observe/journal.js';
import { planBackgroundDns } from '../src/scenarios/background-dns-plan.js';
import { openBackgroundDns, type BackgroundDnsOptions } from '../src/scenarios/background-dns.js';
import type { EngineContext } from '../src/scenarios/dns-engine-job.js';

/** A run's context on the twin cluster: its client and journal, never-stopped signals, its notices kept. */
function engineContext(kubeconfig: string, dir: string, runId: string, notices: string[]): EngineContext {
  return {
    client: new KubeClient({ kubeconfigPath: kubeconfig }),
    journal: new Journal(join(dir, 'journal'), runId),
    stopStarting: new AbortController().signal,
    hardStop: new AbortController().signal,
    onEvent: (e) => {
      if (e.type === 'notice') notices.push(e.text);
    },
  };
}

async function clusterConfig(flags: Record<string, string>): Promise<Parameters<typeof planBackgroundDns>[0]> {
  const r = await resolveConfig({ cwd: process.cwd(), flags: Object.entries({ target: 'cluster', ...flags }).map(([key, raw]) => ({ flag: key, key, raw })) });
  return r.config;
}

test('background DNS queries on a cluster: a Job pod ready before the load, released at its start, stopped with it; the 20 ms recovered; nothing left', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-bg-dns-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const named = await startNamed();
  t.after(() => named.stop());
  let asked = 0;
  let enough: () => void = () => undefined;
  const hundredFifty = new Promise<void>((r) => (enough = r));
  const relay = await udpRelay(named.ports.dns, {
    delayMs: 20,
    onQuery: (n) => {
      asked = n;
      if (n >= 150) enough();
    },
  });
  t.after(() => relay.close());
  const runner = startJobRunner(sb.server, { kubeconfig });
  t.after(() => runner.stop());
  const runId = 'bg-job';
  const config = await clusterConfig({ shardImage: 'registry.example/bindy-loadtest:test', 'scenarios.chaos.dnsLoad': 'on', 'scenarios.chaos.queryRate': '100/s', 'scenarios.chaos.inClusterServer': `127.0.0.1:${relay.port}` });
  const notices: string[] = [];
  const ctx = engineContext(kubeconfig, dir, runId, notices);
  const o: BackgroundDnsOptions = { plan: planBackgroundDns(config, 'chaos'), runId, namespace: ns, clusterName: 'loadtest', zones: ['bg.example'], clientServer: undefined, durationMs: 60_000, jobBoundMs: 120_000 };
  const bg = await openBackgroundDns(ctx, o);
  assert.equal(runner.pods.length, 1, 'the pod was started before the load');
  assert.equal(runner.pods[0]?.exit, undefined, 'and waits at its gate');
  assert.equal(asked, 0, 'nothing is asked before the load starts');
  const t0 = performance.now();
  bg.start(t0);
  await hundredFifty;
  // The load ended: its queries stop with it.
  bg.stop();
  const end = await bg.finish();
  await runner.settled();
  assert.ok('sections' in end, `figures came back: ${JSON.stringify(end)}\n${runner.pods.map((p) => p.log).join('\n')}`);
  const s = end.sections;
  const completed = s.counters['dnsperf_completed']?.value ?? 0;
  const dns = s.latencies['dns_query']?.summary;
  assert.ok(completed >= 100 && completed < 3000, `${completed} completed: what was asked before the stop, not the 60 s load's 6,000`);
  assert.equal(dns?.count, completed, 'one latency per completed query');
  for (const [k, v] of [['min', dns?.min], ['p50', dns?.p50]] as const) assert.ok(v !== undefined && v !== null && v >= 19_000, `${k} ${v} µs includes the 20 ms`);
  assert.match(s.latencies['dns_query']?.method ?? '', /every zone's SOA and NS and one missing name each \(3 queries\), looped/);
  assert.ok(s.notes.some((n) => n.startsWith(`dnsperf ran in the cluster, in a pod of Job ${ns}/`)), s.notes.join('\n'));
  const qps = s.timeSeries.find((x) => x.name === 'dns_answers_per_second');
  assert.ok(qps !== undefined && qps.points.length >= 1 && qps.points.every((p) => p.t > 0 && p.t < performance.now() - t0 + 1000), 'the series are on the run\'s clock');
  assert.ok(notices.some((n) => n.startsWith(`dnsperf runs in the cluster against 127.0.0.1:${relay.port}`)), notices.join('\n'));
  assert.deepEqual(await bg.finish(), end, 'finish is idempotent');
  assert.deepEqual(await jobObjectsLeft(sb, runId), [], 'the Job, its ConfigMaps and RBAC are deleted');
});

test('background DNS queries on a cluster without a server to ask: auto is a note, on is exit 3 naming --in-cluster-server; nothing created', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-bg-dns-none-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const base = { namespace: ns, clusterName: 'loadtest', zones: ['bg.example'], clientServer: undefined, durationMs: 10_000, jobBoundMs: 60_000 };
  const auto = await openBackgroundDns(engineContext(kubeconfig, dir, 'bg-auto', []), { ...base, runId: 'bg-auto', plan: planBackgroundDns(await clusterConfig({ shardImage: 'img' }), 'e2e') });
  auto.start(performance.now());
  assert.deepEqual(await auto.finish(), { note: 'no background DNS queries: no primary Bind9Instance of Bind9Cluster loadtest in bindy-loadtest for the in-cluster dnsperf to ask (--in-cluster-server host:port names one)', failure: null });
  await assert.rejects(
    openBackgroundDns(engineContext(kubeconfig, dir, 'bg-on', []), { ...base, runId: 'bg-on', plan: planBackgroundDns(await clusterConfig({ shardImage: 'img', 'scenarios.e2e.dnsLoad': 'on' }), 'e2e') }),
    (e: unknown) => e instanceof TargetNotReadyError && /^background DNS queries: no primary Bind9Instance/.test(e.message) && /scenarios\.e2e\.inClusterServer/.test(e.hint ?? ''),
  );
  const noImage = await openBackgroundDns(engineContext(kubeconfig, dir, 'bg-noimg', []), { ...base, runId: 'bg-noimg', plan: planBackgroundDns(await clusterConfig({}), 'chaos') });
  assert.match((await noImage.finish() as { note: string }).note, /--shard-image \(shardImage\) is not set$/);
  for (const id of ['bg-auto', 'bg-on', 'bg-noimg']) assert.deepEqual(await jobObjectsLeft(sb, id), [], `${id}: nothing made`);
});

test('background DNS queries on a cluster whose pod fails before its gate: on stops the run before the load, auto goes on with a note; the Job is deleted', { timeout: 90_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-bg-dns-fail-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  // The pod cannot reach the API server (its credentials point nowhere): it fails before it is ready.
  const runner = startJobRunner(sb.server, { kubeconfig, podEnv: () => ({ KUBECONFIG: join(dir, 'no-such-kubeconfig') }) });
  t.after(() => runner.stop());
  const base = { namespace: ns, clusterName: 'loadtest', zones: ['bg.example'], clientServer: undefined, durationMs: 10_000, jobBoundMs: 60_000 };
  const flags = { shardImage: 'img', 'scenarios.chaos.inClusterServer': '127.0.0.1:53' };
  await assert.rejects(
    openBackgroundDns(engineContext(kubeconfig, dir, 'bg-fail-on', []), { ...base, runId: 'bg-fail-on', plan: planBackgroundDns(await clusterConfig({ ...flags, 'scenarios.chaos.dnsLoad': 'on' }), 'chaos') }),
    /the in-cluster dnsperf pod (failed|ended with exit [1-9]): .*the Job failed/,
  );
  const auto = await openBackgroundDns(engineContext(kubeconfig, dir, 'bg-fail-auto', []), { ...base, runId: 'bg-fail-auto', plan: planBackgroundDns(await clusterConfig(flags), 'chaos') });
  assert.match((await auto.finish() as { note: string }).note, /^no background DNS queries: the in-cluster dnsperf pod (failed|ended with exit [1-9]): .*the Job failed/);
  await runner.settled();
  for (const id of ['bg-fail-on', 'bg-fail-auto']) assert.deepEqual(await jobObjectsLeft(sb, id), [], `${id}: the Job and all made for it deleted`);
});
