/** @module Finding the real BIND9 programs (named, rndc, nsupdate, named-checkconf) on this machine. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TargetNotReadyError } from '../../../errors.js';

/** The exact command that installs every BIND9 program the sandbox needs (Debian/Ubuntu). */
export const bind9InstallHint = 'apt-get install -y bind9 bind9-utils bind9-dnsutils';

/** Absolute paths of the BIND9 programs the sandbox runs. */
export interface Bind9Tools {
  readonly named: string;
  readonly rndc: string;
  readonly nsupdate: string;
  readonly namedCheckconf: string;
}

const toolNames = { named: 'named', rndc: 'rndc', nsupdate: 'nsupdate', namedCheckconf: 'named-checkconf' } as const;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Directories searched, in order: the sbin directories first (named lives there and is often not on PATH). */
export function searchDirs(pathEnv: string | undefined): string[] {
  const fromPath = (pathEnv ?? '').split(delimiter).filter((d) => d !== '');
  return [...new Set(['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...fromPath])];
}

/**
 * Locates every BIND9 program; `overrides` pins a path. Throws TargetNotReadyError (exit 3) naming the
 * missing programs, with the install command as its hint.
 */
export function locateBind9Tools(overrides: Partial<Bind9Tools> = {}, pathEnv = process.env['PATH']): Bind9Tools {
  const dirs = searchDirs(pathEnv);
  const found: Partial<Record<keyof Bind9Tools, string>> = {};
  const missing: string[] = [];
  for (const key of Object.keys(toolNames) as (keyof Bind9Tools)[]) {
    const pinned = overrides[key];
    const candidates = pinned === undefined ? dirs.map((d) => join(d, toolNames[key])) : [pinned];
    const hit = candidates.find(isExecutable);
    if (hit === undefined) missing.push(pinned ?? toolNames[key]);
    else found[key] = hit;
  }
  const { named, rndc, nsupdate, namedCheckconf } = found;
  if (named === undefined || rndc === undefined || nsupdate === undefined || namedCheckconf === undefined) {
    throw new TargetNotReadyError(`BIND9 programs not found: ${missing.join(', ')}`, { hint: bind9InstallHint });
  }
  return { named, rndc, nsupdate, namedCheckconf };
}
