/** @module `bindy-loadtest baseline`: merge run results of one scenario into a baseline file. */
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { buildBaseline } from '../../judge/index.js';
import { readResultFile, writeResultFile } from '../../report/result/index.js';
import type { RunResult } from '../../report/result/index.js';
import type { CommandModule } from '../command-module.js';
import { assertNotAnInput } from '../output-path.js';

const help = `
Merges one or more results of the same scenario on the same target into one baseline: latency
histograms are added (never averaged); rates, error counts, memory and CPU are kept per run so
their run-to-run spread is known. Record at least 3 runs: with fewer, per-run figures have no
spread to test against and can never be flagged as regressions. See docs/judge.md.

Examples:
  $ bindy-loadtest baseline --input r1/result.json r2/result.json r3/result.json --output baseline.json
`;

/** The `baseline` command. */
export const baselineCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('baseline')
      .description('merge results of one scenario into a baseline for `analyze`')
      .requiredOption('--input <files...>', 'run results (result.json) of one scenario and target')
      .addHelpText('after', `\nThe global --output FILE names the baseline file to write (required).\n${help}`)
      .action(async (o: { input: string[] }) => {
        const output = ctx.globals().output;
        if (output === undefined) throw new UsageError('baseline: --output FILE is required (where to write the baseline)');
        await assertNotAnInput(ctx.io.cwd, output, o.input, '--output');
        const inputs = [];
        for (const file of o.input) inputs.push({ source: file, result: await readAsTyped(ctx.io.cwd, file) });
        const doc = buildBaseline(inputs);
        await writeResultFile(resolve(ctx.io.cwd, output), doc);
        ctx.io.stderr(`baseline: ${doc.baseline.count} run${doc.baseline.count === 1 ? '' : 's'} of ${doc.metadata.scenario} written to ${output}\n`);
      });
  },
};

/** Reads a result; errors name the file as the user typed it, not the resolved absolute path. */
export async function readAsTyped(cwd: string, file: string): Promise<RunResult> {
  const abs = resolve(cwd, file);
  try {
    return await readResultFile(abs);
  } catch (e) {
    if (e instanceof UsageError && abs !== file) throw new UsageError(e.message.replaceAll(abs, file), { cause: e, ...(e.hint !== undefined ? { hint: e.hint } : {}) });
    throw e;
  }
}
