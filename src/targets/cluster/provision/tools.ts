/** @module Finding kind, k3d, kubectl and helm on PATH; a missing one is exit 3 with its install line. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TargetNotReadyError } from '../../../errors.js';
import { installHints, type ToolName } from './facts.js';

/** The absolute path of `name` in the first PATH directory holding an executable file of that name, or undefined. */
export function findOnPath(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here; next directory
    }
  }
  return undefined;
}

/**
 * Every tool's path, or a TargetNotReadyError (exit 3) naming all missing ones on one line, with
 * their install lines as the hint. `why` says what needs them (e.g. `cluster up --provider kind`).
 */
export function locateTools(tools: readonly ToolName[], pathEnv: string | undefined, why: string): Record<string, string> {
  const found: Record<string, string> = {};
  const missing: ToolName[] = [];
  for (const t of tools) {
    const p = findOnPath(t, pathEnv);
    if (p === undefined) missing.push(t);
    else found[t] = p;
  }
  if (missing.length > 0) {
    throw new TargetNotReadyError(`${missing.join(', ')} not found on PATH (needed by ${why})`, {
      hint: missing.map((t) => `${t}: ${installHints[t]}`).join('; '),
    });
  }
  return found;
}
