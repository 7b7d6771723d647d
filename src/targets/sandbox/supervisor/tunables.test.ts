import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../config/index.js';
import { apiServerArgsOf, operatorArgsOf, partNodeFlags, scoutArgsOf, sidecarArgsOf } from './tunables.js';

test('sandbox tunables become part arguments, and defaults add nothing but the worker count', async () => {
  const plain = await resolveConfig({ cwd: process.cwd() });
  assert.deepEqual(operatorArgsOf(plain.config), ['--workers', String(plain.config.sandbox.operator.workers)]);
  assert.deepEqual(sidecarArgsOf(plain.config), [], 'bindcar 0.7.3 with its own limiter');
  assert.deepEqual(apiServerArgsOf(plain.config), [], "the 0.6 line's 12 CRDs");
  const tuned = await resolveConfig({
    cwd: process.cwd(),
    flags: [
      { flag: '--reconcile-delay', key: 'sandbox.operator.reconcileDelay', raw: 'uniform(200ms,400ms)' },
      { flag: '--error-rate', key: 'sandbox.operator.errorRate', raw: '5%' },
      { flag: '--workers', key: 'sandbox.operator.workers', raw: '16' },
      { flag: '--reconcile-delay-kinds', key: 'sandbox.operator.reconcileDelayKinds', raw: 'ARecord,TXTRecord' },
      { flag: '--rate-limit', key: 'sandbox.sidecar.rateLimit', raw: 'off' },
    ],
  });
  const args = operatorArgsOf(tuned.config);
  assert.deepEqual(args.slice(0, 2), ['--workers', '16']);
  assert.equal(args[args.indexOf('--reconcile-delay') + 1], 'uniform(200ms,400ms)');
  assert.equal(args[args.indexOf('--error-rate') + 1], '5%');
  assert.equal(args[args.indexOf('--reconcile-delay-kinds') + 1], 'ARecord,TXTRecord');
  assert.deepEqual(sidecarArgsOf(tuned.config), ['--no-rate-limit']);
});

test("bindy's 0.8 line brings bindcar 0.9 and its CRDs to the sandbox's parts; a limiter of one's own is passed as rate,burst", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-tunables-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'c.yaml'), "sandbox:\n  operator:\n    version: '0.8'\n  sidecar:\n    rateLimit: {rps: 20/s, burst: 40}\n");
  const v08 = await resolveConfig({ cwd: dir, configFile: 'c.yaml' });
  assert.deepEqual(sidecarArgsOf(v08.config), ['--bindcar-version', '0.9', '--rate-limit', '20/s,40']);
  assert.deepEqual(apiServerArgsOf(v08.config), ['--bindy-version', '0.8']);
  assert.deepEqual(operatorArgsOf(v08.config).slice(2, 4), ['--bindy-version', '0.8']);
});

test('the injected faults become operator arguments; bad values are one error each, naming the key', async () => {
  const tuned = await resolveConfig({
    cwd: process.cwd(),
    flags: [
      { flag: 'file', key: 'sandbox.operator.leak', raw: '1800Mi/h' },
      { flag: 'file', key: 'sandbox.operator.crashAfter', raw: '500' },
      { flag: 'file', key: 'sandbox.operator.capacity', raw: '300/m' },
      { flag: 'file', key: 'sandbox.operator.bindcarRetryBudget', raw: '10s' },
    ],
  });
  const args = operatorArgsOf(tuned.config);
  assert.equal(args[args.indexOf('--leak') + 1], '30Mi/m');
  assert.equal(args[args.indexOf('--crash-after') + 1], '500');
  assert.equal(args[args.indexOf('--capacity') + 1], '5/s');
  assert.equal(args[args.indexOf('--bindcar-retry-budget') + 1], '10s');
  const plain = await resolveConfig({ cwd: process.cwd() });
  for (const flag of ['--leak', '--crash-after', '--capacity', '--bindcar-retry-budget']) assert.ok(!operatorArgsOf(plain.config).includes(flag), `${flag} is off by default`);
  await assert.rejects(
    resolveConfig({
      cwd: process.cwd(),
      flags: [
        { flag: '--leak', key: 'sandbox.operator.leak', raw: '30' },
        { flag: '--crash-after', key: 'sandbox.operator.crashAfter', raw: '0' },
        { flag: '--capacity', key: 'sandbox.operator.capacity', raw: '0/s' },
      ],
    }),
    (e: Error) => {
      const lines = e.message.split('\n');
      assert.equal(lines.length, 3, e.message);
      assert.match(e.message, /--leak: expected a memory rate like 30Mi\/m/);
      assert.match(e.message, /--crash-after: expected a positive integer, got '0'/);
      assert.match(e.message, /--capacity: expected a rate like 50\/s/);
      return true;
    },
  );
});

test('only the operator with an injected leak starts with a fixed young generation', () => {
  assert.deepEqual(partNodeFlags('operator', ['--workers', '4', '--leak', '30Mi/m']), ['--max-semi-space-size=1']);
  assert.deepEqual(partNodeFlags('operator', ['--workers', '4']), []);
  assert.deepEqual(partNodeFlags('sidecar', ['--leak', '30Mi/m']), []);
});

test("the scout twins' stale cleanup: released scout's by default (no flag), a fix as the part's flags", async () => {
  const plain = await resolveConfig({ cwd: process.cwd() });
  assert.deepEqual(scoutArgsOf(plain.config), []);
  for (const how of ['zone', 'own-cluster']) {
    const r = await resolveConfig({ cwd: process.cwd(), flags: [{ flag: '--stale-cleanup', key: 'sandbox.scout.staleCleanup', raw: how }] });
    assert.deepEqual(scoutArgsOf(r.config), ['--no-reproduce-unscoped-cleanup', '--scoped-cleanup', how]);
  }
  await assert.rejects(resolveConfig({ cwd: process.cwd(), flags: [{ flag: '--stale-cleanup', key: 'sandbox.scout.staleCleanup', raw: 'global' }] }), /--stale-cleanup: expected one of unscoped, zone, own-cluster/);
});
