/**
 * @module The runner of `cluster up|down` (I/O): runs the plan's command lines as child processes,
 * one progress line per step, recording each step in the state file before it starts. A failure
 * or an interrupt undoes what was started, last first; `down` undoes what the state file names.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InterruptedError, LoadtestError, TargetNotReadyError, UsageError } from '../../../errors.js';
import { shellLine, undoOrder, type ClusterPlan, type ReadyTarget } from './plan.js';
import { clusterStateFile, readClusterState, removeClusterState, writeClusterState, type ClusterState, type StepState } from './state.js';
import { findOnPath } from './tools.js';

/** What the runner needs from the outside world. */
export interface RunnerIo {
  /** Environment of the children (PATH finds the programs). */
  env: NodeJS.ProcessEnv;
  /** Directory the steps run in: the repository root (the plan's paths are relative to it). */
  cwd: string;
  /** Home of the state file (clusterHome()). */
  home: string;
  /** One line per step and per undo, without the newline. */
  progress: (line: string) => void;
  /** Every line the children print (also appended to `<home>/cluster.log`); for --verbose. */
  output?: (line: string) => void;
  /** Aborted on Ctrl-C: the running child is stopped and everything started is undone. */
  signal?: AbortSignal;
}

/** Waits until the tool's preflight passes against the new cluster; injectable because no fake cluster passes it. */
export type WaitReady = (target: ReadyTarget, signal: AbortSignal) => Promise<void>;

/** What a successful `up` did. */
export interface UpReport {
  steps: { id: string; status: 'done' | 'skipped'; ms: number }[];
  readyMs: number;
}

/** What `down` removed (null from clusterDown: nothing was recorded). */
export interface DownReport {
  undone: string[];
  /** Steps skipped by `up` because their object was there before it: left alone. */
  leftAlone: string[];
}

/** The log of every child's output, beside the state file. */
export function clusterLogFile(home: string): string {
  return join(home, 'cluster.log');
}

interface CommandResult {
  code: number | null;
  /** The signal that ended it, if one did. */
  signal?: NodeJS.Signals | null;
  aborted: boolean;
  stdout: string;
  /** Last non-empty lines of output (stderr and stdout), for a failure's one line. */
  tail: string[];
  /** Set when the program could not be started at all. */
  spawnError?: string;
}

/** Runs one command line to its end (or until `signal` aborts it: SIGTERM, then SIGKILL after 5 s). */
function runCommand(argv: readonly string[], o: { cwd: string; env: NodeJS.ProcessEnv; log: string; output?: (line: string) => void; signal?: AbortSignal }): Promise<CommandResult> {
  const [program, ...args] = argv;
  const path = program === undefined ? undefined : findOnPath(program, o.env['PATH']);
  if (path === undefined) return Promise.resolve({ code: null, aborted: false, stdout: '', tail: [], spawnError: `${program ?? '(nothing)'} not found on PATH` });
  appendFileSync(o.log, `$ ${shellLine(argv)}\n`);
  return new Promise((resolve) => {
    // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the step (and undo
    // it) ourselves; an undo is never cut short by a second Ctrl-C.
    const child = spawn(path, args, { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    const tail: string[] = [];
    let partial = { out: '', err: '' };
    const onData = (which: 'out' | 'err') => (d: Buffer): void => {
      const text = d.toString();
      appendFileSync(o.log, text);
      if (which === 'out') stdout += text;
      const lines = (partial[which] + text).split('\n');
      partial = { ...partial, [which]: lines.pop() ?? '' };
      for (const l of lines) emit(l);
    };
    const emit = (l: string): void => {
      if (l.trim() === '') return;
      o.output?.(l);
      tail.push(l.trim());
      if (tail.length > 20) tail.shift();
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    let aborted = false;
    let kill: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGTERM');
      kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    };
    if (o.signal?.aborted === true) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ code: null, aborted, stdout, tail, spawnError: e.message });
    });
    child.on('close', (code, sig) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (kill !== undefined) clearTimeout(kill);
      emit(partial.out);
      emit(partial.err);
      resolve({ code, signal: sig, aborted, stdout, tail });
    });
  });
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function failureText(argv: readonly string[], r: CommandResult): string {
  if (r.spawnError !== undefined) return `${argv[0] ?? ''}: ${r.spawnError}`;
  const last = r.tail.at(-1);
  const how = r.code === null ? `was ended by ${r.signal ?? 'a signal'}` : `exited with code ${r.code}`;
  return `${argv[0] ?? ''} ${how}${last === undefined ? '' : `: ${last}`}`;
}

/** Undoes the started steps of `state`, last first, removing each from the state file once undone; the failures, as text. */
async function undoStarted(state: ClusterState, io: RunnerIo, verb: string): Promise<{ undone: string[]; failed: string[] }> {
  const undone: string[] = [];
  const failed: string[] = [];
  const env = { ...io.env, ...state.env };
  for (const s of undoOrder(state.steps.filter((x) => x.status === 'running' || x.status === 'done'))) {
    const argv = s.undo ?? [];
    io.progress(`cluster ${verb}: undo "${s.title}": ${shellLine(argv)}`);
    const t0 = performance.now();
    // No signal: an undo runs to its end even after Ctrl-C, or it would leave half of what it removes.
    const r = await runCommand(argv, { cwd: state.cwd, env, log: clusterLogFile(io.home), ...(io.output === undefined ? {} : { output: io.output }) });
    if (r.code === 0) {
      undone.push(s.title);
      state.steps = state.steps.filter((x) => x !== s);
      await writeClusterState(io.home, state);
      io.progress(`cluster ${verb}: undone "${s.title}" in ${seconds(performance.now() - t0)}`);
    } else {
      failed.push(`"${s.title}" (${failureText(argv, r)})`);
      io.progress(`cluster ${verb}: could not undo "${s.title}": ${failureText(argv, r)}`);
    }
  }
  if (failed.length === 0) {
    for (const f of state.files) await rm(f, { force: true });
    await removeClusterState(io.home);
  }
  return { undone, failed };
}

function undoSummary(u: { undone: string[]; failed: string[] }, home: string): string {
  const done = `undid ${u.undone.length} step(s)`;
  if (u.failed.length === 0) return `${done}, nothing left`;
  return `${done}; could not undo ${u.failed.join(', ')}: the state is kept in ${clusterStateFile(home)}, run bindy-loadtest cluster down again`;
}

/**
 * Runs `plan`: checks the probes (what an existing cluster already has is skipped and never
 * undone), writes the generated files, runs each step (recorded as `running` before it starts),
 * then waits until the preflight passes. A failed step undoes the steps before it and throws a
 * TargetNotReadyError (exit 3) naming it; Ctrl-C undoes everything started (exit 130). A preflight
 * that does not pass keeps what was made (for a look; `down` removes it) and throws its error.
 */
export async function clusterUp(plan: ClusterPlan, io: RunnerIo, waitReady: WaitReady): Promise<UpReport> {
  const existing = await readClusterState(io.home);
  if (existing !== undefined) {
    throw new UsageError(`cluster up: ${clusterStateFile(io.home)} already records what an earlier up made (${existing.provider}, context ${existing.context}): run bindy-loadtest cluster down first`);
  }
  mkdirSync(io.home, { recursive: true, mode: 0o700 });
  const log = clusterLogFile(io.home);
  appendFileSync(log, `# cluster up ${new Date().toISOString()}\n`);
  const env = { ...io.env, ...plan.env };
  const signal = io.signal ?? new AbortController().signal;
  const n = plan.steps.length;
  const o = plan.options;

  // Probes first, all before any step: "there before up" must not see what an earlier step made.
  const skip = new Set<string>();
  for (const s of plan.steps) {
    if (s.present === undefined) continue;
    const r = await runCommand(s.present.argv, { cwd: io.cwd, env, log, signal });
    if (r.aborted) throw new InterruptedError('cluster up interrupted before its first step: nothing was made');
    // Only a clear "not found" means absent: a probe that could not ask (cluster unreachable,
    // refused) must not let `up` install, and later remove, something that was there.
    const notFound = r.code !== 0 && r.tail.some((l) => /not ?found/i.test(l));
    if (r.code !== 0 && !notFound) {
      throw new TargetNotReadyError(`cluster up: cannot tell whether "${s.title}" is already there: ${failureText(s.present.argv, r)}; nothing was made`, {
        hint: `check the cluster answers: kubectl --context ${o.context} get --raw /readyz`,
      });
    }
    const present = r.code === 0 && (s.present.when === 'exit-0' || r.stdout.trim() !== '');
    if (present) skip.add(s.id);
  }

  const state: ClusterState = {
    version: 1,
    startedAt: new Date().toISOString(),
    provider: o.provider,
    name: o.name,
    context: o.context,
    bindyVersion: o.bindyVersion,
    cwd: io.cwd,
    env: plan.env,
    files: plan.files.map((f) => f.path),
    steps: [],
    complete: false,
  };
  // Recorded before the files are written, so a kill in between still leaves them to `down`.
  await writeClusterState(io.home, state);
  for (const f of plan.files) {
    await mkdir(dirname(f.path), { recursive: true });
    await writeFile(f.path, f.content);
  }

  const report: UpReport = { steps: [], readyMs: 0 };
  const interrupted = async (during: string): Promise<never> => {
    const u = await undoStarted(state, io, 'up');
    throw new InterruptedError(`cluster up interrupted during ${during}: ${undoSummary(u, io.home)}`);
  };
  for (const [i, s] of plan.steps.entries()) {
    const at = `[${i + 1}/${n}]`;
    const recorded: StepState = { id: s.id, title: s.title, run: [...s.run], undo: s.undo === null ? null : [...s.undo], status: 'running' };
    if (skip.has(s.id)) {
      state.steps.push({ ...recorded, status: 'skipped' });
      await writeClusterState(io.home, state);
      io.progress(`cluster up: ${at} ${s.title}: skipped, already there before up (left alone, also by down)`);
      report.steps.push({ id: s.id, status: 'skipped', ms: 0 });
      continue;
    }
    if (signal.aborted) return interrupted(`step ${i + 1}/${n} "${s.title}"`);
    state.steps.push(recorded);
    await writeClusterState(io.home, state);
    io.progress(`cluster up: ${at} ${s.title}: ${shellLine(s.run)}`);
    const t0 = performance.now();
    const r = await runCommand(s.run, { cwd: io.cwd, env, log, signal, ...(io.output === undefined ? {} : { output: io.output }) });
    if (r.aborted || signal.aborted) return interrupted(`step ${i + 1}/${n} "${s.title}"`);
    if (r.code !== 0) {
      // The failed step is not undone: it may have failed because what it makes was someone else's.
      recorded.status = 'failed';
      await writeClusterState(io.home, state);
      const u = await undoStarted(state, io, 'up');
      throw new TargetNotReadyError(`cluster up: step ${i + 1}/${n} "${s.title}" failed: ${failureText(s.run, r)}; ${undoSummary(u, io.home)}`, {
        hint: `every command's output is in ${log}`,
      });
    }
    recorded.status = 'done';
    await writeClusterState(io.home, state);
    const ms = performance.now() - t0;
    io.progress(`cluster up: ${at} done in ${seconds(ms)}`);
    report.steps.push({ id: s.id, status: 'done', ms });
  }
  state.complete = true;
  await writeClusterState(io.home, state);

  io.progress(`cluster up: waiting until the preflight passes (context ${plan.ready.context}, Bind9Cluster ${plan.ready.namespace}/${plan.ready.clusterName})`);
  const t0 = performance.now();
  try {
    await waitReady(plan.ready, signal);
  } catch (err) {
    if (signal.aborted) return interrupted('the preflight wait');
    if (err instanceof LoadtestError) throw err;
    throw new TargetNotReadyError(`cluster up: the preflight wait failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (signal.aborted) return interrupted('the preflight wait');
  report.readyMs = performance.now() - t0;
  return report;
}

/**
 * Undoes what the state file in `io.home` records, last first, then removes the state and the
 * generated files; null when nothing is recorded. An undo that fails keeps the state (with what
 * is left) and throws a TargetNotReadyError (exit 3) naming it.
 */
export async function clusterDown(io: RunnerIo): Promise<DownReport | null> {
  const state = await readClusterState(io.home);
  if (state === undefined) return null;
  mkdirSync(io.home, { recursive: true, mode: 0o700 });
  appendFileSync(clusterLogFile(io.home), `# cluster down ${new Date().toISOString()}\n`);
  io.progress(`cluster down: removing what up made on ${state.provider === 'existing' ? 'the existing cluster' : `the ${state.provider} cluster ${state.name}`} (context ${state.context}, recorded ${state.startedAt})`);
  const leftAlone = state.steps.filter((s) => s.status === 'skipped').map((s) => s.title);
  const u = await undoStarted(state, io, 'down');
  if (u.failed.length > 0) {
    throw new TargetNotReadyError(`cluster down: ${undoSummary(u, io.home)}`, { hint: `every command's output is in ${clusterLogFile(io.home)}` });
  }
  return { undone: u.undone, leftAlone };
}

/** The programs the undos of a recorded state run (for the tool check of `down`). */
export function undoTools(state: ClusterState): string[] {
  return [...new Set(undoOrder(state.steps.filter((s) => s.status === 'running' || s.status === 'done')).map((s) => s.undo?.[0] ?? ''))].filter((t) => t !== '');
}
