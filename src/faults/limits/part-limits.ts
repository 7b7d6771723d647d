/**
 * @module CPU and memory limits on a running sandbox part as a {@link FaultMechanism}
 * (`sandbox-cgroup`): the part's processes are moved into a child of their own control group with a
 * CFS quota (cpu-limit) or a memory limit (memory-limit), as an in-place resize of a pod's limits;
 * lifted by moving them back to their own group (the child's parent) and removing the child. The
 * groups are computed, made and removed by `cgroup.ts` (cgroup v1 hierarchies, or v2 where the
 * parent hands the controller down), as backpressure's operator-limits does. A part the limit killed
 * (the kernel's OOM killer) is started again by the revert, as a kill's revert does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { partHealth } from '../../targets/sandbox/supervisor/health.js';
import { partRunning, restartPart, runsSandboxProcess, sandboxPart } from '../../targets/sandbox/supervisor/restart.js';
import { describeFault, type AppliedFault, type ApplyOptions, type CgroupRevertDescriptor, type FaultMechanism, type FaultSpec, type RevertOutcome, type RevertProof } from '../fault.js';
import { faultPidsOf, faultProcessName, partUnsupportedReason, type FaultablePart } from '../process/fault-parts.js';
import { cgroupParents, cgroupUnsupportedReason, cpuThrottlingText, groupPids, localCgroupParents, makeLimitedGroups, moveIntoGroups, removeGroups, type LimitController } from './cgroup.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** How often a memory group's limit was hit, its peak and its OOM kills (v1 or v2 files), in one phrase; null when unreadable. */
export function memoryLimitText(dir: string): string | null {
  const read = (f: string): string | null => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return null;
    }
  };
  const field = (text: string | null, k: string): number | undefined => {
    const m = text === null ? null : new RegExp(`^${k} (\\d+)$`, 'm').exec(text);
    return m === null || m === undefined ? undefined : Number(m[1]);
  };
  const failcnt = read('memory.failcnt');
  if (failcnt !== null) {
    const peak = Number(read('memory.max_usage_in_bytes') ?? NaN);
    const kills = field(read('memory.oom_control'), 'oom_kill');
    return `memory limit hit ${Number(failcnt)} times, peak ${(peak / 1048576).toFixed(1)} MiB charged here${kills === undefined ? '' : `, ${kills} OOM kills`}`;
  }
  const events = read('memory.events');
  if (events === null) return null;
  const peak = Number(read('memory.peak') ?? NaN);
  return `memory limit hit ${field(events, 'max') ?? 0} times${Number.isNaN(peak) ? '' : `, peak ${(peak / 1048576).toFixed(1)} MiB charged here`}, ${field(events, 'oom_kill') ?? 0} OOM kills`;
}

/** What the limit did, read from its groups before they go. */
function limitStats(groups: readonly string[]): string {
  return groups.map((g) => cpuThrottlingText(g) ?? memoryLimitText(g)).filter((t): t is string => t !== null).join('; ');
}



/** Lifts the limit a descriptor names (idempotent): the groups removed (their processes back in their own group), a part the limit killed started again. */
export async function revertCgroupLimit(d: CgroupRevertDescriptor, options: { restartTimeoutMs?: number } = {}): Promise<RevertOutcome> {
  try {
    const stats = limitStats(d.groups);
    const had = d.groups.some((g) => groupPids(g).length > 0);
    const left = removeGroups(d.groups);
    if (left.length > 0) return { reverted: false, already: false, detail: `control groups NOT removed: ${left.join('; ')}` };
    // An OOM kill took the part down: start it again as it ran (a kubelet would have).
    let restarted = '';
    const { part } = await sandboxPart(d.home, d.part).catch(() => ({ part: undefined }));
    if (part !== undefined && !partRunning(part)) restarted = `; ${d.part} was not running (killed under the limit): ${(await restartPart(d.home, d.part, { timeoutMs: options.restartTimeoutMs ?? 30_000 })).detail}`;
    return { reverted: true, already: !had && restarted === '', detail: `control groups removed${stats === '' ? '' : ` (${stats})`}${restarted}` };
  } catch (e) {
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that the groups are gone, the part runs in none of them, and it answers its health check. */
export async function verifyCgroupLimitReverted(d: CgroupRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const { state, part } = await sandboxPart(d.home, d.part);
    const present = d.groups.filter((g) => groupPids(g).length > 0 || existsDir(g));
    const running = partRunning(part);
    const faultCleared = present.length === 0 && running;
    const health = await partHealth(state, part);
    const said = present.length > 0 ? `control groups still there: ${present.join(', ')}` : `control groups gone; ${d.part} ${running ? `runs (pid ${faultPidsOf(part).join(', ')}) in its own group` : 'is not running'}`;
    return { reverted: faultCleared && health.healthy, checkedAt: checkedAt(), faultCleared, probe: { ok: health.healthy, detail: health.detail }, evidence: `${said}; ${health.detail}` };
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

function existsDir(dir: string): boolean {
  try {
    readFileSync(join(dir, 'cgroup.procs'));
    return true;
  } catch {
    return false;
  }
}

/** The controller a resource fault needs. */
function controllerOf(spec: FaultSpec): LimitController | undefined {
  return spec.kind === 'cpu-limit' ? 'cpu' : spec.kind === 'memory-limit' ? 'memory' : undefined;
}

/** CPU and memory limits on the sandbox's operator, sidecar and named, behind the one fault interface. */
export class CgroupLimitMechanism implements FaultMechanism {
  readonly name = 'sandbox-cgroup' as const;

  constructor(private readonly options: { readonly home: string; readonly restartTimeoutMs?: number }) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    const controller = controllerOf(spec);
    if (controller === undefined) return `${spec.kind} is not a resource limit (cpu-limit, memory-limit)`;
    const missing = partUnsupportedReason(this.options.home, target, 'a limit');
    if (missing !== undefined) return missing;
    if (spec.durationMs !== undefined) return `durationMs is not supported for ${spec.kind} (${describeFault(spec)}): the revert ends it`;
    const found = localCgroupParents([controller]);
    if ('reason' in found) return `${spec.kind} is not available here: ${found.reason}`;
    const why = cgroupUnsupportedReason(found.parents, `bindy-loadtest-probe-${process.pid}`);
    return why === undefined ? undefined : `${spec.kind} is not available here: ${why}`;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    const controller = controllerOf(spec);
    if (reason !== undefined || controller === undefined) throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const partName = target as FaultablePart;
    const { part } = await sandboxPart(this.options.home, partName);
    const pids = faultPidsOf(part);
    const processName = faultProcessName(partName);
    if (pids.length === 0 || pids.some((pid) => !runsSandboxProcess(processName, pid))) throw new Error(`fault on ${target}: the ${target} part is not running (pid ${pids.join(', ') || 'none'})`);
    // The child goes under the part's own group (where its processes run now), so removing it puts them back exactly there.
    const first = pids[0] ?? 0;
    const own = cgroupParents(readFileSync('/proc/self/mountinfo', 'utf8'), readFileSync(`/proc/${first}/cgroup`, 'utf8'), [controller]);
    if (own.missing.length > 0) throw new Error(`fault on ${target}: no ${controller} control group of pid ${first}`);
    const name = `bindy-loadtest-${partName}-${randomBytes(3).toString('hex')}`;
    const descriptor: CgroupRevertDescriptor = { mechanism: 'sandbox-cgroup', version: 1, home: this.options.home, part: partName, pids, groups: own.parents.map((p) => join(p.dir, name)) };
    await options.beforeApply?.(descriptor);
    const groups = makeLimitedGroups(own.parents, name, spec.kind === 'cpu-limit' ? { cpuCores: spec.cores } : spec.kind === 'memory-limit' ? { memoryMiB: spec.mib } : {});
    try {
      for (const pid of pids) moveIntoGroups(groups, pid);
    } catch (e) {
      removeGroups(groups);
      throw new Error(`fault on ${target}: pid ${pids.join(', ')} could not be put in ${groups.join(', ')}: ${message(e)}`);
    }
    const restartTimeoutMs = this.options.restartTimeoutMs;
    // What the limit did is read as the groups go; the proof quotes it (the report shows the proof).
    let lifted = '';
    return {
      id: name,
      target,
      spec,
      appliedAt: new Date().toISOString(),
      descriptor,
      revert: async () => {
        const r = await revertCgroupLimit(descriptor, restartTimeoutMs === undefined ? {} : { restartTimeoutMs });
        if (r.reverted) lifted = r.detail;
        return r;
      },
      verifyReverted: async () => {
        const proof = await verifyCgroupLimitReverted(descriptor);
        return lifted === '' ? proof : { ...proof, evidence: `${lifted}; ${proof.evidence}` };
      },
    };
  }
}
