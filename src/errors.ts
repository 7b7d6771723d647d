/**
 * @module Error classes of bindy-loadtest: one class per failure domain, each with a stable code
 * and the exit code the CLI maps it to. The library throws these; only `src/cli/` turns them into
 * a message and an exit code.
 */

/** Exit codes of the CLI (DESIGN.md "Errors and exit codes"). */
export const ExitCode = {
  ok: 0,
  criteriaFailed: 1,
  usage: 2,
  targetNotReady: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Options shared by every LoadtestError. */
export interface LoadtestErrorOptions {
  /** What the user can do about it, printed after the message. */
  hint?: string;
  cause?: unknown;
}

/** Base class: a stable machine-readable `code` and the CLI exit code. */
export class LoadtestError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, code: string, exitCode: ExitCode, options: LoadtestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad flags, bad config, bad input data: exit 2. */
export class UsageError extends LoadtestError {
  constructor(message: string, options: LoadtestErrorOptions = {}) {
    super(message, 'E_USAGE', ExitCode.usage, options);
  }
}

/** One problem found in a configuration source, located as precisely as we can. */
export interface ConfigIssue {
  /** File path, or `--flag` for a command-line value. */
  source: string;
  /** 1-based line in the file, when the problem has a place in a file. */
  line?: number;
  /** Dotted key path, e.g. `scenarios.burst.records`. */
  key?: string;
  message: string;
}

/** Formats one issue as `file:line: key: message` (parts that are unknown are left out). */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.source : `${issue.source}:${issue.line}`;
  return issue.key === undefined ? `${where}: ${issue.message}` : `${where}: ${issue.key}: ${issue.message}`;
}

/** Every problem of a configuration source at once (exit 2); the message has one line per issue. */
export class ConfigError extends UsageError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: LoadtestErrorOptions = {}) {
    super(issues.map(formatConfigIssue).join('\n'), options);
    this.issues = issues;
  }
}

/** The target (cluster or sandbox) is missing something or not reachable: exit 3. */
export class TargetNotReadyError extends LoadtestError {
  constructor(message: string, options: LoadtestErrorOptions = {}) {
    super(message, 'E_TARGET_NOT_READY', ExitCode.targetNotReady, options);
  }
}

/** The run completed but failed a success criterion or an expected behaviour: exit 1. */
export class CriteriaFailedError extends LoadtestError {
  constructor(message: string, options: LoadtestErrorOptions = {}) {
    super(message, 'E_CRITERIA_FAILED', ExitCode.criteriaFailed, options);
  }
}

/** The run was interrupted (SIGINT/SIGTERM) after cleanup and a partial result: exit 130. */
export class InterruptedError extends LoadtestError {
  constructor(message = 'interrupted', options: LoadtestErrorOptions = {}) {
    super(message, 'E_INTERRUPTED', ExitCode.interrupted, options);
  }
}
