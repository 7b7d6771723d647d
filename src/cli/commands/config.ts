/** @module `bindy-loadtest config show`: the effective configuration and where each value came from. */
import type { CommandModule } from '../command-module.js';
import { configJson, configRows, renderTable } from '../../config/index.js';
import { resolveCliConfig } from '../config-flags.js';

const showHelp = `
Examples:
  $ bindy-loadtest --profile standard config show
      every key, its value (90s, 50/s, 1%) and its source (default, profile, file:line, flag)
  $ bindy-loadtest --config loadtest.yaml --seed 7 --json config show
      one JSON object {config, origins} on stdout (durations in ms, rates per second, shares as fractions)
`;

/** The `config` command group. */
export const configCommand: CommandModule = {
  register(program, ctx) {
    const config = program.command('config').description('inspect the configuration (flags > file > profile > defaults)');
    config
      .command('show')
      .description('print the effective configuration and the source of every value; secrets are redacted')
      .addHelpText('after', showHelp)
      .action(async () => {
        const resolved = await resolveCliConfig(ctx);
        if (ctx.globals().json === true) ctx.io.stdout(`${JSON.stringify(configJson(resolved), null, 2)}\n`);
        else ctx.io.stdout(renderTable(configRows(resolved)));
      });
  },
};
