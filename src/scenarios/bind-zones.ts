/**
 * @module `bind zones`: BIND9 loading the zones bindy writes, and answering them. The run creates
 * its zones through bindcar with every record in the create request (bindcar writes the zone file
 * and runs `rndc addzone`, as it does for bindy), a few at a time, and times each zone from its
 * create's send to bindcar's answer and to BIND9 answering the zone's last record with its data
 * (named loads a zone whole or not at all). BIND9's memory and CPU are sampled meanwhile where its
 * process is on this machine. Then dnsperf asks every loaded record. The zones are deleted at the
 * end, also on Ctrl-C or an error.
 */
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.js';
import { bindZonesMetrics } from '../judge/criteria.js';
import { BindcarClient, isLoopbackHost, loopbackClientAddress } from '../drive/bindcar-client.js';
import { dnsperfProblems, dnsperfProgressText, locateDnsperf, runDnsperfPhase } from '../drive/dnsperf/index.js';
import { sleep } from '../drive/sleep.js';
import { createLatencyHistogram } from '../measure/index.js';
import { kindInfo } from '../model/kinds.js';
import { queryDns } from '../observe/dns-exchange.js';
import { answerMatches, coveredBySignature, expectedDataOf, readAnswer, recordObjectFqdn, type ObservedAnswer } from '../observe/dns-expectation.js';
import { sampleBind9Resources, type Bind9ResourceSampling } from '../observe/bind9-resources.js';
import { latencyResult, type RunResult } from '../report/result/index.js';
import type { DnsServer, Target } from '../targets/target.js';
import { bindcarBodyLimitBytes } from '../targets/sandbox/sidecar/index.js';
import { RunZones, adminAddressOf, answerText, bindcarUnreachable, openBindcarTarget, openRunBindcar, openedForBindcar, probeBindcar } from './bindcar-access.js';
import { bindZonesData, oversizeText, planBindZones, servedWitness, zoneCreateBody, zonesQueries, type BindZonesPlanData } from './bind-zones-plan.js';
import { addFigures, type DriveContext, type DriveOutcome, type Scenario, type ScenarioPlan, type Verification } from './scenario.js';

const mib = 1024 * 1024;
/** How long one create may take before it counts as unanswered, ms: a big zone file is written and loaded in the request. */
const createTimeoutMs = 120_000;
/** Loopback addresses the teardown deletes from at least (each its own budget in bindcar's limiter). */
const teardownAddresses = 32;

/** The server the zones are checked on and queried: the configured one, else the target's first (the primary). */
function serverOf(d: BindZonesPlanData, target: Target): DnsServer | undefined {
  return d.server ?? target.dnsServers[0];
}

/** Polls `server` for zone `i`'s witness record until it answers with its data; the monotonic time it did, or the last answer seen when the deadline passed. */
async function waitServed(server: DnsServer, d: BindZonesPlanData, i: number, deadlineMs: number, signal: AbortSignal): Promise<{ servedMs: number } | { last: ObservedAnswer | string }> {
  const witness = servedWitness(d.fixtures, i);
  const fqdn = recordObjectFqdn(witness);
  const rrType = kindInfo[witness.kind].rrType ?? 'A';
  const expected = expectedDataOf(witness);
  // Fast at first (a zone is usually served within milliseconds of bindcar's answer), then spaced out so waiting zones never become a load.
  let spacing = 10;
  let last: ObservedAnswer | string = 'no answer yet';
  const signed = d.dnssecPolicy !== undefined;
  while (!signal.aborted) {
    try {
      const r = await queryDns(server, fqdn, rrType, { timeoutMs: 1000, signal, dnssecOk: signed });
      const observed = readAnswer(r.packet, fqdn, rrType);
      if (answerMatches(expected, observed)) {
        // A signed zone is served once its answer carries the signature too.
        if (!signed || coveredBySignature(r.packet, fqdn, rrType)) return { servedMs: performance.now() };
        last = 'its data, but no RRSIG over it yet';
      } else last = observed;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (performance.now() + spacing > deadlineMs) break;
    await sleep(spacing, [signal]);
    spacing = Math.min(500, spacing * 1.5);
  }
  return { last };
}

function lastText(last: ObservedAnswer | string): string {
  if (typeof last === 'string') return last;
  return `rcode ${last.rcode}${last.rrs.length > 0 ? `, ${last.rrs.slice(0, 2).join(' | ')}` : ', no data'}`;
}

/**
 * Exact size of each zone's create body, checked against bindcar's request limit before anything is
 * sent: a zone over it is refused, unless the target can load it as bindcar would (the sandbox);
 * those zones' indices are returned, so the load does not measure each body again.
 */
function checkBodies(d: BindZonesPlanData, updateKey: string | undefined, direct: boolean): { bytes: number; records: number; oversize: Set<number> } {
  let bytes = 0;
  let records = 0;
  const oversize = new Set<number>();
  for (let i = 0; i < d.zones; i++) {
    const body = zoneCreateBody(d.fixtures, i, updateKey, d.dnssecPolicy);
    const n = Buffer.byteLength(JSON.stringify(body));
    if (n > bindcarBodyLimitBytes) {
      if (!direct) throw new UsageError(oversizeText(body.zoneName, n, d.recordsPerZone));
      oversize.add(i);
    }
    bytes += n;
    records += body.zoneConfig.records.length;
  }
  return { bytes, records, oversize };
}

async function driveBindZones(ctx: DriveContext, plan: ScenarioPlan<BindZonesPlanData>): Promise<DriveOutcome> {
  const d = bindZonesData(plan);
  const server = serverOf(d, ctx.target);
  if (server === undefined) throw new UsageError('bind zones: no DNS server to check and query; give one with --server host:port');
  // Located before anything is created: a machine without dnsperf says so (exit 3) and loses nothing.
  const program = locateDnsperf('dnsperf');
  const bindcar = await openRunBindcar(ctx.target, d, 'bind zones');
  const access = bindcar.access;
  const loopback = isLoopbackHost(new URL(access.url).hostname);
  const adminAddress = adminAddressOf(access.url);
  const client = new BindcarClient({ url: access.url, token: access.token, timeoutMs: createTimeoutMs });
  const outcome: DriveOutcome = { latencies: {}, counters: {}, timeSeries: [], failures: [], notes: [], operator: [], apiAmplification: null };
  const zones = new RunZones(ctx.journal, access);
  const t0 = performance.now();
  let resources: Bind9ResourceSampling | null = null;
  const add = (name: string, value: number, unit: string, description: string): void => {
    outcome.counters[name] = { value, unit, description };
  };
  try {
    if (!openedForBindcar(ctx.target)) await probeBindcar(client, access.url, adminAddress);
    // Not behind a user's URL: the pod (or the named) behind it is not known.
    const loadZone = bindcar.loadZone;
    const sizes = checkBodies(d, access.updateKey, loadZone !== undefined);
    resources = await sampleBind9Resources(d.server === undefined ? ctx.target.dnsServers : [server], { intervalMs: 1000, now: () => performance.now() - t0 });

    const create = createLatencyHistogram();
    const served = createLatencyHistogram();
    let next = 0;
    let limited = 0;
    let limiterWaitMs = 0;
    let servedCount = 0;
    let firstSendMs: number | null = null;
    let lastServedMs = 0;
    const notServed: string[] = [];
    const refused: string[] = [];
    const waits: Promise<void>[] = [];
    const deadline = (): number => (firstSendMs ?? performance.now()) + d.timeoutMs;
    let lastStatus = 0;
    const status = (): void => {
      const now = performance.now();
      if (now - lastStatus < 1000) return;
      lastStatus = now;
      ctx.onEvent({ type: 'status', text: `bind zones: ${zones.created.size}/${d.zones} created, ${servedCount} served${limited > 0 ? `, ${limited} answered 429 (retried)` : ''}` });
    };
    ctx.onEvent({ type: 'notice', text: `bind zones: ${d.zones} zones of ${d.recordsPerZone} records (${(sizes.bytes / mib).toFixed(1)} MiB of create requests) through bindcar at ${bindcar.via ?? access.url}, ${d.concurrency} at a time` });
    if (bindcar.via !== undefined) outcome.notes.push(`bindcar reached through the run's own port-forward: ${bindcar.via}; it sees every request from the forward's one address, so its per-client limiter treats them as one client`);
    let direct = 0;
    /** Waits until zone `i` is served, recording its time from `sentMs`. */
    const watchServed = (i: number, zone: string, sentMs: number): Promise<void> =>
      waitServed(server, d, i, deadline(), ctx.hardStop).then((w) => {
        if ('servedMs' in w) {
          servedCount++;
          lastServedMs = Math.max(lastServedMs, w.servedMs);
          served.record(Math.max(0, w.servedMs - sentMs) * 1000);
        } else notServed.push(`${zone} (${lastText(w.last)})`);
        status();
      });
    const worker = async (slot: number): Promise<void> => {
      const from = loopback ? { localAddress: loopbackClientAddress(slot) } : {};
      for (;;) {
        if (ctx.stopStarting.aborted) return;
        const i = next++;
        if (i >= d.zones) return;
        // Built again here (not kept from the check): a run of big zones holds one body per slot, never all.
        const body = zoneCreateBody(d.fixtures, i, access.updateKey, d.dnssecPolicy);
        zones.willCreate(body.zoneName);
        firstSendMs ??= performance.now();
        if (loadZone !== undefined && sizes.oversize.has(i)) {
          // Over bindcar's request limit: loaded as bindcar would load it (zone file, rndc addzone).
          const sentMs = performance.now();
          try {
            await loadZone(body);
          } catch (e) {
            refused.push(`${body.zoneName}: loaded directly: ${e instanceof Error ? e.message : String(e)}`);
            status();
            continue;
          }
          zones.created.add(body.zoneName);
          direct++;
          create.record((performance.now() - sentMs) * 1000);
          waits.push(watchServed(i, body.zoneName, sentMs));
          status();
          continue;
        }
        let answer;
        for (;;) {
          answer = await client.send({ method: 'POST', path: '/api/v1/zones', body, ...from });
          // The limiter's 429 is waited out and counted apart: this scenario measures BIND9 loading,
          // not bindcar's limiter (bind rndc does that), so each zone is timed from the accepted attempt.
          if (answer.outcome.kind !== 'answered' || answer.outcome.status !== 429 || ctx.stopStarting.aborted) break;
          limited++;
          const wait = Math.max(100, (answer.outcome.retryAfterS ?? 1) * 1000);
          limiterWaitMs += wait;
          await sleep(wait, [ctx.stopStarting]);
        }
        const sentMs = answer.sentMs;
        if (answer.outcome.kind !== 'answered' || answer.outcome.status !== 201) {
          refused.push(`${body.zoneName}: ${answerText(answer.outcome)}`);
          status();
          continue;
        }
        zones.created.add(body.zoneName);
        create.record(Math.max(0, answer.endedMs - sentMs) * 1000);
        waits.push(watchServed(i, body.zoneName, sentMs));
        status();
      }
    };
    await Promise.all(Array.from({ length: Math.min(d.concurrency, d.zones) }, (_, slot) => worker(slot)));
    await Promise.all(waits);
    ctx.onEvent({ type: 'engine-done' });
    const loadMs = firstSendMs === null || servedCount === 0 ? null : lastServedMs - firstSendMs;

    outcome.latencies['zone_create'] = latencyResult(create, "a zone's accepted create request sent → bindcar's 201 read (bindcar wrote the zone file and ran rndc addzone); attempts answered 429 before it are counted apart (zone_requests_429)");
    const signedText = d.dnssecPolicy === undefined ? '' : ` and an RRSIG over it (asked with the DO bit: every zone is signed, dnssec-policy ${d.dnssecPolicy} with inline signing, so this includes named's key generation and signing)`;
    outcome.latencies['zone_served'] = latencyResult(served, `a zone's accepted create request sent → ${server.name ?? 'the server'} answering the zone's last record with its data${signedText} (queried every 10 ms, spacing growing to 500 ms)`);
    add('zones_planned', d.zones, 'zones', 'zones the run was to load');
    add('zones_created', zones.created.size, 'zones', 'zones bindcar created (201)');
    add('zones_served', servedCount, 'zones', `zones ${server.name ?? 'the server'} answered with their last record's data within the timeout`);
    add('zones_not_served', notServed.length, 'zones', 'zones created but not answered with their data within the timeout');
    add('zones_refused', refused.length, 'zones', 'zone creates bindcar refused or never answered');
    add('records_loaded', sizes.records, 'records', "resource records in the zones' files (an A record with several addresses counts each)");
    add('zones_loaded_directly', direct, 'zones', "zones over bindcar's 2 MiB request limit, loaded as bindcar would (its zone file, then rndc addzone directly): their zone_create is that load");
    add('zone_requests_429', limited, 'requests', "creates answered 429 by bindcar's limiter and sent again");
    add('zone_limiter_wait_ms', limiterWaitMs, 'ms', "time the creates spent waiting out bindcar's 429s (all slots together)");
    add('zone_request_bytes', Math.round((sizes.bytes / mib) * 100) / 100, 'MiB', 'create requests sent, JSON bodies');
    if (loadMs !== null) {
      add('zones_all_served_ms', Math.round(loadMs), 'ms', 'first create sent → the last zone served');
      add('records_served_per_second', Math.round((sizes.records * (servedCount / d.zones)) / (loadMs / 1000)), 'records/s', 'records of the served zones over the time until all were served');
    }
    if (limited > 0) {
      outcome.notes.push(
        `bindcar's rate limiter answered ${limited} creates 429 (${(limiterWaitMs / 1000).toFixed(1)} s waited out over ${d.concurrency} slots): zones_all_served_ms and records_served_per_second are paced by the limiter, not BIND9; zone_create and zone_served time each zone from its accepted attempt. ` +
          'More --concurrency (more client addresses) or a sandbox without the limiter (sandbox.sidecar.rateLimit: off) measures BIND9 alone',
      );
    }
    if (direct > 0) outcome.notes.push(`${direct} zone${direct === 1 ? '' : 's'} over bindcar's ${bindcarBodyLimitBytes / mib} MiB request limit (bindcar would answer 413) loaded as bindcar loads a zone: the zone file it would write, in ${bindcar.loadsWhere ?? 'its zone directory'}; deleted through bindcar like the others`);
    if (refused.length > 0) outcome.notes.push(`refused: ${refused.slice(0, 5).join('; ')}${refused.length > 5 ? `; and ${refused.length - 5} more` : ''}`);
    if (notServed.length > 0) outcome.notes.push(`not served within ${Math.round(d.timeoutMs / 1000)} s: ${notServed.slice(0, 5).join('; ')}${notServed.length > 5 ? `; and ${notServed.length - 5} more` : ''}`);
    outcome.notes.push(
      `load: ${zones.created.size} of ${d.zones} zones created through bindcar, ${d.concurrency} at a time${loopback ? ` (slot k sends from 127.0.0.${2}+k: bindcar limits per client IP)` : ''}; ${servedCount} served${loadMs === null ? '' : ` ${(loadMs / 1000).toFixed(1)} s after the first create`}`,
    );

    if (ctx.stopStarting.aborted) {
      outcome.notes.push('interrupted before dnsperf started: no DNS query was sent');
      return outcome;
    }
    if (servedCount < d.zones) {
      outcome.notes.push('dnsperf not run: not every zone was served, so its queries would measure missing data');
      return outcome;
    }
    ctx.onEvent({ type: 'notice', text: `dnsperf: ${d.dnsperf.qps}/s for ${Math.round(d.dnsperf.durationMs / 1000)} s against ${server.host}:${server.port}` });
    const s = await runDnsperfPhase({
      program,
      server,
      load: d.dnsperf,
      queries: { generated: zonesQueries(d.fixtures), what: `every loaded record (${sizes.records} RRs in ${d.zones} zones) plus names that do not exist, looped` },
      startedMs: t0,
      signal: ctx.stopStarting,
      outstandingSetting: 'scenarios.bind.maxOutstanding (--max-outstanding)',
      onInterval: (iv) => ctx.onEvent({ type: 'status', text: dnsperfProgressText(iv) }),
    });
    addFigures(outcome, s);
    return outcome;
  } finally {
    if (resources !== null) {
      addFigures(outcome, await resources.stop());
    }
    // The teardown (not measured) from many addresses: bindcar limits per client IP, and 1,000
    // deletes from one address would wait out its limiter for many minutes.
    const addresses = loopback ? Array.from({ length: Math.min(Math.max(d.concurrency, teardownAddresses), Math.max(1, zones.attempted.length)) }, (_, slot) => loopbackClientAddress(slot)) : [adminAddress];
    const result = await zones.deleteAll(client, addresses).finally(async () => {
      client.close();
      await bindcar.close();
    });
    outcome.notes.push(`teardown: ${result.deleted} zones deleted through bindcar${result.left.length > 0 ? `; NOT deleted: ${result.left.join(', ')} (bindy-loadtest cleanup --run-id ${plan.runId} tries again)` : ''}`);
    add('bindcar_zones_left', result.left.length, 'zones', 'zones the run created through bindcar and could not delete at the end');
  }
}

function verifyBindZones(result: RunResult): Verification {
  const n = (k: string): number => result.counters[k]?.value ?? 0;
  const problems: string[] = [];
  if (n('zones_refused') > 0) problems.push(`${n('zones_refused')} zone creates refused or unanswered by bindcar`);
  if (n('zones_not_served') > 0) problems.push(`${n('zones_not_served')} zones created but never answered with their data`);
  if (result.counters['dns_queries_sent'] !== undefined) problems.push(...dnsperfProblems(result.counters));
  else if (n('zones_served') === n('zones_planned') && result.metadata.status === 'completed') problems.push('dnsperf never ran: no DNS query was measured');
  if (n('bindcar_zones_left') > 0) problems.push(`${n('bindcar_zones_left')} zones created through bindcar could not be deleted`);
  return { passed: problems.length === 0, problems };
}

/** The bind zones scenario. */
export const bindZonesScenario = {
  name: 'bind-zones',
  describe: 'BIND9 loading the zones bindy writes: zones created through bindcar with their records in the zone file, time until served, named memory and CPU, then dnsperf on them',
  options: 'zones',
  metrics: bindZonesMetrics,
  plan: planBindZones,
  ownTarget: (config, io) => openBindcarTarget(config, io, config.scenarios.zones),
  checkTarget(target: Target, plan: ScenarioPlan<BindZonesPlanData>): string | undefined {
    // A cluster's bindcar is reached through a port-forward the run opens (Target.openBindcar).
    const why = target.openBindcar === undefined ? bindcarUnreachable(target) : undefined;
    if (why !== undefined) return why;
    if (serverOf(bindZonesData(plan), target) === undefined) return 'the target names no DNS server reachable from here: give one with --server host:port (a NodePort or LoadBalancer Service of the Bind9Instance, or a port-forward)';
    return undefined;
  },
  drive: driveBindZones,
  verify: verifyBindZones,
} satisfies Scenario<BindZonesPlanData>;
