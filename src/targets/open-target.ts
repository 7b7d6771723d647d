/** @module Opening the target a run asked for: the sandbox (the running one, or one started for this run) or a cluster (after its preflight). */
import type { BindcarCreateZone } from '../drive/bindcar-client.js';
import { loadZoneAsBindcar } from './sandbox/sidecar/direct-load.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { Config } from '../config/index.js';
import { KubeClient } from '../observe/kube-client.js';
import { isAlive, readState, sandboxHome, sourceClusterName, sourceClusterPartNames, startSandbox } from './sandbox/supervisor/index.js';
import { apiServerArgsOf, operatorArgsOf, scoutArgsOf, sidecarArgsOf } from './sandbox/supervisor/tunables.js';
import type { SandboxState } from './sandbox/supervisor/index.js';
import type { SandboxProcesses } from './sandbox/supervisor/sandbox.js';
import type { SandboxEntry } from '../observe/journal.js';
import { gatherClusterFacts, operatorVersionText } from './cluster/cluster-facts.js';
import { assertPreflight, preflightProblems } from './cluster/preflight.js';
import { setupTarget } from './cluster/setup.js';
import { assertApiReachable } from './cluster/reachable.js';
import { sandboxBindyLine, sandboxBindyVersion, sandboxMissingKinds } from './sandbox/twin-versions.js';
import { serviceAccountIdentity, type DnsServer, type MetricsEndpoint, type OperatorIdentity, type Target, type TargetFaults } from './target.js';
import { ProxyFaultMechanism } from '../faults/proxy/mechanism.js';
import { ProcessFaultMechanism } from '../faults/process/mechanism.js';
import { SidecarFaultMechanism } from '../faults/sidecar/mechanism.js';
import { FlowControlMechanism } from '../faults/flowcontrol/throttle.js';
import { CgroupLimitMechanism } from '../faults/limits/part-limits.js';
import { FdLimitMechanism } from '../faults/limits/fd-limit.js';
import { DiskFullMechanism } from '../faults/storage/disk-full.js';
import { defaultNamedDiskBytes } from './sandbox/supervisor/data-disk.js';
import { ZoneCorruptionMechanism } from '../faults/storage/zone-corruption.js';
import { QuotaMechanism } from '../faults/quota/object-quota.js';
import { ReplicaMechanism } from '../faults/process/replica.js';
import { openBind9Forwards, secondaryPodSelectors, sharedForwards } from './cluster/bind9-forwards.js';
import { openPrimaryBindcar } from './cluster/bindcar-forward.js';
import { DeploymentReplicaMechanism } from '../faults/native/deployment-replica.js';
import { DeploymentLimitsFaultMechanism } from '../faults/native/deployment-limits-fault.js';
import type { FaultMechanism, FaultSpec, ProbeSpec } from '../faults/fault.js';
import { SandboxOperatorLimits } from '../faults/limits/sandbox-limits.js';
import { DeploymentOperatorLimits } from '../faults/limits/deployment-limits.js';
import type { OperatorLimitsMechanism } from '../faults/limits/change.js';
import { ChaosMeshMechanism } from '../faults/chaos-mesh/mechanism.js';
import { NativeClusterFaults } from '../faults/native/pod-delete.js';
import { PodZoneCorruptionMechanism } from '../faults/native/pod-zone-corruption.js';
import type { ClusterSiteFacts } from '../faults/chaos-mesh/sites.js';
import { chaosCapability, gatherChaosFacts } from './cluster/chaos-facts.js';
import type { OperatorFact } from './cluster/cluster-facts.js';

/** How to prove each sandbox link answers again after a fault (any answer counts). */
const linkProbes: Readonly<Record<string, ProbeSpec>> = {
  'operator-apiserver': { kind: 'http', tls: true, path: '/healthz' },
  'operator-sidecar': { kind: 'http', path: '/api/v1/health' },
  'operator-bind': { kind: 'dns', protocol: 'udp', name: 'version.bind', type: 'SOA' },
  'client-bind': { kind: 'dns', protocol: 'udp', name: 'version.bind', type: 'SOA' },
};

/** The probe of a link `name` (a secondary's client link probes as client-bind does). */
function linkProbe(name: string): ProbeSpec | undefined {
  return linkProbes[name.startsWith('client-bind-') ? 'client-bind' : name];
}

/**
 * The sandbox's BIND9 servers, roles labelled: the primary (`primary-0`), then each secondary
 * (`secondary-<i>`), the order `dnsServers` and `clientDnsServers` share (pure).
 */
export function sandboxDnsServers(state: Pick<SandboxState, 'dns' | 'secondaries'> & Partial<Pick<SandboxState, 'parts'>>, currentState?: () => Promise<Pick<SandboxState, 'parts'> | undefined>): DnsServer[] {
  // named runs under its part (`named`, `named-secondary-<i>`); its own pid is the part's child.
  const childOf = (s: Partial<Pick<SandboxState, 'parts'>> | undefined, part: string): number | undefined => s?.parts?.find((p) => p.name === part)?.childPids[0];
  const pidOf = (part: string): { pid: number; pidNow?: () => Promise<number | undefined> } | Record<string, never> => {
    const pid = childOf(state, part);
    if (pid === undefined) return {};
    // A fault restarts named as a new process; the state file names it.
    return currentState === undefined ? { pid } : { pid, pidNow: async () => childOf(await currentState(), part) };
  };
  return [
    { ...state.dns, name: 'primary-0', role: 'primary', ...pidOf('named') },
    ...(state.secondaries ?? []).map((s): DnsServer => ({ ...s.dns, name: s.name, role: 'secondary', ...pidOf(`named-${s.name}`) })),
  ];
}

/**
 * Where clients reach each server through the fault proxy (`client-bind`, `client-bind-secondary-<i>`),
 * in {@link sandboxDnsServers}' order; undefined when the sandbox has no proxy or a server has no link.
 */
export function clientDnsServers(state: Pick<SandboxState, 'dns' | 'secondaries' | 'faultProxy'>): DnsServer[] | undefined {
  const out: DnsServer[] = [];
  for (const server of sandboxDnsServers(state)) {
    const link = server.role === 'primary' ? 'client-bind' : `client-bind-${server.name ?? ''}`;
    const l = state.faultProxy?.links.find((x) => x.name === link);
    if (l === undefined) return undefined;
    out.push({ ...server, host: l.listen.host, port: l.listen.port });
  }
  return out;
}

/** The sandbox's fault mechanisms: the fault proxy (when it was started with one) and its parts' processes. */
function sandboxFaults(state: SandboxState, home: string, runId: string, namespace: string, kubeConfig: KubeConfig): TargetFaults {
  const fp = state.faultProxy;
  const probes = Object.fromEntries((fp?.links ?? []).flatMap((l) => { const p = linkProbe(l.name); return p === undefined ? [] : [[l.name, p]]; }));
  const proxy = fp === undefined ? undefined : new ProxyFaultMechanism({ controlUrl: fp.controlUrl, links: fp.links.map((l) => ({ name: l.name, protocol: l.protocol, listen: l.listen })), probes });
  const processes = new ProcessFaultMechanism({ home });
  const sidecar = new SidecarFaultMechanism({ home, url: state.sidecarUrl });
  const flowControl = new FlowControlMechanism({ home, kubeconfigPath: state.kubeconfig, runId, ...(state.operatorIdentity === undefined ? {} : { operator: state.operatorIdentity.serviceAccount }) });
  const limits = new CgroupLimitMechanism({ home });
  const fds = new FdLimitMechanism({ home });
  const disk = new DiskFullMechanism({ home, ...(state.namedDisk === undefined ? {} : { disk: state.namedDisk }) });
  const zoneFiles = new ZoneCorruptionMechanism({ home });
  const quota = new QuotaMechanism({ kubeConfig, namespace, runId, home });
  const replica = new ReplicaMechanism({ home });
  const client = clientDnsServers(state);
  // A part's faults: its process (kill, pause), what it answers (the bindcar twin's fault control, the API server's flow control), or its limits (control groups).
  const partMechanism = (spec: FaultSpec | undefined): FaultMechanism =>
    spec?.kind === 'http-errors' ? sidecar : spec?.kind === 'throttle' ? flowControl : spec?.kind === 'quota' ? quota : spec?.kind === 'replica' ? replica : spec?.kind === 'cpu-limit' || spec?.kind === 'memory-limit' ? limits : spec?.kind === 'fd-limit' ? fds : spec?.kind === 'disk-full' ? disk : spec?.kind === 'zone-corruption' ? zoneFiles : processes;
  return {
    mechanisms: { ...(proxy === undefined ? {} : { 'sandbox-proxy': proxy }), 'sandbox-process': processes, 'sandbox-sidecar': sidecar, 'api-flowcontrol': flowControl, 'sandbox-cgroup': limits, 'sandbox-rlimit': fds, 'sandbox-disk': disk, 'sandbox-zonefile': zoneFiles, 'api-quota': quota, 'sandbox-replica': replica },
    ...(client === undefined ? {} : { clientDnsServers: client }),
    mechanismFor: (site, _target, spec) => (site === 'part' ? partMechanism(spec) : proxy),
    unsupportedReason(site, target, spec) {
      if (site === 'part') return partMechanism(spec).unsupportedReason(target, spec);
      if (proxy === undefined) {
        return 'the running sandbox has no fault proxy: stop it (bindy-loadtest sandbox down) and let the run start its own, or start it with `bindy-loadtest sandbox up --faults --detach`';
      }
      const why = proxy.unsupportedReason(target, spec);
      return why === undefined ? undefined : `${why} (the sandbox's links: ${fp?.links.map((l) => l.name).join(', ') ?? ''})`;
    },
  };
}

/** How to open the target. */
export interface OpenTargetOptions {
  /** Plurals the run writes or watches; the cluster preflight checks each is served. */
  resources: readonly string[];
  /** `--create-cluster` (cluster target): create the Bind9Cluster when it is absent. */
  createCluster: boolean;
  /** `--allow-existing-namespace` (cluster target). */
  allowExistingNamespace: boolean;
  /** False for commands that only clean up: the bindy checks are skipped, and no sandbox is started. */
  forRun: boolean;
  /** The run injects faults (the chaos scenario): a sandbox started for it gets the fault proxy on every link; a cluster's fault mechanism is found (Chaos Mesh, or the native fallback). */
  faultProxy?: boolean;
  /** The run's id: a cluster's fault objects carry it (needed with `faultProxy` on a cluster). */
  runId?: string;
  /** A sandbox started for the run puts named's directory on a size-limited tmpfs (disk-full; root only). */
  namedDisk?: boolean;
  /** A sandbox started for the run has at least this many secondary BIND9 servers (bind transfer); default sandbox.secondaries. */
  minSecondaries?: number;
  /** A sandbox started for the run runs the scout twin under this cluster name (the discovery scenario). */
  scoutCluster?: string;
  /** With `scoutCluster`: that many other source clusters, each its own API server and scout twin writing into the sandbox. */
  sourceClusters?: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Progress for a person, one line each (sandbox start-up). */
  onProgress?: (line: string) => void;
  /** Aborting stops a sandbox start quietly (InterruptedError). */
  signal?: AbortSignal;
  /** Cluster target: these credentials instead of the configuration's kubeconfig and context (a shard pod's ServiceAccount). */
  kubeConfig?: KubeConfig;
  /** Where a run records the sandbox it starts (each process as it spawns, and when it is stopped). */
  journal?: { appendSandbox(s: Omit<SandboxEntry, 'type' | 'runId'>): void };
}

/** The scout twin the sandbox runs, from its part's arguments; nothing when it runs none. */
function scoutOf(state: SandboxState): Pick<Target, 'discovery'> {
  const args = state.parts.find((p) => p.name === 'scout' && isAlive(p.pid))?.args;
  if (args === undefined) return {};
  const i = args.indexOf('--cluster-name');
  const cluster = i >= 0 ? args[i + 1] : undefined;
  if (cluster === undefined) return {};
  // A source cluster counts while both its parts run.
  const alive = (name: string): boolean => state.parts.some((p) => p.name === name && isAlive(p.pid));
  const sources = (state.sourceClusters ?? []).filter((c) => alive(sourceClusterPartNames(c.index).apiserver) && alive(sourceClusterPartNames(c.index).scout)).map((c) => ({ name: c.name, kubeconfig: c.kubeconfig }));
  return { discovery: { scoutCluster: cluster, ...(sources.length === 0 ? {} : { sourceClusters: sources }) } };
}

function sandboxTarget(state: SandboxState, namespace: string, stop: (() => Promise<void>) | null, home: string, runId: string): Target {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(state.kubeconfig);
  const client = new KubeClient({ kubeConfig });
  const metrics: MetricsEndpoint[] = state.parts.flatMap((p) => (p.metricsUrl === undefined ? [] : [{ name: p.name, url: p.metricsUrl }]));
  metrics.push({ name: 'bind9', url: state.bind9StatsUrl }, ...(state.secondaries ?? []).map((sec) => ({ name: `bind9-${sec.name}`, url: sec.bind9StatsUrl })));
  const parts = state.parts.map((p) => p.name).join(', ');
  let closed = false;
  return {
    closeRemovesObjects: stop !== null,
    info: {
      kind: 'sandbox',
      description: `sandbox twin on loopback (${parts}; API server ${state.apiServerUrl}, named ${state.dns.host}:${state.dns.port}${(state.secondaries ?? []).map((sec) => `, ${sec.name} ${sec.dns.host}:${sec.dns.port}`).join('')})${stop === null ? '' : ', started for this run'}`,
      bindyVersion: sandboxBindyVersion(state.parts.find((p) => p.name === 'operator')?.args, state.parts.find((p) => p.name === 'sidecar')?.args),
    },
    kubeConfig,
    namespace,
    dnsServers: sandboxDnsServers(state, () => readState(home)),
    sidecarEndpoints: [state.sidecarUrl, ...(state.secondaries ?? []).map((sec) => sec.sidecarUrl)],
    bindcar: {
      url: state.sidecarUrl,
      tokenFile: state.sidecarTokenFile,
      updateKeyName: state.updateKeyName,
      ...(state.rndcConfFile === undefined ? {} : { loadZone: (request: BindcarCreateZone) => loadZoneAsBindcar(state.rndcConfFile ?? '', request) }),
    },
    metricsEndpoints: metrics,
    faults: sandboxFaults(state, home, runId, namespace, client.kubeConfig),
    ...scoutOf(state),
    ...(state.operatorIdentity === undefined ? {} : { operatorIdentity: state.operatorIdentity }),
    ...(state.parts.some((p) => p.name === 'operator') ? { operatorLimits: new SandboxOperatorLimits(home) } : {}),
    // The sandbox made the namespace and the Bind9Cluster when it started: say so rather than "already there".
    setup: async (s) => ({ ...(await setupTarget(s, { client, createCluster: true })), provisionedBy: 'the sandbox when it started' }),
    async close() {
      if (closed || stop === null) return;
      closed = true;
      await stop();
    },
  };
}

async function openSandbox(config: Readonly<Config>, o: OpenTargetOptions): Promise<Target> {
  const home = sandboxHome(o.env);
  const state = await readState(home);
  if (state !== undefined && state.parts.some((p) => p.name === 'apiserver' && isAlive(p.pid))) {
    const missing = sandboxMissingKinds(sandboxBindyLine(state.parts.find((p) => p.name === 'operator')?.args), o.resources);
    if (missing !== undefined) throw new UsageError(`${missing} (this sandbox is already up: sandbox down, then run again)`);
    o.onProgress?.('sandbox: using the one already up (its operator and sidecar keep the tunables they were started with)');
    return sandboxTarget(state, config.namespace, null, home, o.runId ?? 'no-run');
  }
  if (!o.forRun) {
    throw new TargetNotReadyError(`no sandbox is running (state ${join(home, 'state.json')})`, { hint: 'start one with `bindy-loadtest sandbox up --detach`, or pass --target cluster' });
  }
  const missing = sandboxMissingKinds(config.sandbox.operator.version, o.resources);
  if (missing !== undefined) throw new UsageError(missing);
  o.onProgress?.('sandbox: none running, starting one for this run');
  // The run owns this sandbox: journalled as each process spawns, so a kill leaves it findable.
  let processes: SandboxProcesses | null = null;
  const record = (p: SandboxProcesses, stopped: boolean): void => o.journal?.appendSandbox({ home, dir: p.dir, ownerPid: process.pid, processes: p.processes, stopped });
  let started;
  try {
    started = await startSandbox({
      namespace: config.namespace,
      clusterName: config.fixtures.clusterName,
      detached: false,
      home,
      operatorArgs: operatorArgsOf(config),
      apiServerArgs: apiServerArgsOf(config),
      sidecarArgs: sidecarArgsOf(config),
      faultProxy: o.faultProxy === true,
      ...(o.namedDisk === true ? { namedDiskBytes: defaultNamedDiskBytes } : {}),
      // A scenario that needs secondaries gets at least that many, whatever sandbox.secondaries says.
      secondaries: Math.max(config.sandbox.secondaries, o.minSecondaries ?? 0),
      ...(o.scoutCluster === undefined ? {} : { scout: { clusterName: o.scoutCluster, args: scoutArgsOf(config) } }),
      ...(o.scoutCluster === undefined || (o.sourceClusters ?? 0) === 0 ? {} : { sourceClusters: Array.from({ length: o.sourceClusters ?? 0 }, (_, i) => ({ clusterName: sourceClusterName(o.scoutCluster ?? '', i), args: scoutArgsOf(config) })) }),
      onProcesses: (p) => {
        processes = p;
        record(p, false);
      },
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
  } catch (err) {
    // startSandbox stopped what it had started.
    if (processes !== null) record(processes, true);
    throw err;
  }
  const stop = started.stop;
  return sandboxTarget(
    started.state,
    config.namespace,
    async () => {
      await stop();
      if (processes !== null) record(processes, true);
    },
    home,
    o.runId ?? 'no-run',
  );
}

/**
 * A cluster's fault mechanism: Chaos Mesh when its CRDs are served, else native pod deletes (kills
 * of whole pods only); what it can run is said once, before any load.
 */
async function clusterFaults(kubeConfig: KubeConfig, config: Readonly<Config>, operator: OperatorFact | null, runId: string, onProgress?: (line: string) => void): Promise<TargetFaults> {
  const chaos = await gatherChaosFacts(kubeConfig, config.namespace);
  // A fault on a secondary finds its pods by its instance's Service (the instances as the run starts).
  const lister = new KubeClient({ kubeConfig });
  const instances = await lister.list('Bind9Instance', config.namespace, '').finally(() => lister.close());
  const secondaries = instances.ok ? await secondaryPodSelectors(kubeConfig, config.namespace, config.fixtures.clusterName, instances.value.items) : [];
  const facts: ClusterSiteFacts = {
    operator: operator === null ? null : { namespace: operator.namespace, labels: operator.podLabels !== undefined && Object.keys(operator.podLabels).length > 0 ? operator.podLabels : { app: 'bindy' } },
    namespace: config.namespace,
    clusterName: config.fixtures.clusterName,
    apiServerAddresses: chaos.apiServerAddresses,
    secondaries,
  };
  const capability = chaosCapability(chaos);
  onProgress?.(`faults: ${capability.text}`);
  const mechanism = capability.mechanism === 'chaos-mesh' ? new ChaosMeshMechanism({ kubeConfig, namespace: config.namespace, runId, facts, served: chaos.chaosMeshResources ?? [] }) : new NativeClusterFaults({ kubeConfig, facts });
  // An object-count quota is a plain API object: the same on every cluster, Chaos Mesh or not.
  const quota = new QuotaMechanism({ kubeConfig, namespace: config.namespace, runId });
  // A second replica is one more pod of bindy's Deployment: the same on every cluster, when allowed.
  const replica = new DeploymentReplicaMechanism({ kubeConfig, deployment: operator === null ? null : { namespace: operator.namespace, name: operator.name }, allowed: config.scenarios.chaos.allowClusterChanges });
  // A CPU or memory limit of the operator is a resource patch of bindy's Deployment: the same on every cluster, when allowed.
  const limits = new DeploymentLimitsFaultMechanism({ kubeConfig, deployment: operator === null ? null : { namespace: operator.namespace, name: operator.name }, allowed: config.scenarios.chaos.allowClusterChanges });
  // A zone corruption writes into a BIND9 pod through pods/exec: the same on every cluster.
  const zoneFiles = new PodZoneCorruptionMechanism({ kubeConfig, facts, runId, mayExec: chaos.mayExec });
  const pick = (spec: FaultSpec | undefined): FaultMechanism =>
    spec?.kind === 'quota' ? quota : spec?.kind === 'replica' ? replica : spec?.kind === 'cpu-limit' || spec?.kind === 'memory-limit' ? limits : spec?.kind === 'zone-corruption' ? zoneFiles : mechanism;
  return {
    mechanisms: { [mechanism.name]: mechanism, 'api-quota': quota, 'deployment-replica': replica, 'deployment-limits': limits, 'pod-zonefile': zoneFiles },
    mechanismFor: (_site, _target, spec) => pick(spec),
    unsupportedReason: (_site, target, spec) => pick(spec).unsupportedReason(target, spec),
  };
}

async function openCluster(config: Readonly<Config>, o: OpenTargetOptions): Promise<Target> {
  const kubeconfigPath = resolve(o.cwd, config.kubeconfig ?? join(homedir(), '.kube', 'config'));
  const client = o.kubeConfig !== undefined ? new KubeClient({ kubeConfig: o.kubeConfig }) : new KubeClient({ kubeconfigPath, ...(config.context === undefined ? {} : { context: config.context }) });
  const kubeConfig = client.kubeConfig;
  const server = kubeConfig.getCurrentCluster()?.server ?? '(none)';
  let version = '';
  let operatorIdentity: OperatorIdentity | undefined;
  let operatorLimits: OperatorLimitsMechanism | undefined;
  let faults: TargetFaults | undefined;
  if (o.forRun) {
    const facts = await gatherClusterFacts(kubeConfig, { namespace: config.namespace, clusterName: config.fixtures.clusterName });
    assertPreflight(
      preflightProblems(facts, {
        namespace: config.namespace,
        clusterName: config.fixtures.clusterName,
        resources: o.resources,
        createCluster: o.createCluster,
        allowExistingNamespace: o.allowExistingNamespace,
        ...(config.operatorMetrics === undefined ? {} : { operatorMetrics: config.operatorMetrics }),
      }),
    );
    // The version measured goes into every result (deploy/loadtest/bindy pins it; docs/cluster.md).
    version = facts.operator === null && config.operatorMetrics !== undefined ? `bindy outside the cluster (metrics ${config.operatorMetrics}; version not known to the tool)` : operatorVersionText(facts.operator);
    // Who bindy is to the API server: its Deployment's ServiceAccount (a FlowSchema subject can name it).
    if (facts.operator !== null) {
      operatorIdentity = serviceAccountIdentity(facts.operator.namespace, facts.operator.serviceAccountName);
      operatorLimits = new DeploymentOperatorLimits(kubeConfig, { namespace: facts.operator.namespace, name: facts.operator.name });
    }
    if (o.faultProxy === true && o.runId !== undefined) faults = await clusterFaults(kubeConfig, config, facts.operator, o.runId, o.onProgress);
  } else {
    // Commands that only clean up skip the bindy preflight but still need an API server that answers.
    await assertApiReachable(kubeConfig);
  }
  return {
    info: {
      kind: 'cluster',
      description: `cluster ${server} (context ${kubeConfig.getCurrentContext()})${version === '' ? '' : `; ${version}`}`,
      ...(version === '' ? {} : { bindyVersion: version }),
    },
    kubeConfig,
    namespace: config.namespace,
    // In-cluster Services (BIND9 on 53, bindcar on 80) are not reachable from outside the cluster
    // without a port-forward; scenarios that need them say so.
    dnsServers: [],
    // BIND9's Services are reached through port-forwards the tool opens when a scenario asks (the DNS prober).
    // Shared: a scenario's parts that each ask (e2e's prober, its audit and gap prober) use one set.
    openDnsForwards: sharedForwards(async () => {
      const instances = await client.list('Bind9Instance', config.namespace, '');
      if (!instances.ok) throw new Error(`listing the Bind9Instances of ${config.namespace}: ${instances.error.message}`);
      return openBind9Forwards(kubeConfig, config.namespace, config.fixtures.clusterName, instances.value.items);
    }),
    // bindcar is an in-cluster Service too: `bind zones` forwards to the primary pod's (and loads what is over its limit there through pods/exec).
    openBindcar: async () => {
      const instances = await client.list('Bind9Instance', config.namespace, '');
      if (!instances.ok) throw new Error(`listing the Bind9Instances of ${config.namespace}: ${instances.error.message}`);
      return openPrimaryBindcar(kubeConfig, config.namespace, config.fixtures.clusterName, instances.value.items, config.scenarios.zones.zoneDir);
    },
    sidecarEndpoints: [],
    // An operator outside the cluster is scraped where it runs; in the cluster, through its pod.
    metricsEndpoints: config.operatorMetrics === undefined ? [] : [{ name: 'operator', url: config.operatorMetrics }],
    setup: (s) => setupTarget(s, { client, createCluster: o.createCluster }),
    close: () => Promise.resolve(),
    ...(operatorIdentity === undefined ? {} : { operatorIdentity }),
    ...(operatorLimits === undefined ? {} : { operatorLimits }),
    ...(faults === undefined ? {} : { faults }),
  };
}

/**
 * Opens the target `config.target` names. Sandbox: the running one (found by its state file in
 * `sandboxHome()`), else one started now and stopped by `close()`. Cluster: the kubeconfig and
 * context, then the preflight (exit 3 naming what is missing and how to fix it).
 */
export function openTarget(config: Readonly<Config>, o: OpenTargetOptions): Promise<Target> {
  return config.target === 'sandbox' ? openSandbox(config, o) : openCluster(config, o);
}
