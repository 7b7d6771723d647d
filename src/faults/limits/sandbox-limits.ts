/**
 * @module operator-limits on the sandbox: the operator twin restarted with fewer workers inside
 * control groups that cap its CPU (and memory), as a Deployment patch restarts bindy's pod with
 * lower limits; restored by restarting it with its arguments of before, outside the groups, which
 * are then removed. Everything a restore needs is in the descriptor and state.json, so `cleanup`
 * in a fresh process restores what a killed run left.
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { formatCpuCores } from '../../config/values.js';
import { partHealth } from '../../targets/sandbox/supervisor/health.js';
import { partRunning, restartPartWithArgs, sandboxPart } from '../../targets/sandbox/supervisor/restart.js';
import { readState } from '../../targets/sandbox/supervisor/state.js';
import type { AppliedChange, OperatorLimits, OperatorLimitsMechanism, RestoreOutcome, SandboxLimitsDescriptor } from './change.js';
import { cgroupUnsupportedReason, cpuThrottlingText, groupPids, localCgroupParents, makeLimitedGroups, moveIntoGroups, removeGroups, type LimitController } from './cgroup.js';

/** The operator twin's arguments with `--workers n` instead of any it had (pure). */
export function withWorkers(args: readonly string[], n: number | undefined): string[] {
  if (n === undefined) return [...args];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workers') i++;
    else out.push(args[i] ?? '');
  }
  return [...out, '--workers', String(n)];
}

/** The workers the arguments give (the twin's default 4 when absent) (pure). */
export function workersOf(args: readonly string[]): number {
  const i = args.indexOf('--workers');
  const n = i < 0 ? NaN : Number(args[i + 1]);
  return Number.isInteger(n) ? n : 4;
}

function controllersOf(l: OperatorLimits): LimitController[] {
  return l.memoryMiB === undefined ? ['cpu'] : ['cpu', 'memory'];
}

/** Restores what a descriptor names (idempotent) and proves it: the twin runs with its arguments of before, in none of the groups, healthy; the groups are gone. */
export async function restoreSandboxLimits(d: SandboxLimitsDescriptor, options: { timeoutMs?: number } = {}): Promise<RestoreOutcome> {
  const state = await readState(d.home);
  const operator = state?.parts.find((p) => p.name === 'operator');
  if (state === undefined || operator === undefined || state.dir !== d.sandboxDir) {
    // The sandbox is gone, and the twin with it (a sandbox up there now is another one): only the groups can be left.
    const left = removeGroups(d.cgroups);
    const gone = `the sandbox of ${d.sandboxDir} is gone${state !== undefined && state.dir !== d.sandboxDir ? ` (${d.home} holds another one now, not touched)` : ''}`;
    return { restored: left.length === 0, already: true, evidence: left.length === 0 ? `${gone}; control groups removed` : `${gone}; control groups NOT removed: ${left.join('; ')}` };
  }
  const inGroups = d.cgroups.some((g) => groupPids(g).includes(operator.pid));
  const already = isDeepStrictEqual(operator.args, d.originalArgs) && partRunning(operator) && !inGroups;
  // Read before the groups go: how much the cap bit.
  const throttling = d.cgroups.map(cpuThrottlingText).find((t) => t !== null) ?? null;
  let detail = 'the operator twin already ran with its arguments of before';
  if (!already) detail = (await restartPartWithArgs(d.home, 'operator', d.originalArgs, { timeoutMs: options.timeoutMs ?? 30_000 })).detail;
  const left = removeGroups(d.cgroups);
  const { state: now, part } = await sandboxPart(d.home, 'operator');
  const health = await partHealth(now, part);
  const args = isDeepStrictEqual(part.args, d.originalArgs);
  const outside = !d.cgroups.some((g) => groupPids(g).includes(part.pid));
  const restored = args && outside && left.length === 0 && partRunning(part) && health.healthy;
  const evidence = [
    detail,
    ...(throttling === null ? [] : [`under the limits: ${throttling}`]),
    args ? `workers ${workersOf(d.originalArgs)} as before` : 'its arguments are NOT those of before',
    left.length === 0 ? 'control groups removed' : `control groups left: ${left.join('; ')}`,
    health.detail,
  ].join('; ');
  return { restored, already, evidence };
}

/** operator-limits on the sandbox in `home`. */
export class SandboxOperatorLimits implements OperatorLimitsMechanism {
  readonly name = 'sandbox-operator-limits' as const;

  constructor(private readonly home: string) {}

  unsupportedReason(limits: OperatorLimits): string | undefined {
    const found = localCgroupParents(controllersOf(limits));
    if ('reason' in found) return `operator-limits caps the twin with control groups: ${found.reason}`;
    const why = cgroupUnsupportedReason(found.parents, `bindy-loadtest-probe-${process.pid}`);
    return why === undefined ? undefined : `operator-limits caps the twin with control groups: ${why}`;
  }

  async apply(limits: OperatorLimits, key: string, journal: (d: SandboxLimitsDescriptor) => void): Promise<AppliedChange> {
    const { state, part } = await sandboxPart(this.home, 'operator');
    if (!partRunning(part) || part.args === undefined) throw new Error(`the sandbox's operator is not running (pid ${part.pid}) or its arguments are not recorded`);
    const found = localCgroupParents(controllersOf(limits));
    if ('reason' in found) throw new Error(found.reason);
    const name = `bindy-loadtest-${key}`;
    const descriptor: SandboxLimitsDescriptor = {
      change: 'sandbox-operator-limits',
      version: 1,
      home: this.home,
      sandboxDir: state.dir,
      originalArgs: [...part.args],
      cgroups: found.parents.map((p) => join(p.dir, name)),
    };
    journal(descriptor);
    const value = { cpuCores: limits.cpuCores, ...(limits.memoryMiB === undefined ? {} : { memoryMiB: limits.memoryMiB }) };
    const groups = makeLimitedGroups(found.parents, name, value);
    const args = withWorkers(part.args, limits.workers);
    // Into the groups once it is ready: the twin is a Node.js process whose start-up (loading and
    // compiling its modules) takes seconds of CPU that bindy's native binary does not need; capped
    // from its spawn it would measure that, not reconciling under the limit.
    const r = await restartPartWithArgs(this.home, 'operator', args);
    try {
      moveIntoGroups(groups, r.part.pid);
    } catch (e) {
      throw new Error(`the limited operator (pid ${r.part.pid}) could not be put in its control groups: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text =
      `the operator twin restarted (pid ${r.part.pid}) with workers ${workersOf(part.args)} → ${workersOf(args)}, CPU capped at ${formatCpuCores(limits.cpuCores)}` +
      `${limits.memoryMiB === undefined ? '' : `, memory at ${limits.memoryMiB}Mi`} (control groups ${groups.join(', ')})`;
    return { appliedAt: new Date().toISOString(), descriptor, text, restore: () => restoreSandboxLimits(descriptor) };
  }
}
