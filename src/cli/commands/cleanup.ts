/** @module `bindy-loadtest cleanup`: delete what a run (or every run) left behind, by the run-id label only. */
import { rmdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InterruptedError, TargetNotReadyError, UsageError } from '../../errors.js';
import { parseDuration } from '../../config/values.js';
import { Journal, readJournals, removeJournalIfSettled, type PendingBindcarZone } from '../../observe/journal.js';
import { BindcarClient, isLoopbackHost } from '../../drive/bindcar-client.js';
import { readToken } from '../../scenarios/bindcar-access.js';
import { revertFromDescriptor } from '../../faults/revert.js';
import { isClusterDescriptor } from '../../faults/fault.js';
import { restoreJournalChanges, revertJournalFaults } from '../../scenarios/cleanup-faults.js';
import { restoreFromDescriptor } from '../../faults/limits/restore.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../observe/kube-client.js';
import { cleanup } from '../../scenarios/cleanup.js';
import type { CleanupTarget } from '../../scenarios/cleanup.js';
import type { OperatorState } from '../../scenarios/cleanup-holders.js';
import { openTarget } from '../../targets/open-target.js';
import { isAlive, readState, sandboxHome } from '../../targets/sandbox/supervisor/index.js';
import { stopOrphanedSandbox } from '../../targets/sandbox/supervisor/orphans.js';
import type { Target } from '../../targets/target.js';
import { deleteZoneInPod, type ZoneDeleteOutcome } from '../../targets/cluster/pod-zones.js';
import type { CliIo } from '../io.js';
import type { CommandModule } from '../command-module.js';
import { cleanupPrinter } from '../cleanup-printer.js';
import { resolveCliConfig } from '../config-flags.js';

const help = `
Deletes, with deletecollection and the label selector loadtest.bindy.firestoned.io/run-id[=ID],
every bindy object of the run (or of every run) in --namespace and in the namespaces the run
journals in <output>/journal/ name, then waits until each is gone (finalizers take time), saying
what holds the objects still there. An object without the label is never touched. A sandbox a
killed run had started (named in its journal) is stopped first: its objects go with it. Faults a
killed chaos run left in force (journalled before each was applied) are reverted next, each proven
gone (the link answers again, the process is back), before any object is deleted: an operator left
killed could not clear a finalizer. Changes a killed backpressure run made to what it did not
create (the operator's limits: the sandbox twin's workers and control groups, or bindy's Deployment
on a cluster) are restored the same way, each proven. Zones a killed bind rndc or bind zones run
created through bindcar are deleted through bindcar (its URL and where its token is read, a file or
a variable, are in the journal; never the token); those it reached through its own port-forward to
a cluster's BIND9 pod are deleted in that pod through pods/exec (rndc delzone, the files removed),
unless the pod was replaced since (its emptyDir went with it). Journals of runs that are clean are removed, and so are empty
result folders of killed runs.

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
        const output = resolve(ctx.io.cwd, config.output);
        const journalDir = join(output, 'journal');
        const stoppedSandboxes = await stopOrphanedSandboxes(journalDir, target, output, ctx.io);
        // A sandbox's faults first (they need no API server); a cluster's once its kubeconfig is open.
        const faultsLeft = await revertLeftFaults(journalDir, target, ctx.io, undefined);
        // Zones a killed bind rndc or bind zones run made at a bindcar URL: deleted through bindcar (no API server needed).
        const zones = await deleteLeftBindcarZones(journalDir, target, ctx.io, undefined);
        let opened: Target;
        try {
          opened = await openTarget(config, { resources: [], createCluster: false, allowExistingNamespace: false, forRun: false, env: ctx.io.env, cwd: ctx.io.cwd });
        } catch (err) {
          // A sandbox change needs no API server (its control groups may outlive the sandbox).
          const changesLeft = await restoreLeftChanges(journalDir, target, ctx.io, undefined);
          if (changesLeft.length > 0) throw new TargetNotReadyError(`cleanup: ${changesLeft.length} change(s) could not be restored: ${changesLeft.join('; ')}`);
          // No sandbox runs: the objects of sandbox runs went with their sandbox (its API server keeps them in memory).
          if (zones.left.length > 0) throw new TargetNotReadyError(`cleanup: ${zones.left.length} bindcar zone(s) could not be deleted: ${zones.left.join('; ')}`);
          if (config.target === 'sandbox' && err instanceof TargetNotReadyError && (stoppedSandboxes > 0 || zones.deleted > 0) && faultsLeft.length === 0) {
            ctx.io.stderr('cleanup: no sandbox is running any more: nothing else to clean\n');
            return;
          }
          throw err;
        }
        const operatorState = async (): Promise<OperatorState> => {
          if (config.target !== 'sandbox') return 'unknown';
          const state = await readState(sandboxHome(ctx.io.env)).catch(() => undefined);
          const op = state?.parts.find((p) => p.name === 'operator');
          return op === undefined ? 'not running' : isAlive(op.pid) ? 'running' : 'not running';
        };
        if (config.target === 'cluster') {
          faultsLeft.push(...(await revertLeftFaults(journalDir, target, ctx.io, opened.kubeConfig)));
          // Zones loaded into a BIND9 pod through the run's own port-forward: deleted there through pods/exec.
          const inPods = await deleteLeftBindcarZones(journalDir, target, ctx.io, opened.kubeConfig);
          zones.deleted += inPods.deleted;
          zones.left.push(...inPods.left);
        }
        // Before any object is deleted: a starved operator would clear finalizers slowly.
        const changesLeft = await restoreLeftChanges(journalDir, target, ctx.io, config.target === 'cluster' ? opened.kubeConfig : undefined);
        const operator = await operatorState();
        const stop = new AbortController();
        const onSignal = (): void => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const report = await cleanup({
            client: new KubeClient({ kubeConfig: opened.kubeConfig }),
            target,
            namespace: config.namespace,
            journalDir,
            timeoutMs,
            signal: stop.signal,
            operatorState: () => operator,
            onEvent: cleanupPrinter(ctx.io.stderr),
          });
          for (const j of report.journalsRemoved) removeEmptyResultDir(output, j);
          ctx.io.stderr(`cleanup: ${report.outcome}: ${report.gone} of ${report.found} gone${report.journalsRemoved.length > 0 ? `, ${report.journalsRemoved.length} journals removed` : ''}\n`);
          // Not a failure of the cleanup: Events expire by themselves (the cluster's --event-ttl).
          if (report.eventsError !== undefined) ctx.io.stderr(`cleanup: the Events about the run's objects were not removed: ${report.eventsError}\n`);
          if (ctx.globals().json === true) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
          if (zones.left.length > 0) throw new TargetNotReadyError(`cleanup: ${zones.left.length} bindcar zone(s) could not be deleted: ${zones.left.join('; ')}`, { hint: 'is that bindcar up, and its token where the journal says (the file, or the variable)? run cleanup again' });
          if (changesLeft.length > 0) {
            throw new TargetNotReadyError(`cleanup: ${changesLeft.length} change(s) could not be restored: ${changesLeft.join('; ')}`, {
              hint: 'a cluster change is restored by cleanup against that cluster (--target cluster, its --context); a sandbox one needs root for its control groups',
            });
          }
          if (faultsLeft.length > 0) {
            throw new TargetNotReadyError(`cleanup: ${faultsLeft.length} fault(s) could not be reverted: ${faultsLeft.join('; ')}`, {
              hint: 'is the sandbox still up (bindy-loadtest sandbox status)? a fault of the fault proxy also ends by itself after its duration; run cleanup again once the part answers',
            });
          }
          if (report.outcome === 'aborted') throw new InterruptedError(`cleanup interrupted: ${report.remaining.length} objects left: ${report.remaining.slice(0, 10).join(', ')}`);
          if (report.outcome === 'timeout') {
            throw new TargetNotReadyError(`cleanup timed out after ${o.timeout}: ${report.remaining.length} objects still there: ${report.remaining.slice(0, 10).join(', ')}`, {
              ...(report.hint === null ? {} : { hint: report.hint }),
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

/** Removes `<output>/<run-id>/` of the run whose journal is `journalPath` when it is empty (a run killed before its first result). */
function removeEmptyResultDir(output: string, journalPath: string): void {
  const runId = /run-(.+)\.jsonl$/.exec(journalPath)?.[1];
  if (runId === undefined) return;
  try {
    rmdirSync(join(output, runId));
  } catch {
    // not there, or not empty: a result is kept
  }
}

/**
 * Reverts the faults dead runs (of `target`) left in force, one line each; what could not be
 * reverted, as text. Without a kubeconfig only the sandbox's faults; with one only the cluster's.
 */
async function revertLeftFaults(journalDir: string, target: CleanupTarget, io: CliIo, kubeConfig: KubeConfig | undefined): Promise<string[]> {
  const journals = readJournals(journalDir).filter((j) => ('all' in target || j.runId === target.runId) && j.faults.length > 0);
  if (journals.length === 0) return [];
  const lines = await revertJournalFaults(journals, {
    isAlive,
    skip: (d) => isClusterDescriptor(d) !== (kubeConfig !== undefined),
    revert: (d) => revertFromDescriptor(d, kubeConfig === undefined ? {} : { kubeConfig }),
    markReverted: (j, key) => {
      const journal = new Journal(journalDir, j.runId);
      journal.appendFaultReverted(key);
      journal.close();
    },
  });
  for (const l of lines) io.stderr(`cleanup: fault ${l.key} of run ${l.runId} on ${l.what}: ${l.outcome}: ${l.detail}\n`);
  for (const j of journals) removeJournalIfSettled(j.path);
  return lines.filter((l) => l.outcome === 'failed').map((l) => `${l.key} of run ${l.runId} on ${l.what} (${l.detail})`);
}

/** Restores the changes dead runs (of `target`) left, one line each; what could not be restored, as text. */
async function restoreLeftChanges(journalDir: string, target: CleanupTarget, io: CliIo, kubeConfig: KubeConfig | undefined): Promise<string[]> {
  const journals = readJournals(journalDir).filter((j) => ('all' in target || j.runId === target.runId) && j.changes.length > 0);
  if (journals.length === 0) return [];
  const lines = await restoreJournalChanges(journals, {
    isAlive,
    restore: (d) => (d.change === 'deployment-resources' && kubeConfig === undefined ? Promise.resolve(null) : restoreFromDescriptor(d, kubeConfig)),
    markRestored: (j, key) => {
      const journal = new Journal(journalDir, j.runId);
      journal.appendChangeRestored(key);
      journal.close();
    },
  });
  for (const l of lines) io.stderr(`cleanup: change ${l.key} of run ${l.runId} to ${l.what}: ${l.outcome}: ${l.detail}\n`);
  for (const j of journals) removeJournalIfSettled(j.path);
  return lines.filter((l) => l.outcome === 'failed' || l.outcome === 'not here').map((l) => `${l.key} of run ${l.runId} to ${l.what} (${l.detail})`);
}

/**
 * Deletes the zones dead `bind rndc` and `bind zones` runs (of `target`) created and never deleted,
 * one line each. Without `kubeConfig`: those reached at a bindcar URL, through bindcar (the token
 * read again from where the journal says: a file or a variable). With it: those of a cluster's pod
 * the run reached through its own port-forward (gone with the run), through pods/exec there.
 */
async function deleteLeftBindcarZones(journalDir: string, target: CleanupTarget, io: CliIo, kubeConfig: KubeConfig | undefined): Promise<{ deleted: number; left: string[] }> {
  const left: string[] = [];
  let deleted = 0;
  for (const j of readJournals(journalDir)) {
    if ((!('all' in target) && j.runId !== target.runId) || j.bindcarZones.length === 0) continue;
    if (j.sandbox?.stopped === true) continue; // its named went with the sandbox
    for (const z of j.bindcarZones) {
      if ((z.pod === undefined) !== (kubeConfig === undefined)) continue; // the other pass's
      if (z.ownerPid !== process.pid && isAlive(z.ownerPid)) {
        io.stderr(`cleanup: run ${j.runId} is still running and deletes its own zone ${z.zone}\n`);
        left.push(`${z.zone} of run ${j.runId} (its run is still running)`);
        continue;
      }
      const done = z.pod === undefined || kubeConfig === undefined ? await deleteBindcarZone(z, io.env) : await deleteZoneInPod(kubeConfig, z.pod, z.zone);
      if (done.gone) {
        const journal = new Journal(journalDir, j.runId);
        journal.appendBindcarZoneDeleted(z.url, z.zone);
        journal.close();
        deleted++;
        io.stderr(`cleanup: zone ${z.zone} of run ${j.runId} ${done.how}\n`);
      } else {
        const where = z.pod === undefined ? `bindcar at ${z.url}` : `pod ${z.pod.namespace}/${z.pod.pod}`;
        io.stderr(`cleanup: zone ${z.zone} of run ${j.runId} in ${where}: not deleted: ${done.why}\n`);
        left.push(`${z.zone} of run ${j.runId} in ${where} (${done.why})`);
      }
    }
    removeJournalIfSettled(j.path);
  }
  return { deleted, left };
}

/** Deletes one journalled zone through its bindcar: gone (deleted now, or never there), or why not. */
async function deleteBindcarZone(z: PendingBindcarZone, env: NodeJS.ProcessEnv): Promise<ZoneDeleteOutcome> {
  const why = await sendBindcarDelete(z, env);
  return why === null ? { gone: true, how: `deleted through bindcar at ${z.url}` } : { gone: false, why };
}

/** The DELETE of one journalled zone; null when it is gone, else why not. */
async function sendBindcarDelete(z: PendingBindcarZone, env: NodeJS.ProcessEnv): Promise<string | null> {
  let token: string;
  try {
    token = readToken(z.token, env);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  const client = new BindcarClient({ url: z.url, token, timeoutMs: 10_000 });
  try {
    const { outcome: o } = await client.send({ method: 'DELETE', path: `/api/v1/zones/${encodeURIComponent(z.zone)}`, ...(isLoopbackHost(new URL(z.url).hostname) ? { localAddress: '127.0.0.1' } : {}) });
    if (o.kind !== 'answered') return o.kind === 'timeout' ? 'no answer' : `bindcar not reachable (${o.code})`;
    // bindcar 0.7 answers 500 "not found" for a zone named does not have (0.9: 404): gone either way.
    if (o.status === 200 || o.status === 404 || (o.status === 500 && /not found/i.test(o.body))) return null;
    return `HTTP ${o.status}`;
  } finally {
    client.close();
  }
}

/** Stops every sandbox whose owning run (of `target`) is dead, says so, and removes journals with nothing left; the number stopped. */
async function stopOrphanedSandboxes(journalDir: string, target: CleanupTarget, output: string, io: CliIo): Promise<number> {
  let stopped = 0;
  for (const j of readJournals(journalDir)) {
    if (!('all' in target) && j.runId !== target.runId) continue;
    const r = await stopOrphanedSandbox(j);
    if (r === null) continue;
    if (r.outcome === 'owner alive') {
      io.stderr(`cleanup: run ${r.runId} is still running and stops its own sandbox\n`);
      continue;
    }
    stopped++;
    const notOurs = r.notOurs.length > 0 ? `; not touched (their pids now run other programs): ${r.notOurs.join(', ')}` : '';
    io.stderr(`cleanup: stopped the sandbox left by run ${r.runId} (${r.stopped.length > 0 ? r.stopped.join(', ') : 'no process was still running'})${notOurs}; its objects went with it\n`);
    removeJournalIfSettled(j.path);
    removeEmptyResultDir(output, j.path);
  }
  return stopped;
}
