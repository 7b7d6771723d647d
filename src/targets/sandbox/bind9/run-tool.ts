/** @module Running one BIND9 command-line program to completion with a bounded time and captured output. */
import { spawn } from 'node:child_process';

/** How a finished program ended. */
export interface ToolResult {
  /** Exit status; null when it was killed (see `signal`). */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was killed for running past `timeoutMs`. */
  readonly timedOut: boolean;
  /** Wall time from spawn to exit, in milliseconds. */
  readonly durationMs: number;
}

/** Options of {@link runTool}. */
export interface RunToolOptions {
  /** Written to the program's stdin, which is then closed. */
  readonly stdin?: string;
  /** SIGKILL after this many milliseconds (default 15000). */
  readonly timeoutMs?: number;
}

/**
 * Spawns `file args` without a shell and resolves when it exits (never rejects for a non-zero exit).
 * The child gets only PATH from our environment, as bindcar does, so tokens in ours never leak into
 * /proc/<pid>/environ of the child. A spawn failure (e.g. ENOENT) rejects.
 */
export function runTool(file: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: performance.now() - started,
      });
    });
    // EPIPE when the program exits before reading stdin is not our failure: its exit status says it.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
