/** @module The error a failed rndc or nsupdate command throws, carrying the program's own message. */
import { TargetNotReadyError } from '../../../errors.js';

/** rndc or nsupdate ran and failed; `detail` is what the program said, e.g. `already exists`. */
export class Bind9CommandError extends TargetNotReadyError {
  /** Which program failed. */
  readonly tool: 'rndc' | 'nsupdate';
  /** The rndc command word (`addzone`) or `update` for nsupdate. */
  readonly command: string;
  /** The program's error text, without its `rndc: 'x' failed:` prefix. */
  readonly detail: string;
  /** Exit status, or null when killed. */
  readonly status: number | null;

  constructor(tool: 'rndc' | 'nsupdate', command: string, detail: string, status: number | null) {
    super(`${tool} ${command} failed: ${detail}`);
    this.tool = tool;
    this.command = command;
    this.detail = detail;
    this.status = status;
  }
}
