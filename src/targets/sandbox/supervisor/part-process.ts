/**
 * @module One sandbox part as a child process: spawn it, wait (bounded) for the one JSON line it
 * prints when ready, keep its log in a file, and stop it (SIGTERM, then SIGKILL).
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InterruptedError, TargetNotReadyError } from '../../../errors.js';
import { selfCommand } from './self-command.js';
import { partNodeFlags } from './tunables.js';

/** A started part: its pid and what it announced when ready. */
export interface StartedPart<T> {
  name: string;
  pid: number;
  ready: T;
  logFile: string;
}

/** Options of {@link startPart}. */
export interface StartPartOptions {
  /** Part name, for messages and `sandbox start <name>`. */
  name: string;
  /** Arguments after `sandbox start <name>`. */
  args: string[];
  /** Extra environment (secrets travel here, never in argv). */
  env?: NodeJS.ProcessEnv;
  /** File that receives the part's stderr. */
  logFile: string;
  /**
   * Let it outlive this process (`sandbox up --detach`): the child is not waited for. Every part
   * runs in its own process group either way, so a terminal's Ctrl-C reaches only this process,
   * which then stops the parts in order (after its cleanup).
   */
  detached: boolean;
  /** Bound on start-up, in ms. */
  timeoutMs: number;
  /** Aborting stops the start: the part is stopped and an InterruptedError thrown (no part is blamed). */
  signal?: AbortSignal;
  /** Called with the pid as soon as the process exists (before it is ready), e.g. to journal it. */
  onSpawn?: (pid: number) => void;
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Spawns `bindy-loadtest sandbox start <name> …` and resolves with its ready line. */
export async function startPart<T>(opts: StartPartOptions): Promise<StartedPart<T>> {
  const self = selfCommand();
  const logFd = openSync(opts.logFile, 'a');
  const child = spawn(self.command, [...partNodeFlags(opts.name, opts.args), ...self.args, 'sandbox', 'start', opts.name, ...opts.args], {
    stdio: ['ignore', 'pipe', logFd],
    // Its own process group: the terminal's SIGINT goes to the foreground group only.
    detached: true,
    env: { ...process.env, ...opts.env },
  });
  closeSync(logFd);
  const pid = child.pid;
  const stdout = child.stdout;
  if (pid === undefined || stdout === null) throw new TargetNotReadyError(`sandbox ${opts.name}: could not start a process`);
  opts.onSpawn?.(pid);
  const lines = createInterface({ input: stdout });
  let onAbort: (() => void) | undefined;
  try {
    const ready = await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TargetNotReadyError(`sandbox ${opts.name} was not ready within ${opts.timeoutMs} ms; its log (${opts.logFile}):\n${tail(opts.logFile)}`));
      }, opts.timeoutMs);
      onAbort = () => {
        clearTimeout(timer);
        reject(new InterruptedError(`interrupted while sandbox ${opts.name} was starting`));
      };
      if (opts.signal?.aborted === true) onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new TargetNotReadyError(`sandbox ${opts.name} exited before it was ready (${signal ?? `code ${code}`}); its log (${opts.logFile}):\n${tail(opts.logFile)}`));
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          reject(new TargetNotReadyError(`sandbox ${opts.name} announced something that is not JSON: ${line.slice(0, 200)}`));
        }
      });
    });
    return { name: opts.name, pid, ready, logFile: opts.logFile };
  } catch (err) {
    await stopPart(pid, 3000);
    throw err;
  } finally {
    if (onAbort !== undefined) opts.signal?.removeEventListener('abort', onAbort);
    lines.close();
    // The part prints nothing more on stdout; let this process exit without waiting for it.
    stdout.destroy();
    child.removeAllListeners('exit');
    if (opts.detached) child.unref();
  }
}

/** True while any living (not zombie) process of the process group `pgid` exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // kill(-pgid, 0) also succeeds for a group of zombies only: look for a member that still runs.
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const stat = procStat(Number(e));
    if (stat !== null && stat.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

/** State letter and process group of a process from /proc/<pid>/stat, or null when it is gone or unreadable. */
function procStat(pid: number): { state: string; pgrp: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: the fields after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgrp = Number(fields[2]);
  return state === undefined || !Number.isFinite(pgrp) ? null : { state, pgrp };
}

/**
 * Stops a part: its own process (SIGTERM, then SIGKILL after `graceMs`), then whatever is left of
 * its process group (what it started, e.g. named, when the part was killed before it could stop it).
 */
export async function stopPart(pid: number, graceMs: number): Promise<'SIGTERM' | 'SIGKILL' | 'already gone'> {
  const how = await stopPid(pid, graceMs);
  if (!groupAlive(pid)) return how;
  const deadline = Date.now() + 2000;
  try {
    process.kill(-pid, 'SIGTERM');
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  } catch {
    // gone between the check and the kill
  }
  return how;
}

/** The command line of a process (Linux /proc), or null when it is gone or unreadable. */
export function commandLineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/**
 * True while a process with this pid exists and has not exited. A zombie (exited, not yet reaped)
 * counts as gone: a part outlives its starter, so its parent is the machine's init, and an init that
 * reaps late (this machine's reaps every ~2 s) would otherwise hold every stop for that long.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return procStat(pid)?.state !== 'Z';
}

/** Waits until `pid` is gone, checking every 20 ms, for at most `timeoutMs`; true if it is gone. */
async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  // A pid that is not our child cannot be awaited with an event: polling kill(pid, 0) is the only way.
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopPid(pid: number, graceMs: number): Promise<'SIGTERM' | 'SIGKILL' | 'already gone'> {
  if (!isAlive(pid)) return 'already gone';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'already gone';
  }
  try {
    // A paused part (a pause fault) would hold the SIGTERM until the grace ran out; a no-op otherwise.
    process.kill(pid, 'SIGCONT');
  } catch {
    // gone already
  }
  if (await waitGone(pid, graceMs)) return 'SIGTERM';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'SIGKILL';
  }
  await waitGone(pid, 2000);
  return 'SIGKILL';
}
