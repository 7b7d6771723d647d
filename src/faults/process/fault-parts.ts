/**
 * @module Which sandbox parts a process fault (kill, pause) or a limit (cgroup, open files) acts
 * on, and which of their processes: the operator, the primary's bindcar and named, and each
 * secondary's (`named-secondary-<i>`, `sidecar-secondary-<i>`). A named part's fault acts on the
 * named binary under it (the part only waits for it), any other part's on its own process.
 */
import { readFileSync } from 'node:fs';
import { isSecondaryServerPart, processFaultTargets, type ProcessFaultTarget, type SecondaryServerPart } from '../fault.js';
import { partKind, stateFile } from '../../targets/sandbox/supervisor/state.js';

/** A part a process fault or a limit may act on. */
export type FaultablePart = ProcessFaultTarget | SecondaryServerPart;

/** Whether `name` is a part a process fault or a limit may act on (pure). */
export function isFaultablePart(name: unknown): name is FaultablePart {
  return (processFaultTargets as readonly unknown[]).includes(name) || isSecondaryServerPart(name);
}

/** True for named's parts, the primary's or a secondary's (pure). */
export function isNamedPart(name: FaultablePart): boolean {
  return partKind(name) === 'named';
}

/** The process name a part's fault pids run under, for the command-line check before any signal or limit (pure). */
export function faultProcessName(name: FaultablePart): string {
  return isNamedPart(name) ? 'bind9' : name;
}

/** The processes a fault on `part` acts on: named's binary for a named part, the part's own process otherwise (pure). */
export function faultPidsOf(part: { name: string; pid: number; childPids: readonly number[] }): number[] {
  return isFaultablePart(part.name) && isNamedPart(part.name) ? [...part.childPids] : [part.pid];
}

/**
 * Why the sandbox in `home` has no part `target` that `what` (a process fault, a limit) can act
 * on, or undefined: a secondary's part exists only when the sandbox runs that secondary (its
 * state.json lists it; read synchronously: this is checked before any load).
 */
export function partUnsupportedReason(home: string, target: string, what: string): string | undefined {
  if (!isFaultablePart(target)) return `the sandbox has no part ${JSON.stringify(target)} ${what} can act on (parts: ${processFaultTargets.join(', ')}, and each secondary's named-secondary-<i>, sidecar-secondary-<i>)`;
  if (!isSecondaryServerPart(target)) return undefined;
  let listed = false;
  try {
    const state = JSON.parse(readFileSync(stateFile(home), 'utf8')) as { parts?: { name?: unknown }[] };
    listed = (state.parts ?? []).some((p) => p.name === target);
  } catch {
    listed = false;
  }
  return listed ? undefined : `the sandbox runs no ${target} (its secondaries: sandbox up --secondaries N, or sandbox.secondaries)`;
}
