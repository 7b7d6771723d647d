/**
 * `bind query --target cluster` without --server: dnsperf runs in a pod of a one-pod Job next to
 * BIND9. Through the API server twin: the coordinator creates the Job machinery, a Job controller
 * twin (test/helpers/job-runner.ts) runs the pod as a local process of this CLI, which runs the real
 * dnsperf against a real named behind a relay adding a known 20 ms; the figures come back through
 * the pod's report ConfigMap and carry the delay (ground truth); nothing is left. Bad input: no
 * image, or no primary Bind9Instance to ask → one line, the right exit code, no Job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, usageLine } from './helpers/cli.js';
import { startJobRunner } from './helpers/job-runner.js';
import { jobObjectsLeft, twinCluster, twinNamespace as ns } from './helpers/twin-cluster.js';
import { udpRelay } from './helpers/udp-relay.js';
import { startNamed } from '../src/targets/sandbox/bind9/index.js';
import { parseResult } from '../src/report/result/index.js';
import { shardJobNames } from '../src/scenarios/shard-job-manifest.js';

test('bind query on a cluster: dnsperf in a Job pod next to BIND9, a known 20 ms recovered from its figures, nothing left', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-bind-query-job-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const named = await startNamed();
  t.after(() => named.stop());
  const relay = await udpRelay(named.ports.dns, { delayMs: 20 });
  t.after(() => relay.close());
  const runner = startJobRunner(sb.server, { kubeconfig });
  t.after(() => runner.stop());
  const queries = join(dir, 'queries.txt');
  await writeFile(queries, 'a.example.com A\nb.example.com AAAA\n');
  const runId = 'bq-job';
  const out = join(dir, 'out');
  const r = await runCli(
    ['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', out, '--json', '--shard-image', 'registry.example/bindy-loadtest:test', 'bind', 'query', '--query-file', queries, '--in-cluster-server', `127.0.0.1:${relay.port}`, '--qps', '100/s', '--duration', '2s', '--progress-interval', '200ms', '--run-id', runId, '--format', 'json'],
    { env: { ...process.env } },
  );
  await runner.settled();
  assert.equal(r.code, 0, `${r.stderr.split('\n').slice(-15).join('\n')}\n${runner.pods.map((p) => `pod ${p.index}: ${p.log}`).join('\n')}`);
  assert.match(r.stderr, /^in the cluster: dnsperf: \d+ answers\/s, p50 [\d.]+ ms, p99 [\d.]+ ms, \d+ lost in the last second$/m, "the pod's seconds reach the progress line");
  const names = shardJobNames(runId, 'dnsperf');
  assert.deepEqual(runner.pods.map((p) => [p.index, p.args.join(' '), p.exit]), [[0, `burst-shard --spec-configmap ${ns}/${names.spec}`, 0]], 'one pod ran the hidden command on the engine\'s spec');
  const result = parseResult(r.stdout, 'stdout');
  const dns = result.latencies['dns_query']?.summary;
  const completed = result.counters['dnsperf_completed']?.value;
  assert.ok(dns !== undefined && completed !== undefined && completed >= 150, `${completed} completed`);
  assert.equal(dns.count, completed, 'one latency per query dnsperf completed, timed in the pod');
  // Node's timers run on a loop clock in whole ms: a 20 ms timeout may fire up to 1 ms early.
  for (const [k, v] of [['min', dns.min], ['p50', dns.p50], ['p99', dns.p99]] as const) assert.ok(v !== null && v >= 19_000, `${k} ${v} µs includes the 20 ms`);
  assert.ok((dns.p50 ?? Infinity) < 120_000, `p50 ${dns.p50} µs is the delay plus named's time, not more`);
  assert.ok(result.notes.some((n) => n.startsWith(`dnsperf ran in the cluster, in a pod of Job ${ns}/${names.base} (image registry.example/bindy-loadtest:test), against 127.0.0.1:${relay.port}`)), result.notes.join('\n'));
  assert.match(result.latencies['dns_query']?.method ?? '', new RegExp(`the queries of ${queries.replace(/[.]/g, '\\.')} \\(a copy in the pod\\), looped`), 'the user\'s file is named, not the pod\'s copy');
  const qps = result.timeSeries.find((s) => s.name === 'dns_answers_per_second');
  assert.ok(qps !== undefined && qps.points.length >= 2);
  assert.ok(qps.points.every((p) => p.t > 0 && p.t < (result.metadata.durationMs ?? 0)), 'the pod\'s series lie within the run, on its clock');
  assert.deepEqual(await jobObjectsLeft(sb, runId), [], 'the Job, its ConfigMaps and RBAC are deleted');
});

test('bind query on a cluster, bad input: no image → exit 2; no primary Bind9Instance to ask → exit 3 naming --in-cluster-server; no Job either way', { timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-bind-query-job-bad-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { sb, kubeconfig } = await twinCluster(dir);
  t.after(() => sb.close());
  const queries = join(dir, 'queries.txt');
  await writeFile(queries, 'a.example.com A\n');
  const globals = ['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', join(dir, 'out')];
  const noImage = await runCli([...globals, 'bind', 'query', '--query-file', queries, '--run-id', 'bq-noimg'], { env: { ...process.env } });
  assert.equal(noImage.code, 2, noImage.stderr);
  assert.match(usageLine(noImage), /^bindy-loadtest: bind-query: on a cluster the DNS engine runs inside it, as a Job of this tool's image: --shard-image \(shardImage\) is not set; .* or query from here with --server host:port/);
  const noInstance = await runCli([...globals, '--shard-image', 'img', 'bind', 'query', '--query-file', queries, '--run-id', 'bq-noinst'], { env: { ...process.env } });
  assert.equal(noInstance.code, 3, noInstance.stderr);
  assert.match(noInstance.stderr, /^bindy-loadtest: bind query: no primary Bind9Instance of Bind9Cluster loadtest in bindy-loadtest for the in-cluster dnsperf to ask$/m);
  assert.match(noInstance.stderr, /--in-cluster-server host:port/);
  for (const id of ['bq-noimg', 'bq-noinst']) assert.deepEqual(await jobObjectsLeft(sb, id), [], `${id}: nothing made`);
});
