/**
 * @module The signals of one run, turned into the steps of its teardown: the first Ctrl-C (or
 * SIGTERM, or the loss of the parent process) stops starting and lets cleanup run with the
 * operator still up; a second stops waiting for cleanup; a third exits at once, saying what is
 * left and how to remove it.
 */
import { readFileSync } from 'node:fs';
import { faultTargetText } from '../scenarios/cleanup-faults.js';
import { changeTargetText } from '../faults/limits/change.js';
import { parseJournal, type SandboxEntry } from '../observe/journal.js';
import { isAlive } from '../targets/sandbox/supervisor/part-process.js';

/** What interrupted a run: a signal, or the parent process going away (treated as SIGTERM). */
export type InterruptCause = NodeJS.Signals | 'SIGTERM (the parent process is gone)' | 'the coordinator\'s stop';

/** Options of {@link Interrupts}. */
export interface InterruptsOptions {
  /** Called on the second signal (the cleanup wait is being cut short). */
  onSecond?: (s: InterruptCause) => void;
  /** Called on the third signal, just before the process exits 130: say what is left. */
  onForce?: () => void;
  /** How to exit on the third signal (tests replace it). */
  exit?: (code: number) => void;
  /**
   * Watch the parent: when it goes (its lineage changes: the process, or the `sh -c` npx runs it
   * under, is re-parented; or its IPC channel closes), stop as on SIGTERM. A CI timeout kills
   * `npx`, not the tool under it. null turns the watch off.
   */
  parent?: { lineage: () => string; intervalMs: number } | null;
}

/** True when `cmdline` (NUL-separated, as /proc has it) is a non-interactive shell running one command (`sh -c …`, how npm runs a bin). */
export function isShellWrapper(cmdline: string): boolean {
  const [argv0 = '', flag = ''] = cmdline.split('\0');
  return /(^|\/)(sh|dash|bash)$/.test(argv0) && flag === '-c';
}

function ppidOf(pid: number): number | null {
  try {
    // Field 4 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * Who this process hangs from: its parent pid, and when that parent is an `sh -c` wrapper (npx
 * runs bins so), the wrapper's parent too: killing npx re-parents the shell, not this process.
 */
export function processLineage(): string {
  const ppid = process.ppid;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${ppid}/cmdline`, 'utf8');
  } catch {
    return String(ppid);
  }
  return isShellWrapper(cmdline) ? `${ppid}<${ppidOf(ppid) ?? 'gone'}` : String(ppid);
}

/** Signals of one run: first stops starting; waits end once in-flight creates answered; a second stops waiting for cleanup; a third exits. */
export class Interrupts {
  /** Aborted on the first interrupt: start nothing new (sandbox start-up included). */
  readonly stopStarting = new AbortController();
  /** Aborted once the engine has nothing in flight after an interrupt, and on the second one. */
  readonly hardStop = new AbortController();
  /** Aborted on the second interrupt: stop waiting for cleanup. */
  readonly cleanupStop = new AbortController();
  #cause: InterruptCause | null = null;
  #count = 0;
  #engineDone = false;
  readonly #o: InterruptsOptions;
  readonly #timer: NodeJS.Timeout | null = null;
  readonly #onSignal = (s: NodeJS.Signals): void => this.#interrupt(s);
  readonly #onDisconnect = (): void => this.#parentGone();

  constructor(
    readonly onFirst: (s: InterruptCause) => void,
    options: InterruptsOptions = {},
  ) {
    this.#o = options;
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
    process.on('SIGHUP', this.#onSignal);
    const parent = options.parent === undefined ? { lineage: processLineage, intervalMs: 1000 } : options.parent;
    if (parent !== null) {
      const first = parent.lineage();
      // No event tells a process its parent died: the parent pid changes when it is re-parented.
      this.#timer = setInterval(() => {
        if (parent.lineage() !== first) this.#parentGone();
      }, parent.intervalMs);
      this.#timer.unref();
    }
    if (process.connected === true) process.on('disconnect', this.#onDisconnect);
  }

  #parentGone(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    // Only once: a lost parent is one SIGTERM, not a stream of them.
    if (this.#cause === null) this.#interrupt('SIGTERM (the parent process is gone)');
  }

  #interrupt(s: InterruptCause): void {
    if (s === 'SIGHUP') {
      // The terminal is gone: writes to it fail from now on, and must not end the teardown.
      process.stdout.on('error', () => undefined);
      process.stderr.on('error', () => undefined);
    }
    this.#count++;
    if (this.#count === 1) {
      this.#cause = s;
      this.onFirst(s);
      this.stopStarting.abort();
      if (this.#engineDone) this.hardStop.abort();
    } else if (this.#count === 2) {
      this.#o.onSecond?.(s);
      this.cleanupStop.abort();
      this.hardStop.abort();
    } else {
      this.#o.onForce?.();
      (this.#o.exit ?? ((code: number) => process.exit(code)))(130);
    }
  }

  /**
   * An interrupt that came another way than a signal (a shard pod told to stop through its spec
   * ConfigMap): the same steps as a first, then a second Ctrl-C; never a third (that exits).
   */
  request(cause: InterruptCause): void {
    if (this.#count < 2) this.#interrupt(cause);
  }

  /** The engine finished starting and answering: an interrupt can stop the wait for Ready at once. */
  engineDone(): void {
    this.#engineDone = true;
    if (this.#cause !== null) this.hardStop.abort();
  }

  /** The first interrupt's cause, or null (a method: its answer changes between calls). */
  interruptedBy(): InterruptCause | null {
    return this.#cause;
  }

  /** Stops listening (the default handlers apply again). */
  dispose(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
    process.off('SIGHUP', this.#onSignal);
    process.off('disconnect', this.#onDisconnect);
    if (this.#timer !== null) clearInterval(this.#timer);
  }
}

/** What a third Ctrl-C leaves behind, from the run's journal: the sandbox processes still alive and the run's objects, with the command that removes them. */
export function forcedExitText(runId: string, journal: { path: string }): string {
  let sandbox: SandboxEntry | null = null;
  let objects = 0;
  let faults: string[] = [];
  let changes: string[] = [];
  try {
    const j = parseJournal(journal.path, readFileSync(journal.path, 'utf8'));
    sandbox = j.sandbox;
    objects = j.objects.length;
    faults = j.faults.map((f) => `${f.key} on ${faultTargetText(f.descriptor)}`);
    changes = j.changes.map((c) => `${c.key} to ${changeTargetText(c.descriptor)}`);
  } catch {
    // no journal yet: nothing was started
  }
  const alive = sandbox === null || sandbox.stopped ? [] : sandbox.processes.filter((p) => isAlive(p.pid));
  const left = [
    // A fault of a sandbox the run started goes when that sandbox stops; any other is still in force.
    ...(faults.length > 0 && alive.length === 0 ? [`faults still in force: ${faults.join(', ')}`] : []),
    // A change outlives any sandbox (a cluster's Deployment, a control group).
    ...(changes.length > 0 ? [`changes not restored: ${changes.join(', ')}`] : []),
    ...(alive.length > 0 ? [`the sandbox this run started (${alive.map((p) => `${p.name} pid ${p.pid}`).join(', ')}; its objects go with it)`] : []),
    ...(alive.length === 0 && objects > 0 ? [`up to ${objects} objects labelled with the run id`] : []),
  ];
  if (left.length === 0) return `\nexiting now (130): nothing of run ${runId} is left\n`;
  return `\nexiting now (130) without waiting; left behind: ${left.join('; ')}; remove with: bindy-loadtest cleanup --run-id ${runId} (journal ${journal.path})\n`;
}
