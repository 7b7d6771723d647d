/** @module `bindy-loadtest report`: re-renders a saved run result as JSON, Markdown, HTML or Prometheus text, and pushes it to a Pushgateway. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { CommandModule } from '../command-module.js';
import { serializeResult } from '../../report/result/index.js';
import type { RunResult } from '../../report/result/index.js';
import { loadChartAssets, renderHtml } from '../../report/html/index.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderPrometheus } from '../../report/prometheus.js';
import { checkPushgateway, pushResult } from '../../report/pushgateway.js';
import { assertNotAnInput } from '../output-path.js';
import { readAsTyped } from './baseline.js';

/** Output formats of `report`. */
export const reportFormats = ['json', 'markdown', 'html', 'prometheus'] as const;
type ReportFormat = (typeof reportFormats)[number];

const help = `
Examples:
  $ bindy-loadtest report --input results/result.json --format html --output report.html
      one self-contained HTML file (charts inlined, opens with no network)
  $ bindy-loadtest report --input results/result.json --format markdown
      the Markdown summary on stdout
  $ bindy-loadtest report --input results/result.json --format prometheus
      the run's summary metrics in the Prometheus text format on stdout
  $ bindy-loadtest report --input results/result.json --pushgateway http://127.0.0.1:9091
      PUT them to /metrics/job/bindy_loadtest/instance/<run id>/scenario/<s>/profile/<p>

A result of another schema version, or a file that cannot be read, exits 2 with one line saying why.
An unreachable Pushgateway exits 3. See docs/report.md for the metric names.
`;

/** Renders `r` in `format` (pure, apart from reading the chart library for HTML). */
async function render(r: RunResult, format: ReportFormat): Promise<string> {
  switch (format) {
    case 'json':
      return serializeResult(r);
    case 'markdown':
      return renderMarkdown(r);
    case 'html':
      return renderHtml(r, await loadChartAssets());
    case 'prometheus':
      return renderPrometheus(r);
  }
}

interface ReportOptions {
  input: string;
  format?: ReportFormat;
  output?: string;
  pushgateway?: string;
}

/** The `report` command. */
export const reportCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('report')
      .description('re-render a saved run result (json, markdown, html, prometheus) and optionally push it to a Pushgateway')
      .requiredOption('--input <file>', 'the run result (result.json) to render')
      .addOption(new Option('--format <format>', 'what to render').choices(reportFormats))
      .option('--output <file>', 'write the rendering to this file instead of stdout')
      .option('--pushgateway <url>', 'push the summary metrics to this Prometheus Pushgateway (e.g. http://127.0.0.1:9091)')
      .addHelpText('after', help)
      .action(async (opts: ReportOptions) => {
        // The global -o/--output (a results directory elsewhere) takes the flag when commander sees
        // it first; for this command it always names the file to write.
        const output = opts.output ?? ctx.globals().output;
        if (opts.format === undefined && opts.pushgateway === undefined) {
          throw new UsageError(`report: give --format (${reportFormats.join(', ')}) or --pushgateway URL`);
        }
        if (output !== undefined && opts.format === undefined) throw new UsageError('report: --output needs --format');
        if (output !== undefined) await assertNotAnInput(ctx.io.cwd, output, [opts.input], '--output');
        const result = await readAsTyped(ctx.io.cwd, opts.input);
        // An unreachable Pushgateway is found before anything is written (exit 3).
        if (opts.pushgateway !== undefined) await checkPushgateway(opts.pushgateway);
        if (opts.format !== undefined) {
          const text = await render(result, opts.format);
          if (output === undefined) ctx.io.stdout(text);
          else {
            try {
              await writeFile(resolve(ctx.io.cwd, output), text, 'utf8');
            } catch (cause) {
              const code = (cause as NodeJS.ErrnoException).code;
              throw new UsageError(`--output ${output}: cannot write${code === undefined ? '' : ` (${code})`}`, { cause });
            }
            ctx.io.stderr(`report: wrote ${opts.format} to ${output} (${Buffer.byteLength(text)} bytes)\n`);
          }
        }
        if (opts.pushgateway !== undefined) {
          const pushed = await pushResult(result, { url: opts.pushgateway });
          ctx.io.stderr(`report: pushed ${pushed.bytes} bytes of metrics to ${pushed.url} (HTTP ${pushed.status})\n`);
        }
      });
  },
};
