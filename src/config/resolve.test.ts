import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { formatOrigin } from './origin.js';
import { profiles } from './profiles.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import { defaultConfig } from './defaults.js';
import { leaves } from './render.js';
import { configSpec } from './schema.js';
import { packageRoot } from '../package-root.js';

const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-config-'));
after(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return name;
}
function origin(r: ResolvedConfig, key: string): string {
  const o = r.origins.get(key);
  assert.ok(o !== undefined, `no origin for ${key}`);
  return formatOrigin(o);
}
async function issuesOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected a ConfigError');
}

test('with nothing given, every value is the default and says so', async () => {
  const r = await resolveConfig({ cwd: dir });
  assert.deepEqual(r.config, defaultConfig);
  assert.equal(origin(r, 'seed'), 'default');
  assert.equal(origin(r, 'scenarios.burst.records'), 'default');
  assert.equal(r.config.scenarios.burst.kind, 'burst');
});

test('precedence: flag > file > profile > default, each with its origin', async () => {
  const name = await file(
    'precedence.yaml',
    ['profile: standard', 'seed: 3', 'scenarios:', '  burst:', '    records: 700', '    timeout: 90s', ''].join('\n'),
  );
  const r = await resolveConfig({
    cwd: dir,
    configFile: name,
    flags: [{ flag: '--records', key: 'scenarios.burst.records', raw: '900' }],
  });
  assert.equal(r.config.scenarios.burst.records, 900);
  assert.equal(origin(r, 'scenarios.burst.records'), 'flag --records');
  assert.equal(r.config.scenarios.burst.timeout, 90_000);
  assert.equal(origin(r, 'scenarios.burst.timeout'), `file ${name}:6`);
  assert.equal(r.config.seed, 3);
  assert.equal(origin(r, 'seed'), `file ${name}:2`);
  assert.equal(r.config.scenarios.burst.concurrency, 50, 'from profile standard');
  assert.equal(origin(r, 'scenarios.burst.concurrency'), 'profile standard');
  assert.equal(r.config.scenarios.e2e.interval, 60_000, 'a default the profile leaves alone');
  assert.equal(origin(r, 'namespace'), 'default');
});

test('a --profile flag wins over the file\'s profile', async () => {
  const name = await file('profile.yaml', 'profile: standard\n');
  const r = await resolveConfig({ cwd: dir, configFile: name, flags: [{ flag: '--profile', key: 'profile', raw: 'extended' }] });
  assert.equal(r.config.profile, 'extended');
  assert.equal(r.config.criteria.reconcileP99, 3000);
  assert.equal(origin(r, 'criteria.reconcileP99'), 'profile extended');
});

test('KUBECONFIG fills kubeconfig below the file and flags', async () => {
  const r = await resolveConfig({ cwd: dir, env: { KUBECONFIG: '/k/config' } });
  assert.equal(r.config.kubeconfig, '/k/config');
  assert.equal(origin(r, 'kubeconfig'), 'env KUBECONFIG');
  const f = await resolveConfig({ cwd: dir, env: { KUBECONFIG: '/k/config' }, flags: [{ flag: '--kubeconfig', key: 'kubeconfig', raw: '/x' }] });
  assert.equal(f.config.kubeconfig, '/x');
});

test('the result is deep-frozen and the defaults and profiles are not mutated', async () => {
  const before = JSON.stringify([defaultConfig, profiles]);
  const r = await resolveConfig({ cwd: dir, flags: [{ flag: '--profile', key: 'profile', raw: 'chaos' }, { flag: '--seed', key: 'seed', raw: '9' }] });
  assert.ok(Object.isFrozen(r.config.scenarios.chaos.experiments[0]));
  assert.throws(() => {
    (r.config.criteria as { reconcileP99: number }).reconcileP99 = 1;
  }, TypeError);
  assert.equal(JSON.stringify([defaultConfig, profiles]), before);
});

test('every problem of a file comes at once, in line order, with file:line: key', async () => {
  const name = await file('many.yaml', ['seed: abc', 'fixtures:', '  zonez: 5', '  ttl: 9..1', 'criteria:', '  maxErrorRate: 150%', ''].join('\n'));
  const lines = await issuesOf(resolveConfig({ cwd: dir, configFile: name }));
  assert.deepEqual(lines, [
    `${name}:1: seed: expected a non-negative integer, got 'abc'`,
    `${name}:3: fixtures.zonez: unknown key 'zonez' (did you mean 'zones'?)`,
    `${name}:4: fixtures.ttl: expected a range with min ≤ max, got '9..1' (min 9 > max 1)`,
    `${name}:6: criteria.maxErrorRate: expected a percentage between 0% and 100%, got '150%'`,
  ]);
});

test('a flag problem and a missing file are reported together', async () => {
  const lines = await issuesOf(resolveConfig({ cwd: dir, configFile: 'absent.yaml', flags: [{ flag: '--seed', key: 'seed', raw: 'x' }] }));
  assert.deepEqual(lines, ["--seed: expected a non-negative integer, got 'x'", 'absent.yaml: cannot read the configuration file: no such file']);
});

test('cross-key problems are placed where the winning value was set', async () => {
  const name = await file('ramp.yaml', ['scenarios:', '  sustained:', '    rampUp: 10m', ''].join('\n'));
  const lines = await issuesOf(resolveConfig({ cwd: dir, configFile: name }));
  assert.deepEqual(lines, [`${name}:3: scenarios.sustained.rampUp: rampUp 10m is longer than duration 5m`]);
  const late = await issuesOf(
    resolveConfig({ cwd: dir, flags: [{ flag: '--profile', key: 'profile', raw: 'chaos' }, { flag: '--duration', key: 'scenarios.chaos.duration', raw: '10m' }] }),
  );
  assert.ok(late.length >= 1 && late.every((l) => l.startsWith('--duration: experiment ')), late.join('\n'));
});

test('the DNS prober switch: flags give on/off, addresses parse, and on with a cluster needs probe.servers', async () => {
  const on = await resolveConfig({ cwd: dir, flags: [{ flag: '--dns-probe', key: 'scenarios.burst.dnsProbe', raw: true }, { flag: '--probe-servers', key: 'probe.servers', raw: '127.0.0.1:5353,[::1]:53' }] });
  assert.equal(on.config.scenarios.burst.dnsProbe, 'on');
  assert.deepEqual(on.config.probe.servers, [{ host: '127.0.0.1', port: 5353 }, { host: '::1', port: 53 }]);
  const off = await resolveConfig({ cwd: dir, flags: [{ flag: '--no-dns-probe', key: 'scenarios.burst.dnsProbe', raw: false }] });
  assert.equal(off.config.scenarios.burst.dnsProbe, 'off');
  assert.deepEqual(await issuesOf(resolveConfig({ cwd: dir, flags: [{ flag: '--probe-servers', key: 'probe.servers', raw: 'named:99999' }] })), ["--probe-servers: expected host:port like 127.0.0.1:5353 or [::1]:53, got 'named:99999'"]);
  // On a cluster without servers the prober reaches BIND9 through port-forwards it opens: no issue.
  const cluster = await resolveConfig({ cwd: dir, flags: [{ flag: '--target', key: 'target', raw: 'cluster' }, { flag: '--dns-probe', key: 'scenarios.burst.dnsProbe', raw: true }] });
  assert.equal(cluster.config.scenarios.burst.dnsProbe, 'on');
});

test('experiments get their kind\'s default params when they leave them out', async () => {
  const name = await file('exp.yaml', ['scenarios:', '  chaos:', '    experiments:', '      - {kind: sidecar-errors, at: 1m, duration: 1m, params: {status: 500}}', ''].join('\n'));
  const r = await resolveConfig({ cwd: dir, configFile: name });
  assert.deepEqual(r.config.scenarios.chaos.experiments, [{ kind: 'sidecar-errors', at: 60_000, duration: 60_000, params: { errorRate: 0.5, status: 500 } }]);
});

test('examples/loadtest.yaml loads, and every key it sets comes from it', async () => {
  const example = join(packageRoot(), 'examples', 'loadtest.yaml');
  const text = await readFile(example, 'utf8');
  const name = await file('example.yaml', text);
  const r = await resolveConfig({ cwd: dir, configFile: name });
  assert.equal(r.config.profile, 'standard');
  assert.equal(r.config.scenarios.burst.qps, 200);
  assert.deepEqual(r.config.sandbox.operator.reconcileDelay, { kind: 'uniform', minMs: 200, maxMs: 400 });
  assert.equal(r.config.scenarios.chaos.experiments.length, 3);
  assert.deepEqual(r.config.report.formats, ['json', 'markdown', 'html']);
  assert.match(origin(r, 'criteria.maxQueueDepth'), /^file example\.yaml:\d+$/);
});

test('docs/configuration.md documents every key', async () => {
  const docs = await readFile(join(packageRoot(), 'docs', 'configuration.md'), 'utf8');
  const missing = [...leaves(configSpec)].map(([key]) => key).filter((key) => !docs.includes(`| \`${key}\` |`));
  assert.deepEqual(missing, []);
});
