/**
 * @module `bind rndc`: bindcar under a storm, through its REST API only. The run creates its own
 * zones through bindcar (named after the run id, each journalled before its create), then offers
 * an open-loop storm of requests (reloads of one zone, weighted mixed commands, or big zone writes
 * followed by reloads) from many clients, each on loopback from its own address (bindcar limits per
 * client IP), and times every request per route from its intended start and from its send. It
 * deletes its zones at the end, also on Ctrl-C or an error.
 */
import { performance } from 'node:perf_hooks';
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { Config } from '../config/index.js';
import { bindRndcMetrics } from '../judge/criteria.js';
import { ArrivalSchedule } from '../drive/arrival-schedule.js';
import { runArrivals } from '../drive/arrival-engine.js';
import { BindcarClient, isLoopbackHost, loopbackClientAddress } from '../drive/bindcar-client.js';
import type { RunResult } from '../report/result/index.js';
import type { Target } from '../targets/target.js';
import { planBindRndc, requestAt, routeOf, routePath, zoneBody, type BindRndcPlanData } from './bind-rndc-plan.js';
import { StormTally, bindcarCounts, countDisagreements, serverTimings, timingText, type RequestCountSample } from './bind-rndc-figures.js';
import type { MetricSample } from '../measure/bucket-quantile.js';
import { fetchExposition } from '../observe/metrics-fetch.js';
import { RunZones, adminAddressOf, adminSend, answerText, bindcarAccessFor, bindcarUnreachable, openBindcarTarget, openedForBindcar, probeBindcar } from './bindcar-access.js';
import { addFigures, type DriveContext, type DriveOutcome, type Scenario, type ScenarioPlan, type Verification } from './scenario.js';

function dataOf(plan: ScenarioPlan<BindRndcPlanData>): BindRndcPlanData {
  if (plan.data === undefined) throw new TypeError('bind-rndc plan without its data');
  return plan.data;
}

/** Why the mixed storm cannot write records here (no update key), or undefined. */
function updateKeyProblem(d: BindRndcPlanData, updateKey: string | undefined): string | undefined {
  if (d.recordZones.length === 0 || updateKey !== undefined) return undefined;
  return 'bind rndc --mode mixed with record-add/record-remove needs bindcar\'s TSIG update key name for the zones that take them: give --update-key NAME, or leave those commands out of --mix';
}

/** A target of its own for `--bindcar-url`: no Kubernetes behind it; bindcar probed and the token taken before anything starts. */
async function ownTarget(config: Readonly<Config>, io: { env: NodeJS.ProcessEnv; cwd: string }): Promise<Target | undefined> {
  const r = config.scenarios.rndc;
  return openBindcarTarget(config, io, r, () => {
    const why = updateKeyProblem(dataOf(planBindRndc({ config, runId: 'probe', interleave: false })), r.updateKey);
    if (why !== undefined) throw new UsageError(why);
  });
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

async function driveBindRndc(ctx: DriveContext, plan: ScenarioPlan<BindRndcPlanData>): Promise<DriveOutcome> {
  const d = dataOf(plan);
  const access = bindcarAccessFor(ctx.target, d, 'bind rndc');
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
    if (!openedForBindcar(ctx.target)) await probeBindcar(client, access.url, adminAddress);
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
    addFigures(outcome, f);
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
    const result = await zones.deleteAll(client, [adminAddress]);
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
    void plan;
    return bindcarUnreachable(target);
  },
  drive: driveBindRndc,
  verify: verifyBindRndc,
} satisfies Scenario<BindRndcPlanData>;
