/** @module The shape of one CLI command: it registers itself on the root program. */
import type { Command } from 'commander';
import type { CliIo } from './io.js';
import type { GlobalOptions } from './global-options.js';

/** What a command's action receives besides its own options. */
export interface CliContext {
  io: CliIo;
  /** The parsed global options (call inside an action, after parsing). */
  globals: () => GlobalOptions;
}

/** A command registers its subcommand(s) and actions on the root program. */
export interface CommandModule {
  register: (program: Command, ctx: CliContext) => void;
}
