/** @module Reading and writing run-result files (the only file I/O of the result format). */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { parseResult, serializeResult } from './result.js';
import type { RunResult } from './types.js';

/** Reads and validates the result at `path`; a missing or unreadable file is a UsageError naming it. */
export async function readResultFile(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read the result file${code === undefined ? '' : ` (${code})`}`, { cause });
  }
  return parseResult(text, path);
}

/**
 * Validates and writes `result` to `path`. It goes to a temporary file first and is renamed into
 * place, so an interrupted write never leaves a truncated result behind.
 */
export async function writeResultFile(path: string, result: RunResult): Promise<void> {
  const text = serializeResult(result);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot write the result file${code === undefined ? '' : ` (${code})`}`, { cause });
  }
}
