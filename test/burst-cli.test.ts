/**
 * The `burst` and `cleanup` commands end to end, against the API server twin reached as a real
 * cluster (`--target cluster --kubeconfig`), with a fake operator marking objects Ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';
import { canonicalName, recordObjectFqdn } from '../src/observe/dns-expectation.js';
import type { RecordObject } from '../src/model/fixtures/objects.js';
import { runCli } from './helpers/cli.js';
import { deploymentsResource, startFakeOperator, startSandbox } from './helpers/api-sandbox.js';
import type { FakeOperator, TestSandbox } from './helpers/api-sandbox.js';
import { defaultResources } from '../src/targets/sandbox/apiserver/default-resources.js';
import { coreResources } from '../src/targets/sandbox/apiserver/resources.js';
import { bindyApiVersion, bindyGroup, kindsOfLine, runIdLabel } from '../src/model/kinds.js';
import { parseResult } from '../src/report/result/index.js';
import { pushgatewaySkip, sampleValue, startPushgateway } from './helpers/pushgateway.js';
import { managedNamespaceLabel, managedNamespaceValue } from '../src/targets/cluster/namespace.js';
import { packageRoot } from '../src/package-root.js';

const ns = 'bindy-loadtest';
const entry = join(packageRoot(), 'src', 'cli', 'entry.ts');

interface Env {
  sb: TestSandbox;
  op: FakeOperator | null;
  dir: string;
  kubeconfig: string;
  /** Global options that reach the twin as a cluster, with output in `dir`. */
  globals: string[];
  close(): Promise<void>;
}

interface EnvOptions {
  /** Serve bindy's CRDs (default true). */
  crds?: boolean;
  /** Deploy bindy-system/bindy with 1 available replica (default true). */
  operatorDeployment?: boolean;
  /** Namespace labels; null = no namespace (default: the tool's label). */
  namespaceLabels?: Record<string, string> | null;
  /** Create a Ready Bind9Cluster `loadtest` (default true). */
  cluster?: boolean;
  readyDelayMs?: number;
  neverReadyPrefix?: string;
  /** Start the fake operator (default true). */
  operator?: boolean;
}

async function post(sb: TestSandbox, path: string, body: unknown): Promise<void> {
  const r = await sb.server.request({ method: 'POST', path, body });
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
}

async function setupEnv(o: EnvOptions = {}): Promise<Env> {
  const resources = o.crds === false ? [...coreResources(), deploymentsResource] : [...defaultResources(), deploymentsResource];
  const sb = await startSandbox({ resources });
  const op = o.operator === false ? null : startFakeOperator(sb.server, { readyDelayMs: o.readyDelayMs ?? 30, ...(o.neverReadyPrefix === undefined ? {} : { neverReadyPrefix: o.neverReadyPrefix }) });
  const dir = await mkdtemp(join(tmpdir(), 'bl-burst-cli-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: twin, cluster: {server: "${sb.url}", insecure-skip-tls-verify: true}}]`,
      `users: [{name: twin, user: {token: "${sb.server.token}"}}]`,
      'contexts: [{name: twin, context: {cluster: twin, user: twin}}]',
      'current-context: twin',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  if (o.operatorDeployment !== false) {
    await post(sb, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bindy-system' } });
    await post(sb, '/apis/apps/v1/namespaces/bindy-system/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bindy', namespace: 'bindy-system', labels: { app: 'bindy' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'bindy' } }, template: { metadata: { labels: { app: 'bindy' } }, spec: { containers: [{ name: 'bindy', image: 'bindy' }] } } },
    });
    const r = await sb.server.request({
      method: 'PATCH',
      path: '/apis/apps/v1/namespaces/bindy-system/deployments/bindy/status',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { status: { replicas: 1, availableReplicas: 1 } },
    });
    assert.equal(r.status, 200, r.text);
  }
  const labels = o.namespaceLabels === undefined ? { [managedNamespaceLabel]: managedNamespaceValue } : o.namespaceLabels;
  if (labels !== null) await post(sb, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } });
  if (o.cluster !== false && labels !== null && o.crds !== false) {
    await post(sb, `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9clusters`, {
      apiVersion: bindyApiVersion,
      kind: 'Bind9Cluster',
      metadata: { name: 'loadtest', namespace: ns },
      spec: { version: '9.18', primary: { replicas: 1 }, secondary: { replicas: 0 } },
    });
    // Ready before the run starts, as a cluster someone set up would be.
    const r = await sb.server.request({
      method: 'PATCH',
      path: `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9clusters/loadtest/status`,
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { status: { readyInstances: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'AllInstancesReady' }] } },
    });
    assert.equal(r.status, 200, r.text);
  }
  return {
    sb,
    op,
    dir,
    kubeconfig,
    globals: ['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', dir],
    async close() {
      op?.stop();
      await sb.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Objects of every bindy kind in the namespace carrying `runId`, read through the API. */
async function objectsOf(env: Env, runId: string): Promise<string[]> {
  const out: string[] = [];
  for (const kind of kindsOfLine('0.6')) {
    const r = await env.sb.client.list(kind, ns, `${runIdLabel}=${runId}`);
    assert.ok(r.ok, `list ${kind}`);
    for (const item of r.value.items) out.push(`${kind}/${item.metadata.name ?? ''}`);
  }
  return out;
}

async function resultOf(env: Env, runId: string): Promise<ReturnType<typeof parseResult>> {
  const path = join(env.dir, runId, 'result.json');
  return parseResult(await readFile(path, 'utf8'), path);
}

test('burst: 300 records over 3 zones against the twin as a cluster: exit 0, valid result with percentiles, summary.md, nothing left', { timeout: 120_000 }, async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  const runId = 'burst-ok';
  const r = await runCli([...env.globals, 'burst', '--records', '300', '--zones', '3', '--concurrency', '20', '--run-id', runId]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'without --json nothing goes to stdout');
  const result = await resultOf(env, runId);
  assert.equal(result.metadata.status, 'completed');
  assert.equal(result.metadata.scenario, 'burst');
  assert.equal(result.metadata.target.kind, 'cluster');
  assert.match(result.metadata.target.description, /; bindy bindy$/, 'the result names the operator image it measured');
  assert.equal(result.counters.creates_accepted?.value, 303, '3 zones + 300 records');
  assert.equal(result.counters.objects_ready?.value, 303);
  const c2r = result.latencies.create_to_ready;
  assert.equal(c2r?.summary.count, 303);
  for (const p of ['p50', 'p90', 'p99', 'p999'] as const) assert.ok((c2r?.summary[p] ?? 0) >= 30_000, `${p} ≥ the operator's 30 ms delay`);
  assert.equal(c2r?.byKind?.DNSZone?.summary.count, 3);
  assert.ok(result.notes.some((n) => /cleanup: \d+ objects labelled with the run id deleted/.test(n)), result.notes.join('\n'));
  const md = await readFile(join(env.dir, runId, 'summary.md'), 'utf8');
  assert.match(md, /\| create_to_ready \| 303 \|/);
  assert.match(md, /How each latency was measured/);
  assert.match(r.stderr, /create_to_ready +n=303/);
  assert.deepEqual(await objectsOf(env, runId), []);
  assert.deepEqual(readdirSync(join(env.dir, 'journal')), [], 'the journal of a clean run is removed');
});

test('burst --json --create-cluster into a namespace it creates: stdout is exactly the JSON result', { timeout: 60_000 }, async (t) => {
  const env = await setupEnv({ namespaceLabels: null });
  t.after(() => env.close());
  const runId = 'burst-json';
  const r = await runCli([...env.globals, '--json', 'burst', '--records', '40', '--zones', '2', '--mixed', '--create-cluster', '--run-id', runId]);
  assert.equal(r.code, 0, r.stderr);
  const doc = parseResult(r.stdout, 'stdout');
  assert.equal(doc.metadata.runId, runId);
  assert.equal(doc.counters.objects_ready?.value, 42);
  assert.equal(r.stdout, await readFile(join(env.dir, runId, 'result.json'), 'utf8'), 'stdout is the result file, nothing else');
  const nsr = await env.sb.server.request({ method: 'GET', path: `/api/v1/namespaces/${ns}` });
  assert.match(nsr.text, new RegExp(managedNamespaceLabel.replace(/[./]/g, '\\$&')), 'the namespace was created with the tool label');
  assert.deepEqual(await objectsOf(env, runId), [], 'records, zones and the Bind9Cluster it created are gone');
});

test('burst: objects that never become Ready → exit 1 naming the counts, status failed, still cleaned up', { timeout: 60_000 }, async (t) => {
  const env = await setupEnv({ neverReadyPrefix: 'zone-1-' });
  t.after(() => env.close());
  const runId = 'burst-notready';
  const r = await runCli([...env.globals, 'burst', '--records', '20', '--zones', '2', '--timeout', '2s', '--run-id', runId]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /11 of 22 created objects did not become Ready/);
  assert.match(r.stderr, /^FAIL: .*11 of 22 created objects did not become Ready/m, 'the verdict line names it');
  const result = await resultOf(env, runId);
  assert.equal(result.metadata.status, 'failed');
  assert.equal(result.failures.length, 11);
  assert.deepEqual(await objectsOf(env, runId), []);
});

test('an operator outside the cluster (--operator-metrics): no Deployment needed, its /metrics scraped where it runs, the result says so; without the flag the preflight names it', { timeout: 60_000 }, async (t) => {
  const env = await setupEnv({ operatorDeployment: false });
  t.after(() => env.close());
  let scrapes = 0;
  const metrics = createServer((_req, res) => {
    scrapes++;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`bindy_firestoned_io_reconciliations_total{resource_type="ARecord",status="success"} ${scrapes * 3}\n`);
  });
  await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', r));
  t.after(() => metrics.close());
  const url = `http://127.0.0.1:${(metrics.address() as AddressInfo).port}/metrics`;
  const refused = await runCli([...env.globals, 'burst', '--records', '5']);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /operator is not deployed[\s\S]*--operator-metrics URL/);
  const runId = 'burst-outside';
  const r = await runCli([...env.globals, '--operator-metrics', url, 'burst', '--records', '10', '--run-id', runId]);
  assert.equal(r.code, 0, r.stderr);
  const result = await resultOf(env, runId);
  assert.equal(result.metadata.target.bindyVersion, `bindy outside the cluster (metrics ${url}; version not known to the tool)`);
  assert.ok(scrapes >= 2, `the operator's metrics were scraped at ${url} (${scrapes} times)`);
  assert.equal(result.operator.find((m) => m.name === 'reconcile_total')?.state, 'present');
  assert.deepEqual(await objectsOf(env, runId), []);
});

test('burst --dry-run prints the plan and the configuration and creates nothing', async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  const before = env.sb.server.store.rv;
  const r = await runCli([...env.globals, '--dry-run', 'burst', '--zones', '4', '--records-per-zone', '25', '--run-id', 'dry']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /4 DNSZones and 100 records/);
  assert.match(r.stdout, /scenarios\.burst\.records +100 +flag --records-per-zone/);
  assert.equal(env.sb.server.store.rv, before, 'the store did not change');
  assert.equal(existsSync(join(env.dir, 'dry')), false);
});

test('burst preflight: exit 3 naming what is missing and how to fix it', { timeout: 60_000 }, async () => {
  const cases: [string, EnvOptions, string[], RegExp][] = [
    ['no CRDs', { crds: false }, [], /bindy's CRDs are not installed[\s\S]*fix: install bindy/],
    ['no operator', { operatorDeployment: false }, [], /bindy operator is not deployed: no Deployment bindy-system\/bindy/],
    ['foreign namespace', { namespaceLabels: { team: 'dns' } }, [], /namespace bindy-loadtest exists but was not created by bindy-loadtest[\s\S]*--allow-existing-namespace/],
    ['no Bind9Cluster', { cluster: false }, [], /no Bind9Cluster loadtest in namespace bindy-loadtest[\s\S]*--create-cluster/],
  ];
  for (const [name, options, extra, pattern] of cases) {
    const env = await setupEnv({ ...options, operator: false });
    try {
      const before = env.sb.server.store.rv;
      const r = await runCli([...env.globals, 'burst', '--records', '5', ...extra]);
      assert.equal(r.code, 3, `${name}: ${r.stderr}`);
      assert.match(r.stderr, pattern, name);
      assert.equal(env.sb.server.store.rv, before, `${name}: nothing was written`);
    } finally {
      await env.close();
    }
  }
  // The same foreign namespace is accepted when the user says so explicitly.
  const env = await setupEnv({ namespaceLabels: { team: 'dns' } });
  try {
    const r = await runCli([...env.globals, 'burst', '--records', '5', '--zones', '1', '--allow-existing-namespace', '--run-id', 'allowed']);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await env.close();
  }
});

test('burst and cleanup: bad flags exit 2 with a one-line reason', async () => {
  for (const [argv, pattern] of [
    [['burst', '--records', 'abc'], /--records/],
    [['burst', '--bogus'], /unknown option '--bogus'/],
    [['burst', '--records', '5', '--records-per-zone', '2'], /not both/],
    [['burst', '--records-per-zone', '0'], /--records-per-zone: expected a positive integer/],
    [['burst', '--kinds', 'A=1,BOGUS=2'], /--kinds/],
    [['burst', '--run-id', 'Not_A_Label'], /--run-id/],
    [['cleanup'], /--run-id ID or --all/],
  ] as const) {
    const r = await runCli(['--dry-run', ...argv]);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

interface Child {
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  output(): string;
}

function spawnCli(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code))),
    kill: (s) => child.kill(s),
    output: () => out,
  };
}

/** Resolves once `n` ARecords carrying `runId` have been created in the twin (watched, not polled). */
function whenCreated(env: Env, runId: string, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = env.sb.server.store.watch(`${bindyGroup}/arecords`, env.sb.server.store.rv, (e) => {
      if (e.type === 'ADDED' && e.object.metadata.labels?.[runIdLabel] === runId && ++seen === n) {
        stop();
        resolve();
      }
    });
  });
}

test('burst interrupted by SIGINT (a real process): exit 130, partial result marked aborted, nothing left', { timeout: 120_000 }, async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  const runId = 'burst-sigint';
  const created = whenCreated(env, runId, 30);
  const child = spawnCli([...env.globals, 'burst', '--records', '400', '--zones', '2', '--qps', '40', '--run-id', runId]);
  await created;
  child.kill('SIGINT');
  const code = await child.exit;
  assert.equal(code, 130, child.output());
  const result = await resultOf(env, runId);
  assert.equal(result.metadata.status, 'aborted');
  const accepted = result.counters.creates_accepted?.value ?? 0;
  assert.ok(accepted >= 30 && accepted < 402, `${accepted} creates before the interrupt`);
  assert.ok(result.notes.some((n) => n.startsWith('interrupted:')), result.notes.join('\n'));
  // Not judged as if it had finished: no criterion FAILs on a partial run, the verdict is ABORTED.
  assert.deepEqual(result.verdict, { outcome: 'aborted', reasons: ['interrupted by SIGINT'] });
  assert.ok(result.criteria.length > 0 && result.criteria.every((c) => c.verdict === 'not-measured' && c.reason === 'not judged: interrupted by SIGINT (a partial result)'), JSON.stringify(result.criteria));
  assert.match(child.output(), /^ABORTED: interrupted by SIGINT; criteria not judged \(a partial result\)$/m);
  assert.deepEqual(await objectsOf(env, runId), []);
});

test('burst killed with SIGKILL, then cleanup --run-id removes what it left, by its journal and label', { timeout: 120_000 }, async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  const runId = 'burst-sigkill';
  const created = whenCreated(env, runId, 30);
  const child = spawnCli([...env.globals, 'burst', '--records', '400', '--zones', '2', '--qps', '40', '--run-id', runId]);
  await created;
  child.kill('SIGKILL');
  assert.equal(await child.exit, -9);
  const left = await objectsOf(env, runId);
  assert.ok(left.length >= 30, `${left.length} objects left by the killed run`);
  assert.ok(existsSync(join(env.dir, 'journal', `run-${runId}.jsonl`)), 'the journal survived the kill');
  const r = await runCli([...env.globals, 'cleanup', '--run-id', runId]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`cleanup: clean: ${left.length} of ${left.length} gone`));
  assert.deepEqual(await objectsOf(env, runId), []);
  assert.equal(existsSync(join(env.dir, 'journal', `run-${runId}.jsonl`)), false, 'the journal is removed once the run is clean');
});

test('an explicit criterion burst cannot measure is refused before any load (exit 2, nothing contacted)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-burst-criteria-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'loadtest.yaml');
  await writeFile(file, 'criteria:\n  dnsQueryP99: 50ms\n');
  // A kubeconfig that does not exist: reaching the target would be exit 3, not 2.
  const r = await runCli(['--config', file, '--target', 'cluster', '--kubeconfig', join(dir, 'missing'), 'burst', '--records', '5']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /loadtest\.yaml:2: criteria\.dnsQueryP99 cannot be measured by the burst scenario/);
  assert.match(r.stderr, /bind/);
});

test('an explicit operator-resource criterion on the sandbox is refused before anything starts (exit 2)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-burst-twin-criteria-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'loadtest.yaml');
  await writeFile(file, 'criteria:\n  maxCpuCores: 0.5\n');
  const r = await runCli(['--config', file, 'burst', '--records', '5'], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(dir, 'home') } });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /loadtest\.yaml:2: criteria\.maxCpuCores cannot be judged on the sandbox target: .*twin/);
  assert.equal(existsSync(join(dir, 'home')), false, 'no sandbox was started');
});

test('burst --pushgateway pushes the run to a real Pushgateway under its run id; an unreachable one is exit 3 before any load; one failing only at the end is a warning', { skip: pushgatewaySkip, timeout: 90_000 }, async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  const gw = await startPushgateway();
  t.after(() => gw.stop());

  const runId = 'burst-push';
  const r = await runCli([...env.globals, 'burst', '--records', '20', '--zones', '2', '--run-id', runId, '--pushgateway', gw.url]);
  assert.equal(r.code, 0, r.stderr);
  const result = await resultOf(env, runId);
  assert.ok(result.notes.includes(`pushed the summary metrics to ${gw.url}/metrics/job/bindy_loadtest/instance/${runId}/scenario/burst/profile/none (HTTP 200)`), result.notes.join('\n'));
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const group = { instance: runId, job: 'bindy_loadtest', profile: 'none', scenario: 'burst' };
  assert.equal(sampleValue(text, 'bindy_loadtest_objects_total', { ...group, state: 'ready' }), 22, '2 zones + 20 records Ready, read back from the gateway');
  assert.match(text, new RegExp(`^bindy_loadtest_run_info\\{[^}]*run_id="${runId}"[^}]*status="completed"[^}]*target="cluster"`, 'm'));

  // Stopped, the gateway no longer answers: found before any load, exit 3, no result written.
  await gw.stop();
  const dead = 'burst-push-dead';
  const d = await runCli([...env.globals, 'burst', '--records', '5', '--zones', '1', '--run-id', dead, '--pushgateway', gw.url]);
  assert.equal(d.code, 3, d.stderr);
  assert.match(d.stderr, /^bindy-loadtest: pushgateway http:\/\/127\.0\.0\.1:\d+: unreachable/);
  assert.doesNotMatch(d.stderr, /burst-push-dead: /, 'no run started');

  // A gateway that answers the check but refuses the push at the end: a warning, the verdict stands.
  const late = createServer((req, res) => {
    req.resume();
    res.writeHead(req.method === 'GET' && req.url === '/-/ready' ? 200 : 503).end('down for maintenance');
  });
  await new Promise<void>((r) => late.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => late.close(r)));
  const lateUrl = `http://127.0.0.1:${(late.address() as AddressInfo).port}`;
  const failing = 'burst-push-late';
  const f = await runCli([...env.globals, 'burst', '--records', '5', '--zones', '1', '--run-id', failing, '--pushgateway', lateUrl]);
  assert.equal(f.code, 0, `a push failing at the end does not change the verdict: ${f.stderr}`);
  assert.match(f.stderr, /^warning: push to the Pushgateway failed: .*HTTP 503/m);
  assert.ok((await resultOf(env, failing)).notes.some((n) => n.startsWith('push to the Pushgateway failed: ')));
});

/**
 * A scripted BIND9 on TCP only (what a port-forward reaches): it answers an A query with the
 * addresses of the ARecord the twin holds for that name, NXDOMAIN otherwise, every query of a
 * connection in turn (pipelined), and counts connections.
 */
async function twinBackedDns(sb: TestSandbox): Promise<{ port: number; connections: () => number; queries: () => number; close(): Promise<void> }> {
  let connections = 0;
  let queries = 0;
  const open = new Set<Socket>();
  const server = createTcpServer((c) => {
    connections++;
    open.add(c);
    c.on('close', () => open.delete(c));
    c.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        queries++;
        const q = msg.questions?.[0];
        if (q === undefined) continue;
        void sb.client.list('ARecord', ns, '').then((l) => {
          const r = l.ok ? (l.value.items as unknown as RecordObject[]).find((x) => canonicalName(recordObjectFqdn(x)) === canonicalName(q.name)) : undefined;
          const answers = r === undefined || r.kind !== 'ARecord' ? [] : r.spec.ipv4Addresses.map((data) => ({ type: 'A' as const, name: q.name, ttl: 300, data }));
          const flags = dnsPacket.AUTHORITATIVE_ANSWER | (r === undefined ? 3 : 0);
          if (!c.destroyed) c.write(dnsPacket.streamEncode({ type: 'response', id: msg.id ?? 0, flags, questions: [q], answers }));
        });
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    queries: () => queries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of open) c.destroy();
      }),
  };
}

test('burst --dns-probe on a cluster without --probe-servers: the run port-forwards to the primary instance\'s Ready pod and probes over TCP; none to forward to is exit 3 before any create', { timeout: 120_000 }, async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  // Without an instance yet: exit 3, nothing created.
  const early = await runCli([...env.globals, 'burst', '--records', '10', '--zones', '1', '--kinds', 'A=100', '--dns-probe', '--run-id', 'burst-pf-none']);
  assert.equal(early.code, 3, early.stderr);
  assert.match(early.stderr, /BIND9 cannot be reached through a port-forward: no Bind9Instance of Bind9Cluster loadtest in bindy-loadtest/);
  assert.deepEqual(await objectsOf(env, 'burst-pf-none'), []);

  // What bindy creates for the cluster's primary: the instance, its Service (53 → the pod's named port), a Ready pod.
  const dns = await twinBackedDns(env.sb);
  t.after(() => dns.close());
  await post(env.sb, `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9instances`, { apiVersion: bindyApiVersion, kind: 'Bind9Instance', metadata: { name: 'loadtest-primary-0', namespace: ns }, spec: { clusterRef: 'loadtest', role: 'primary', replicas: 1 } });
  await post(env.sb, `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'loadtest-primary-0', namespace: ns },
    spec: { selector: { app: 'loadtest-primary-0' }, ports: [{ name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' }, { name: 'http', port: 80, targetPort: 8080 }] },
  });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'loadtest-primary-0-7d9f', namespace: ns, labels: { app: 'loadtest-primary-0' } }, spec: { nodeName: 'worker-1', containers: [{ name: 'bind9', image: 'bind9', ports: [{ name: 'dns-tcp', containerPort: dns.port }] }] } };
  await post(env.sb, `/api/v1/namespaces/${ns}/pods`, pod);
  const st = await env.sb.server.request({ method: 'PATCH', path: `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: { status: { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } } });
  assert.equal(st.status, 200, st.text);

  const runId = 'burst-pf';
  const r = await runCli([...env.globals, '--json', 'burst', '--records', '20', '--zones', '1', '--kinds', 'A=100', '--dns-probe', '--run-id', runId, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-15).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(result.counters['dns_answered']?.value, 20, 'every record answered through the port-forward');
  assert.equal(result.latencies['create_to_resolvable.primary-0']?.summary.count, 20, 'the server named as on the sandbox');
  assert.equal(result.counters['probe_tcp_connections']?.value, 1, 'one pipelined connection');
  assert.equal(dns.connections(), 1, 'one connection reached the pod');
  assert.ok(result.notes.some((n) => n.startsWith(`DNS asked over TCP through port-forwards this run opened (through the API server, as kubectl port-forward): primary-0 → pod ${ns}/loadtest-primary-0-7d9f:${dns.port}`)), result.notes.join('\n'));
  assert.deepEqual(await objectsOf(env, runId), []);
});

test("BIND9's memory and CPU on a cluster come from Prometheus (--prometheus): the bind9 containers' cAdvisor series per pod; without it a note says what is needed", { timeout: 60_000 }, async (t) => {
  const env = await setupEnv();
  t.after(() => env.close());
  const mib = 1024 * 1024;
  const asked: string[] = [];
  // A Prometheus answering the cAdvisor queries for one primary pod, and nothing for the rest (the operator's figures).
  const prom = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://prom');
    const query = url.searchParams.get('query') ?? '';
    asked.push(query);
    const start = Number(url.searchParams.get('start') ?? '0');
    const range = url.pathname === '/api/v1/query_range';
    const ours = query.includes(`namespace="${ns}",container="bind9"`);
    const result = !ours
      ? []
      : range
        ? [{ metric: { pod: 'loadtest-primary-0-7d9f' }, values: query.includes('working_set') ? [[start, String(30 * mib)], [start + 1, String(31 * mib)]] : [[start + 1, '0.2']] }]
        : [{ metric: { pod: 'loadtest-primary-0-7d9f' }, value: [start, '1.5'] }];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: range ? 'matrix' : 'vector', result } }));
  });
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => prom.close(r)));
  const promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}`;

  const r = await runCli([...env.globals, '--prometheus', promUrl, 'burst', '--records', '10', '--zones', '1', '--run-id', 'burst-prom']);
  assert.equal(r.code, 0, r.stderr);
  const result = await resultOf(env, 'burst-prom');
  assert.ok(asked.includes(`sum by (pod) (container_memory_working_set_bytes{namespace="${ns}",container="bind9"})`), asked.join('\n'));
  assert.equal(result.counters['bind9_working_set_peak.loadtest-primary-0-7d9f']?.value, 31);
  assert.equal(result.counters['bind9_cpu_seconds.loadtest-primary-0-7d9f']?.value, 1.5);
  assert.equal(result.timeSeries.find((s) => s.name === 'bind9_memory_working_set.loadtest-primary-0-7d9f')?.points.length, 2);

  const without = await runCli([...env.globals, 'burst', '--records', '5', '--zones', '1', '--run-id', 'burst-noprom']);
  assert.equal(without.code, 0, without.stderr);
  assert.ok((await resultOf(env, 'burst-noprom')).notes.some((n) => n.startsWith("BIND9 memory and CPU not measured: on a cluster they are its containers' metrics; give --prometheus URL")));
});
