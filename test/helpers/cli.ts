/** @module Test helper: runs the CLI in process and captures what it prints. */
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { Writable } from 'node:stream';
import assert from 'node:assert/strict';

/** What one CLI invocation produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bindy-loadtest ...argv` in process. */
export async function runCli(argv: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdoutStream: new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        stdout += chunk.toString();
        cb();
      },
    }),
    isTTY: false,
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Exit 2, nothing on stdout, exactly one line on stderr; returns it. */
export function usageLine(r: CliRun): string {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return lines[0] ?? '';
}
