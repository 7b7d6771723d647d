/** @module A shard of a sharded run that failed: the run fails with its error and exit code, keeping what the other shards measured. */
import { ExitCode, LoadtestError } from '../errors.js';
import type { DriveOutcome } from './scenario.js';

function exitCodeOf(code: number | null): ExitCode {
  const known: readonly number[] = Object.values(ExitCode);
  // A code the tool does not define (a crash, a kill) still means the run failed.
  return code !== null && code !== 0 && known.includes(code) ? (code as ExitCode) : ExitCode.criteriaFailed;
}

/** A shard failed: exits as the shard did (2, 3, 130), or 1 when its end means nothing more (a crash, a kill). */
export class ShardFailedError extends LoadtestError {
  /** What the run measured anyway (the shards that returned a result, and the observers). */
  readonly partial: DriveOutcome;

  constructor(message: string, shardExitCode: number | null, partial: DriveOutcome) {
    super(message, 'E_SHARD_FAILED', exitCodeOf(shardExitCode));
    this.partial = partial;
  }
}
