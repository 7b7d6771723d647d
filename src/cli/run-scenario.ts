/**
 * @module Running one scenario from the CLI: plan (or print it with --dry-run), open the target,
 * drive with a progress line, write result.json and summary.md, clean up by run id, and turn
 * Ctrl-C into a partial `aborted` result and exit 130.
 */
import { loadChartAssets, renderHtml } from '../report/html/index.js';
import { renderPrometheus } from '../report/prometheus.js';
import { pushResult } from '../report/pushgateway.js';
import { checkCriteriaMeasurable, decideVerdict, deriveFindings, isExplicit, judge } from '../judge/index.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { CriteriaFailedError, InterruptedError, UsageError } from '../errors.js';
import { configJson, configRows, formatOrigin, renderTable } from '../config/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { resourceOf } from '../model/object-kinds.js';
import { bindyKinds } from '../model/kinds.js';
import { Journal, journalFileName, removeJournalIfSettled } from '../observe/journal.js';
import { KubeClient } from '../observe/kube-client.js';
import { cleanup } from '../scenarios/cleanup.js';
import { generateRunId } from '../scenarios/index.js';
import type { DriveContext, DriveOutcome, RunObserver, Scenario, ScenarioPlan } from '../scenarios/index.js';
import type { ShardedDrive } from '../scenarios/scenario.js';
import { ShardFailedError } from '../scenarios/shard-failure.js';
import { localShardLauncher } from '../scenarios/local-shards.js';
import { jobPodReadyTimeoutMs, jobShardLauncher } from '../scenarios/job-shards.js';
import type { ShardLauncher } from '../scenarios/shard-launcher.js';
import { isBindyKind } from '../model/kinds.js';
import { createRunResult, finishRunResult, hostInfo, prepareResultValidator, serializeResult, writeResultFile } from '../report/result/index.js';
import type { JsonValue, RunResult, ShardsMetadata } from '../report/result/index.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderConsoleSummary } from '../report/console-summary.js';
import { openTarget } from '../targets/open-target.js';
import { criteriaNotJudgedOn, setupNoteText, type Target } from '../targets/target.js';
import { toolVersion } from '../version.js';
import type { CliContext } from './command-module.js';
import { ProgressReporter } from './progress.js';
import { checkBeforeRun } from './run-checks.js';
import { forcedExitText, Interrupts } from './interrupts.js';
import { cleanupNote, cleanupPrinter } from './cleanup-printer.js';

/** What the command asks of the run besides the configuration. */
export interface RunScenarioOptions {
  scenario: Scenario;
  resolved: ResolvedConfig;
  /** `--mixed`. */
  interleave: boolean;
  /** `--keep`: leave the objects in place after the run. */
  keep: boolean;
  createCluster: boolean;
  allowExistingNamespace: boolean;
  /** The command line as given (from {@link commandLineOf}). */
  commandLine: string[];
  /** Measured around the run (operator metrics, API amplification); none yet. */
  observers?: readonly RunObserver[];
}

/** The options a user gave on the command line of `cmd` and its parent, as `--flag value` (defaults left out). */
export function commandLineOf(cmd: Command): string[] {
  const out: string[] = [];
  const add = (c: Command): void => {
    const values = c.opts();
    for (const opt of c.options) {
      const key = opt.attributeName();
      if (c.getOptionValueSource(key) !== 'cli' || opt.long === undefined) continue;
      const v: unknown = values[key];
      if (v === true) out.push(opt.long);
      else if (typeof v === 'string' || typeof v === 'number') out.push(opt.long, String(v));
      else if (v !== undefined && v !== false) out.push(opt.long, JSON.stringify(v));
    }
  };
  // The root's (global) options first, then each subcommand's name and options (`bind query`).
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) chain.unshift(c);
  chain.forEach((c, i) => {
    if (i > 0) out.push(c.name());
    add(c);
  });
  return out;
}

function isJsonValue(v: unknown): v is JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonValue);
  if (typeof v === 'object') return Object.values(v).every(isJsonValue);
  return false;
}

function effectiveConfig(resolved: ResolvedConfig): RunResult['config'] {
  const { config, origins } = configJson(resolved);
  const effective = isJsonValue(config) && config !== null && typeof config === 'object' && !Array.isArray(config) ? config : {};
  return { effective, origins };
}

/** The `--dry-run` text: the plan step by step, then the effective configuration. */
export function dryRunText(plan: ScenarioPlan, resolved: ResolvedConfig): string {
  return [`dry run of ${plan.scenario} ${plan.runId} (nothing is sent):`, ...plan.describe, '', 'effective configuration:', renderTable(configRows(resolved))].join('\n');
}

/** Where the shards run: `auto` is an Indexed Job on a cluster (one pod each) and local processes on the sandbox. */
type ShardRunnerKind = 'local' | { job: { image: string } };

/** How a sharded run is run, when `shards` > 1, or null; a scenario or configuration that cannot shard is exit 2, before anything starts. */
function shardedDriveOf(scenario: Scenario, resolved: ResolvedConfig): { drive: ShardedDrive; runner: ShardRunnerKind } | null {
  const { config, origins } = resolved;
  if (config.shards <= 1) return null;
  const where = (key: string, flag: string, value: string): string => {
    const origin = origins.get(key);
    return origin?.kind === 'file' ? `${key} ${value} (${formatOrigin(origin)})` : `${flag} ${value}`;
  };
  const label = where('shards', '--shards', String(config.shards));
  if (scenario.sharded === undefined) throw new UsageError(`${label}: sharding is built for burst only, not ${scenario.name}`);
  const why = scenario.sharded.problem(config);
  if (why !== undefined) throw new UsageError(why);
  const runner = config.shardRunner === 'auto' ? (config.target === 'cluster' ? 'job' : 'local') : config.shardRunner;
  if (runner === 'local') return { drive: scenario.sharded, runner: 'local' };
  if (config.target !== 'cluster') throw new UsageError(`${where('shardRunner', '--shard-runner', 'job')}: the shards run as a Kubernetes Job, which needs --target cluster (the sandbox has no Job controller; its shards run as local processes)`);
  if (config.shardImage === undefined || config.shardImage.trim() === '') {
    throw new UsageError(`${label} on --target cluster runs the shards as a Kubernetes Indexed Job: --shard-image (shardImage) is not set; build and push the image from the repo's Dockerfile (docs/cluster.md#sharded-runs-an-indexed-job), or use --shard-runner local`);
  }
  return { drive: scenario.sharded, runner: { job: { image: config.shardImage } } };
}

/** How long a shard of this plan may take once released, seconds: its paced schedule, the wait for Ready and the DNS prober's wait. */
function shardRunBoundSeconds(plan: ScenarioPlan, probeTimeoutMs: number): number {
  const schedule = plan.engine.qps === undefined ? 0 : plan.total / plan.engine.qps;
  return schedule + (plan.engine.timeoutMs + probeTimeoutMs) / 1000;
}

/** Puts a drive's sections into the result (its notes after the run's own, each once: parts sharing a port-forward each say how it went; a sharded run's shard count into the metadata). */
function takeOutcome(result: RunResult, outcome: DriveOutcome & { shards?: ShardsMetadata }): void {
  const { shards, ...sections } = outcome;
  Object.assign(result, { ...sections, notes: [...new Set([...result.notes, ...sections.notes])] });
  if (shards !== undefined) result.metadata.shards = shards;
}

/** Keeps a shard's own result beside the run's, as `shards/shard-<i>.json`. */
async function keepShardResult(runDir: string, index: number, text: string): Promise<void> {
  await mkdir(join(runDir, 'shards'), { recursive: true });
  await writeFile(join(runDir, 'shards', `shard-${index}.json`), text, 'utf8');
}

/** Runs `o.scenario` end to end. Throws CriteriaFailedError (1), TargetNotReadyError (3) or InterruptedError (130). */
export async function runScenario(ctx: CliContext, o: RunScenarioOptions): Promise<void> {
  const { config } = o.resolved;
  const io = ctx.io;
  const json = ctx.globals().json === true;
  const runId = config.runId ?? generateRunId(o.scenario.name);
  try {
    journalFileName(runId);
  } catch {
    throw new UsageError(`--run-id: ${JSON.stringify(runId)} is not a DNS label (a-z, 0-9, -, at most 63)`);
  }
  if (runId.length > 63) throw new UsageError(`--run-id: ${JSON.stringify(runId)} is longer than 63 characters`);
  // Criteria are data, checked before any load: an explicit one this scenario cannot measure is exit 2.
  const measurable = checkCriteriaMeasurable(config.criteria, o.resolved.origins, o.scenario.metrics);
  // An explicit criterion the target cannot judge (the sandbox's operator is a twin) is refused too.
  for (const [key, why] of Object.entries(criteriaNotJudgedOn(config.target))) {
    const origin = o.resolved.origins.get(`criteria.${key}`);
    if (key in config.criteria && origin !== undefined && isExplicit(origin)) {
      throw new UsageError(`${formatOrigin(origin)}: criteria.${key} cannot be judged on the ${config.target} target: ${why}; use --target cluster`);
    }
  }
  const sharded = shardedDriveOf(o.scenario, o.resolved);
  const plan = o.scenario.plan({ config, runId, interleave: o.interleave });
  if (ctx.globals().dryRun === true) {
    if (json) io.stdout(`${JSON.stringify({ dryRun: true, scenario: plan.scenario, runId, steps: plan.describe, total: plan.total, ...configJson(o.resolved) }, null, 2)}\n`);
    else io.stdout(dryRunText(plan, o.resolved));
    return;
  }

  const output = await checkBeforeRun(io.cwd, o.resolved);
  const runDir = join(output, runId);
  // The result's validator, compiled before the load: not at the end beside a long run's result.
  prepareResultValidator();
  const journalDir = join(output, 'journal');
  let target: Target | null = null;
  // Opened first: it records the sandbox this run starts as well as every object it creates.
  const journal = new Journal(journalDir, runId);
  const interrupts = new Interrupts((s) => io.stderr(`\n${s}: stopping: no new creates; cleaning up, then writing a partial result (Ctrl-C again to stop waiting for cleanup)\n`), {
    onSecond: (s) => io.stderr(`\n${s} again: no more waiting for cleanup (Ctrl-C a third time to exit at once)\n`),
    onForce: () => io.stderr(forcedExitText(runId, journal)),
  });
  // A run interrupted before its target was open still leaves a result, marked aborted (never judged).
  const abortedBeforeStart = async (why: string): Promise<void> => {
    const result = createRunResult({ toolVersion, runId, scenario: o.scenario.name, profile: config.profile ?? null, target: { kind: config.target, description: `${config.target}: not opened (${why})` }, startedAt: new Date().toISOString(), commandLine: o.commandLine, seed: config.seed, host: hostInfo() });
    result.config = effectiveConfig(o.resolved);
    result.notes.push(`${why}: nothing was created; every part of the sandbox started so far was stopped`);
    result.verdict = decideVerdict({ criteria: [], problems: [], stoppedBy: why });
    finishRunResult(result, { status: 'aborted', endedAt: new Date().toISOString(), durationMs: 0 });
    await mkdir(runDir, { recursive: true });
    await writeResultFile(join(runDir, 'result.json'), result);
    if (config.report.formats.includes('markdown')) await writeFile(join(runDir, 'summary.md'), renderMarkdown(result), 'utf8');
    io.stderr(renderConsoleSummary(result, { dir: runDir, files: config.report.formats.includes('markdown') ? ['result.json', 'summary.md'] : ['result.json'] }));
  };
  try {
    const own = await o.scenario.ownTarget?.(config, { env: io.env, cwd: io.cwd });
    target = own ?? await openTarget(config, {
      signal: interrupts.stopStarting.signal,
      journal,
      resources: [...new Set([...plan.kinds, 'Bind9Cluster' as const].map((k) => resourceOf(k).plural))],
      createCluster: o.createCluster,
      allowExistingNamespace: o.allowExistingNamespace,
      forRun: true,
      faultProxy: typeof o.scenario.needsFaults === 'function' ? o.scenario.needsFaults(config) : o.scenario.needsFaults === true,
      namedDisk: o.scenario.needsNamedDisk?.(config) === true,
      runId,
      ...(o.scenario.scoutCluster === undefined ? {} : { scoutCluster: o.scenario.scoutCluster(config) }),
      ...(o.scenario.sourceClusters === undefined ? {} : { sourceClusters: o.scenario.sourceClusters(config) }),
      ...(o.scenario.minSecondaries === undefined ? {} : { minSecondaries: o.scenario.minSecondaries }),
      env: io.env,
      cwd: io.cwd,
      onProgress: (line) => io.stderr(`${line}\n`),
    }).catch(async (e: unknown) => {
      const by = interrupts.interruptedBy();
      if (e instanceof InterruptedError && by !== null) await abortedBeforeStart(`interrupted by ${by} while the sandbox was starting`);
      throw e;
    });
    const early = interrupts.interruptedBy();
    if (early !== null) {
      await abortedBeforeStart(`interrupted by ${early} while the target was opening`);
      throw new InterruptedError(`interrupted by ${early} before anything was created`);
    }
    // What this target cannot do for the plan (a fault it has no mechanism for) is said before any load.
    const unsupported = o.scenario.checkTarget?.(target, plan);
    if (unsupported !== undefined) throw new UsageError(`${o.scenario.name}: ${unsupported}`);
    const client = new KubeClient({ kubeConfig: target.kubeConfig });
    const t0 = performance.now();
    const result = createRunResult({
      toolVersion,
      runId,
      scenario: o.scenario.name,
      profile: config.profile ?? null,
      target: target.info,
      startedAt: new Date().toISOString(),
      commandLine: o.commandLine,
      seed: config.seed,
      host: hostInfo(),
    });
    result.config = effectiveConfig(o.resolved);
    const formats = config.report.formats;
    const written: string[] = [];
    // The JSON result is always written; every other report renders from it.
    const writeFiles = async (): Promise<void> => {
      written.length = 0;
      // Made with the first write: a run killed before it has a result leaves no empty folder.
      await mkdir(runDir, { recursive: true });
      await writeResultFile(join(runDir, 'result.json'), result);
      written.push('result.json');
      if (formats.includes('markdown')) {
        await writeFile(join(runDir, 'summary.md'), renderMarkdown(result), 'utf8');
        written.push('summary.md');
      }
      if (formats.includes('html')) {
        await writeFile(join(runDir, 'report.html'), renderHtml(result, await loadChartAssets()), 'utf8');
        written.push('report.html');
      }
      if (formats.includes('prometheus')) {
        await writeFile(join(runDir, 'metrics.prom'), await renderPrometheus(result), 'utf8');
        written.push('metrics.prom');
      }
    };
    const finish = (status: RunResult['metadata']['status']): void => {
      finishRunResult(result, { status, endedAt: new Date().toISOString(), durationMs: performance.now() - t0 });
    };
    io.stderr(`${o.scenario.name} ${runId}: ${plan.total} ${plan.kinds.length === 0 && plan.total > 0 ? 'requests' : 'objects'} against ${target.info.kind} (${target.info.description}); journal ${join(journalDir, journalFileName(runId))}\n`);

    let failure: Error | null = null;
    // The UIDs of run objects a drive deleted before cleanup (sustained deletes, churn): their Events go too.
    const runObjectUids = new Set<string>();
    const progress = new ProgressReporter({ total: plan.total, write: io.stderr, isTTY: io.isTTY, plainIntervalMs: config.report.progressInterval });
    try {
      const j = journal;
      // A target without Kubernetes (a bare bindcar URL) has nothing to set up.
      if (target.kubernetes !== false) {
        const setup = await target.setup({
          namespace: plan.setup.namespace,
          cluster: plan.setup.cluster,
          timeoutMs: plan.engine.timeoutMs,
          signal: interrupts.hardStop.signal,
          beforeCreate: (obj) => j.append(obj),
        });
        result.notes.push(setupNoteText(plan.namespace, plan.setup.cluster.metadata.name, setup));
      }
      if (interrupts.interruptedBy() === null) {
        progress.start();
        const driveCtx: DriveContext = {
          target,
          client,
          journal,
          stopStarting: interrupts.stopStarting.signal,
          hardStop: interrupts.hardStop.signal,
          observers: o.observers ?? [],
          runObjectUids,
          onEvent: (e) => {
            progress.onEvent(e);
            if (e.type === 'done' || e.type === 'engine-done') interrupts.engineDone();
          },
        };
        // A shard's lines go above the progress line, as notices.
        const notice = (text: string): void => progress.onEvent({ type: 'notice', text });
        const launcher = (runner: ShardRunnerKind): ShardLauncher =>
          runner === 'local'
            ? localShardLauncher({ env: io.env, onLine: notice })
            : jobShardLauncher({
                client,
                namespace: plan.namespace,
                image: runner.job.image,
                journal,
                kinds: plan.kinds.filter(isBindyKind),
                runBoundSeconds: shardRunBoundSeconds(plan, config.probe.timeout),
                readyTimeoutMs: jobPodReadyTimeoutMs,
                onLine: notice,
              });
        const outcome =
          sharded === null
            ? await o.scenario.drive(driveCtx, plan)
            : await sharded.drive.drive(driveCtx, plan, {
                config,
                interleave: o.interleave,
                launcher: launcher(sharded.runner),
                journalDir,
                cwd: io.cwd,
                keep: (index, text) => keepShardResult(runDir, index, text),
              });
        progress.stop();
        takeOutcome(result, outcome);
      }
    } catch (e) {
      progress.stop();
      // A failed shard fails the run, but what the others measured is kept (and said to be partial).
      if (e instanceof ShardFailedError) takeOutcome(result, e.partial);
      failure = e instanceof Error ? e : new Error(String(e));
      result.notes.push(`the run stopped on an error: ${e instanceof Error ? e.message : String(e)}`);
    }
    const verdict = o.scenario.verify(result);
    // A run that stopped early is not judged as if it had finished: its verdict is ABORTED.
    const by0 = interrupts.interruptedBy();
    const stoppedBy = by0 !== null ? `interrupted by ${by0}` : failure !== null ? `stopped on an error: ${failure.message}` : null;
    const verdicts = judge(result, config.criteria, o.resolved.origins, {
      ...(stoppedBy === null ? {} : { notJudged: stoppedBy }),
      notApplicable: {
        // What the pre-load check found this scenario does not measure stays unjudged, with its reason.
        ...Object.fromEntries(measurable.notMeasured.map((n) => [n.criterion, n.reason])),
        ...criteriaNotJudgedOn(target.info.kind),
      },
    });
    for (const n of measurable.conditions) result.notes.push(`criterion ${n.criterion}: ${n.requires}`);
    // What the measurements say a bindy operator (or bindy's maintainers) can act on, with the numbers behind it.
    Object.assign(result, deriveFindings(result));
    result.verdict = decideVerdict({ criteria: verdicts, problems: verdict.problems, stoppedBy });
    finish(result.verdict.outcome === 'aborted' ? 'aborted' : result.verdict.outcome === 'pass' ? 'completed' : 'failed');
    // Written before cleanup too, so a run killed while cleaning up still leaves its result.
    await writeFiles();

    if (target.kubernetes === false) {
      result.notes.push('no Kubernetes API behind this target: no object was created there, none to clean up');
    } else if (!o.keep) {
      try {
        const report = await cleanup({
          client,
          target: { runId },
          namespace: plan.namespace,
          // What this run could have made: its plan's kinds and bindy's (a burst never lists Services).
          kinds: [...new Set([...plan.kinds, ...bindyKinds])],
          journalDir,
          runObjectUids,
          timeoutMs: Math.max(60_000, plan.engine.timeoutMs),
          signal: interrupts.cleanupStop.signal,
          onEvent: cleanupPrinter(io.stderr),
        });
        const note = cleanupNote(report, runId, target.closeRemovesObjects === true);
        result.notes.push(note);
        if (report.outcome !== 'clean') io.stderr(`${note}\n`);
      } catch (e) {
        // A cleanup that cannot reach the target is said, and the run still ends with its own outcome.
        const note = `cleanup failed: ${e instanceof Error ? e.message : String(e)}; remove what is left with: bindy-loadtest cleanup --run-id ${runId}`;
        result.notes.push(note);
        io.stderr(`${note}\n`);
      }
    } else {
      result.notes.push(`--keep: the objects stay; remove them with: bindy-loadtest cleanup --run-id ${runId}`);
    }
    if (interrupts.interruptedBy() !== null && result.metadata.status !== 'aborted') {
      // Interrupted while cleaning up: the measurements are whole, but the run did not end as asked.
      result.metadata.status = 'aborted';
      result.notes.push(`interrupted by ${interrupts.interruptedBy() ?? ''} during cleanup, after every measurement was made`);
    }
    if (config.report.pushgateway !== undefined) {
      // A push that fails does not change the run's verdict; it is said, and recorded in the result.
      try {
        const pushed = await pushResult(result, { url: config.report.pushgateway });
        result.notes.push(`pushed the summary metrics to ${pushed.url} (HTTP ${pushed.status})`);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        result.notes.push(`push to the Pushgateway failed: ${why}`);
        io.stderr(`warning: push to the Pushgateway failed: ${why}\n`);
      }
    }
    await writeFiles();
    io.stderr(renderConsoleSummary(result, { dir: runDir, files: written }));
    if (json) io.stdout(serializeResult(result));
    const by = interrupts.interruptedBy();
    if (by !== null) throw new InterruptedError(`interrupted by ${by}; partial result in ${join(runDir, 'result.json')} (status aborted)`);
    if (failure !== null) throw failure;
    if (result.verdict.outcome === 'fail') throw new CriteriaFailedError(`${o.scenario.name} ${runId}: FAIL: ${result.verdict.reasons.join('; ')}`);
  } finally {
    // Interrupts stay armed while the sandbox stops: a third Ctrl-C still exits saying what is left.
    await target?.close();
    journal.close();
    removeJournalIfSettled(journal.path);
    interrupts.dispose();
  }
}
