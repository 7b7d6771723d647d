/** @module `bindy-loadtest analyze`: compare a run with a baseline; exit 1 on a regression, after the report. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { CriteriaFailedError, UsageError } from '../../errors.js';
import { parsePercentage } from '../../config/index.js';
import { analysisMarkdown, analyze, asBaseline, assertComparable } from '../../judge/index.js';
import type { CommandModule } from '../command-module.js';
import { readAsTyped } from './baseline.js';
import { assertNotAnInput } from '../output-path.js';

const help = `
Compares the current run with a baseline (from \`bindy-loadtest baseline\`) metric by metric:
latency p50/p90/p99 per operation, rates, error and retry rates, operator memory and CPU, backlog.
A row is a REGRESSION only when it is worse by at least --threshold AND significant at α = 0.01:
latencies by a one-sided Mann–Whitney U test on the HDR histograms (plus, with ≥ 2 baseline runs,
outside the runs' own range); per-run figures by a prediction-interval t test on the baseline runs'
spread; error and retry rates by a two-proportion z test. See docs/judge.md.

The global --output FILE writes the report to FILE instead of stdout.

Exit codes: 0 no regression, 1 at least one regression (after the report), 2 bad input.

Examples:
  $ bindy-loadtest analyze --baseline baseline.json --current results/burst-…/result.json
  $ bindy-loadtest analyze --baseline baseline.json --current result.json --threshold 5% --format json
`;

/** The `analyze` command. */
export const analyzeCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('analyze')
      .description('compare a run with a baseline; exit 1 on a significant regression')
      .requiredOption('--baseline <file>', 'baseline file written by `bindy-loadtest baseline`')
      .requiredOption('--current <file>', 'the run result to judge')
      .option('--threshold <share>', 'smallest relative change that can be a regression, e.g. 10%', '10%')
      .addOption(new Option('--format <format>', 'report format').choices(['markdown', 'json']).default('markdown'))
      .addHelpText('after', help)
      .action(async (o: { baseline: string; current: string; threshold: string; format: 'markdown' | 'json' }) => {
        const out = ctx.globals().output;
        if (out !== undefined) await assertNotAnInput(ctx.io.cwd, out, [o.baseline, o.current], '--output');
        const threshold = parsePercentage(o.threshold);
        if (!threshold.ok) throw new UsageError(`--threshold: ${threshold.message}`);
        const baseline = asBaseline(await readAsTyped(ctx.io.cwd, o.baseline), o.baseline);
        const current = await readAsTyped(ctx.io.cwd, o.current);
        assertComparable(baseline, current, o.current);
        const analysis = analyze(baseline, current, { threshold: threshold.value });
        const json = o.format === 'json' || ctx.globals().json === true;
        const text = json ? `${JSON.stringify(analysis, null, 2)}\n` : analysisMarkdown(analysis);
        const output = ctx.globals().output;
        if (output === undefined) ctx.io.stdout(text);
        else {
          try {
            await writeFile(resolve(ctx.io.cwd, output), text, 'utf8');
          } catch (cause) {
            throw new UsageError(`${output}: cannot write the report (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { cause });
          }
        }
        if (analysis.regressions > 0) {
          const names = analysis.rows.filter((r) => r.verdict === 'regression').map((r) => r.metric);
          throw new CriteriaFailedError(`analyze: ${analysis.regressions} regression${analysis.regressions === 1 ? '' : 's'} against the baseline: ${names.join(', ')}`);
        }
      });
  },
};
