/**
 * The operator twin's injected faults as real processes: bad values refused at the edge (flags and
 * configuration, one line, exit 2); `--crash-after N` ends the operator process with exit 101 when
 * its Nth reconcile is done. (The capacity cap is checked by test/backpressure-cli.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { runCli } from './helpers/cli.js';
import { processesMentioning, spawnCli } from './helpers/cli-child.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { bindyApiVersion } from '../src/model/kinds.js';

const partFlags = ['--dns', '127.0.0.1:5353', '--tsig-key-file', '/nonexistent.key', '--sidecar', 'http://127.0.0.1:1'];
const badFlags: [string, string[], RegExp][] = [
  ['a leak without a time unit', ['--leak', '30'], /^bindy-loadtest: --leak: expected a memory rate like 30Mi\/m, 1800Mi\/h or 512Ki\/s, got '30'$/],
  ['a crash after 0 reconciles', ['--crash-after', '0'], /^bindy-loadtest: --crash-after: expected a positive integer, got '0'$/],
  ['a capacity of 0', ['--capacity', '0/s'], /^bindy-loadtest: --capacity: expected a rate like 50\/s/],
  ['a bindcar retry budget without a unit', ['--bindcar-retry-budget', '10'], /^bindy-loadtest: --bindcar-retry-budget: expected a duration like 90s, 30m or 1h, got '10'$/],
];

for (const [what, args, expected] of badFlags) {
  test(`sandbox start operator with ${what} → one line naming the flag, exit 2`, async () => {
    const r = await runCli(['--kubeconfig', '/nonexistent.kubeconfig', 'sandbox', 'start', 'operator', ...partFlags, ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), expected);
  });
}

test('sandbox.operator.* with a bad value in the file → one line naming file, line and key, exit 2', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-tunables-cfg-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [key, value, message] of [
    ['leak', '30', /leak\.yaml:3: sandbox\.operator\.leak: expected a memory rate like 30Mi\/m/],
    ['crashAfter', '-1', /leak\.yaml:3: sandbox\.operator\.crashAfter: expected a positive integer, got -1/],
    ['capacity', 'fast', /leak\.yaml:3: sandbox\.operator\.capacity: expected a rate like 50\/s/],
    ['bindcarRetryBudget', 'soon', /leak\.yaml:3: sandbox\.operator\.bindcarRetryBudget: expected a duration like 90s, 30m or 1h/],
  ] as const) {
    await writeFile(join(dir, 'leak.yaml'), `sandbox:\n  operator:\n    ${key}: ${value}\n`);
    const r = await runCli(['--config', 'leak.yaml', 'config', 'show'], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('--crash-after 5: the operator process exits 101 when its 5th reconcile is done, and says so', { timeout: 120_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-crash-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  // The parts an operator needs, without one: this test starts its own, as a process it can watch exit.
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, withoutOperator: true, sidecarRateLimitOff: true });
  t.after(() => sb.stop());
  const s = sb.state;
  const token = (await readFile(s.sidecarTokenFile, 'utf8')).trim();
  const op = spawnCli(
    ['--kubeconfig', s.kubeconfig, 'sandbox', 'start', 'operator', '--dns', `${s.dns.host}:${s.dns.port}`, '--tsig-key-file', s.updateKeyFile, '--sidecar', s.sidecarUrl, '--no-leader-election', '--crash-after', '5'],
    { ...process.env, BIND_API_TOKEN: token },
  );
  t.after(() => {
    if (processesMentioning(s.kubeconfig).some((p) => p.startsWith(`${op.pid} `))) op.kill('SIGKILL');
  });
  assert.match(await op.line(/operator twin: injected:/), /injected: crash \(exit 101\) after 5 reconciles$/);

  // Something to reconcile: a Bind9Cluster (its instance follows), a zone and three records.
  const kc = new KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const ns = 'bindy-loadtest';
  const zone = 'crash.example.com';
  const objects: KubernetesObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: bindyApiVersion, kind: 'Bind9Cluster', metadata: { name: 'c', namespace: ns }, spec: { version: '9.18', primary: { replicas: 1 }, secondary: { replicas: 0 } } } as KubernetesObject,
    {
      apiVersion: bindyApiVersion,
      kind: 'DNSZone',
      metadata: { name: 'z', namespace: ns },
      spec: {
        zoneName: zone,
        soaRecord: { primaryNs: `ns1.${zone}.`, adminEmail: `admin.${zone}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 },
        bind9InstancesFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/cluster': 'c' } } }],
        recordsFrom: [{ selector: { matchLabels: { 'bindy.firestoned.io/zone': zone } } }],
      },
    } as KubernetesObject,
    ...['a', 'b', 'c'].map((n) => ({ apiVersion: bindyApiVersion, kind: 'ARecord', metadata: { name: n, namespace: ns, labels: { 'bindy.firestoned.io/zone': zone } }, spec: { name: n, ipv4Addresses: ['192.0.2.1'] } }) as KubernetesObject),
  ];
  for (const o of objects) {
    try {
      await api.create(o);
    } catch (err) {
      // The namespace may exist already; anything else is a failure of the test's setup.
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }
  assert.equal(await op.exit, 101, op.stderr());
  assert.match(op.stderr(), /operator twin: injected crash: 5 reconciles done \(--crash-after 5\), exiting 101\n/);
});

// The capacity cap's ground truth (never above burst + rate·k reconciles in k seconds; the ceiling
// reached once saturated) is checked by the backpressure step test (test/backpressure-cli.test.ts),
// whose knee it sets.
