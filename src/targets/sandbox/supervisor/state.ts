/**
 * @module The sandbox's state file: where a running sandbox's parts are, so that scenario runs,
 * `sandbox status` and `sandbox down` (from another process) can find and stop them.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../errors.js';
import { packageRoot } from '../../../package-root.js';
import type { OperatorIdentity } from '../../target.js';

/** A secondary BIND9 server's parts: its named and its bindcar twin, `<kind>-secondary-<i>`. */
export type SecondaryPartName = `named-secondary-${number}` | `sidecar-secondary-${number}`;

/** A source cluster's parts: its API server and the scout watching it, `<kind>-source-<i>`. */
export type SourceClusterPartName = `apiserver-source-${number}` | `scout-source-${number}`;

/** The part names, in start order. */
export type PartName = 'named' | 'apiserver' | 'sidecar' | 'faultproxy' | 'operator' | 'scout' | SecondaryPartName | SourceClusterPartName;

/** What a part runs, whichever server it belongs to: `named-secondary-0` is a `named`, `scout-source-0` a `scout`. */
export type PartKind = Exclude<PartName, SecondaryPartName | SourceClusterPartName>;

/** The kind of part `name` is (pure). */
export function partKind(name: PartName): PartKind {
  if (name.startsWith('named-secondary-')) return 'named';
  if (name.startsWith('sidecar-secondary-')) return 'sidecar';
  if (name.startsWith('apiserver-source-')) return 'apiserver';
  if (name.startsWith('scout-source-')) return 'scout';
  return name as PartKind;
}

/** The cluster name of source cluster `i` beside the sandbox's own scout cluster `scoutCluster`: `<scoutCluster>-<i + 2>` (the sandbox's own is the first). */
export function sourceClusterName(scoutCluster: string, i: number): string {
  return `${scoutCluster}-${i + 2}`;
}

/** The part names of source cluster `i`. */
export function sourceClusterPartNames(i: number): { apiserver: SourceClusterPartName; scout: SourceClusterPartName } {
  return { apiserver: `apiserver-source-${i}`, scout: `scout-source-${i}` };
}

/**
 * Another cluster whose Services and Ingresses publish into the sandbox's zones: its own API
 * server twin and a scout twin in remote mode (watching it, writing ARecords into the sandbox's
 * API server under its own cluster name), as a second Kubernetes cluster with its own scout would.
 */
export interface SourceClusterState {
  /** The cluster name its scout writes under (`bindy.firestoned.io/source-cluster`). */
  name: string;
  index: number;
  /** Admin kubeconfig of its API server: where a run creates that cluster's sources. */
  kubeconfig: string;
  apiServerUrl: string;
  caFile?: string;
}

/** The part names of secondary `i`. */
export function secondaryPartNames(i: number): { named: SecondaryPartName; sidecar: SecondaryPartName } {
  return { named: `named-secondary-${i}`, sidecar: `sidecar-secondary-${i}` };
}

/** One secondary BIND9 server of the sandbox (`C-secondary-<index>` instances map to it). */
export interface SecondaryState {
  /** Its label in reports: `secondary-<index>`. */
  name: string;
  index: number;
  dns: { host: string; port: number };
  /** Its bindcar twin (same token as the primary's). */
  sidecarUrl: string;
  bind9StatsUrl: string;
  /** rndc.conf of its named (zone status, serials). */
  rndcConfFile: string;
}

/** One running part of the sandbox. */
export interface PartState {
  name: PartName;
  /** The `bindy-loadtest sandbox start <part>` process. */
  pid: number;
  /** Processes the part started itself (named), stopped too by `down` in case the part was killed. */
  childPids: number[];
  logFile: string;
  /** Prometheus text endpoint of the part. */
  metricsUrl?: string;
  /**
   * Arguments of `sandbox start <name>` that start the part again as it runs now (named: on the
   * ports it got, keeping its keys), for a restart after a kill fault. Absent in older state files.
   */
  args?: string[];
  /** Environment the part needs, as variable → file holding the value (secrets never enter this file). */
  secretEnv?: Record<string, string>;
}

/** One link of the sandbox's fault proxy. */
export interface FaultProxyLinkState {
  name: string;
  protocol: 'tcp' | 'udp';
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
}

/** Everything a client needs to use a running sandbox (no secrets: those stay in files). */
export interface SandboxState {
  version: 1;
  startedAt: string;
  /** Temp directory holding every file of this sandbox; removed by `down`. */
  dir: string;
  kubeconfig: string;
  namespace: string;
  /** The Bind9Cluster `up` created in `namespace` (absent without the operator twin). */
  bind9Cluster?: string;
  apiServerUrl: string;
  /** CA certificate of the API server's self-signed serving certificate (PEM file). */
  caFile?: string;
  dns: { host: string; port: number };
  sidecarUrl: string;
  /** File holding the sidecar's Bearer token (mode 0600). */
  sidecarTokenFile: string;
  /** BIND key file of the TSIG update key. */
  updateKeyFile: string;
  updateKeyName: string;
  bind9StatsUrl: string;
  /** rndc.conf of the primary named (absent in older state files). */
  rndcConfFile?: string;
  /** The secondary BIND9 servers (`sandbox.secondaries`); absent or empty: none. */
  secondaries?: SecondaryState[];
  /** Other source clusters of service discovery (`sandbox up --source-clusters`); absent or empty: none. */
  sourceClusters?: SourceClusterState[];
  parts: PartState[];
  /**
   * Who the operator twin is to the API server (its own token's user: bindy's ServiceAccount
   * bindy-system/bindy); absent without the operator twin, and in older state files.
   */
  operatorIdentity?: OperatorIdentity;
  /** The fault proxy between the operator and the other parts, when the sandbox was started with it. */
  faultProxy?: { controlUrl: string; links: FaultProxyLinkState[] };
  /** named's data filesystem, a size-limited tmpfs on its directory (a sandbox for faults, started as root); absent: the host's. */
  namedDisk?: { mount: string; sizeBytes: number };
}

/** The folder that holds the state file (`$BINDY_LOADTEST_SANDBOX_HOME`, else a per-user temp folder). */
export function sandboxHome(env: NodeJS.ProcessEnv = process.env): string {
  return perUserHome(env, 'BINDY_LOADTEST_SANDBOX_HOME', `sandbox-${checkoutToken()}`);
}

/**
 * Six hex digits of the SHA-256 of the tool's own folder: two checkouts (or an installed copy and
 * a clone) of one user get sandbox homes of their own, so one never runs against, or stops, the
 * sandbox the other started. The same for the CLI, its bundle and its parts: they share the folder.
 */
export function checkoutToken(root: string = packageRoot()): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 6);
}

/** `env[variable]` when set, else `<tmpdir>/bindy-loadtest-<what>-<uid>`: one per user, so two users' homes never meet (the sandbox's `what` also names the checkout). */
export function perUserHome(env: NodeJS.ProcessEnv, variable: string, what: string): string {
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `bindy-loadtest-${what}-${uid}`);
}

/** Path of the state file inside a home. */
export function stateFile(home: string): string {
  return join(home, 'state.json');
}

/** Reads the state of the sandbox in `home`, or undefined when none was started there. */
export async function readState(home: string): Promise<SandboxState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const state = JSON.parse(text) as SandboxState;
    if (state.version !== 1) throw new Error(`version ${String(state.version)}`);
    return state;
  } catch (err) {
    throw new UsageError(`${stateFile(home)}: not a sandbox state file this version can read (${(err as Error).message})`, {
      hint: 'remove it, after stopping any sandbox process by hand',
    });
  }
}

/** Writes the state file (creating the home); through a rename, so a reader in another process never sees half of it. */
export async function writeState(home: string, state: SandboxState): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const tmp = `${stateFile(home)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, stateFile(home));
}

/** Removes the state file. */
export async function removeState(home: string): Promise<void> {
  await rm(stateFile(home), { force: true });
}
