/** @module The CLI's view of the outside world, injectable so commands are testable in process. */
import type { Writable } from 'node:stream';

/** Where a command writes; stdout carries results (and nothing else with --json), stderr the rest. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout as a stream, for large streamed output that must honour backpressure. */
  stdoutStream: Writable;
  /** True when stderr is a terminal (live progress lines instead of periodic ones). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdoutStream: process.stdout,
    isTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}
