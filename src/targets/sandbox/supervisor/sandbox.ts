/**
 * @module The sandbox lifecycle: start every part as its own process in dependency order
 * (named ∥ API server → sidecar → operator), record them in the state file, report their
 * health, and stop them all leaving no process, port or temp file behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InterruptedError, UsageError } from '../../../errors.js';
import { isAlive, startPart, stopPart, type StartedPart } from './part-process.js';
import { readState, removeState, sandboxHome, writeState, type PartState, type SandboxState } from './state.js';
import type { NamedReadyLine } from '../bind9/run.js';
import { bootstrapSandbox } from './bootstrap.js';

/** What `sandbox start apiserver` announces. */
export interface ApiServerReadyLine {
  url: string;
  kubeconfig: string;
  caFile?: string;
  metricsUrl: string;
}
/** What `sandbox start sidecar` announces. */
export interface SidecarReadyLine {
  url: string;
  metricsUrl: string;
}
/** What `sandbox start operator` announces. */
export interface OperatorReadyLine {
  metricsUrl: string;
}

/** Options of {@link startSandbox}. */
export interface StartSandboxOptions {
  /** Namespace the kubeconfig's context defaults to. */
  namespace: string;
  /** Start parts in their own process groups so they outlive this process. */
  detached: boolean;
  /** Where the state file lives (default {@link sandboxHome}). */
  home?: string;
  /** Leave the operator out (to measure the API server alone, or to run another operator). */
  withoutOperator?: boolean;
  /** Extra arguments for `sandbox start operator` (workers, reconcile delay, error rate). */
  operatorArgs?: string[];
  /** Turn the sidecar's rate limiter off. */
  sidecarRateLimitOff?: boolean;
  /** The Bind9Cluster `up` creates (with one primary instance served by the local named); default `loadtest`. */
  clusterName?: string;
  /** Bound on each part's start-up, in ms. */
  partTimeoutMs?: number;
  /** Progress messages for a person (one line each). */
  onProgress?: (line: string) => void;
  /** Aborting stops the start quietly: every part started so far is stopped, then InterruptedError. */
  signal?: AbortSignal;
  /**
   * Called whenever a process joins the sandbox (as soon as it is spawned), with the sandbox's
   * folder and every process so far: what a run journals so that a kill leaves nothing unexplained.
   */
  onProcesses?: (p: SandboxProcesses) => void;
}

/** The processes of a sandbox (parts, and named under its part), as journalled while it starts. */
export interface SandboxProcesses {
  dir: string;
  processes: { name: string; pid: number }[];
}

/** A started sandbox: its state, how long it took, and how to stop it. */
export interface RunningSandbox {
  state: SandboxState;
  startupMs: number;
  stop: () => Promise<void>;
}

/** Starts a sandbox; refuses when one is already up in the same home. */
export async function startSandbox(opts: StartSandboxOptions): Promise<RunningSandbox> {
  const home = opts.home ?? sandboxHome();
  const existing = await readState(home);
  if (existing !== undefined) {
    if (existing.parts.some((p) => isAlive(p.pid))) {
      throw new UsageError(`a sandbox is already up (state ${join(home, 'state.json')}, kubeconfig ${existing.kubeconfig})`, {
        hint: 'scenarios use it as it is; stop it with `bindy-loadtest sandbox down`',
      });
    }
    await stopSandbox(existing, home); // stale: a killed supervisor left it
  }
  const t0 = performance.now();
  await mkdir(home, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(home, 'run-'));
  const started: StartedPart<unknown>[] = [];
  const childPids: number[] = [];
  const spawned: { name: string; pid: number }[] = [];
  const spawnedOne = (name: string, pid: number): void => {
    spawned.push({ name, pid });
    opts.onProcesses?.({ dir, processes: [...spawned] });
  };
  const timeoutMs = opts.partTimeoutMs ?? 20_000;
  const progress = opts.onProgress ?? (() => undefined);
  const part = async <T>(name: PartState['name'], args: string[], env: NodeJS.ProcessEnv = {}): Promise<StartedPart<T>> => {
    const p = await startPart<T>({
      name,
      args,
      env,
      logFile: join(dir, `${name}.log`),
      detached: opts.detached,
      timeoutMs,
      onSpawn: (pid) => spawnedOne(name, pid),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    started.push(p);
    progress(`sandbox: ${name} ready (pid ${p.pid})`);
    return p;
  };
  try {
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'sidecar-token');
    await writeFile(tokenFile, token, { mode: 0o600 });
    const kubeconfig = join(dir, 'kubeconfig');
    // Both settle before going on: a failure of one must not leave the other starting unseen.
    const [namedStart, apiStart] = await Promise.allSettled([
      part<NamedReadyLine>('named', ['--dir', join(dir, 'named')]),
      part<ApiServerReadyLine>('apiserver', ['--kubeconfig-out', kubeconfig, '--namespace', opts.namespace]),
    ]);
    if (namedStart.status === 'rejected') throw namedStart.reason;
    if (apiStart.status === 'rejected') throw apiStart.reason;
    const named = namedStart.value;
    const api = apiStart.value;
    childPids.push(named.ready.pid);
    spawnedOne('bind9', named.ready.pid);
    const sidecar = await part<SidecarReadyLine>(
      'sidecar',
      [
        '--zone-dir', named.ready.dir,
        '--rndc-conf', named.ready.rndcConfFile,
        '--dns-port', String(named.ready.ports.dns),
        '--update-key-file', named.ready.updateKeyFile,
        ...(opts.sidecarRateLimitOff === true ? ['--no-rate-limit'] : []),
      ],
      { BIND_API_TOKEN: token },
    );
    let operator: StartedPart<OperatorReadyLine> | undefined;
    if (opts.withoutOperator !== true) {
      operator = await part<OperatorReadyLine>(
        'operator',
        [
          '--kubeconfig', kubeconfig,
          '--dns', `127.0.0.1:${named.ready.ports.dns}`,
          '--tsig-key-file', named.ready.updateKeyFile,
          '--sidecar', sidecar.ready.url,
          ...(opts.operatorArgs ?? []),
        ],
        { BIND_API_TOKEN: token },
      );
    }
    const clusterName = opts.clusterName ?? 'loadtest';
    if (operator !== undefined) {
      const { instance } = await bootstrapSandbox({
        kubeconfigPath: kubeconfig,
        namespace: opts.namespace,
        clusterName,
        timeoutMs: timeoutMs,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      progress(`sandbox: Bind9Cluster ${opts.namespace}/${clusterName} created, instance ${instance} Ready`);
    }
    const metrics: Record<string, string> = {
      apiserver: api.ready.metricsUrl,
      sidecar: sidecar.ready.metricsUrl,
      ...(operator === undefined ? {} : { operator: operator.ready.metricsUrl }),
    };
    const state: SandboxState = {
      version: 1,
      startedAt: new Date().toISOString(),
      dir,
      kubeconfig,
      namespace: opts.namespace,
      ...(operator === undefined ? {} : { bind9Cluster: clusterName }),
      apiServerUrl: api.ready.url,
      ...(api.ready.caFile === undefined ? {} : { caFile: api.ready.caFile }),
      dns: { host: '127.0.0.1', port: named.ready.ports.dns },
      sidecarUrl: sidecar.ready.url,
      sidecarTokenFile: tokenFile,
      updateKeyFile: named.ready.updateKeyFile,
      updateKeyName: named.ready.updateKeyName,
      bind9StatsUrl: `http://127.0.0.1:${named.ready.ports.stats}/`,
      parts: started.map((p) => ({
        name: p.name as PartState['name'],
        pid: p.pid,
        childPids: p.name === 'named' ? childPids : [],
        logFile: p.logFile,
        ...(metrics[p.name] === undefined ? {} : { metricsUrl: metrics[p.name] }),
      })),
    };
    await writeState(home, state);
    return { state, startupMs: performance.now() - t0, stop: () => stopSandbox(state, home) };
  } catch (err) {
    for (const p of started.reverse()) await stopPart(p.pid, 5000);
    for (const pid of childPids) await stopPart(pid, 2000);
    await rm(dir, { recursive: true, force: true });
    // An interrupt stops the start; a part that failed only because of it is not to blame.
    if (opts.signal?.aborted === true) throw new InterruptedError('interrupted while the sandbox was starting; every part started so far is stopped');
    throw err;
  }
}

/** Stops every part (reverse start order), named last, and removes the sandbox's files and state. */
export async function stopSandbox(state: SandboxState, home: string = sandboxHome()): Promise<void> {
  for (const p of [...state.parts].reverse()) {
    await stopPart(p.pid, 8000);
    for (const child of p.childPids) await stopPart(child, 3000);
  }
  await rm(state.dir, { recursive: true, force: true });
  await removeState(home);
}
