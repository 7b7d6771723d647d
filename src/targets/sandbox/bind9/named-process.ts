/** @module A real named under the tool's control: config in a temp dir, start with `named -g`, readiness, health, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetNotReadyError } from '../../../errors.js';
import { freePorts } from '../ports.js';
import { renderNamedConf, renderRndcConf, type NamedPorts } from './named-conf.js';
import { generateTsigKey, parseKeyFile, renderKeyClause, type TsigKey } from './tsig-key.js';
import { locateBind9Tools, type Bind9Tools } from './tools.js';
import { runTool } from './run-tool.js';
import { Rndc, type CommandObserver } from './rndc.js';
import { Nsupdate } from './nsupdate.js';
import { udpQuery } from './udp-query.js';

/** Options of {@link startNamed}; every field has a default. */
export interface StartNamedOptions {
  /** Working directory; created if missing and kept at stop. Default: a fresh temp dir, removed at stop. */
  readonly dir?: string;
  /** Fixed ports; the missing ones are picked free on 127.0.0.1. */
  readonly ports?: Partial<NamedPorts>;
  /** Pinned program paths (default: found in /usr/sbin, /usr/bin and PATH). */
  readonly tools?: Partial<Bind9Tools>;
  /** Name of the TSIG key zones accept updates with (default `bindcar-update`). */
  readonly updateKeyName?: string;
  /** Name of the rndc control key (default `rndc-key`). */
  readonly rndcKeyName?: string;
  /** Also listen on ::1. */
  readonly ipv6?: boolean;
  /** Bound on start-up until rndc and DNS both answer, in milliseconds (default 15000). */
  readonly readyTimeoutMs?: number;
  /** Observer of the rndc commands run through `server.rndc`. */
  readonly onRndcCommand?: CommandObserver;
  /**
   * Keep the rndc and update keys already in `dir` (rndc.conf, update.key) instead of generating
   * new ones: a named restarted in its own dir must accept the keys its clients already hold.
   */
  readonly reuseKeys?: boolean;
}

/** The key in `file`, or undefined when the file does not exist. */
async function keyIn(file: string): Promise<TsigKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseKeyFile(text, file);
}

/** What {@link NamedServer.health} found. */
export interface NamedHealth {
  /** The process has not exited. */
  readonly running: boolean;
  /** `rndc status` succeeded. */
  readonly rndc: boolean;
  /** A UDP query got an answer (any response code). */
  readonly dns: boolean;
  /** First failure, when not healthy. */
  readonly error?: string;
}

/** How stop() ended the process. */
export interface NamedStopResult {
  readonly via: 'rndc stop' | 'SIGTERM' | 'SIGKILL' | 'already exited';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running named and everything needed to drive it. */
export interface NamedServer {
  readonly pid: number;
  readonly dir: string;
  readonly ports: NamedPorts;
  readonly tools: Bind9Tools;
  readonly rndcKey: TsigKey;
  readonly updateKey: TsigKey;
  /** rndc.conf for `rndc -c`. */
  readonly rndcConfFile: string;
  /** Key file of `updateKey` for `nsupdate -k` (mode 0600). */
  readonly updateKeyFile: string;
  readonly rndc: Rndc;
  /** An Nsupdate bound to this server and its update key. */
  nsupdate(options?: { tcp?: boolean; onCommand?: CommandObserver }): Nsupdate;
  health(): Promise<NamedHealth>;
  /** The last lines named wrote to stderr (its log, since it runs with -g). */
  logTail(): string;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
  /** rndc stop, then SIGTERM, then SIGKILL, each bounded; removes the temp dir when we made it. */
  stop(): Promise<NamedStopResult>;
}

const logLines = 200;

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stopEarly: () => boolean): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (stopEarly()) return false;
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function exitedWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  return Promise.race([exited.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Writes named.conf, rndc.conf and the update key file into the directory, checks the config with
 * named-checkconf, starts `named -g -c named.conf` and waits until `rndc status` succeeds and a UDP
 * query answers. If the ports were picked here and named could not bind one (another process took it
 * in between), it retries with new ports, at most 3 times. Throws TargetNotReadyError (exit 3) when
 * BIND9 is not installed (hint: the apt-get command) or named does not become ready in time (with
 * named's last log lines).
 */
export async function startNamed(options: StartNamedOptions = {}): Promise<NamedServer> {
  const tools = locateBind9Tools(options.tools);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'bindy-loadtest-named-')));
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const pinned = options.ports ?? {};
    const maxAttempts = pinned.dns !== undefined && pinned.rndc !== undefined && pinned.stats !== undefined ? 1 : 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(options, tools, dir, ownDir);
      } catch (error) {
        const portClash = error instanceof TargetNotReadyError && /address in use/i.test(error.message);
        if (!portClash || attempt >= maxAttempts) throw error;
      }
    }
  } catch (error) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startOnce(options: StartNamedOptions, tools: Bind9Tools, dir: string, ownDir: boolean): Promise<NamedServer> {
  const pinned = options.ports ?? {};
  const picked = await freePorts(3);
  const ports: NamedPorts = {
    dns: pinned.dns ?? picked[0] ?? 0,
    rndc: pinned.rndc ?? picked[1] ?? 0,
    stats: pinned.stats ?? picked[2] ?? 0,
  };
  const confFile = join(dir, 'named.conf');
  const rndcConfFile = join(dir, 'rndc.conf');
  const updateKeyFile = join(dir, 'update.key');
  const reused = options.reuseKeys === true ? await Promise.all([keyIn(rndcConfFile), keyIn(updateKeyFile)]) : [];
  const rndcKey = reused[0] ?? generateTsigKey(options.rndcKeyName ?? 'rndc-key');
  const updateKey = reused[1] ?? generateTsigKey(options.updateKeyName ?? 'bindcar-update');
  await writeFile(confFile, renderNamedConf({ dir, ports, rndcKey, updateKey, ipv6: options.ipv6 ?? false }), { mode: 0o600 });
  await writeFile(rndcConfFile, renderRndcConf(rndcKey, ports.rndc), { mode: 0o600 });
  await writeFile(updateKeyFile, renderKeyClause(updateKey), { mode: 0o600 });

  const check = await runTool(tools.namedCheckconf, [confFile], { timeoutMs: 10_000 });
  if (check.status !== 0) {
    throw new TargetNotReadyError(`named-checkconf rejected the generated named.conf: ${(check.stdout + check.stderr).trim()}`);
  }

  // -g: foreground, all logging to stderr. No -u: named keeps our uid, and as root it simply stays root.
  const child: ChildProcess = spawn(tools.named, ['-g', '-c', confFile], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin' },
  });
  const log: string[] = [];
  let partial = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    log.push(...lines);
    if (log.length > logLines) log.splice(0, log.length - logLines);
  });
  let exitInfo: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      exitInfo = { exitCode, signal };
      resolve(exitInfo);
    });
    child.once('error', (error) => {
      log.push(`spawn failed: ${error.message}`);
      exitInfo = { exitCode: null, signal: null };
      resolve(exitInfo);
    });
  });
  const logTail = (): string => [...log, ...(partial === '' ? [] : [partial])].join('\n');

  const control = { host: '127.0.0.1', port: ports.rndc, key: rndcKey };
  const rndc = new Rndc({
    ...control,
    ...(options.onRndcCommand === undefined ? {} : { onCommand: options.onRndcCommand }),
  });
  const quietRndc = new Rndc({ ...control, timeoutMs: 3000 });

  async function health(): Promise<NamedHealth> {
    if (exitInfo !== undefined) return { running: false, rndc: false, dns: false, error: 'named has exited' };
    const [rndcResult, dnsResult] = await Promise.allSettled([
      quietRndc.status(),
      // version.bind is answered (REFUSED with `version none`) even with no zones loaded.
      udpQuery(ports.dns, 'version.bind', 'TXT', 1000),
    ]);
    const rndcOk = rndcResult.status === 'fulfilled';
    const dnsOk = dnsResult.status === 'fulfilled';
    const failure = [rndcResult, dnsResult].find((r) => r.status === 'rejected');
    const error = failure?.status === 'rejected' ? String(failure.reason instanceof Error ? failure.reason.message : failure.reason) : undefined;
    return { running: true, rndc: rndcOk, dns: dnsOk, ...(error === undefined ? {} : { error }) };
  }

  async function kill(): Promise<void> {
    if (exitInfo === undefined) child.kill('SIGKILL');
    await exitedWithin(exited, 5000);
  }

  const ready = await waitFor(
    async () => {
      const h = await health();
      return h.rndc && h.dns;
    },
    options.readyTimeoutMs ?? 15_000,
    () => exitInfo !== undefined,
  );
  if (!ready) {
    await kill();
    const why = exitInfo !== undefined && log.length > 0 ? 'named exited during start-up' : 'named did not become ready in time';
    throw new TargetNotReadyError(`${why} (dns ${ports.dns}, rndc ${ports.rndc}):\n${log.slice(-15).join('\n')}`);
  }

  let stopping: Promise<NamedStopResult> | undefined;
  async function stopOnce(): Promise<NamedStopResult> {
    let via: NamedStopResult['via'] = 'already exited';
    if (exitInfo === undefined) {
      via = 'rndc stop';
      const asked = await quietRndc.stop().then(
        () => true,
        () => false,
      );
      // Only wait for a clean exit when named accepted the stop; otherwise go straight to signals.
      if (!asked || !(await exitedWithin(exited, 5000))) {
        via = 'SIGTERM';
        child.kill('SIGTERM');
        if (!(await exitedWithin(exited, 3000))) {
          via = 'SIGKILL';
          child.kill('SIGKILL');
          await exitedWithin(exited, 5000);
        }
      }
    }
    const info = await exited;
    if (ownDir) await rm(dir, { recursive: true, force: true });
    return { via, ...info };
  }

  return {
    pid: child.pid ?? -1,
    dir,
    ports,
    tools,
    rndcKey,
    updateKey,
    rndcConfFile,
    updateKeyFile,
    rndc,
    nsupdate: (o = {}) =>
      new Nsupdate({
        nsupdatePath: tools.nsupdate,
        server: '127.0.0.1',
        port: ports.dns,
        keyFile: updateKeyFile,
        ...(o.tcp === undefined ? {} : { tcp: o.tcp }),
        ...(o.onCommand === undefined ? {} : { onCommand: o.onCommand }),
      }),
    health,
    logTail,
    exited,
    stop: () => (stopping ??= stopOnce()),
  };
}
