import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../../config/index.js';
import { operatorArgsOf, sidecarRateLimitOff } from './tunables.js';

test('sandbox tunables become part arguments, and defaults add nothing but the worker count', async () => {
  const plain = await resolveConfig({ cwd: process.cwd() });
  assert.deepEqual(operatorArgsOf(plain.config), ['--workers', String(plain.config.sandbox.operator.workers)]);
  assert.equal(sidecarRateLimitOff(plain.config), false);
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
  assert.equal(sidecarRateLimitOff(tuned.config), true);
});
