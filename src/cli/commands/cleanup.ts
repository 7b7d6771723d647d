/** @module `bindy-loadtest cleanup`: delete what a run (or every run) left behind, by the run-id label only. */
import { join, resolve } from 'node:path';
import { InterruptedError, TargetNotReadyError, UsageError } from '../../errors.js';
import { parseDuration } from '../../config/values.js';
import { KubeClient } from '../../observe/kube-client.js';
import { cleanup } from '../../scenarios/cleanup.js';
import type { CleanupTarget } from '../../scenarios/cleanup.js';
import { openTarget } from '../../target/open-target.js';
import type { CommandModule } from '../command-module.js';
import { resolveCliConfig } from '../config-flags.js';

const help = `
Deletes, with deletecollection and the label selector loadtest.bindy.firestoned.io/run-id[=ID],
every bindy object of the run (or of every run) in --namespace and in the namespaces the run
journals in <output>/journal/ name, then waits until each is gone (finalizers take time). An object
without the label is never touched. Journals of runs that are clean are removed.

Examples:
  $ bindy-loadtest cleanup --run-id burst-20260101-120000-ab12
  $ bindy-loadtest --target cluster --context kind-bindy cleanup --all
`;

/** The `cleanup` command. */
export const cleanupCommand: CommandModule = {
  register(program, ctx) {
    program
      .command('cleanup')
      .description('delete the objects a run left behind (by its run-id label), or those of every run')
      .option('--run-id <id>', 'the run to clean up')
      .option('--all', 'every object any run of this tool labelled')
      .option('--timeout <duration>', 'how long to wait for finalizers', '2m')
      .addHelpText('after', help)
      .action(async (o: { runId?: string; all?: boolean; timeout: string }) => {
        if ((o.runId === undefined) === (o.all !== true)) throw new UsageError('cleanup: give --run-id ID or --all (one of them)');
        const parsed = parseDuration(o.timeout);
        if (!parsed.ok) throw new UsageError(`--timeout: ${parsed.message}`);
        if (parsed.value === 0) throw new UsageError('--timeout: must be above 0: cleanup would stop before any finalizer could run');
        const timeoutMs = parsed.value;
        if (o.runId !== undefined && !/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(o.runId)) {
          throw new UsageError(`--run-id: ${JSON.stringify(o.runId)} is not a run id (a label value: letters, digits, '-', '_', '.', at most 63)`);
        }
        const target: CleanupTarget = o.runId !== undefined ? { runId: o.runId } : { all: true };
        const { config } = await resolveCliConfig(ctx);
        const opened = await openTarget(config, { resources: [], createCluster: false, allowExistingNamespace: false, forRun: false, env: ctx.io.env, cwd: ctx.io.cwd });
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const report = await cleanup({
            client: new KubeClient({ kubeConfig: opened.kubeConfig }),
            target,
            namespace: config.namespace,
            journalDir: join(resolve(ctx.io.cwd, config.output), 'journal'),
            timeoutMs,
            signal: stop.signal,
            onEvent: (e) => {
              if (e.type === 'found') ctx.io.stderr(`cleanup: ${e.objects} objects labelled ${e.selector} in ${e.namespaces.map((n) => n ?? '(all)').join(', ')}\n`);
              else if (e.type === 'delete-failed') ctx.io.stderr(`cleanup: deleting ${e.kind} in ${e.namespace} failed: HTTP ${e.status}: ${e.message}\n`);
            },
          });
          ctx.io.stderr(`cleanup: ${report.outcome}: ${report.gone} of ${report.found} gone${report.journalsRemoved.length > 0 ? `, ${report.journalsRemoved.length} journals removed` : ''}\n`);
          if (ctx.globals().json === true) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
          if (report.outcome === 'aborted') throw new InterruptedError(`cleanup interrupted: ${report.remaining.length} objects left: ${report.remaining.slice(0, 10).join(', ')}`);
          if (report.outcome === 'timeout') {
            throw new TargetNotReadyError(`cleanup timed out: ${report.remaining.length} objects still held by finalizers: ${report.remaining.slice(0, 10).join(', ')}`, {
              hint: 'is the bindy operator running? it removes its finalizers',
            });
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await opened.close();
        }
      });
  },
};
