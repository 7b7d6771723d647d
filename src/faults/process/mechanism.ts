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
  processFaultTargets,
  type AppliedFault,
  type ApplyOptions,
  type FaultMechanism,
  type FaultSpec,
  isSecondaryServerPart,
  type ProcessFaultTarget,
  type ProcessRevertDescriptor,
  type RevertOutcome,
  type RevertProof,
  type SecondaryServerPart,
} from '../fault.js';
import { partHealth } from '../../targets/sandbox/supervisor/health.js';
import { stopPart } from '../../targets/sandbox/supervisor/part-process.js';
import { partRunning, restartPart, runsSandboxProcess, sandboxPart, waitGone, wipeNamedData } from '../../targets/sandbox/supervisor/restart.js';
import { partKind, stateFile, type PartState } from '../../targets/sandbox/supervisor/state.js';

/** Options of {@link ProcessFaultMechanism}. */
export interface ProcessFaultMechanismOptions {
  /** The sandbox home (folder of state.json). */
  readonly home: string;
  /** Bound on a restart, ms (default 30 s: an operator with leader election waits out its old Lease, 15 s). */
  readonly restartTimeoutMs?: number;
}

/** The process name a part's pid runs under, for the command-line check before any signal (a secondary's named is a bind9 too). */
function processName(d: { part: ProcessFaultTarget | SecondaryServerPart }): string {
  return partKind(d.part) === 'named' ? 'bind9' : d.part;
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

/** The processes a fault on `part` acts on: named's binary for named (its part only waits for it), the part's own process otherwise. */
function faultPids(part: PartState): number[] {
  return partKind(part.name) === 'named' ? [...part.childPids] : [part.pid];
}

/** Reverts the fault a descriptor names (restart or SIGCONT); safe to repeat. */
export async function revertProcessFault(d: ProcessRevertDescriptor, options: { restartTimeoutMs?: number } = {}): Promise<RevertOutcome> {
  try {
    if (d.action === 'resume') {
      const paused = d.pids.filter((pid) => runsSandboxProcess(processName(d), pid) && isStopped(pid));
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
  const pids = faultPids(part);
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

  /** Whether the sandbox's state.json lists the part (checked before any load: a secondary exists only when started with one). */
  #hasPart(name: string): boolean {
    try {
      const state = JSON.parse(readFileSync(stateFile(this.options.home), 'utf8')) as { parts?: { name?: unknown }[] };
      return (state.parts ?? []).some((p) => p.name === name);
    } catch {
      return false;
    }
  }

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (!(processFaultTargets as readonly string[]).includes(target) && !isSecondaryServerPart(target)) return `the sandbox has no part ${JSON.stringify(target)} a process fault can act on (parts: ${processFaultTargets.join(', ')}, and each secondary's named-secondary-<i>, sidecar-secondary-<i>)`;
    if (isSecondaryServerPart(target) && !this.#hasPart(target)) return `the sandbox runs no ${target} (its secondaries: sandbox up --secondaries N, or sandbox.secondaries)`;
    const reason = faultUnsupportedReason(spec, 'process');
    if (reason !== undefined) return reason;
    // Nothing would outlive the tool to end the fault on time; a revert (or cleanup) ends it.
    if (spec.durationMs !== undefined) return `durationMs is not supported for process faults yet (${describeFault(spec)}): the revert ends them`;
    if (spec.kind === 'kill' && spec.loseData === true && partKind(target as ProcessFaultTarget | SecondaryServerPart) !== 'named') return `loseData applies to named only (its zone data); ${target} keeps no data of its own`;
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined) throw new UsageError(`fault on ${target}: ${reason}`);
    const partName = target as ProcessFaultTarget | SecondaryServerPart;
    const { part } = await sandboxPart(this.options.home, partName);
    const pids = faultPids(part);
    const name = processName({ part: partName });
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
      if (partKind(partName) === 'named' && !(await waitGone(part.pid, 5000))) await stopPart(part.pid, 3000);
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
