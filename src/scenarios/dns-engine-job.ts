/**
 * @module dnsperf or resperf inside the cluster, next to BIND9, as a one-pod Kubernetes Job (the
 * tool's own image, which carries both): load figures that are not a port-forward's. The Job
 * machinery is the sharded burst's (RBAC, spec and report ConfigMaps, each journalled before its
 * create and labelled with the run id); the pod runs the same phase and parser as a run from this
 * machine and returns its figures, which join the run's on its clock. The Job and everything made
 * for it is deleted at the end, also on failure and Ctrl-C.
 */
import { performance } from 'node:perf_hooks';
import { InterruptedError, TargetNotReadyError, UsageError } from '../errors.js';
import type { Config } from '../config/index.js';
import type { DnsperfSections } from '../drive/dnsperf/index.js';
import { toolVersion } from '../version.js';
import { jobPodReadyTimeoutMs, jobShardLauncher } from './job-shards.js';
import type { DriveContext } from './scenario.js';
import type { CommonShardSpec, ShardExit } from './shard-launcher.js';
import type { DnsEngineWork } from './shard-protocol.js';
import { jobPurposeOf, shardJobNames } from './shard-job-manifest.js';
import { checkEngineSpecSize, onRunClock, parseEngineResult } from './dns-engine-job-plan.js';

/** What the in-cluster engine runs and where. */
export interface DnsEngineJobOptions {
  runId: string;
  namespace: string;
  /** The tool's container image (config shardImage). */
  image: string;
  /** The run's effective configuration (the pod reads nothing else of it). */
  config: Readonly<Config>;
  work: DnsEngineWork;
  /** Monotonic ms the run's time series count from. */
  startedMs: number;
}

/** The common spec of the engine's one pod. */
export function engineSpec(o: Pick<DnsEngineJobOptions, 'runId' | 'config' | 'work'>): CommonShardSpec {
  // In a pod the coordinator's journal and working folders mean nothing (as for a shard pod).
  return { toolVersion, runId: o.runId, count: 1, interleave: false, config: o.config, journalDir: '', cwd: '/', work: o.work };
}

/** Refuses (exit 2, before anything is created) an engine whose spec would not fit its ConfigMap. */
export function checkEngineSpec(o: Pick<DnsEngineJobOptions, 'runId' | 'config' | 'work'>): void {
  const what = 'generated' in o.work.queries ? `the ${o.work.queries.generated.length} queries of the run` : `the query file ${o.work.queries.file}`;
  checkEngineSpecSize(JSON.stringify(engineSpec(o)), what);
}

/** The error of a pod that ended without figures: its own exit code when it was one of ours (3: no dnsperf in the image). */
function podFailed(engine: string, e: ShardExit): Error {
  const text = `the in-cluster ${engine} pod ${e.code === null ? 'failed' : `ended with exit ${e.code}`}${e.error === null ? '' : `: ${e.error}`}`;
  if (e.code === 3) return new TargetNotReadyError(text, { hint: `the image (shardImage) must carry ${engine}: build it from the repo's Dockerfile (docs/cluster.md#in-cluster-dns-load)` });
  if (e.code === 2) return new UsageError(text);
  return new Error(text);
}

/** An in-cluster engine whose pod was started and (unless it failed or the run stopped) is ready at its gate. */
export interface DnsEngineJob {
  /** Whether the pod reached its gate (false: it failed first, or the run stopped; `finish` says which). */
  readonly ready: boolean;
  /** Releases the pod: the engine starts there now; its series count from `startedMs` (the run's clock). Nothing when the pod is not ready. */
  go(startedMs: number): void;
  /** Stops the engine early: the pod stops it and still returns what it measured (idempotent). */
  stop(): void;
  /**
   * Waits for the pod's end, deletes the Job and all made for it, and returns the figures on the
   * run's clock; null when it never went (the run stopped first: nothing was sent). Throws when
   * the pod failed.
   */
  finish(): Promise<DnsperfSections | null>;
}

/** What of a run the engine's Job uses: the API, the journal, the stop signals and the progress events. */
export type EngineContext = Pick<DriveContext, 'client' | 'journal' | 'stopStarting' | 'hardStop' | 'onEvent'>;

/** What the engine's Job needs beyond the engine itself. */
export interface DnsEngineJobRun {
  /** The Job's deadline counts from its creation: how long the whole of its use may take, ms (default: the load and a query timeout). */
  boundMs?: number;
  /** The pod's latest second as the run's progress line (default true; a background load leaves the line to the run). */
  statusLine?: boolean;
  /** Stops the engine as a first Ctrl-C does (the load it runs beside ended). */
  stop?: AbortSignal;
}

/**
 * Starts the engine's pod in the cluster and waits until it is ready at its gate (or failed, or
 * the run stopped). Everything made for it is deleted by `finish`, which must be called.
 */
export async function openDnsEngineJob(ctx: EngineContext, o: Omit<DnsEngineJobOptions, 'startedMs'> & DnsEngineJobRun): Promise<DnsEngineJob> {
  const notice = (text: string): void => ctx.onEvent({ type: 'notice', text });
  const load = o.work.engine === 'resperf' ? o.work.resperf.rampMs : o.work.dnsperf.durationMs;
  const launcher = jobShardLauncher({
    client: ctx.client,
    namespace: o.namespace,
    image: o.image,
    journal: ctx.journal,
    kinds: [],
    runBoundSeconds: (o.boundMs ?? load + o.work.dnsperf.timeoutMs) / 1000,
    readyTimeoutMs: jobPodReadyTimeoutMs,
    onLine: notice,
  });
  const common = engineSpec(o);
  let text: string | null = null;
  let ready = false;
  let wake: (() => void) | null = null;
  const changed = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  try {
    await launcher.open?.(common);
  } catch (e) {
    await launcher.close?.();
    throw e;
  }
  const proc = launcher.start(0, (m) => {
    if (m.type === 'ready') ready = true;
    else if (m.type === 'result') text = m.text;
    // The pod's latest second, as the progress line (a run from this machine shows the same).
    else if (m.type === 'status' && o.statusLine !== false) ctx.onEvent({ type: 'status', text: `in the cluster: ${m.text}` });
    changed();
  });
  let exit: ShardExit | null = null;
  const exited = proc.exited.then((e) => {
    exit = e;
    changed();
    return e;
  });
  let stopped = false;
  const onStop = (): void => {
    if (stopped) return;
    stopped = true;
    proc.interrupt();
    changed();
  };
  const onHardStop = (): void => proc.interrupt();
  const stops = [ctx.stopStarting, ...(o.stop === undefined ? [] : [o.stop])];
  for (const s of stops) s.addEventListener('abort', onStop, { once: true });
  ctx.hardStop.addEventListener('abort', onHardStop, { once: true });
  if (stops.some((s) => s.aborted)) onStop();
  let goMs: number | null = null;
  let startedMs = 0;
  let finishing: Promise<DnsperfSections | null> | null = null;
  const finish = async (): Promise<DnsperfSections | null> => {
    try {
      await exited;
    } finally {
      for (const s of stops) s.removeEventListener('abort', onStop);
      ctx.hardStop.removeEventListener('abort', onHardStop);
      await launcher.close?.();
    }
    const end = exit;
    if (text !== null && goMs !== null) {
      const sections = onRunClock(parseEngineResult(text), goMs - startedMs);
      sections.notes.unshift(
        `${o.work.engine} ran in the cluster, in a pod of Job ${o.namespace}/${shardJobNames(o.runId, jobPurposeOf(common)).base} (image ${o.image}), against ${o.work.server.host}:${o.work.server.port}: ` +
          'every query timed there by the same parser and HDR histogram as from this machine; its series are placed on the run\'s clock at the moment the pod was released (the pod sees the release a watch event later)',
      );
      return sections;
    }
    if (goMs === null && stopped) return null;
    if (end !== null && end.code === 130 && stopped) throw new InterruptedError(`the in-cluster ${o.work.engine} was stopped before it returned its figures`);
    throw podFailed(o.work.engine, end ?? { code: null, signal: null, error: 'it ended without a result' });
  };
  try {
    proc.send({ type: 'spec', spec: { ...common, index: 0 } });
    while (!ready && exit === null && !stopped) await new Promise<void>((r) => (wake = r));
  } catch (e) {
    // Nothing may outlive a failed start: the pod is told to stop and the Job deleted.
    onStop();
    await finish().catch(() => null);
    throw e;
  }
  return {
    get ready() {
      return ready && exit === null;
    },
    go: (at) => {
      if (goMs !== null || !ready || exit !== null || stopped) return;
      startedMs = at;
      goMs = performance.now();
      proc.send({ type: 'go' });
      notice(`${o.work.engine} runs in the cluster against ${o.work.server.host}:${o.work.server.port}; its figures come back when it ends`);
    },
    stop: onStop,
    finish: () => (finishing ??= finish()),
  };
}

/**
 * Runs the engine in the cluster and returns its sections on the run's clock; null when the run
 * was stopped before the pod started (nothing was sent). Throws when the pod failed.
 */
export async function runDnsEngineJob(ctx: EngineContext, o: DnsEngineJobOptions): Promise<DnsperfSections | null> {
  const job = await openDnsEngineJob(ctx, o);
  job.go(o.startedMs);
  return job.finish();
}
