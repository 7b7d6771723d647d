/**
 * @module File-descriptor exhaustion on a running sandbox part as a {@link FaultMechanism}
 * (`sandbox-rlimit`): the part's soft RLIMIT_NOFILE is lowered with util-linux `prlimit` to what it
 * has open plus `spare`, so every new socket, file or pipe beyond that fails with EMFILE (the hard
 * limit is kept, so the old soft limit can always be restored). Reverted by setting the limits of
 * before again; the descriptor holds them, so `cleanup` restores them after the tool was killed.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { UsageError } from '../../errors.js';
import { partHealth } from '../../targets/sandbox/supervisor/health.js';
import { partRunning, restartPart, runsSandboxProcess, sandboxPart } from '../../targets/sandbox/supervisor/restart.js';
import { describeFault, type AppliedFault, type ApplyOptions, type FaultMechanism, type FaultSpec, type RevertOutcome, type RevertProof, type RlimitRevertDescriptor } from '../fault.js';
import { faultPidsOf, faultProcessName, partUnsupportedReason, type FaultablePart } from '../process/fault-parts.js';

const run = promisify(execFile);

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** RLIMIT_NOFILE from the text of /proc/PID/limits (pure): soft and hard, -1 for unlimited; null when absent. */
export function nofileOf(limitsText: string): { soft: number; hard: number } | null {
  const m = /^Max open files\s+(\S+)\s+(\S+)\s+files/m.exec(limitsText);
  if (m === null) return null;
  const value = (v: string | undefined): number => (v === 'unlimited' ? -1 : Number(v));
  return { soft: value(m[1]), hard: value(m[2]) };
}

/** The `--nofile=SOFT:HARD` argument of prlimit (pure). */
export function nofileArg(soft: number, hard: number): string {
  const v = (n: number): string => (n < 0 ? 'unlimited' : String(n));
  return `--nofile=${v(soft)}:${v(hard)}`;
}

/** The process's RLIMIT_NOFILE now, or null when it is gone. */
function readNofile(pid: number): { soft: number; hard: number } | null {
  try {
    return nofileOf(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  } catch {
    return null;
  }
}

/** How many descriptors the process has open, or null when it is gone. */
function openFds(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** The process a limit on `part` acts on: named's binary for a named part, the part's own process otherwise. */
function limitPid(part: { name: string; pid: number; childPids: readonly number[] }): number | undefined {
  return faultPidsOf(part)[0];
}

/** Restores the limits of before (idempotent); a part the limit took down is started again. */
export async function revertFdLimit(d: RlimitRevertDescriptor, options: { restartTimeoutMs?: number } = {}): Promise<RevertOutcome> {
  try {
    const now = readNofile(d.pid);
    if (now === null) {
      // The process is gone and its limits with it; a part that is down is started again as it ran.
      const { part } = await sandboxPart(d.home, d.part).catch(() => ({ part: undefined }));
      if (part !== undefined && !partRunning(part)) return { reverted: true, already: false, detail: `${d.part} was not running: ${(await restartPart(d.home, d.part, { timeoutMs: options.restartTimeoutMs ?? 30_000 })).detail}` };
      return { reverted: true, already: true, detail: `pid ${d.pid} is gone, and its limit with it` };
    }
    const fds = openFds(d.pid);
    const at = `${fds ?? '?'} descriptors open at the revert, limit ${now.soft}`;
    if (now.soft === d.soft && now.hard === d.hard) return { reverted: true, already: true, detail: `pid ${d.pid} already had its limit of before (${at})` };
    await run('prlimit', ['--pid', String(d.pid), nofileArg(d.soft, d.hard)]);
    return { reverted: true, already: false, detail: `open files of pid ${d.pid} back to ${nofileArg(d.soft, d.hard).slice('--nofile='.length)} (${at})` };
  } catch (e) {
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that the process has its limits of before (or is gone and the part runs again) and the part answers its health check. */
export async function verifyFdLimitReverted(d: RlimitRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const { state, part } = await sandboxPart(d.home, d.part);
    const now = readNofile(d.pid);
    const back = now === null ? partRunning(part) : now.soft === d.soft && now.hard === d.hard;
    const said = now === null ? `pid ${d.pid} is gone; ${d.part} ${partRunning(part) ? `runs again (pid ${part.pid})` : 'is not running'}` : `pid ${d.pid} RLIMIT_NOFILE ${nofileArg(now.soft, now.hard).slice('--nofile='.length)}${back ? ' as before' : `, NOT ${nofileArg(d.soft, d.hard).slice('--nofile='.length)} as before`}`;
    const health = await partHealth(state, part);
    return { reverted: back && health.healthy, checkedAt: checkedAt(), faultCleared: back, probe: { ok: health.healthy, detail: health.detail }, evidence: `${said}; ${health.detail}` };
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

/** Open-files limits on the sandbox's operator, sidecar and named, behind the one fault interface. */
export class FdLimitMechanism implements FaultMechanism {
  readonly name = 'sandbox-rlimit' as const;

  constructor(private readonly options: { readonly home: string }) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'fd-limit') return `${spec.kind} is not an open-files limit (fd-limit)`;
    const missing = partUnsupportedReason(this.options.home, target, 'a limit');
    if (missing !== undefined) return missing;
    if (spec.durationMs !== undefined) return `durationMs is not supported for fd-limit (${describeFault(spec)}): the revert ends it`;
    if (process.platform !== 'linux') return 'fd-limit is not available here: it needs Linux (/proc and prlimit)';
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'fd-limit') throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const partName = target as FaultablePart;
    const { part } = await sandboxPart(this.options.home, partName);
    const pid = limitPid(part);
    if (pid === undefined || !runsSandboxProcess(faultProcessName(partName), pid)) throw new Error(`fault on ${target}: the ${target} part is not running`);
    const before = readNofile(pid);
    const open = openFds(pid);
    if (before === null || open === null) throw new Error(`fault on ${target}: /proc/${pid} cannot be read`);
    try {
      await run('prlimit', ['--version']);
    } catch (e) {
      throw new UsageError(`fault on ${target}: fd-limit is not available here: prlimit (util-linux) does not run (${message(e)})`);
    }
    const descriptor: RlimitRevertDescriptor = { mechanism: 'sandbox-rlimit', version: 1, home: this.options.home, part: partName, pid, soft: before.soft, hard: before.hard };
    await options.beforeApply?.(descriptor);
    const soft = open + spec.spare;
    await run('prlimit', ['--pid', String(pid), nofileArg(soft, before.hard)]);
    let lifted = '';
    return {
      id: `fd-${partName}-${pid}-${Date.now().toString(36)}`,
      target,
      spec,
      appliedAt: new Date().toISOString(),
      descriptor,
      revert: async () => {
        const r = await revertFdLimit(descriptor);
        if (r.reverted) lifted = r.detail;
        return r;
      },
      // The proof quotes what the revert saw (descriptors open against the lowered limit).
      verifyReverted: async () => {
        const proof = await verifyFdLimitReverted(descriptor);
        return lifted === '' ? proof : { ...proof, evidence: `${lifted}; ${proof.evidence}` };
      },
    };
  }
}
