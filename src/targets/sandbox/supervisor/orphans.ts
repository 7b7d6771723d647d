/**
 * @module Sandboxes whose owning run is dead (SIGKILL, a crash): found from the run journals and
 * stopped, each process only after its command line shows it is still the part the journal named
 * (a pid can be reused by an unrelated program).
 */
import { appendFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { JournalFile, SandboxEntry } from '../../../observe/journal.js';
import { commandLineOf, isAlive, stopPart } from './part-process.js';
import { unmountUnder } from './data-disk.js';
import { readState, removeState } from './state.js';

/** What was done about the sandbox one journal names. */
export interface OrphanOutcome {
  runId: string;
  journal: string;
  /** `owner alive`: its run still runs and will stop it; `stopped`: it was orphaned and is stopped now. */
  outcome: 'owner alive' | 'stopped';
  /** Processes stopped (`name pid N`). */
  stopped: string[];
  /** Processes not touched because their pid now runs another program. */
  notOurs: string[];
}

/** True when `cmdline` is this tool's CLI (from dist/ or through tsx). */
export function isToolCommandLine(cmdline: string): boolean {
  return /bindy-loadtest|cli\/entry\.(js|ts)/.test(cmdline);
}

/** True when `cmdline` is still the sandbox process `name` (a part, or named under it). */
export function isSandboxProcess(name: string, cmdline: string): boolean {
  if (name === 'bind9') return /(^|\/)named\s/.test(cmdline);
  // The word must end there: `sandbox start named` is not `sandbox start named-secondary-0`.
  return isToolCommandLine(cmdline) && new RegExp(`sandbox start ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(cmdline);
}

function ownerAlive(s: SandboxEntry): boolean {
  if (s.ownerPid === process.pid) return true;
  const cmd = isAlive(s.ownerPid) ? commandLineOf(s.ownerPid) : null;
  return cmd !== null && isToolCommandLine(cmd);
}

/**
 * Stops the sandbox `j` names when its owning run is dead: each process still running what the
 * journal says (parts newest first, named last), its folder, and its state file when it is the
 * one registered in its home. The journal gets a `stopped` line. Null when the journal names no
 * sandbox or one already stopped.
 */
export async function stopOrphanedSandbox(j: JournalFile): Promise<OrphanOutcome | null> {
  const s = j.sandbox;
  if (s === null || s.stopped) return null;
  const base = { runId: j.runId, journal: j.path };
  if (ownerAlive(s)) return { ...base, outcome: 'owner alive', stopped: [], notOurs: [] };
  const stopped: string[] = [];
  const notOurs: string[] = [];
  const state = await readState(s.home).catch(() => undefined);
  // A part restarted by a process fault's revert runs under a pid only the state file knows.
  const known = new Set(s.processes.map((p) => p.pid));
  const restarted = state?.dir === s.dir ? state.parts.flatMap((p) => [{ name: p.name, pid: p.pid }, ...p.childPids.map((pid) => ({ name: 'bind9', pid }))]).filter((p) => !known.has(p.pid)) : [];
  const all = [...s.processes, ...restarted];
  // named (bind9) is stopped by its part; it goes last in case the part was killed first.
  const order = [...all.filter((p) => p.name !== 'bind9').reverse(), ...all.filter((p) => p.name === 'bind9')];
  for (const p of order) {
    if (!isAlive(p.pid)) continue;
    const cmd = commandLineOf(p.pid);
    if (cmd === null) continue;
    if (!isSandboxProcess(p.name, cmd)) {
      notOurs.push(`${p.name} pid ${p.pid}`);
      continue;
    }
    await stopPart(p.pid, 5000);
    stopped.push(`${p.name} pid ${p.pid}`);
  }
  if (state?.dir === s.dir) await removeState(s.home);
  // named's data filesystem (a sandbox for faults) is mounted inside the folder.
  await unmountUnder(s.dir);
  await rm(s.dir, { recursive: true, force: true });
  appendFileSync(j.path, `${JSON.stringify({ ...s, stopped: true } satisfies SandboxEntry)}\n`);
  return { ...base, outcome: 'stopped', stopped, notOurs };
}
