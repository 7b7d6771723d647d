/**
 * @module `bind rndc`: bindcar under a storm, through its REST API only. The run creates its own
 * zones through bindcar (named after the run id, each journalled before its create), then offers
 * an open-loop storm of requests (reloads of one zone, weighted mixed commands, or big zone writes
 * followed by reloads) from many clients, each on loopback from its own address (bindcar limits per
 * client IP), and times every request per route from its intended start and from its send. It
 * deletes its zones at the end, also on Ctrl-C or an error.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { Config } from '../config/index.js';
import { bindRndcMetrics } from '../judge/criteria.js';
import { ArrivalSchedule } from '../drive/arrival-schedule.js';
import { runArrivals } from '../drive/arrival-engine.js';
import { BindcarClient, isLoopbackHost, loopbackClientAddress, type BindcarOutcome, type BindcarRequest } from '../drive/bindcar-client.js';
import { sleep } from '../drive/sleep.js';
import type { BindcarTokenSource, Journal } from '../observe/journal.js';
import type { RunResult } from '../report/result/index.js';
import type { Target } from '../targets/target.js';
import { planBindRndc, requestAt, routeOf, routePath, zoneBody, type BindRndcPlanData } from './bind-rndc-plan.js';
import { StormTally, bindcarCounts, countDisagreements, serverTimings, timingText, type RequestCountSample } from './bind-rndc-figures.js';
import type { MetricSample } from '../measure/bucket-quantile.js';
import { fetchExposition } from '../observe/metrics-fetch.js';
import type { DriveContext, DriveOutcome, Scenario, ScenarioPlan, Verification } from './scenario.js';

/** The environment variable a token is read from when no --token-file is given. */
export const tokenEnv = 'BINDCAR_TOKEN';
/** How long the run's own setup and teardown requests keep retrying a 429, ms. */
const adminRetryBudgetMs = 60_000;

/** What the drive needs to reach bindcar; the token stays in memory only. */
interface BindcarAccess {
  url: string;
  token: string;
  source: BindcarTokenSource;
  updateKey?: string;
}

// Targets this scenario opened itself, with their token (never on the Target, which reports read).
const accessOf = new WeakMap<Target, BindcarAccess>();

function dataOf(plan: ScenarioPlan<BindRndcPlanData>): BindRndcPlanData {
  if (plan.data === undefined) throw new TypeError('bind-rndc plan without its data');
  return plan.data;
}

/** Reads a token from its source; a missing or empty one is a usage error naming where it looked (never the token). */
export function readToken(source: BindcarTokenSource, env: NodeJS.ProcessEnv): string {
  if ('env' in source) {
    const t = env[source.env]?.trim() ?? '';
    if (t === '') throw new UsageError(`bind rndc: no bindcar token: give --token-file PATH or set $${source.env}`);
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

function answerText(o: BindcarOutcome): string {
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

/** The run's own requests (probe, setup, teardown) from 127.0.0.1 on loopback: a 429 is waited out (Retry-After), within a budget. */
async function adminSend(client: BindcarClient, r: BindcarRequest, auth = true): Promise<BindcarOutcome> {
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
  const health = await adminSend(client, { method: 'GET', path: '/api/v1/health', ...(adminAddress === undefined ? {} : { localAddress: adminAddress }) }, false);
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
  const zones = await adminSend(client, { method: 'GET', path: '/api/v1/zones', ...(adminAddress === undefined ? {} : { localAddress: adminAddress }) });
  if (zones.kind === 'answered' && (zones.status === 401 || zones.status === 403)) {
    throw new UsageError(`bindcar at ${url} refused the token (${answerText(zones)})`, { hint: `check --token-file or $${tokenEnv} (bindcar's BIND_API_TOKEN, or a ServiceAccount token with audience bindcar)` });
  }
  if (zones.kind !== 'answered' || zones.status !== 200) throw new TargetNotReadyError(`bindcar at ${url} did not list its zones: ${answerText(zones)}`, { hint: 'is named behind it up? GET /api/v1/ready says' });
  return version;
}

function adminAddressOf(url: string): string | undefined {
  return isLoopbackHost(new URL(url).hostname) ? '127.0.0.1' : undefined;
}

/** Why the mixed storm cannot write records here (no update key), or undefined. */
function updateKeyProblem(d: BindRndcPlanData, updateKey: string | undefined): string | undefined {
  if (d.recordZones.length === 0 || updateKey !== undefined) return undefined;
  return 'bind rndc --mode mixed with record-add/record-remove needs bindcar\'s TSIG update key name for the zones that take them: give --update-key NAME, or leave those commands out of --mix';
}

/** A target of its own for `--bindcar-url`: no Kubernetes behind it; bindcar probed and the token taken before anything starts. */
async function ownTarget(config: Readonly<Config>, io: { env: NodeJS.ProcessEnv; cwd: string }): Promise<Target | undefined> {
  const r = config.scenarios.rndc;
  if (r.bindcarUrl === undefined) return undefined;
  const source: BindcarTokenSource = r.tokenFile !== undefined ? { file: resolve(io.cwd, r.tokenFile) } : { env: tokenEnv };
  const token = readToken(source, io.env);
  const plan = planBindRndc({ config, runId: 'probe', interleave: false });
  const why = updateKeyProblem(dataOf(plan), r.updateKey);
  if (why !== undefined) throw new UsageError(why);
  const client = new BindcarClient({ url: r.bindcarUrl, token, timeoutMs: Math.min(r.requestTimeout, 10_000) });
  let version: string | undefined;
  try {
    version = await probeBindcar(client, r.bindcarUrl, adminAddressOf(r.bindcarUrl));
  } finally {
    client.close();
  }
  // A placeholder the run never contacts (kubernetes: false): the runner builds a client from every target.
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [{ name: 'none', server: 'http://127.0.0.1:1', skipTLSVerify: false }], users: [{ name: 'none' }], contexts: [{ name: 'none', cluster: 'none', user: 'none' }], currentContext: 'none' });
  const target: Target = {
    info: { kind: config.target, description: `bindcar at ${r.bindcarUrl}${version === undefined ? '' : ` (version ${version})`}, reached directly (no Kubernetes API)`, ...(version === undefined ? {} : { bindyVersion: `bindcar ${version}` }) },
    kubeConfig,
    namespace: config.namespace,
    dnsServers: [],
    sidecarEndpoints: [r.bindcarUrl],
    metricsEndpoints: [{ name: 'sidecar', url: new URL('/metrics', r.bindcarUrl).href }],
    kubernetes: false,
    setup: () => Promise.resolve({ namespaceCreated: false, clusterCreated: false, clusterReadyMs: 0 }),
    close: () => Promise.resolve(),
  };
  accessOf.set(target, { url: r.bindcarUrl, token, source, ...(r.updateKey === undefined ? {} : { updateKey: r.updateKey }) });
  return target;
}

/** The target's bindcar: the one this scenario opened, or the sandbox's twin (its token file). */
function accessFor(target: Target, d: BindRndcPlanData): BindcarAccess {
  const own = accessOf.get(target);
  if (own !== undefined) return own;
  const b = target.bindcar;
  if (b === undefined) throw new UsageError('bind rndc: this target\'s bindcar is not reachable from here: give --bindcar-url (a port-forward) with --token-file or $BINDCAR_TOKEN');
  const source: BindcarTokenSource = d.tokenFile !== undefined ? { file: d.tokenFile } : { file: b.tokenFile };
  const updateKey = d.updateKey ?? b.updateKeyName;
  return { url: b.url, token: readToken(source, process.env), source, ...(updateKey === undefined ? {} : { updateKey }) };
}

/** bindcar's samples from its open /metrics; null when it cannot be read. */
async function scrape(url: string): Promise<MetricSample[] | null> {
  try {
    return (await fetchExposition(new URL('/metrics', url).href, { timeoutMs: 5000 })).samples;
  } catch {
    return null;
  }
}

/** The `bindcar_http_requests_total` samples of a scrape. */
function requestCounts(samples: readonly MetricSample[]): RequestCountSample[] {
  return samples.filter((x) => x.name === 'bindcar_http_requests_total');
}

/** Zones the run created (or tried to) through bindcar: each journalled before its create, deleted at the end. */
class RunZones {
  readonly created = new Set<string>();
  readonly attempted: string[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly access: BindcarAccess,
  ) {}

  /** Journals `zone` before its create is sent. */
  willCreate(zone: string): void {
    this.attempted.push(zone);
    this.journal.appendBindcarZoneCreating(this.access.url, zone, this.access.source);
  }

  /** Deletes every zone tried; the ones that could not be deleted, with why. */
  async deleteAll(client: BindcarClient, adminAddress: string | undefined): Promise<{ deleted: number; left: string[] }> {
    const left: string[] = [];
    let deleted = 0;
    for (const zone of this.attempted) {
      const o = await adminSend(client, { method: 'DELETE', path: `/api/v1/zones/${encodeURIComponent(zone)}`, ...(adminAddress === undefined ? {} : { localAddress: adminAddress }) });
      // bindcar 0.7 answers 500 "not found" for a zone named never had (0.9: 404): gone either way.
      const gone = o.kind === 'answered' && (o.status === 200 || o.status === 404 || (o.status === 500 && /not found/i.test(o.body)));
      if (gone) {
        this.journal.appendBindcarZoneDeleted(this.access.url, zone);
        if (o.status === 200) deleted++;
      } else left.push(`${zone} (${answerText(o)})`);
    }
    return { deleted, left };
  }
}

async function driveBindRndc(ctx: DriveContext, plan: ScenarioPlan<BindRndcPlanData>): Promise<DriveOutcome> {
  const d = dataOf(plan);
  const access = accessFor(ctx.target, d);
  const why = updateKeyProblem(d, access.updateKey);
  if (why !== undefined) throw new UsageError(why);
  const loopback = isLoopbackHost(new URL(access.url).hostname);
  const adminAddress = adminAddressOf(access.url);
  const client = new BindcarClient({ url: access.url, token: access.token, timeoutMs: d.requestTimeoutMs });
  const outcome: DriveOutcome = { latencies: {}, counters: {}, timeSeries: [], failures: [], notes: [], operator: [], apiAmplification: null };
  const zones = new RunZones(ctx.journal, access);
  const setupLines: string[] = [];
  let tally: StormTally | null = null;
  try {
    // The sandbox's twin was not probed when the target opened: do it now, before anything is created.
    if (!accessOf.has(ctx.target)) await probeBindcar(client, access.url, adminAddress);
    const admin = adminAddress === undefined ? {} : { localAddress: adminAddress };
    const setupStart = performance.now();
    for (const [zone, key] of [...d.stormZones.map((z) => [z, undefined] as const), ...d.recordZones.map((z) => [z, access.updateKey] as const)]) {
      if (ctx.stopStarting.aborted) break;
      zones.willCreate(zone);
      const o = await adminSend(client, { method: 'POST', path: '/api/v1/zones', body: zoneBody(zone, 0, key), ...admin });
      if (o.kind !== 'answered' || o.status !== 201) throw new TargetNotReadyError(`bind rndc: bindcar did not create zone ${zone}: ${answerText(o)}`);
      zones.created.add(zone);
    }
    setupLines.push(`setup: ${zones.created.size} zones created through bindcar in ${Math.round(performance.now() - setupStart)} ms (from ${adminAddress ?? 'this machine'}, apart from the storm's clients)`);
    if (ctx.stopStarting.aborted) {
      outcome.notes.push('interrupted before the storm: no storm request was sent');
      return outcome;
    }
    const addresses = loopback ? Array.from({ length: d.clients }, (_, i) => loopbackClientAddress(i)) : [];
    if (!loopback && d.clients > 1) outcome.notes.push(`bindcar is not on loopback: the ${d.clients} clients share this machine's address, so bindcar's per-IP limiter sees one client`);
    ctx.onEvent({ type: 'notice', text: `bind rndc: ${d.mode} storm, ${d.total} requests at ${d.rate}/s from ${d.clients} client${d.clients === 1 ? '' : 's'}${loopback ? ` (127.0.0.2…127.0.0.${d.clients + 1})` : ''}` });
    const scrapeBefore = await scrape(access.url);
    const schedule = new ArrivalSchedule([{ durationMs: d.durationMs, fromPerSec: d.rate, toPerSec: d.rate }]);
    const storm = new StormTally(d.clients, performance.now());
    tally = storm;
    let redirected = 0;
    let lastStatus = 0;
    const summary = await runArrivals({
      schedule,
      maxInFlight: d.maxInFlight,
      stopStarting: ctx.stopStarting,
      hardStop: ctx.hardStop,
      onDropped: (n) => storm.dropped(routeOf[requestAt(d, n).command]),
      perform: async (n, intendedMs) => {
        const spec = requestAt(d, n);
        let zone = spec.zone;
        if (spec.command === 'reload' && d.mode === 'write-reload' && zone !== null && !zones.created.has(zone)) {
          // The big zone's write is still in flight (or failed): reload the latest one written, else a small zone.
          zone = [...d.writeZones].reverse().find((z) => zones.created.has(z)) ?? d.stormZones[0] ?? zone;
          redirected++;
        }
        if (spec.command === 'zone-create' && zone !== null) zones.willCreate(zone);
        const route = routePath[spec.command];
        const o = await client.send({
          method: route.method,
          path: route.path.replace('{z}', encodeURIComponent(zone ?? '')),
          ...(spec.body === undefined ? {} : { body: spec.body }),
          ...(addresses[spec.client] === undefined ? {} : { localAddress: addresses[spec.client] }),
        });
        if (spec.command === 'zone-create' && zone !== null && o.outcome.kind === 'answered' && o.outcome.status === 201) zones.created.add(zone);
        storm.record(routeOf[spec.command], spec.client, intendedMs, o.sentMs, o.endedMs, o.outcome);
        const now = performance.now();
        if (now - lastStatus > 1000) {
          lastStatus = now;
          ctx.onEvent({ type: 'status', text: `bind rndc: ${n + 1}/${d.total} due; ${storm.total('ok')} ok, ${storm.total('limited')} 429, ${storm.total('error') + storm.total('connection-error') + storm.total('timeout')} failed` });
        }
      },
    });
    ctx.onEvent({ type: 'engine-done' });
    const scrapeAfter = scrapeBefore === null ? null : await scrape(access.url);
    const f = storm.figures();
    Object.assign(outcome.latencies, f.latencies);
    Object.assign(outcome.counters, f.counters);
    outcome.timeSeries.push(...f.timeSeries);
    outcome.notes.push(...f.notes);
    const add = (name: string, value: number, unit: string, description: string): void => {
      outcome.counters[name] = { value, unit, description };
    };
    add('bindcar_requests_due', summary.due, 'requests', 'storm requests the open-loop schedule made due');
    add('bindcar_requests_planned', d.total, 'requests', 'storm requests in the schedule (rate × duration)');
    add('bindcar_requests_late', summary.late, 'requests', 'storm requests started more than 2 ms after their intended start (the generator\'s own slip)');
    add('bindcar_requests_abandoned', summary.abandoned, 'requests', 'storm requests in flight when the run was stopped hard');
    if (d.mode === 'write-reload') add('bindcar_reloads_redirected', redirected, 'requests', 'write-reload: reloads due before their big zone\'s write had answered, sent to the latest zone written instead');
    // Cross-check: bindcar's own request counter, for the routes that name the run's zones (nobody else knows them).
    if (scrapeBefore === null || scrapeAfter === null) outcome.notes.push(`bindcar's /metrics (${new URL('/metrics', access.url).href}) could not be read: no cross-check of the counts`);
    else {
      const zoneSet = new Set([...d.stormZones, ...d.recordZones, ...d.writeZones]);
      const routes = ['zone_status', 'zone_get', 'reload', 'notify', 'record_add', 'record_remove'];
      const theirs = bindcarCounts(requestCounts(scrapeBefore), requestCounts(scrapeAfter), zoneSet);
      const differ = countDisagreements(f.counters, theirs, routes);
      const counted = [...theirs.values()].reduce((a, v) => a + v, 0);
      add('bindcar_metrics_counted', counted, 'requests', "storm requests to the run's zones bindcar itself counted (bindcar_http_requests_total deltas over the storm)");
      add('bindcar_metrics_disagreements', differ.length, 'route×status', "route and status pairs where bindcar's own count differs from the tool's (0: they agree)");
      outcome.notes.push(
        differ.length === 0
          ? `cross-check: bindcar's own bindcar_http_requests_total counted the same ${counted} requests to the run's zones, per route and status, as the tool`
          : `cross-check: bindcar's own counts differ from the tool's: ${differ.join('; ')} (a request the tool timed out may still have been answered)`,
      );
      // Where the time goes: bindcar's own handling per route, and rndc's share of it (bucket estimates from its histograms).
      const timings = serverTimings(scrapeBefore, scrapeAfter, zoneSet);
      for (const t of timings.routes) {
        if (t.p50 !== null) add(`bindcar_server_${t.name}_p50_ms`, Math.round(t.p50 * 10_000) / 10, 'ms', `bindcar's own handling time of the ${t.name} route, p50 (bindcar_http_request_duration_seconds of the run's zones' paths, 429s included; a bucket estimate)`);
        if (t.mean !== null) add(`bindcar_server_${t.name}_mean_ms`, Math.round(t.mean * 10_000) / 10, 'ms', `bindcar's own handling time of the ${t.name} route, mean (exact: the histogram's sum over its count)`);
        if (t.p99 !== null) add(`bindcar_server_${t.name}_p99_ms`, Math.round(t.p99 * 10_000) / 10, 'ms', `bindcar's own handling time of the ${t.name} route, p99 (a bucket estimate)`);
      }
      if (timings.routes.length > 0) outcome.notes.push(`bindcar's own handling time per route (bindcar_http_request_duration_seconds, the run's zones, 429s included; bucket estimates, exact mean): ${timings.routes.map(timingText).join('; ')}`);
      if (timings.rndc.length > 0) outcome.notes.push(`bindcar's rndc/nsupdate time per command over the storm (bindcar_rndc_command_duration_seconds, every client's; bucket estimates, exact mean): ${timings.rndc.map(timingText).join('; ')}`);
    }
    const slip99 = summary.slip.valueAt(99);
    outcome.notes.push(
      `storm: ${summary.started} of ${summary.due} due requests sent in ${((summary.endedMs - summary.startedMs) / 1000).toFixed(1)} s (${d.rate}/s offered), ${summary.dropped} dropped for want of a free slot (${d.maxInFlight} in flight at most); schedule slip p99 ${slip99 === null ? '-' : `${(slip99 / 1000).toFixed(2)} ms`}`,
      ...summary.saturation.map((s) => `load generator: ${s}`),
      ...(loopback ? [`clients: ${d.clients}, each sending from its own loopback address (127.0.0.2…127.0.0.${d.clients + 1}); the run's own setup and teardown from 127.0.0.1`] : []),
      'latency bindcar_<route>: from the request\'s intended start (no coordinated omission); bindcar_<route>_service: from its send; 429s are counted, never timed with the route (the limiter answers before the route runs)',
    );
  } finally {
    const result = await zones.deleteAll(client, adminAddress);
    client.close();
    setupLines.push(`teardown: ${result.deleted} zones deleted through bindcar${result.left.length > 0 ? `; NOT deleted: ${result.left.join(', ')} (bindy-loadtest cleanup --run-id ${plan.runId} tries again)` : ''}`);
    outcome.notes.push(...setupLines);
    outcome.counters['bindcar_zones_created'] = { value: zones.created.size, unit: 'zones', description: 'zones the run created through bindcar (setup, and write-reload\'s big writes)' };
    outcome.counters['bindcar_zones_left'] = { value: result.left.length, unit: 'zones', description: 'zones the run created through bindcar and could not delete at the end' };
    if (tally === null) outcome.notes.push('no storm request was sent');
  }
  return outcome;
}

function verifyBindRndc(result: RunResult): Verification {
  const n = (k: string): number => result.counters[k]?.value ?? 0;
  const problems: string[] = [];
  if (result.counters['bindcar_requests_sent'] !== undefined) {
    if (n('bindcar_requests_sent') === 0 && n('bindcar_requests_due') > 0) problems.push('no storm request was sent');
    if (n('bindcar_errors') > 0) problems.push(`${n('bindcar_errors')} requests answered with an error status (not 429)`);
    if (n('bindcar_connection_errors') > 0) problems.push(`${n('bindcar_connection_errors')} requests got no answer (connection errors)`);
    if (n('bindcar_timeouts') > 0) problems.push(`${n('bindcar_timeouts')} requests timed out`);
  }
  if (n('bindcar_zones_left') > 0) problems.push(`${n('bindcar_zones_left')} zones created through bindcar could not be deleted`);
  return { passed: problems.length === 0, problems };
}

/** The bind rndc scenario. */
export const bindRndcScenario = {
  name: 'bind-rndc',
  describe: 'bindcar under a storm: reloads, mixed commands from many clients, big zone writes then reloads; latency per route, status codes, 429s apart',
  options: 'rndc',
  metrics: bindRndcMetrics,
  plan: planBindRndc,
  ownTarget,
  checkTarget(target: Target, plan: ScenarioPlan<BindRndcPlanData>): string | undefined {
    if (accessOf.has(target) || target.bindcar !== undefined) return undefined;
    void plan;
    return 'the target\'s bindcar is not reachable from here (on a cluster it is an in-cluster Service): port-forward it (kubectl -n <ns> port-forward svc/<bind9 instance> 8080:80) and give --bindcar-url http://127.0.0.1:8080 with --token-file or $BINDCAR_TOKEN';
  },
  drive: driveBindRndc,
  verify: verifyBindRndc,
} satisfies Scenario<BindRndcPlanData>;
