/** @module `sandbox start operator`: the operator twin as its own process. */
import type { Command } from 'commander';
import type { CliContext } from '../command-module.js';

/** Registers `sandbox start operator` (pending: wired when the operator twin lands). */
export function startOperatorPart(_start: Command, _ctx: CliContext, _announce: (ctx: CliContext, line: object) => void): void {
  // intentionally empty until src/target/sandbox/operator exists
}
