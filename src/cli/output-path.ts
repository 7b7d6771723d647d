/** @module Checks on where a command will write, made before anything starts: a results folder that can be written, a file that is not one of the inputs. */
import { mkdtemp, realpath, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/**
 * Makes sure `dir` (relative to `cwd`) is, or can be created as, a folder this process can write,
 * so a run never starts a sandbox and only then finds it cannot write its result. Nothing is left
 * behind (the write check's folder is removed at once). `flag` names the option in the message (exit 2). Returns the absolute path.
 */
export async function assertWritableDir(cwd: string, dir: string, flag: string): Promise<string> {
  const abs = resolve(cwd, dir);
  // The folder itself, or the nearest ancestor that exists (where the folder would be created).
  let existing = abs;
  for (;;) {
    try {
      const s = await stat(existing);
      if (!s.isDirectory()) {
        throw new UsageError(
          existing === abs ? `${flag} ${dir}: is a file; it must name a folder` : `${flag} ${dir}: cannot be created: ${existing} is a file`,
        );
      }
      break;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      // ENOTDIR: a file on the way; going up finds it and says so.
      if (!['ENOENT', 'ENOTDIR'].includes(codeOf(e)) || dirname(existing) === existing) throw new UsageError(`${flag} ${dir}: cannot use it as the results folder (${codeOf(e)})`, { cause: e });
      existing = dirname(existing);
    }
  }
  try {
    // A real write, not access(): root passes every permission check yet cannot write /sys or a read-only mount.
    await rmdir(await mkdtemp(join(existing, '.bindy-loadtest-write-check-')));
  } catch (cause) {
    throw new UsageError(`${flag} ${dir}: ${existing === abs ? 'the results folder is not writable' : `cannot be created in ${existing}`} (${codeOf(cause)})`, { cause });
  }
  return abs;
}

async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** Refuses (exit 2) an output file that is one of the inputs (also through a symlink): writing it would destroy the input. */
export async function assertNotAnInput(cwd: string, output: string, inputs: readonly string[], flag: string): Promise<void> {
  const out = await canonical(resolve(cwd, output));
  for (const input of inputs) {
    if ((await canonical(resolve(cwd, input))) === out) throw new UsageError(`${flag} ${output}: is one of the inputs (${input}); write the result to another file`);
  }
}
