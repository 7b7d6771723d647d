/** @module The configuration's `sandbox` section as the arguments of the parts it tunes (pure). */
import type { Config } from '../../../config/index.js';
import { formatDistribution, formatDuration, formatLeakRate, formatPercentage, formatRate } from '../../../config/values.js';
import { bindyKinds } from '../../../model/kinds.js';
import { defaultConfig } from '../../../config/defaults.js';

/** `sandbox start operator` arguments for `sandbox.operator` (workers, reconcile delay, error rate, leak, crash, capacity, bindcar retry budget). */
export function operatorArgsOf(config: Readonly<Config>): string[] {
  const op = config.sandbox.operator;
  return [
    '--workers', String(op.workers),
    ...(op.version === '0.6' ? [] : ['--bindy-version', op.version]),
    ...(op.reconcileDelay.kind === 'fixed' && op.reconcileDelay.ms === 0 ? [] : ['--reconcile-delay', formatDistribution(op.reconcileDelay)]),
    ...(bindyKinds.every((k) => op.reconcileDelayKinds.includes(k)) ? [] : ['--reconcile-delay-kinds', op.reconcileDelayKinds.join(',')]),
    ...(op.errorRate === 0 ? [] : ['--error-rate', formatPercentage(op.errorRate)]),
    ...(op.republishOnZoneRecreate ? ['--republish-on-zone-recreate'] : []),
    ...(op.leak === undefined ? [] : ['--leak', formatLeakRate(op.leak)]),
    ...(op.crashAfter === undefined ? [] : ['--crash-after', String(op.crashAfter)]),
    ...(op.capacity === undefined ? [] : ['--capacity', formatRate(op.capacity)]),
    ...(op.bindcarRetryBudget === undefined ? [] : ['--bindcar-retry-budget', formatDuration(op.bindcarRetryBudget)]),
  ];
}

/**
 * Node flags a part's process starts with. The operator twin with an injected leak gets a fixed
 * young generation (1 MiB semispaces): V8 otherwise grows it to 16 MiB semispaces while the
 * process starts, shrinks it once idle and releases the pages tens of seconds later, a 20–25 MiB
 * step down in RSS at a random time that would hide a 30 MiB/min leak over a short run. Fixed at
 * start because V8 reads the limit only then; derived from the arguments so a restart gets it too.
 */
export function partNodeFlags(name: string, args: readonly string[]): string[] {
  return name === 'operator' && args.includes('--leak') ? ['--max-semi-space-size=1'] : [];
}

/** `sandbox start apiserver` arguments for `sandbox.apiserver` (the request latency standing for etcd, the Event TTL when not the default) and the CRDs of `sandbox.operator.version`'s line. */
export function apiServerArgsOf(config: Readonly<Config>): string[] {
  const { requestLatency: ms, eventTtl } = config.sandbox.apiserver;
  const line = config.sandbox.operator.version;
  return [
    ...(ms > 0 ? ['--request-latency', `${ms}ms`] : []),
    ...(eventTtl !== defaultConfig.sandbox.apiserver.eventTtl ? ['--event-ttl', `${eventTtl}ms`] : []),
    ...(line === '0.6' ? [] : ['--bindy-version', line]),
  ];
}

/** `sandbox start scout` arguments for `sandbox.scout` (every scout twin of the sandbox: its own and each source cluster's). */
export function scoutArgsOf(config: Readonly<Config>): string[] {
  const how = config.sandbox.scout.staleCleanup;
  return how === 'unscoped' ? [] : ['--no-reproduce-unscoped-cleanup', '--scoped-cleanup', how];
}

/**
 * `sandbox start sidecar` arguments: the bindcar release bindy's line deploys (0.6: 0.7.3; 0.8:
 * 0.9.0) and `sandbox.sidecar.rateLimit` (`release`: that release's own limiter).
 */
export function sidecarArgsOf(config: Readonly<Config>): string[] {
  const rl = config.sandbox.sidecar.rateLimit;
  return [
    ...(config.sandbox.operator.version === '0.8' ? ['--bindcar-version', '0.9'] : []),
    ...(rl.kind === 'off' ? ['--no-rate-limit'] : rl.kind === 'token-bucket' ? ['--rate-limit', `${formatRate(rl.rps)},${rl.burst}`] : []),
  ];
}
