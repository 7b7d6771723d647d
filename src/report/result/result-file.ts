/** @module Reading and writing run-result files (the only file I/O of the result format). */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { parseResult, resultJsonChunks } from './result.js';
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
  // Validated before the file is opened: a result the schema refuses writes nothing.
  const chunks = resultJsonChunks(result);
  const first = chunks.next();
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(tmp, 'w');
    try {
      // Chunk by chunk: an hour's result is never one string (the tool's peak memory at the end of a long run).
      for (let c = first; c.done !== true; c = chunks.next()) await file.write(c.value, null, 'utf8');
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot write the result file${code === undefined ? '' : ` (${code})`}`, { cause });
  }
}
