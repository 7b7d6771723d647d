/**
 * @module Reaching bindcar directly (the `bind rndc` and `bind zones` scenarios): its token read
 * from a file or the environment (never echoed), a probe before anything is created (unreachable:
 * exit 3; token refused: exit 2), the run's own setup requests that wait out a 429, a target of
 * its own for `--bindcar-url`, and the zones a run creates through bindcar, each journalled before
 * its create and deleted at the end.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { Config } from '../config/index.js';
import { BindcarClient, isLoopbackHost, type BindcarCreateZone, type BindcarOutcome, type BindcarRequest } from '../drive/bindcar-client.js';
import { sleep } from '../drive/sleep.js';
import type { BindcarTokenSource, Journal, PodZoneSite } from '../observe/journal.js';
import type { Target } from '../targets/target.js';

/** The environment variable a token is read from when no --token-file is given. */
export const tokenEnv = 'BINDCAR_TOKEN';
/** How long the run's own setup and teardown requests keep retrying a 429, ms. */
const adminRetryBudgetMs = 60_000;

/** What a drive needs to reach bindcar; the token stays in memory only. */
export interface BindcarAccess {
  url: string;
  token: string;
  source: BindcarTokenSource;
  updateKey?: string;
  /** The pod behind `url` when it is the run's own port-forward: zones are journalled with it, so a cleanup deletes them there through pods/exec. */
  pod?: PodZoneSite;
}

/** Where a scenario's options say bindcar is: a URL with its token's file (absent: the sandbox's own bindcar twin). */
export interface BindcarLocation {
  bindcarUrl?: string;
  tokenFile?: string;
  updateKey?: string;
}

// Targets opened for a bindcar URL, with their token (never on the Target, which reports read).
const accessOf = new WeakMap<Target, BindcarAccess>();

/** Reads a token from its source; a missing or empty one is a usage error naming where it looked (never the token). */
export function readToken(source: BindcarTokenSource, env: NodeJS.ProcessEnv): string {
  if ('env' in source) {
    const t = env[source.env]?.trim() ?? '';
    if (t === '') throw new UsageError(`no bindcar token: give --token-file PATH or set $${source.env}`);
    return t;
  }
  let t: string;
  try {
    t = readFileSync(source.file, 'utf8').trim();
  } catch {
    throw new UsageError(`--token-file ${source.file}: no readable file there`);
  }
  if (t === '') throw new UsageError(`--token-file ${source.file}: the file is empty`);
  return t;
}

/** One line for an answer that was not what was asked for: bindcar's `{"error": …}`, the status, or why none came. */
export function answerText(o: BindcarOutcome): string {
  if (o.kind === 'timeout') return 'no answer within the request timeout';
  if (o.kind === 'connection-error') return o.code;
  // bindcar's error bodies are `{"error": …}`; a token never appears in them.
  let why = o.body.slice(0, 200);
  try {
    const e = (JSON.parse(o.body) as { error?: unknown }).error;
    if (typeof e === 'string') why = e;
  } catch {
    // not JSON: the text as is
  }
  return `HTTP ${o.status}${why === '' ? '' : `: ${why}`}`;
}

/** The run's own requests (probe, setup, teardown): a 429 is waited out (Retry-After), within a budget. */
export async function adminSend(client: BindcarClient, r: BindcarRequest, auth = true): Promise<BindcarOutcome> {
  const until = performance.now() + adminRetryBudgetMs;
  for (;;) {
    const { outcome } = await client.send(r, auth);
    if (outcome.kind !== 'answered' || outcome.status !== 429 || performance.now() > until) return outcome;
    await sleep(Math.max(250, (outcome.retryAfterS ?? 1) * 1000), []);
  }
}

/**
 * Checks bindcar answers and takes the token before anything is created: unreachable is exit 3
 * with how to fix it, a token refused (401/403) exit 2. Returns bindcar's version from its health route.
 */
export async function probeBindcar(client: BindcarClient, url: string, adminAddress: string | undefined): Promise<string | undefined> {
  const from = adminAddress === undefined ? {} : { localAddress: adminAddress };
  const health = await adminSend(client, { method: 'GET', path: '/api/v1/health', ...from }, false);
  if (health.kind !== 'answered' || health.status !== 200) {
    throw new TargetNotReadyError(`bindcar at ${url} is not reachable: ${answerText(health)}`, {
      hint: 'check --bindcar-url (scheme, host, port); on a cluster: kubectl -n <ns> port-forward svc/<bind9 instance> 8080:80 and --bindcar-url http://127.0.0.1:8080; on the sandbox: bindy-loadtest sandbox status',
    });
  }
  let version: string | undefined;
  try {
    const v = (JSON.parse(health.body) as { version?: unknown }).version;
    if (typeof v === 'string') version = v;
  } catch {
    // a health answer without JSON still counts as up
  }
  const zones = await adminSend(client, { method: 'GET', path: '/api/v1/zones', ...from });
  if (zones.kind === 'answered' && (zones.status === 401 || zones.status === 403)) {
    throw new UsageError(`bindcar at ${url} refused the token (${answerText(zones)})`, { hint: `check --token-file or $${tokenEnv} (bindcar's BIND_API_TOKEN, or a ServiceAccount token with audience bindcar)` });
  }
  if (zones.kind !== 'answered' || zones.status !== 200) throw new TargetNotReadyError(`bindcar at ${url} did not list its zones: ${answerText(zones)}`, { hint: 'is named behind it up? GET /api/v1/ready says' });
  return version;
}

/** The address the run's own requests leave from: 127.0.0.1 against a loopback bindcar (the storm's clients take 127.0.0.2 on), else the system's choice. */
export function adminAddressOf(url: string): string | undefined {
  return isLoopbackHost(new URL(url).hostname) ? '127.0.0.1' : undefined;
}

/**
 * A target of its own for `--bindcar-url` (undefined without one): no Kubernetes behind it;
 * bindcar probed and the token taken before anything starts. `check` refuses options that cannot
 * run against it, before the probe.
 */
export async function openBindcarTarget(config: Readonly<Config>, io: { env: NodeJS.ProcessEnv; cwd: string }, where: BindcarLocation, check?: () => void): Promise<Target | undefined> {
  const url = where.bindcarUrl;
  if (url === undefined) return undefined;
  const source: BindcarTokenSource = where.tokenFile !== undefined ? { file: resolve(io.cwd, where.tokenFile) } : { env: tokenEnv };
  const token = readToken(source, io.env);
  check?.();
  const client = new BindcarClient({ url, token, timeoutMs: 10_000 });
  let version: string | undefined;
  try {
    version = await probeBindcar(client, url, adminAddressOf(url));
  } finally {
    client.close();
  }
  // A placeholder the run never contacts (kubernetes: false): the runner builds a client from every target.
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [{ name: 'none', server: 'http://127.0.0.1:1', skipTLSVerify: false }], users: [{ name: 'none' }], contexts: [{ name: 'none', cluster: 'none', user: 'none' }], currentContext: 'none' });
  const target: Target = {
    info: { kind: config.target, description: `bindcar at ${url}${version === undefined ? '' : ` (version ${version})`}, reached directly (no Kubernetes API)`, ...(version === undefined ? {} : { bindyVersion: `bindcar ${version}` }) },
    kubeConfig,
    namespace: config.namespace,
    dnsServers: [],
    sidecarEndpoints: [url],
    metricsEndpoints: [{ name: 'sidecar', url: new URL('/metrics', url).href }],
    kubernetes: false,
    setup: () => Promise.resolve({ namespaceCreated: false, clusterCreated: false, clusterReadyMs: 0 }),
    close: () => Promise.resolve(),
  };
  accessOf.set(target, { url, token, source, ...(where.updateKey === undefined ? {} : { updateKey: where.updateKey }) });
  return target;
}

/** True when the target was opened for a bindcar URL (and probed then). */
export function openedForBindcar(target: Target): boolean {
  return accessOf.has(target);
}

/** The target's bindcar: the one opened for a URL, or the target's own (the sandbox's twin, its token file); a usage error when neither. */
export function bindcarAccessFor(target: Target, where: Pick<BindcarLocation, 'tokenFile' | 'updateKey'>, scenario: string): BindcarAccess {
  const own = accessOf.get(target);
  if (own !== undefined) return own;
  const b = target.bindcar;
  if (b === undefined) throw new UsageError(`${scenario}: this target's bindcar is not reachable from here: give --bindcar-url (a port-forward) with --token-file or $BINDCAR_TOKEN`);
  const source: BindcarTokenSource = where.tokenFile !== undefined ? { file: where.tokenFile } : { file: b.tokenFile };
  const updateKey = where.updateKey ?? b.updateKeyName;
  return { url: b.url, token: readToken(source, process.env), source, ...(updateKey === undefined ? {} : { updateKey }) };
}

/** bindcar as a run reaches it, a way to load zones over its request limit where there is one, and what to close at the end. */
export interface RunBindcar {
  access: BindcarAccess;
  /** Loads a zone as bindcar would, without its request (the sandbox's named; a cluster's pod through pods/exec); absent against a bare URL. */
  loadZone?: (request: BindcarCreateZone) => Promise<void>;
  /** Where such a zone is loaded, for the result's notes. */
  loadsWhere?: string;
  /** How bindcar was reached when through the run's own port-forward, for the result's notes. */
  via?: string;
  /** Closes what opening it opened (idempotent). */
  close(): Promise<void>;
}

/**
 * The target's bindcar for a run: the URL it was opened for (no direct loads: the pod behind a
 * user's URL is not known), the sandbox's own twin, or on a cluster a port-forward to the primary
 * pod's bindcar this opens (the token from --token-file or $BINDCAR_TOKEN, read first). A forward
 * that cannot be opened is exit 3 naming why.
 */
export async function openRunBindcar(target: Target, where: Pick<BindcarLocation, 'tokenFile' | 'updateKey'>, scenario: string): Promise<RunBindcar> {
  const none = (): Promise<void> => Promise.resolve();
  if (accessOf.has(target) || target.bindcar !== undefined || target.openBindcar === undefined) {
    const access = bindcarAccessFor(target, where, scenario);
    const loadZone = openedForBindcar(target) ? undefined : target.bindcar?.loadZone;
    return { access, ...(loadZone === undefined ? {} : { loadZone, loadsWhere: "its zone directory, then rndc addzone with its block over named's control channel" }), close: none };
  }
  const source: BindcarTokenSource = where.tokenFile !== undefined ? { file: where.tokenFile } : { env: tokenEnv };
  const token = readToken(source, process.env);
  let forward;
  try {
    forward = await target.openBindcar();
  } catch (e) {
    throw new TargetNotReadyError(`${scenario}: bindcar not reachable through a port-forward: ${e instanceof Error ? e.message : String(e)}`, {
      hint: "the run's Bind9Cluster needs a primary Bind9Instance with a Ready pod; or give --bindcar-url (your own port-forward: kubectl -n <ns> port-forward svc/<instance> 8080:80)",
    });
  }
  const site = forward.site;
  return {
    access: { url: forward.url, token, source, pod: site, ...(where.updateKey === undefined ? {} : { updateKey: where.updateKey }) },
    loadZone: forward.loadZone,
    loadsWhere: `${site.zoneDir} of pod ${site.namespace}/${site.pod} (container ${site.container}, through pods/exec), then rndc addzone with its block there`,
    via: forward.describe,
    close: () => forward.close(),
  };
}

/** Why the target has no bindcar this scenario can reach, or undefined. */
export function bindcarUnreachable(target: Target): string | undefined {
  if (accessOf.has(target) || target.bindcar !== undefined) return undefined;
  return "the target's bindcar is not reachable from here (on a cluster it is an in-cluster Service): port-forward it (kubectl -n <ns> port-forward svc/<bind9 instance> 8080:80) and give --bindcar-url http://127.0.0.1:8080 with --token-file or $BINDCAR_TOKEN";
}

/** Zones a run created (or tried to) through bindcar: each journalled before its create, deleted at the end. */
export class RunZones {
  readonly created = new Set<string>();
  readonly attempted: string[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly access: BindcarAccess,
  ) {}

  /** Journals `zone` before its create is sent. */
  willCreate(zone: string): void {
    this.attempted.push(zone);
    this.journal.appendBindcarZoneCreating(this.access.url, zone, this.access.source, this.access.pod);
  }

  /**
   * Deletes every zone tried, one worker per local address (bindcar limits per client IP: a
   * thousand deletes from one address would wait out its limiter for minutes); the ones that
   * could not be deleted, with why.
   */
  async deleteAll(client: BindcarClient, addresses: readonly (string | undefined)[]): Promise<{ deleted: number; left: string[] }> {
    const left: string[] = [];
    let deleted = 0;
    let next = 0;
    const worker = async (address: string | undefined): Promise<void> => {
      for (let i = next++; i < this.attempted.length; i = next++) {
        const zone = this.attempted[i] ?? '';
        const o = await adminSend(client, { method: 'DELETE', path: `/api/v1/zones/${encodeURIComponent(zone)}`, ...(address === undefined ? {} : { localAddress: address }) });
        // bindcar 0.7 answers 500 "not found" for a zone named never had (0.9: 404): gone either way.
        const gone = o.kind === 'answered' && (o.status === 200 || o.status === 404 || (o.status === 500 && /not found/i.test(o.body)));
        if (gone) {
          this.journal.appendBindcarZoneDeleted(this.access.url, zone);
          if (o.status === 200) deleted++;
        } else left.push(`${zone} (${answerText(o)})`);
      }
    };
    await Promise.all((addresses.length === 0 ? [undefined] : addresses).map(worker));
    return { deleted, left };
  }
}
