/** @module The configuration's `sandbox` section as the arguments of the parts it tunes (pure). */
import type { Config } from '../../../config/index.js';
import { formatDistribution, formatLeakRate, formatPercentage, formatRate } from '../../../config/values.js';
import { bindyKinds } from '../../../model/kinds.js';

/** `sandbox start operator` arguments for `sandbox.operator` (workers, reconcile delay, error rate, leak, crash, capacity). */
export function operatorArgsOf(config: Readonly<Config>): string[] {
  const op = config.sandbox.operator;
  return [
    '--workers', String(op.workers),
    ...(op.reconcileDelay.kind === 'fixed' && op.reconcileDelay.ms === 0 ? [] : ['--reconcile-delay', formatDistribution(op.reconcileDelay)]),
    ...(bindyKinds.every((k) => op.reconcileDelayKinds.includes(k)) ? [] : ['--reconcile-delay-kinds', op.reconcileDelayKinds.join(',')]),
    ...(op.errorRate === 0 ? [] : ['--error-rate', formatPercentage(op.errorRate)]),
    ...(op.republishOnZoneRecreate ? ['--republish-on-zone-recreate'] : []),
    ...(op.leak === undefined ? [] : ['--leak', formatLeakRate(op.leak)]),
    ...(op.crashAfter === undefined ? [] : ['--crash-after', String(op.crashAfter)]),
    ...(op.capacity === undefined ? [] : ['--capacity', formatRate(op.capacity)]),
  ];
}

/** True when `sandbox.sidecar.rateLimit` turns bindcar's limiter off. */
export function sidecarRateLimitOff(config: Readonly<Config>): boolean {
  return config.sandbox.sidecar.rateLimit.kind === 'off';
}
