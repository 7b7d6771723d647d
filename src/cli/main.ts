/**
 * @module The CLI entry: builds the commander program from the command table, runs it, and is the
 * only place that maps an error to a message and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, LoadtestError } from '../errors.js';
import { toolVersion } from '../version.js';
import type { CommandModule } from './command-module.js';
import { addGlobalOptions, type GlobalOptions } from './global-options.js';
import { processIo, type CliIo } from './io.js';

const examples = `
Examples:
  $ bindy-loadtest fixtures --zones 2 --records-per-zone 100 --format yaml > objects.yaml
      generate bindy DNSZones and records that kubectl apply -f accepts
  $ bindy-loadtest fixtures --zones 1 --records-per-zone 1000 --format zonefile -o out/
      write BIND zone files (check them with named-checkzone)
  $ bindy-loadtest config show --profile standard
      print the effective configuration and where each value came from
  $ bindy-loadtest --config loadtest.yaml --seed 7 config show --json

Exit codes: 0 passed, 1 a criterion failed, 2 bad usage or configuration,
            3 target not reachable or not ready, 130 interrupted.
Documentation: docs/ in the package (configuration.md, fixtures.md, result-format.md).
`;

/** Builds the root program from a command table. */
function buildProgram(io: CliIo, commands: readonly CommandModule[]): Command {
  const program = new Command('bindy-loadtest');
  program
    .description('Load tests and chaos experiments for bindy (Kubernetes operator for BIND9), against a cluster or a local sandbox twin.')
    .version(toolVersion, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // Commander's own error lines are replaced by ours (one line, exit 2) in main().
      outputError: () => undefined,
    })
    .addHelpText('after', examples);
  addGlobalOptions(program);
  const ctx = { io, globals: () => program.opts<GlobalOptions>() };
  for (const c of commands) c.register(program, ctx);
  return program;
}

/**
 * The commands to register. A sandbox part (`sandbox start <part>`, a process of its own, started
 * several times per sandbox) loads only the sandbox command: the whole table costs ~1 s of module
 * loading per process (most of it the Kubernetes client), which every sandbox start would pay again.
 */
async function commandTable(argv: readonly string[]): Promise<readonly CommandModule[]> {
  if (argv[0] === 'sandbox' && argv[1] === 'start') return [(await import('./commands/sandbox.js')).sandboxCommand];
  return (await import('./commands/index.js')).commands;
}

/** Turns anything thrown into the one-line message and exit code the user sees. */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.ok;
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return ExitCode.usage;
    const message = err.message.replace(/^error: /, '');
    io.stderr(`bindy-loadtest: ${message}\n`);
    return ExitCode.usage;
  }
  if (err instanceof LoadtestError) {
    io.stderr(`bindy-loadtest: ${err.message}\n`);
    if (err.hint !== undefined) io.stderr(`  hint: ${err.hint}\n`);
    return err.exitCode;
  }
  // A port someone else holds is the user's to change, not a bug of ours: one line, exit 2.
  const errno = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (errno instanceof Error && errno.code === 'EADDRINUSE') {
    const where = errno.address !== undefined && errno.port !== undefined ? `${errno.address}:${errno.port}` : 'the address';
    io.stderr(`bindy-loadtest: ${where} is already in use (another process listens there): pick another port, or leave the port option out for a free one\n`);
    return ExitCode.usage;
  }
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  io.stderr(`bindy-loadtest: internal error (please report): ${message}\n`);
  return 70;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io, await commandTable(argv));
  try {
    if (argv.length === 0) {
      io.stderr(program.helpInformation());
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    // `help` and `help burst` ask for help: exit 0 (commander's own code folds in process.exitCode); `help nope` does not.
    const asked = argv[0] === 'help' && argv.length <= 2 && (argv[1] === undefined || program.commands.some((c) => c.name() === argv[1]));
    if (err instanceof CommanderError && err.code === 'commander.help' && asked) return ExitCode.ok;
    return reportError(err, io);
  }
}

