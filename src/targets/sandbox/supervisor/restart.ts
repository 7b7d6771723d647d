/**
 * @module Starting one part of a running sandbox again after it went down (a kill fault), from
 * state.json alone: the arguments it recorded, its secrets read from their files, the same log
 * file; then its new pid(s) written back. Works from any process (`cleanup` after a SIGKILL too).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TargetNotReadyError, UsageError } from '../../../errors.js';
import type { NamedReadyLine } from '../bind9/run.js';
import { isSandboxProcess } from './orphans.js';
import { commandLineOf, isAlive, startPart, stopPart } from './part-process.js';
import { partKind, readState, stateFile, writeState, type PartName, type PartState, type SandboxState } from './state.js';
import { serverOfPart } from './health.js';

/** What {@link restartPart} did. */
export interface RestartOutcome {
  /** The part was running already: nothing was started. */
  readonly already: boolean;
  /** The part as state.json now records it. */
  readonly part: PartState;
  readonly detail: string;
}

/** The sandbox state in `home` and its part `name`; a missing one is a one-line UsageError. */
export async function sandboxPart(home: string, name: PartName): Promise<{ state: SandboxState; part: PartState }> {
  const state = await readState(home);
  if (state === undefined) throw new UsageError(`no sandbox is up in ${home} (no ${stateFile(home)})`);
  const part = state.parts.find((p) => p.name === name);
  if (part === undefined) throw new UsageError(`the sandbox in ${home} has no ${name} part (parts: ${state.parts.map((p) => p.name).join(', ')})`);
  return { state, part };
}

/** True while `pid` runs the sandbox process `name` (a part, or `bind9` for named under its part); a reused pid is not ours. */
export function runsSandboxProcess(name: string, pid: number): boolean {
  const cmd = isAlive(pid) ? commandLineOf(pid) : null;
  return cmd !== null && isSandboxProcess(name, cmd);
}

/** True while the part runs: its process and, for named, the named binary under it. */
export function partRunning(part: PartState): boolean {
  if (!runsSandboxProcess(part.name, part.pid)) return false;
  return partKind(part.name) !== 'named' || (part.childPids.length > 0 && part.childPids.every((pid) => runsSandboxProcess('bind9', pid)));
}

/** Waits (polling, as `pid` is not our child) until it is gone; true if it is. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * Starts part `name` of the sandbox in `home` again, as state.json recorded it, unless it runs
 * already (idempotent). The new process is detached in its own process group like the original
 * and outlives the caller; named comes back on the same ports with its keys and zones. Throws
 * TargetNotReadyError when it does not come up within `timeoutMs`.
 */
export async function restartPart(home: string, name: PartName, options: { timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<RestartOutcome> {
  const { state, part } = await sandboxPart(home, name);
  if (partRunning(part)) return { already: true, part, detail: `${name} is running (pid ${part.pid})` };
  if (part.args === undefined) {
    throw new UsageError(`${stateFile(home)} records no start arguments for ${name} (a sandbox started by an older version): restart the sandbox`);
  }
  // named's part exits on its own once named is gone; one still shutting down (or half-dead) is finished here.
  if (isAlive(part.pid) && runsSandboxProcess(name, part.pid) && !(await waitGone(part.pid, 5000))) await stopPart(part.pid, 3000);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, file] of Object.entries(part.secretEnv ?? {})) env[key] = (await readFile(file, 'utf8')).trim();
  const started = await startPart<Record<string, unknown>>({
    name,
    args: part.args,
    env,
    logFile: part.logFile,
    // The caller (a run, or cleanup) may exit right after: the part must not depend on it.
    detached: true,
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.onSpawn === undefined ? {} : { onSpawn: options.onSpawn }),
  });
  const updated: PartState = { ...part, pid: started.pid };
  if (partKind(name) === 'named') {
    const ready = started.ready as unknown as NamedReadyLine;
    const port = serverOfPart(state, name)?.dnsPort;
    if (ready.ports.dns !== port) {
      await stopPart(started.pid, 3000);
      throw new TargetNotReadyError(`${name} came back on DNS port ${ready.ports.dns}, not ${String(port)}: stopped again`);
    }
    updated.childPids = [ready.pid];
  }
  const metricsUrl = started.ready['metricsUrl'];
  if (typeof metricsUrl === 'string') updated.metricsUrl = metricsUrl;
  // Read again just before writing: another part may have been restarted meanwhile.
  const now = (await readState(home)) ?? state;
  await writeState(home, { ...now, parts: now.parts.map((p) => (p.name === name ? updated : p)) });
  return { already: false, part: updated, detail: `${name} restarted (pid ${part.pid} → ${started.pid}${partKind(name) === 'named' ? `, named pid ${updated.childPids.join(',')}` : ''})` };
}

/** What a BIND9 pod keeps across a restart without a volume: its config and keys (a ConfigMap and Secrets). */
const namedKeeps = new Set(['named.conf', 'rndc.conf', 'update.key']);

/**
 * Removes named's data from its directory (zone files, journals, the zones bindcar added, pid and
 * dump files), keeping its config and keys: a pod restarted without a persistent volume. named
 * must not be running. Returns the names removed.
 */
export async function wipeNamedData(part: PartState): Promise<string[]> {
  const dir = namedDataDir(part);
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (namedKeeps.has(name)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** named's directory (zone files, journals, config and keys), from its part's start arguments. */
export function namedDataDir(part: PartState): string {
  const args = part.args ?? [];
  const dir = args[args.indexOf('--dir') + 1];
  if (args.indexOf('--dir') < 0 || dir === undefined) throw new UsageError('named\'s start arguments name no --dir: cannot tell where its data is');
  return dir;
}

/**
 * Starts part `name` again with other arguments (operator-limits: fewer workers, and back): the
 * arguments are written to state.json first, so any later restart (a kill fault's revert, cleanup)
 * starts what runs now; then the running process is stopped (SIGTERM, as a rollout does) and
 * {@link restartPart} starts the new one. `onStarted` sees the new pid before it is waited for
 * (to put it in a control group before its first reconcile).
 */
export async function restartPartWithArgs(home: string, name: PartName, args: readonly string[], options: { timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<RestartOutcome> {
  const { state, part } = await sandboxPart(home, name);
  await writeState(home, { ...state, parts: state.parts.map((p) => (p.name === name ? { ...p, args: [...args] } : p)) });
  if (runsSandboxProcess(name, part.pid)) await stopPart(part.pid, 10_000);
  return restartPart(home, name, options);
}
