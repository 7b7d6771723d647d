/**
 * @module Process faults on the sandbox's parts as a {@link FaultMechanism} (`sandbox-process`):
 * kill a part (it stays down until the revert starts it again from state.json) or pause it
 * (SIGSTOP until SIGCONT). Everything a revert needs is in the descriptor and state.json, so
 * `cleanup` in a fresh process can undo a fault whose tool was SIGKILLed.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import {
  describeFault,
  faultUnsupportedReason,
  type AppliedFault,
  type ApplyOptions,
  type FaultMechanism,
  type FaultSpec,
  type ProcessRevertDescriptor,
  type RevertOutcome,
  type RevertProof,
} from '../fault.js';
import { faultPidsOf, faultProcessName, isNamedPart, partUnsupportedReason, type FaultablePart } from './fault-parts.js';
import { partHealth } from '../../targets/sandbox/supervisor/health.js';
import { stopPart } from '../../targets/sandbox/supervisor/part-process.js';
import { partRunning, restartPart, runsSandboxProcess, sandboxPart, waitGone, wipeNamedData } from '../../targets/sandbox/supervisor/restart.js';

/** Options of {@link ProcessFaultMechanism}. */
export interface ProcessFaultMechanismOptions {
  /** The sandbox home (folder of state.json). */
  readonly home: string;
  /** Bound on a restart, ms (default 30 s: an operator with leader election waits out its old Lease, 15 s). */
  readonly restartTimeoutMs?: number;
}



/** True when `pid` is stopped (SIGSTOP): state `T` in /proc/PID/stat. */
function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
  } catch {
    return false;
  }
}



/** Reverts the fault a descriptor names (restart or SIGCONT); safe to repeat. */
export async function revertProcessFault(d: ProcessRevertDescriptor, options: { restartTimeoutMs?: number } = {}): Promise<RevertOutcome> {
  try {
    if (d.action === 'resume') {
      const paused = d.pids.filter((pid) => runsSandboxProcess(faultProcessName(d.part), pid) && isStopped(pid));
      for (const pid of paused) process.kill(pid, 'SIGCONT');
      if (paused.length === 0) return { reverted: true, already: true, detail: `${d.part}: no process of ${d.pids.join(', ')} is paused` };
      return { reverted: true, already: false, detail: `${d.part}: SIGCONT to pid ${paused.join(', ')}` };
    }
    const r = await restartPart(d.home, d.part, { timeoutMs: options.restartTimeoutMs ?? 30_000 });
    return { reverted: true, already: r.already, detail: r.detail };
  } catch (e) {
    return { reverted: false, already: false, detail: `${d.part}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Checks that the part runs (not killed, not paused) and answers its health check (named: DNS, sidecar: HTTP, operator: metrics). */
export async function verifyProcessFaultReverted(d: ProcessRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  let state, part;
  try {
    ({ state, part } = await sandboxPart(d.home, d.part));
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: e instanceof Error ? e.message : String(e) };
  }
  const pids = faultPidsOf(part);
  const running = partRunning(part);
  const stopped = pids.filter(isStopped);
  const faultCleared = running && stopped.length === 0;
  const said = !running ? `${d.part} is not running (pid ${part.pid})` : stopped.length > 0 ? `${d.part} pid ${stopped.join(', ')} still paused` : `${d.part} runs (pid ${pids.join(', ')}), not paused`;
  const health = await partHealth(state, part);
  const probe = { ok: health.healthy, detail: health.detail };
  return { reverted: faultCleared && health.healthy, checkedAt: checkedAt(), faultCleared, probe, evidence: `${said}; ${health.detail}` };
}

/** Kill and pause faults on the sandbox's operator, sidecar and named (a secondary's too), behind the one fault interface. */
export class ProcessFaultMechanism implements FaultMechanism {
  readonly name = 'sandbox-process' as const;

  constructor(private readonly options: ProcessFaultMechanismOptions) {}


  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    const missing = partUnsupportedReason(this.options.home, target, 'a process fault');
    if (missing !== undefined) return missing;
    const reason = faultUnsupportedReason(spec, 'process');
    if (reason !== undefined) return reason;
    // Nothing would outlive the tool to end the fault on time; a revert (or cleanup) ends it.
    if (spec.durationMs !== undefined) return `durationMs is not supported for process faults yet (${describeFault(spec)}): the revert ends them`;
    if (spec.kind === 'kill' && spec.loseData === true && !isNamedPart(target as FaultablePart)) return `loseData applies to named only (its zone data); ${target} keeps no data of its own`;
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined) throw new UsageError(`fault on ${target}: ${reason}`);
    const partName = target as FaultablePart;
    const { part } = await sandboxPart(this.options.home, partName);
    const pids = faultPidsOf(part);
    const name = faultProcessName(partName);
    const notOurs = pids.filter((pid) => !runsSandboxProcess(name, pid));
    if (pids.length === 0 || notOurs.length > 0) throw new UsageError(`fault on ${target}: the ${target} part is not running (pid ${pids.join(', ') || 'none'}); a revert may be pending`);
    const descriptor: ProcessRevertDescriptor = {
      mechanism: 'sandbox-process',
      version: 1,
      home: this.options.home,
      part: partName,
      action: spec.kind === 'kill' ? 'restart' : 'resume',
      pids,
    };
    await options.beforeApply?.(descriptor);
    const appliedAt = new Date().toISOString();
    if (spec.kind === 'pause') {
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
    } else {
      const signal = spec.kind === 'kill' ? (spec.signal ?? 'SIGKILL') : 'SIGKILL';
      for (const pid of pids) process.kill(pid, signal);
      // Down means down: a SIGTERM the part does not obey within 10 s becomes a SIGKILL.
      for (const pid of pids) if (!(await waitGone(pid, signal === 'SIGTERM' ? 10_000 : 5000))) await stopPart(pid, 0);
      // named's part exits by itself once named is gone (nothing left to supervise).
      if (isNamedPart(partName) && !(await waitGone(part.pid, 5000))) await stopPart(part.pid, 3000);
      // The pod's storage goes with the pod: named comes back with its config and keys only.
      if (spec.kind === 'kill' && spec.loseData === true) await wipeNamedData(part);
    }
    const id = `p-${partName}-${pids[0] ?? 0}-${Date.now().toString(36)}`;
    const restartTimeoutMs = this.options.restartTimeoutMs;
    return {
      id,
      target,
      spec,
      appliedAt,
      descriptor,
      revert: () => revertProcessFault(descriptor, restartTimeoutMs === undefined ? {} : { restartTimeoutMs }),
      verifyReverted: () => verifyProcessFaultReverted(descriptor),
    };
  }
}
