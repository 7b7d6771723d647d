/**
 * @module Test helper: the CLI as a real child process (run as the sandbox parts are: selfCommand),
 * whose stderr can be awaited line by line, and the processes a sandbox home still has.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { selfCommand } from '../../src/targets/sandbox/supervisor/self-command.js';

/** A CLI child process whose stderr can be awaited line by line. */
export interface CliChild {
  /** The pid of the process spawned (the wrapper's, with `wrapper`). */
  pid: number;
  /** Its exit code (-9 when SIGKILLed). */
  exit: Promise<number | null>;
  /** Resolves once stderr is closed: every process holding it (the CLI itself too, under a wrapper) has exited. */
  closed: Promise<void>;
  /** Sends `signal` to the process (with `terminal`: to its whole process group, as a terminal's Ctrl-C does). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the first stderr line (already printed or to come) matching `re`; rejects if stderr closes first. */
  line(re: RegExp | ((line: string) => boolean)): Promise<string>;
  stderr(): string;
}

/**
 * Spawns `bindy-loadtest ...args`. With `wrapper`, a node process spawns the CLI sharing its
 * stdout and stderr and stays its parent (as npx does), so killing it leaves the CLI orphaned.
 * With `terminal`, the CLI leads its own process group, as a shell's foreground job does, and
 * signals go to the whole group, as a terminal sends Ctrl-C: to every process that stayed in it.
 */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, o: { wrapper?: boolean; terminal?: boolean } = {}): CliChild {
  // As the sandbox parts run: the test runner's build of this source, else through tsx.
  const cli = [...selfCommand().args, ...args];
  const wrapperScript = `const c = require('node:child_process').spawn(process.execPath, JSON.parse(process.argv[1]), { stdio: 'inherit' }); c.on('exit', (code) => process.exit(code ?? 1));`;
  const child = o.wrapper === true
    ? spawn(process.execPath, ['-e', wrapperScript, JSON.stringify(cli)], { stdio: ['ignore', 'ignore', 'pipe'], env })
    : spawn(process.execPath, cli, { stdio: ['ignore', 'ignore', 'pipe'], env, detached: o.terminal === true });
  let err = '';
  const waiters: { re: RegExp | ((line: string) => boolean); resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  const scan = (): void => {
    // Only whole lines: a line still being written must not match on its first half.
    const lines = err.split('\n').slice(0, -1);
    for (const w of [...waiters]) {
      const re = w.re;
      const hit = lines.find((l) => (typeof re === 'function' ? re(l) : re.test(l)));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    scan();
  });
  const closed = new Promise<void>((resolve) =>
    child.stderr.on('close', () => {
      for (const w of waiters.splice(0)) w.reject(new Error(`stderr closed before a line matched ${String(w.re)}:\n${err}`));
      resolve();
    }),
  );
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code)));
  return {
    pid: child.pid ?? -1,
    exit,
    closed,
    kill: (s) => (o.terminal === true && child.pid !== undefined ? process.kill(-child.pid, s) : child.kill(s)),
    line: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve, reject });
        scan();
      }),
    stderr: () => err,
  };
}

/** `pid command` of every process whose command line mentions `text` (a sandbox home: its parts and named). */
export function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(text)) out.push(`${p} ${cmd.slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
