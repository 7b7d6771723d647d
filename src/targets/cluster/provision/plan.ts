/**
 * @module The plan of `cluster up` (pure): from the options to the ordered steps, each with the
 * command line it runs and the one that undoes it. The steps are the ones docs/cluster.md and the
 * load-tests workflow run, on the files of deploy/loadtest/; the runner executes them.
 */
import { join } from 'node:path';
import { UsageError } from '../../../errors.js';
import { formatDuration, parseDuration } from '../../../config/values.js';
import {
  bindyDeployment,
  chaosInjectAnnotation,
  chaosMeshRelease,
  checkBindyVersion,
  defaultClusterName,
  defaultWorkers,
  deployFiles,
  k3sContainerdSocket,
  kindConfigFor,
  kindWait,
  kustomizationForVersion,
  loadtestCluster,
  monitoringRelease,
  pinnedBindyVersion,
  pushgatewayRelease,
  type HelmRelease,
  type ToolName,
} from './facts.js';

/** Where the cluster comes from: made by kind or k3d, or one that exists (only what is installed into it is ours). */
export type Provider = 'kind' | 'k3d' | 'existing';
/** Every provider, in the order `--help` lists them. */
export const providers: readonly Provider[] = ['kind', 'k3d', 'existing'];

/** Validated options of `cluster up`. */
export interface ClusterOptions {
  provider: Provider;
  /** Cluster name (kind, k3d); the context is kind-NAME or k3d-NAME. */
  name: string;
  /** Worker nodes (kind: nodes with role worker; k3d: agents). */
  workers: number;
  /** bindy release tag installed (vX.Y.Z). */
  bindyVersion: string;
  monitoring: boolean;
  chaos: boolean;
  /** Kubeconfig context (existing: where to install; kind, k3d: derived from the name). */
  context: string;
  /** Kubeconfig file every program is pointed at (as KUBECONFIG), or null for the programs' default. */
  kubeconfig: string | null;
  /** Bound of every wait: rollout, helm --wait, Bind9Cluster Ready, the final preflight. */
  timeoutMs: number;
}

/** Raw flags, as commander hands them over (unvalidated strings). */
export interface ClusterFlags {
  provider?: string;
  name?: string;
  workers?: string;
  bindyVersion?: string;
  monitoring?: boolean;
  chaos?: boolean;
  timeout?: string;
  /** The global --context. */
  context?: string;
  /** The global --kubeconfig, already absolute. */
  kubeconfig?: string;
}

const clusterNamePattern = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;
const maxWorkers = 10;

/**
 * Validates the flags into options; every problem is a one-line UsageError naming the flag.
 * `pinned` is the release deploy/loadtest/bindy pins (the default of --bindy-version);
 * `currentContext` is the kubeconfig's current context, used by `existing` without --context.
 */
export function clusterOptions(f: ClusterFlags, pinned: string, currentContext: () => string | undefined): ClusterOptions {
  const provider = f.provider ?? 'kind';
  if (!(providers as readonly string[]).includes(provider)) throw new UsageError(`--provider: expected one of ${providers.join(', ')}, got '${provider}'`);
  const p = provider as Provider;
  if (p === 'existing') {
    if (f.name !== undefined) throw new UsageError('--name: only with --provider kind or k3d (an existing cluster is named by --context)');
    if (f.workers !== undefined) throw new UsageError('--workers: only with --provider kind or k3d (an existing cluster keeps its nodes)');
  } else if (f.context !== undefined) {
    throw new UsageError(`--context: only with --provider existing (${p} names its context ${p}-NAME; choose NAME with --name)`);
  }
  const name = f.name ?? defaultClusterName;
  if (!clusterNamePattern.test(name)) throw new UsageError(`--name: expected a cluster name of lowercase letters, digits and '-' (at most 32), got '${name}'`);
  const workersText = f.workers ?? String(defaultWorkers);
  if (!/^\d+$/.test(workersText) || Number(workersText) < 1 || Number(workersText) > maxWorkers) {
    throw new UsageError(`--workers: expected a whole number from 1 to ${maxWorkers} (bindy and BIND9 run on the workers), got '${workersText}'`);
  }
  const bindyVersion = f.bindyVersion ?? pinned;
  checkBindyVersion(bindyVersion);
  const timeout = parseDuration(f.timeout ?? '10m');
  if (!timeout.ok) throw new UsageError(`--timeout: ${timeout.message}`);
  if (timeout.value === 0) throw new UsageError('--timeout: must be above 0: every wait would fail at once');
  let context: string;
  if (p === 'existing') {
    const c = f.context ?? currentContext();
    if (c === undefined || c === '') throw new UsageError('--provider existing: give --context NAME (the kubeconfig names no current context)');
    context = c;
  } else {
    context = `${p}-${name}`;
  }
  return {
    provider: p,
    name,
    workers: Number(workersText),
    bindyVersion,
    monitoring: f.monitoring === true,
    chaos: f.chaos === true,
    context,
    kubeconfig: f.kubeconfig ?? null,
    timeoutMs: timeout.value,
  };
}

/** A command checked before `up` starts: when it says the thing is there, the step is skipped and never undone. */
export interface Probe {
  argv: readonly string[];
  /** `exit-0`: the command succeeding means present; `output`: a non-empty stdout means present. */
  when: 'exit-0' | 'output';
}

/** One step of `cluster up`. */
export interface PlanStep {
  /** Stable id, for the state file and tests. */
  id: string;
  title: string;
  /** The command line (argv[0] is the program, found on PATH). */
  run: readonly string[];
  /** The command line that removes what `run` made; null for a wait, or for what goes with a cluster `up` made. */
  undo: readonly string[] | null;
  /** Why `undo` is null, for the dry run. */
  noUndo?: string;
  /** Only on an existing cluster: what was there before `up` is left alone. */
  present?: Probe;
}

/** A file `up` writes before its first step (a kind config or kustomization an option changed); removed by `down`. */
export interface PlanFile {
  path: string;
  content: string;
}

/** What the final preflight wait checks. */
export interface ReadyTarget {
  context: string;
  kubeconfig: string | null;
  namespace: string;
  clusterName: string;
  timeoutMs: number;
}

/** Everything `up` does, in order. */
export interface ClusterPlan {
  options: ClusterOptions;
  files: PlanFile[];
  steps: PlanStep[];
  /** Environment every program runs with (KUBECONFIG when --kubeconfig was given). */
  env: Record<string, string>;
  /** Programs the steps, probes and undos run, in first-use order. */
  tools: ToolName[];
  ready: ReadyTarget;
}

/** What the plan reads from the repository (the runner reads the files; the plan stays pure). */
export interface PlanInputs {
  /** Text of deploy/loadtest/kind-config.yaml. */
  kindConfig: string;
  /** Text of deploy/loadtest/bindy/kustomization.yaml. */
  kustomization: string;
  /** File names under dashboards/ (e.g. bind9.json). */
  dashboards: readonly string[];
  /** Folder for generated files (the state home). */
  workDir: string;
}

/** The steps of `cluster up` for `o`, in order. */
export function clusterPlan(o: ClusterOptions, inputs: PlanInputs): ClusterPlan {
  const owned = o.provider !== 'existing';
  const timeout = formatDuration(o.timeoutMs);
  const kubectl = (...args: string[]): string[] => ['kubectl', '--context', o.context, ...args];
  const helm = (...args: string[]): string[] => ['helm', '--kube-context', o.context, ...args];
  // On a cluster `up` made, deleting the cluster removes everything in it: no step inside needs an undo.
  const undoIn = (argv: string[]): Pick<PlanStep, 'undo' | 'noUndo'> => (owned ? { undo: null, noUndo: 'goes with the cluster' } : { undo: argv });
  const wait = { undo: null, noUndo: 'a wait: nothing to undo' } as const;
  const probe = (argv: string[], when: Probe['when'] = 'exit-0'): { present?: Probe } => (owned ? {} : { present: { argv, when } });
  const files: PlanFile[] = [];
  const steps: PlanStep[] = [];

  if (o.provider === 'kind') {
    let config: string = deployFiles.kindConfig;
    if (o.workers !== defaultWorkers) {
      config = join(inputs.workDir, 'kind-config.yaml');
      files.push({ path: config, content: kindConfigFor(inputs.kindConfig, o.workers, o.name) });
    }
    steps.push({
      id: 'cluster',
      title: `create the kind cluster ${o.name} (1 control plane + ${o.workers} workers)`,
      run: ['kind', 'create', 'cluster', '--name', o.name, '--config', config, '--wait', kindWait],
      undo: ['kind', 'delete', 'cluster', '--name', o.name],
    });
  } else if (o.provider === 'k3d') {
    // The same node pools as kind-config.yaml: workers but the last in pool dns, the last in tools.
    const pools = Array.from({ length: o.workers }, (_v, i) => ['--k3s-node-label', `loadtest.bindy.firestoned.io/pool=${i === o.workers - 1 && o.workers > 1 ? 'tools' : 'dns'}@agent:${i}`]).flat();
    steps.push({
      id: 'cluster',
      title: `create the k3d cluster ${o.name} (1 server + ${o.workers} agents)`,
      // Traefik is k3s's default ingress: the load test has no use for it, so it is not started.
      run: ['k3d', 'cluster', 'create', o.name, '--agents', String(o.workers), ...pools, '--k3s-arg', '--disable=traefik@server:0', '--wait', '--timeout', timeout],
      undo: ['k3d', 'cluster', 'delete', o.name],
    });
  }

  let bindyDir: string = deployFiles.bindyKustomization;
  if (o.bindyVersion !== pinnedBindyVersion(inputs.kustomization)) {
    bindyDir = join(inputs.workDir, 'bindy');
    files.push({ path: join(bindyDir, 'kustomization.yaml'), content: kustomizationForVersion(inputs.kustomization, o.bindyVersion) });
  }
  steps.push({
    id: 'bindy',
    title: `install bindy ${o.bindyVersion} (CRDs, namespace ${bindyDeployment.namespace}, RBAC, operator)`,
    run: kubectl('apply', '--server-side', '-k', bindyDir),
    ...undoIn(kubectl('delete', '-k', bindyDir, '--ignore-not-found', `--timeout=${timeout}`)),
    ...probe(kubectl('get', 'namespace', bindyDeployment.namespace)),
  });
  steps.push({
    id: 'bindy-rollout',
    title: `wait for the bindy operator to roll out`,
    run: kubectl('-n', bindyDeployment.namespace, 'rollout', 'status', `deployment/${bindyDeployment.name}`, `--timeout=${timeout}`),
    ...wait,
  });
  if (o.chaos) {
    steps.push({
      id: 'chaos-annotate',
      title: `let Chaos Mesh act in ${bindyDeployment.namespace} (annotation ${chaosInjectAnnotation}=enabled)`,
      run: kubectl('annotate', 'namespace', bindyDeployment.namespace, `${chaosInjectAnnotation}=enabled`, '--overwrite'),
      ...undoIn(kubectl('annotate', 'namespace', bindyDeployment.namespace, `${chaosInjectAnnotation}-`)),
      ...probe(kubectl('get', 'namespace', bindyDeployment.namespace, '-o', `jsonpath={.metadata.annotations.${chaosInjectAnnotation.replace('.', '\\.')}}`), 'output'),
    });
  }
  if (o.monitoring) {
    steps.push(namespaceStep(monitoringRelease.namespace, kubectl, undoIn, probe, timeout));
    steps.push(helmStep(monitoringRelease, 'install kube-prometheus-stack (Prometheus, Grafana)', [], helm, undoIn, probe, timeout));
    steps.push(helmStep(pushgatewayRelease, 'install the Pushgateway', [], helm, undoIn, probe, timeout));
    const names = inputs.dashboards.filter((d) => d.endsWith('.json')).map((d) => ({ file: d, map: `dashboard-${d.slice(0, -'.json'.length)}` }));
    for (const d of names) {
      steps.push({
        id: d.map,
        title: `load the Grafana dashboard ${d.file}`,
        run: kubectl('-n', monitoringRelease.namespace, 'create', 'configmap', d.map, `--from-file=${deployFiles.dashboards}/${d.file}`),
        ...undoIn(kubectl('-n', monitoringRelease.namespace, 'delete', 'configmap', d.map, '--ignore-not-found')),
        ...probe(kubectl('-n', monitoringRelease.namespace, 'get', 'configmap', d.map)),
      });
    }
    if (names.length > 0) {
      // Grafana's sidecar loads ConfigMaps with this label (prometheus-values.yaml); the label goes with each ConfigMap.
      steps.push({
        id: 'dashboards-label',
        title: 'label the dashboards for Grafana (grafana_dashboard=1)',
        run: kubectl('-n', monitoringRelease.namespace, 'label', 'configmap', ...names.map((d) => d.map), 'grafana_dashboard=1', '--overwrite'),
        undo: null,
        noUndo: 'goes with each ConfigMap',
      });
    }
  }
  if (o.chaos) {
    // chaos-mesh-values.yaml points chaos-daemon at kind's containerd; k3s has its own socket.
    const extra = o.provider === 'k3d' ? ['--set', `chaosDaemon.socketPath=${k3sContainerdSocket}`] : [];
    steps.push(namespaceStep(chaosMeshRelease.namespace, kubectl, undoIn, probe, timeout));
    steps.push(helmStep(chaosMeshRelease, 'install Chaos Mesh', extra, helm, undoIn, probe, timeout));
  }
  // Both files live in the test namespace: when it was there before `up`, nothing in it is ours.
  const testNamespaceProbe = probe(kubectl('get', 'namespace', loadtestCluster.namespace));
  steps.push({
    id: 'bind9-cluster',
    title: `create the BIND9 cluster ${loadtestCluster.namespace}/${loadtestCluster.name} (namespace, named.conf.options, Bind9Cluster)`,
    run: kubectl('apply', '-f', deployFiles.bind9Cluster),
    ...undoIn(kubectl('delete', '-f', deployFiles.bind9Cluster, '--ignore-not-found', `--timeout=${timeout}`)),
    ...testNamespaceProbe,
  });
  steps.push({
    id: 'bind9-exporter',
    title: 'create the bind_exporter of each BIND9 instance',
    run: kubectl('apply', '-f', deployFiles.bind9Exporter),
    ...undoIn(kubectl('delete', '-f', deployFiles.bind9Exporter, '--ignore-not-found', `--timeout=${timeout}`)),
    ...testNamespaceProbe,
  });
  steps.push({
    id: 'bind9-ready',
    title: `wait for Bind9Cluster ${loadtestCluster.name} to be Ready`,
    run: kubectl('-n', loadtestCluster.namespace, 'wait', `bind9cluster/${loadtestCluster.name}`, '--for=condition=Ready', `--timeout=${timeout}`),
    ...wait,
  });

  const tools: ToolName[] = [];
  for (const s of steps) {
    for (const argv of [s.present?.argv, s.run, s.undo]) {
      const t = argv?.[0] as ToolName | undefined;
      if (t !== undefined && !tools.includes(t)) tools.push(t);
    }
  }
  return {
    options: o,
    files,
    steps,
    env: o.kubeconfig === null ? {} : { KUBECONFIG: o.kubeconfig },
    tools,
    ready: { context: o.context, kubeconfig: o.kubeconfig, namespace: loadtestCluster.namespace, clusterName: loadtestCluster.name, timeoutMs: o.timeoutMs },
  };
}

type Argv = (...args: string[]) => string[];
type UndoIn = (argv: string[]) => Pick<PlanStep, 'undo' | 'noUndo'>;
type ProbeOf = (argv: string[], when?: Probe['when']) => { present?: Probe };

function namespaceStep(ns: string, kubectl: Argv, undoIn: UndoIn, probe: ProbeOf, timeout: string): PlanStep {
  return {
    id: `namespace-${ns}`,
    title: `create the namespace ${ns}`,
    run: kubectl('create', 'namespace', ns),
    ...undoIn(kubectl('delete', 'namespace', ns, '--ignore-not-found', `--timeout=${timeout}`)),
    ...probe(kubectl('get', 'namespace', ns)),
  };
}

function helmStep(r: HelmRelease, what: string, extra: readonly string[], helm: Argv, undoIn: UndoIn, probe: ProbeOf, timeout: string): PlanStep {
  return {
    id: r.release,
    title: `${what}: chart ${r.chart} ${r.version}, release ${r.namespace}/${r.release}`,
    // --repo instead of `helm repo add`: the user's repository list is left as it was. --atomic:
    // a release that fails or times out is removed by helm itself (it knows it made it).
    run: helm(
      'install', r.release, r.chart, '--repo', r.repo, '--version', r.version, '-n', r.namespace,
      ...(r.values === undefined ? [] : ['-f', r.values]),
      ...(r.set ?? []).flatMap((s) => ['--set', s]),
      ...extra,
      '--wait', '--atomic', '--timeout', timeout,
    ),
    ...undoIn(helm('uninstall', r.release, '-n', r.namespace, '--wait', '--timeout', timeout)),
    ...probe(helm('status', r.release, '-n', r.namespace)),
  };
}

/** The undo command lines of the steps that were started, last first (steps without an undo left out). */
export function undoOrder<S extends { undo: readonly string[] | null }>(started: readonly S[]): S[] {
  return started.filter((s) => s.undo !== null).reverse();
}

/** A command line as a shell would read it back (arguments quoted only when needed). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[-A-Za-z0-9_./=:@,+%]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
