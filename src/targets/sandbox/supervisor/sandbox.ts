/**
 * @module The sandbox lifecycle: start every part as its own process in dependency order
 * (named ∥ secondaries' named ∥ API server → sidecar ∥ secondaries' sidecars → [fault proxy] →
 * operator → [scout]), record them in the state file, report
 * their health, and stop them all leaving no process, port or temp file behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InterruptedError, UsageError } from '../../../errors.js';
import { commandLineOf, isAlive, startPart, stopPart, type StartedPart } from './part-process.js';
import { isSandboxProcess } from './orphans.js';
import { readState, removeState, sandboxHome, secondaryPartNames, sourceClusterPartNames, writeState, type FaultProxyLinkState, type PartName, type PartState, type SandboxState, type SecondaryState, type SourceClusterState } from './state.js';
import type { NamedReadyLine } from '../bind9/run.js';
import type { FaultProxyReadyLine } from '../../../faults/proxy/run.js';
import type { LinkSpec } from '../../../faults/proxy/link-spec.js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { bootstrapSandbox, bootstrapSourceCluster } from './bootstrap.js';
import { mountDataDisk, unmountUnder, type DataDisk } from './data-disk.js';
import { bindyServiceAccount } from '../apiserver/identities.js';
import { serviceAccountIdentity } from '../../target.js';

/** What `sandbox start apiserver` announces. */
export interface ApiServerReadyLine {
  url: string;
  kubeconfig: string;
  /** The operator twin's kubeconfig (a token of its own, authenticating as bindy's ServiceAccount). */
  operatorKubeconfig?: string;
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
/** What `sandbox start scout` announces. */
export interface ScoutReadyLine {
  cluster: string;
  targetNamespace: string;
  reproduceUnscopedCleanup: boolean;
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
  /** Extra arguments of every `sandbox start sidecar` (its bindcar release, its limiter). */
  sidecarArgs?: string[];
  /** Extra arguments of `sandbox start apiserver` (its request latency). */
  apiServerArgs?: string[];
  /**
   * Start the fault proxy (part `faultproxy`) and route the operator through it: links
   * `operator-apiserver`, `operator-sidecar`, `operator-bind`, and `client-bind` for the tool's own
   * DNS probes. Off: no proxy, no extra process, the operator talks to each part directly.
   */
  faultProxy?: boolean;
  /**
   * Put named's directory on a tmpfs of this many bytes (root only; what a disk-full fault fills).
   * Absent: the host's filesystem. Only asked for when needed: a mount inside the sandbox's folder
   * makes removing that folder fail (EBUSY) until the sandbox is stopped.
   */
  namedDiskBytes?: number;
  /**
   * Start the scout twin (part `scout`, after the operator): bindy's service discovery, writing the
   * ARecords of annotated LoadBalancer Services and Ingresses into `namespace` under `clusterName`;
   * `args` are more `sandbox start scout` flags. It talks to the API server directly, never
   * through the fault proxy. Off: no scout.
   */
  scout?: { clusterName: string; args?: string[] };
  /**
   * Other source clusters (each after the scout): an API server twin of its own (part
   * `apiserver-source-<i>`) and a scout twin watching it and writing into the sandbox's API server
   * under `clusterName` (part `scout-source-<i>`, remote mode), as a second cluster's scout does.
   */
  sourceClusters?: readonly { clusterName: string; args?: string[] }[];
  /**
   * Secondary BIND9 servers (default 0): each its own named and bindcar twin (parts
   * `named-secondary-<i>`, `sidecar-secondary-<i>`), and the Bind9Cluster `up` creates gets as
   * many secondary replicas, which the operator twin configures as bindy does.
   */
  secondaries?: number;
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
  // How each part was started, for state.json: what a restart after a kill fault runs again.
  const startArgs = new Map<string, { args: string[]; secretEnv?: Record<string, string> }>();
  const part = async <T>(name: PartName, args: string[], secretEnv?: Record<string, string>): Promise<StartedPart<T>> => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, file] of Object.entries(secretEnv ?? {})) env[k] = (await readFile(file, 'utf8')).trim();
    startArgs.set(name, { args, ...(secretEnv === undefined ? {} : { secretEnv }) });
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
    // The operator twin gets a token of its own (bindy's ServiceAccount), so the API server tells its requests from the tool's.
    const operatorKubeconfig = join(dir, 'operator.kubeconfig');
    const secondaryCount = opts.secondaries ?? 0;
    const secondaryNames = Array.from({ length: secondaryCount }, (_, i) => secondaryPartNames(i));
    // named's directory on a filesystem of its own size, so that disk-full is a real ENOSPC.
    let namedDisk: DataDisk | undefined;
    if (opts.namedDiskBytes !== undefined) {
      await mkdir(join(dir, 'named'), { mode: 0o700 });
      const disk = await mountDataDisk(join(dir, 'named'), opts.namedDiskBytes);
      if ('unavailable' in disk) progress(`sandbox: named's directory stays on the host's filesystem (${disk.unavailable}): disk-full is not available`);
      else namedDisk = disk;
    }
    // All settle before going on: a failure of one must not leave another starting unseen.
    const [namedStart, apiStart, ...secondaryNamedStarts] = await Promise.allSettled([
      part<NamedReadyLine>('named', ['--dir', join(dir, 'named')]),
      part<ApiServerReadyLine>('apiserver', ['--kubeconfig-out', kubeconfig, '--operator-kubeconfig-out', operatorKubeconfig, '--namespace', opts.namespace, ...(opts.apiServerArgs ?? [])]),
      ...secondaryNames.map((n) => part<NamedReadyLine>(n.named, ['--dir', join(dir, n.named)])),
    ]);
    if (namedStart.status === 'rejected') throw namedStart.reason;
    if (apiStart.status === 'rejected') throw apiStart.reason;
    const secondaryNamed = secondaryNamedStarts.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    const named = namedStart.value;
    const api = apiStart.value;
    const namedPids = new Map<string, number[]>();
    for (const n of [named, ...secondaryNamed]) {
      childPids.push(n.ready.pid);
      namedPids.set(n.name, [n.ready.pid]);
      spawnedOne('bind9', n.ready.pid);
      // A restart must bring named back where its clients look: the same ports, keys and zones.
      startArgs.set(n.name, { args: ['--dir', n.ready.dir, '--ports-json', JSON.stringify(n.ready.ports), '--keep-keys'] });
    }
    const sidecarOf = (name: PartName, n: NamedReadyLine): Promise<StartedPart<SidecarReadyLine>> =>
      part<SidecarReadyLine>(
        name,
        [
          '--zone-dir', n.dir,
          '--rndc-conf', n.rndcConfFile,
          '--dns-port', String(n.ports.dns),
          '--update-key-file', n.updateKeyFile,
          ...(opts.sidecarArgs ?? []),
          ...(opts.sidecarRateLimitOff === true && !(opts.sidecarArgs ?? []).includes('--no-rate-limit') ? ['--no-rate-limit'] : []),
        ],
        { BIND_API_TOKEN: tokenFile },
      );
    const [sidecarStart, ...secondarySidecarStarts] = await Promise.allSettled([sidecarOf('sidecar', named.ready), ...secondaryNamed.map((n, i) => sidecarOf(secondaryPartNames(i).sidecar, n.ready))]);
    if (sidecarStart.status === 'rejected') throw sidecarStart.reason;
    const sidecar = sidecarStart.value;
    const secondarySidecars = secondarySidecarStarts.map((r) => {
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    });
    // Fixed from here on: a restarted sidecar must be where the operator (or its link) points.
    for (const sc of [sidecar, ...secondarySidecars]) {
      startArgs.set(sc.name, { args: [...(startArgs.get(sc.name)?.args ?? []), '--port', new URL(sc.ready.url).port], secretEnv: { BIND_API_TOKEN: tokenFile } });
    }
    const secondaries: SecondaryState[] = secondaryNamed.map((n, index) => ({
      name: `secondary-${index}`,
      index,
      dns: { host: '127.0.0.1', port: n.ready.ports.dns },
      sidecarUrl: secondarySidecars[index]?.ready.url ?? '',
      bind9StatsUrl: `http://127.0.0.1:${n.ready.ports.stats}/`,
      rndcConfFile: n.ready.rndcConfFile,
    }));
    let faultProxy: SandboxState['faultProxy'];
    let operatorView = { kubeconfig: operatorKubeconfig, dns: `127.0.0.1:${named.ready.ports.dns}`, sidecar: sidecar.ready.url };
    if (opts.faultProxy === true) {
      const apiPort = Number(new URL(api.ready.url).port);
      const links: LinkSpec[] = [
        { name: 'operator-apiserver', protocol: 'tcp', listenPort: 0, upstream: { host: '127.0.0.1', port: apiPort } },
        { name: 'operator-sidecar', protocol: 'tcp', listenPort: 0, upstream: { host: '127.0.0.1', port: Number(new URL(sidecar.ready.url).port) } },
        { name: 'operator-bind', protocol: 'udp', listenPort: 0, upstream: { host: '127.0.0.1', port: named.ready.ports.dns } },
        { name: 'client-bind', protocol: 'udp', listenPort: 0, upstream: { host: '127.0.0.1', port: named.ready.ports.dns } },
        // The tool's own DNS probes of each secondary go through a link of their own (its DNS gap is measured there).
        ...secondaries.map((sec): LinkSpec => ({ name: `client-bind-${sec.name}`, protocol: 'udp', listenPort: 0, upstream: { ...sec.dns } })),
      ];
      const proxy = await part<FaultProxyReadyLine>('faultproxy', ['--links-json', JSON.stringify(links)]);
      faultProxy = { controlUrl: proxy.ready.controlUrl, links: proxy.ready.links.map((l): FaultProxyLinkState => ({ name: l.name, protocol: l.protocol, listen: { ...l.listen }, upstream: { ...l.upstream } })) };
      const listenPort = (name: string): number => faultProxy?.links.find((l) => l.name === name)?.listen.port ?? 0;
      // TLS passes through the link untouched; the serving certificate is for 127.0.0.1, any port.
      const proxiedKubeconfig = join(dir, 'operator-proxied.kubeconfig');
      await writeFile(proxiedKubeconfig, redirectKubeconfig(await readFile(operatorKubeconfig, 'utf8'), api.ready.url, `https://127.0.0.1:${listenPort('operator-apiserver')}`), { mode: 0o600 });
      operatorView = { kubeconfig: proxiedKubeconfig, dns: `127.0.0.1:${listenPort('operator-bind')}`, sidecar: `http://127.0.0.1:${listenPort('operator-sidecar')}` };
    }
    let operator: StartedPart<OperatorReadyLine> | undefined;
    if (opts.withoutOperator !== true) {
      operator = await part<OperatorReadyLine>(
        'operator',
        [
          '--kubeconfig', operatorView.kubeconfig,
          '--dns', operatorView.dns,
          '--tsig-key-file', named.ready.updateKeyFile,
          '--sidecar', operatorView.sidecar,
          // The readiness stand-in probes named itself, never through a link a fault may cut.
          '--named-probe', `127.0.0.1:${named.ready.ports.dns}`,
          // Each secondary's named and bindcar, directly: in a cluster bindy reaches them through their own pods' addresses.
          ...secondaries.flatMap((sec) => ['--secondary', `${sec.dns.host}:${sec.dns.port}=${sec.sidecarUrl}`]),
          ...(opts.operatorArgs ?? []),
        ],
        { BIND_API_TOKEN: tokenFile },
      );
      // A restarted operator serves /metrics where the run's observers already look.
      startArgs.set('operator', { args: [...(startArgs.get('operator')?.args ?? []), '--metrics-port', new URL(operator.ready.metricsUrl).port], secretEnv: { BIND_API_TOKEN: tokenFile } });
    }
    if (opts.scout !== undefined) {
      await part<ScoutReadyLine>('scout', ['--kubeconfig', kubeconfig, '--cluster-name', opts.scout.clusterName, '--target-namespace', opts.namespace, ...(opts.scout.args ?? [])]);
    }
    const sourceClusters: SourceClusterState[] = [];
    for (const [index, sc] of (opts.sourceClusters ?? []).entries()) {
      const names = sourceClusterPartNames(index);
      // A folder each: the API server twin writes its CA beside its kubeconfig.
      const sourceDir = join(dir, `source-${index}`);
      await mkdir(sourceDir, { mode: 0o700 });
      const sourceKubeconfig = join(sourceDir, 'kubeconfig');
      const a = await part<ApiServerReadyLine>(names.apiserver, ['--kubeconfig-out', sourceKubeconfig, '--namespace', opts.namespace]);
      await bootstrapSourceCluster(sourceKubeconfig, opts.namespace);
      await part<ScoutReadyLine>(names.scout, ['--kubeconfig', sourceKubeconfig, '--target-kubeconfig', kubeconfig, '--cluster-name', sc.clusterName, '--target-namespace', opts.namespace, ...(sc.args ?? [])]);
      sourceClusters.push({ name: sc.clusterName, index, kubeconfig: sourceKubeconfig, apiServerUrl: a.ready.url, ...(a.ready.caFile === undefined ? {} : { caFile: a.ready.caFile }) });
    }
    const clusterName = opts.clusterName ?? 'loadtest';
    if (operator !== undefined) {
      const { instances } = await bootstrapSandbox({
        kubeconfigPath: kubeconfig,
        namespace: opts.namespace,
        clusterName,
        secondaries: secondaries.length,
        timeoutMs: timeoutMs,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      progress(`sandbox: Bind9Cluster ${opts.namespace}/${clusterName} created, instance${instances.length === 1 ? '' : 's'} ${instances.join(', ')} Ready`);
    }
    const metrics: Record<string, string> = {
      apiserver: api.ready.metricsUrl,
      sidecar: sidecar.ready.metricsUrl,
      ...Object.fromEntries(secondarySidecars.map((sc) => [sc.name, sc.ready.metricsUrl])),
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
      rndcConfFile: named.ready.rndcConfFile,
      ...(secondaries.length === 0 ? {} : { secondaries }),
      ...(sourceClusters.length === 0 ? {} : { sourceClusters }),
      parts: started.map((p): PartState => ({
        name: p.name as PartName,
        pid: p.pid,
        childPids: namedPids.get(p.name) ?? [],
        logFile: p.logFile,
        ...(metrics[p.name] === undefined ? {} : { metricsUrl: metrics[p.name] }),
        ...startArgs.get(p.name),
      })),
      ...(operator === undefined ? {} : { operatorIdentity: serviceAccountIdentity(bindyServiceAccount.namespace, bindyServiceAccount.name) }),
      ...(faultProxy === undefined ? {} : { faultProxy }),
      ...(namedDisk === undefined ? {} : { namedDisk }),
    };
    await writeState(home, state);
    return { state, startupMs: performance.now() - t0, stop: () => stopSandbox(state, home) };
  } catch (err) {
    for (const p of started.reverse()) await stopPart(p.pid, 5000);
    for (const pid of childPids) await stopPart(pid, 2000);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    // An interrupt stops the start; a part that failed only because of it is not to blame.
    if (opts.signal?.aborted === true) throw new InterruptedError('interrupted while the sandbox was starting; every part started so far is stopped');
    throw err;
  }
}

/** `kubeconfig` YAML with every cluster whose server is `from` pointed at `to` instead. */
export function redirectKubeconfig(kubeconfig: string, from: string, to: string): string {
  const doc = parseYaml(kubeconfig) as { clusters?: { cluster?: { server?: string } }[] };
  for (const c of doc.clusters ?? []) if (c.cluster?.server === from) c.cluster.server = to;
  return stringifyYaml(doc);
}

/**
 * Stops every part (reverse start order), named last, and removes the sandbox's files and state.
 * The state file, when it still describes this sandbox, names the parts as they run now (a
 * process fault's revert restarts a part under a new pid); the pids in `state` are stopped too.
 */
export async function stopSandbox(state: SandboxState, home: string = sandboxHome()): Promise<void> {
  const current = await readState(home).catch(() => undefined);
  const parts = current?.dir === state.dir ? current.parts : state.parts;
  // A pid the state file no longer names may have been reused by another program: only stopped while it still runs the part.
  const stale = async (name: string, pid: number, graceMs: number): Promise<void> => {
    const cmd = pid === 0 || !isAlive(pid) ? null : commandLineOf(pid);
    if (cmd !== null && isSandboxProcess(name, cmd)) await stopPart(pid, graceMs);
  };
  for (const p of [...parts].reverse()) {
    const before = state.parts.find((q) => q.name === p.name);
    await stopPart(p.pid, 8000);
    for (const child of p.childPids) await stopPart(child, 3000);
    if (before === undefined) continue;
    if (before.pid !== p.pid) await stale(p.name, before.pid, 8000);
    for (const child of before.childPids) if (!p.childPids.includes(child)) await stale('bind9', child, 3000);
  }
  await unmountUnder(state.dir);
  await rm(state.dir, { recursive: true, force: true });
  await removeState(home);
}
