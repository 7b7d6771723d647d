/**
 * @module Where tests find bindy's real CRDs and examples (the project's sibling `shared/` folder,
 * as CI lays it out, or BINDY_LOADTEST_SHARED), and the rule for when it is missing: skip on a
 * developer's machine, fail under CI=true so a green CI always means the check ran.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

/** The shared data folder: BINDY_LOADTEST_SHARED, else `shared/` beside the checkout. */
export function sharedDir(): string {
  return process.env.BINDY_LOADTEST_SHARED ?? join(packageRoot(), '..', 'shared');
}

/** `join(sharedDir(), ...parts)`. */
export function sharedPath(...parts: string[]): string {
  return join(sharedDir(), ...parts);
}

/** Test options for a test that reads `dir`: skipped when it is absent, except under CI (the test must then fail on its own). */
export function needsSharedData(dir: string): { skip: string | false } {
  return { skip: existsSync(dir) || process.env.CI === 'true' ? false : `bindy data not found at ${dir} (set BINDY_LOADTEST_SHARED)` };
}
