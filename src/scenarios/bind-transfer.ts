/**
 * @module `bind transfer`: how fast what bindy writes to the primary reaches the secondaries. The
 * run creates zones and ARecords through the operator (a burst, waited until every record is Ready
 * and answered by every server), then changes records through the operator at a rate, open loop.
 * The operator writes the primary only (RFC 2136 UPDATE); a secondary learns a change by NOTIFY
 * and an incremental transfer. Each change is timed from its intended start to the first answer
 * with the new address on the primary and on each secondary; meanwhile every zone's SOA serial is
 * sampled on every server, and BIND9's statistics channel is read before and after.
 */
import { performance } from 'node:perf_hooks';
import { bindTransferMetrics } from '../judge/criteria.js';
import { Counters, createLatencyHistogram, type QuantityHistogram } from '../measure/index.js';
import { DnsProber } from '../observe/dns-prober.js';
import { queryDns, type ExchangeOptions, type QueryResult } from '../observe/dns-exchange.js';
import { fetchText } from '../observe/metrics-fetch.js';
import { latencyResult, type FailureRecord, type RunResult } from '../report/result/index.js';
import type { DnsServer, Target } from '../targets/target.js';
import { runMeasuredBurst, verifyBurst } from './burst.js';
import { planBindTransfer, type BindTransferPlanData, type TransferChange } from './bind-transfer-plan.js';
import { changeFigures, serialLag, statsDelta, transferStatsOf, type ChangeObservation, type RoleOfServer, type SerialSample, type TransferStats } from './bind-transfer-figures.js';
import { mergeObservers, type DriveContext, type DriveOutcome, type Scenario, type ScenarioPlan, type Verification } from './scenario.js';
import { StartedObservers } from './started-observers.js';
import { openDnsReach, type DnsReach } from './dns-reach.js';
import { TargetNotReadyError } from '../errors.js';

/** Changes in flight at most: a due change with none free is dropped and counted (never queued). */
const maxInFlight = 64;
/** Between two SOA samples of every zone on every server, ms. */
const serialEveryMs = 500;
/** Probe spacing for changes: fine while propagation is expected (loopback: milliseconds), then backing off. */
const changeSpacing = { fastIntervalMs: 10, fastPhaseMs: 3000, maxIntervalMs: 200 };

const methods = {
  change_to_primary: "change's intended start → the primary's first answer with the new address (the operator's part: API write, reconcile, RFC 2136 UPDATE)",
  change_to_secondary: "change's intended start → a secondary's first answer with the new address (every secondary; the operator's part, then NOTIFY and the transfer)",
  primary_to_secondary: "the primary's first answer with the new address → a secondary's (NOTIFY, SOA query, IXFR, the secondary's commit); probe resolution 10 ms for 3 s, then up to 200 ms",
  api_patch: 'ARecord merge-patch request sent → response received',
} as const;

function dataOf(plan: ScenarioPlan<BindTransferPlanData>): BindTransferPlanData {
  if (plan.data === undefined) throw new TypeError('bind-transfer plan without its data');
  return plan.data;
}

function rolesOf(servers: readonly DnsServer[]): RoleOfServer[] {
  // A server without a role is taken for a primary when first, else a secondary (a cluster's probe.servers list).
  return servers.map((s, i) => ({ name: s.name ?? `dns-${i}`, role: s.role ?? (i === 0 ? 'primary' : 'secondary') }));
}

/** Sleeps until `at` (monotonic ms) or the signal; false when aborted. */
function sleepUntil(at: number, signal: AbortSignal): Promise<boolean> {
  const ms = at - performance.now();
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How a question reaches a server: UDP (queryDns), or a port-forward's pipelined TCP connection. */
type Ask = (server: DnsServer & { name: string }, name: string, type: 'SOA', o: ExchangeOptions) => Promise<QueryResult>;

/** Every zone's SOA serial on every server, sampled until stopped. */
class SerialSampler {
  readonly samples: SerialSample[] = [];
  #timer: NodeJS.Timeout | null = null;
  #busy = false;

  constructor(
    private readonly servers: readonly (DnsServer & { name: string })[],
    private readonly zones: readonly string[],
    private readonly t0: number,
    private readonly ask: Ask = (s, name, type, o) => queryDns(s, name, type, o),
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.#sample(), serialEveryMs);
    this.#timer.unref();
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const atMs = performance.now() - this.t0;
    const serials = new Map<string, (number | null)[]>();
    await Promise.all(
      this.zones.map(async (zone) => {
        const each = await Promise.all(
          this.servers.map(async (s) => {
            try {
              const r = await this.ask(s, zone, 'SOA', { timeoutMs: 400 });
              const soa = r.packet.answers?.find((a) => a.type === 'SOA');
              return soa !== undefined && soa.type === 'SOA' ? (soa.data.serial ?? null) : null;
            } catch {
              return null;
            }
          }),
        );
        serials.set(zone, each);
      }),
    );
    this.samples.push({ atMs, serials });
    this.#busy = false;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }
}

/** BIND9's statistics endpoints of the target, named `bind9` (the primary) and `bind9-<server>`. */
function statsEndpoints(target: Target, servers: readonly RoleOfServer[]): { server: string; url: string }[] {
  return servers.flatMap((s) => {
    const name = s.role === 'primary' ? 'bind9' : `bind9-${s.name}`;
    const url = target.metricsEndpoints.find((e) => e.name === name)?.url;
    return url === undefined ? [] : [{ server: s.name, url: url.endsWith('/') ? url : `${url}/` }];
  });
}

async function readStats(endpoints: readonly { server: string; url: string }[], zones: ReadonlySet<string>): Promise<Map<string, TransferStats>> {
  const out = new Map<string, TransferStats>();
  await Promise.all(
    endpoints.map(async (e) => {
      try {
        const [server, z] = await Promise.all([fetchText(`${e.url}json/v1/server`, { timeoutMs: 3000 }), fetchText(`${e.url}json/v1/zones`, { timeoutMs: 3000 })]);
        out.set(e.server, transferStatsOf(JSON.parse(server) as unknown, JSON.parse(z) as unknown, zones));
      } catch {
        // A server whose statistics cannot be read has no transfer counters in this run (said in the notes).
      }
    }),
  );
  return out;
}

/** The servers to watch, named and with their roles: the target's, or a cluster's through port-forwards (exit 3 without a primary and a secondary). */
export async function transferReach(target: Target): Promise<DnsReach> {
  const reach = await openDnsReach(target);
  const roles = rolesOf(reach.servers);
  if (roles.some((s) => s.role === 'primary') && roles.some((s) => s.role === 'secondary')) return reach;
  await reach.close();
  throw new TargetNotReadyError(`bind transfer needs a primary and a secondary BIND9 server; found ${roles.map((s) => `${s.name} (${s.role})`).join(', ') || 'none'}`, {
    hint: 'give the Bind9Cluster secondary replicas (spec.secondary.replicas ≥ 1) and wait until their pods are Ready',
  });
}

async function driveBindTransfer(ctx: DriveContext, plan: ScenarioPlan<BindTransferPlanData>): Promise<DriveOutcome> {
  const d = dataOf(plan);
  const ns = plan.namespace;
  // On a cluster: port-forwards to every instance (primary and secondaries), TCP; shared with the burst's prober.
  const reach = await transferReach(ctx.target);
  const dnsServers = reach.servers;
  const servers = rolesOf(dnsServers);
  const observers = new StartedObservers();
  let outcome: DriveOutcome | null = null;
  let created = 0;
  try {
    await observers.start(ctx, plan);
    const burst = await runMeasuredBurst(ctx, plan);
    outcome = burst.outcome;
    created = burst.objectsCreated;
    if (burst.interrupted || ctx.stopStarting.aborted) {
      outcome.notes.push('interrupted before the change phase: no record was changed');
      return outcome;
    }
    const t0 = performance.now();
    const probeServers = dnsServers.map((s, i) => ({ host: s.host, port: s.port, name: servers[i]?.name ?? `dns-${i}` }));
    const prober = new DnsProber({ servers: probeServers, now: () => performance.now(), ratePerSecond: 2000, maxInFlight: 128, spacing: changeSpacing, objectTimeoutMs: d.changeTimeoutMs, ...(reach.forwarded ? { transport: 'tcp' as const } : {}) });
    const sampler = new SerialSampler(dnsServers, d.zones, burst.startedMs, reach.query);
    const zoneSet = new Set(d.zones);
    const endpoints = statsEndpoints(ctx.target, servers);
    const before = await readStats(endpoints, zoneSet);
    const counters = new Counters();
    const failures: FailureRecord[] = [];
    const apiPatch = createLatencyHistogram();
    const sent: { change: TransferChange; intendedMs: number }[] = [];
    const inFlight = new Set<Promise<void>>();
    let dropped = 0;
    let failed = 0;
    ctx.onEvent({ type: 'notice', text: `bind transfer: ${d.changes.length} record changes at ${d.rate}/s; watching ${servers.map((s) => `${s.name} (${s.role})`).join(', ')}` });
    sampler.start();
    try {
      for (const change of d.changes) {
        const intendedMs = t0 + change.offsetMs;
        if (!(await sleepUntil(intendedMs, ctx.stopStarting))) break;
        if (inFlight.size >= maxInFlight) {
          dropped++;
          continue;
        }
        const record = d.records[change.record];
        if (record === undefined) continue;
        const p = ctx.client.mergePatch('ARecord', ns, record.name, { spec: { ipv4Addresses: [change.ip] } }).then((r) => {
          apiPatch.record((r.receivedMs - r.sentMs) * 1000);
          if (!r.ok) {
            failed++;
            failures.push({ kind: 'ARecord', name: record.name, namespace: ns, uid: null, phase: 'change', reason: String(r.error.status), message: r.error.message, lastCondition: null, atMs: r.receivedMs - burst.startedMs });
            return;
          }
          sent.push({ change, intendedMs });
          prober.expect({
            key: `change/${change.index}`,
            kind: 'ARecord',
            fqdn: record.fqdn,
            rrType: 'A',
            expected: { rrType: 'A', shapes: [[change.ip]], text: `A ${change.ip}` },
            previous: { rrType: 'A', shapes: [[...change.previous].sort()], text: `A ${change.previous.join(' ')}` },
            intendedStartMs: intendedMs,
            operation: 'update',
          });
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (change.index % 10 === 0) ctx.onEvent({ type: 'status', text: `bind transfer: ${change.index + 1}/${d.changes.length} changes started` });
      }
      await Promise.all([...inFlight]);
      ctx.onEvent({ type: 'engine-done' });
      if (!ctx.hardStop.aborted) await prober.waitFor(sent.map((s) => `change/${s.change.index}`), d.changeTimeoutMs, ctx.hardStop);
    } finally {
      sampler.stop();
      prober.stop();
    }
    const after = await readStats(endpoints, zoneSet);
    const byKey = new Map(prober.records().map((r) => [r.key, r]));
    const observations: ChangeObservation[] = sent.map((s) => ({
      index: s.change.index,
      record: s.change.record,
      intendedMs: s.intendedMs,
      matchedMs: byKey.get(`change/${s.change.index}`)?.servers.map((x) => x.matchedMs) ?? servers.map(() => null),
    }));
    const f = changeFigures(observations, servers);
    const lag = serialLag(sampler.samples, servers);
    const c = (name: string, value: number, unit: string, description: string): void => {
      counters.declare(name, unit, description);
      counters.add(name, value);
    };
    const sum = (role: 'primary' | 'secondary', k: 'answered' | 'never' | 'superseded'): number => f.perServer.filter((s) => s.role === role).reduce((a, s) => a + s[k], 0);
    c('changes_planned', d.changes.length, 'operations', 'record changes in the schedule');
    c('changes_accepted', sent.length, 'operations', 'changes the API server accepted (merge patch of spec.ipv4Addresses)');
    c('changes_failed', failed, 'operations', 'changes the API server refused');
    c('changes_dropped', dropped, 'operations', `changes due while ${maxInFlight} were in flight (not sent, never queued)`);
    c('changes_on_primary', sum('primary', 'answered'), 'operations', 'accepted changes the primary answered with the new address');
    c('changes_on_secondary', sum('secondary', 'answered'), 'operations', 'accepted changes a secondary answered with the new address (summed over the secondaries)');
    c('changes_never_on_primary', sum('primary', 'never'), 'operations', `accepted changes the primary had not answered ${Math.round(d.changeTimeoutMs / 1000)} s after their intended start (and no later change of the record either)`);
    c('changes_never_on_secondary', sum('secondary', 'never'), 'operations', `accepted changes a secondary had not answered ${Math.round(d.changeTimeoutMs / 1000)} s after their intended start, and no later change of the same record either (summed over the secondaries)`);
    c('changes_superseded_on_secondary', sum('secondary', 'superseded'), 'operations', 'changes a secondary never answered because a later change of the same record got there first (it moved past them: not lost)');
    c('secondary_answered_first', f.secondaryFirst, 'operations', 'changes a secondary was seen answering before the primary (the probes of two servers are not simultaneous): not in primary_to_secondary');
    c('serial_lag_max', lag.max, 'serials', 'the most any secondary\'s SOA serial of any zone was behind the primary\'s in one sample (RFC 1982 arithmetic)');
    c('serial_samples', lag.points.length, 'samples', `SOA samples of every zone on every server, one every ${serialEveryMs} ms`);
    c('serial_samples_lagging', lag.lagging, 'samples', 'of those, samples in which a secondary was behind');
    for (const s of servers) {
      const b = before.get(s.name);
      const a = after.get(s.name);
      if (b === undefined || a === undefined) continue;
      const delta = statsDelta(b, a);
      const p = `bind9_${s.name.replace(/[^a-z0-9]/gi, '_')}`;
      if (s.role === 'primary') {
        c(`${p}_transfers_served`, delta.transfersServed, 'transfers', 'zone transfers of the run\'s zones the primary completed during the change phase (zone statistics XfrReqDone)');
        c(`${p}_notify_sent`, delta.notifyOut, 'messages', 'NOTIFYs the primary sent (zonestats NotifyOutv4+v6)');
        c(`${p}_xfr_rejected`, delta.transfersRejected, 'transfers', 'transfer requests the primary refused (nsstats XfrRej)');
      } else {
        c(`${p}_axfr_requested`, delta.axfrRequested, 'transfers', 'full transfers (AXFR) this secondary asked for (zonestats AXFRReqv4+v6)');
        c(`${p}_ixfr_requested`, delta.ixfrRequested, 'transfers', 'incremental transfers (IXFR) this secondary asked for (zonestats IXFRReqv4+v6)');
        c(`${p}_xfr_success`, delta.xfrSuccess, 'transfers', 'incoming transfers that succeeded on this secondary (zonestats XfrSuccess)');
        c(`${p}_xfr_fail`, delta.xfrFail, 'transfers', 'incoming transfers that failed on this secondary (zonestats XfrFail)');
        c(`${p}_notify_received`, delta.notifyIn, 'messages', 'NOTIFYs this secondary received (zonestats NotifyInv4+v6)');
      }
    }
    const missing = servers.filter((s) => !before.has(s.name) || !after.has(s.name)).map((s) => s.name);
    if (missing.length > 0) outcome.notes.push(`BIND9 statistics channel not read for ${missing.join(', ')} (none reachable from here): no transfer counters for ${missing.length === 1 ? 'it' : 'them'}`);
    outcome.notes.push(
      'transfer time: BIND 9.18\'s statistics channel has no per-transfer duration (9.20\'s /json/v1/xfrins has); primary_to_secondary (NOTIFY + SOA query + IXFR + commit) is measured from outside instead',
    );
    const bindy062 = sent.length > 0 && servers.some((s) => s.role === 'secondary');
    if (bindy062) outcome.notes.push('bindy 0.6.2 asks every secondary for a retransfer (a full AXFR) on every reconcile of the zone, and every record event reconciles its zone: AXFRs beside the IXFRs NOTIFY causes are expected');
    Object.assign(outcome.counters, counters.toJSON());
    const latencies = outcome.latencies;
    const add = (name: keyof typeof methods, h: QuantityHistogram): void => {
      if (h.count > 0) latencies[name] = latencyResult(h, methods[name]);
    };
    add('change_to_primary', f.changeToPrimary);
    add('change_to_secondary', f.changeToSecondary);
    add('primary_to_secondary', f.primaryToSecondary);
    add('api_patch', apiPatch);
    outcome.timeSeries.push({ name: 'serial_lag', unit: 'serials', description: 'every half second: the most any secondary\'s SOA serial of any run zone was behind the primary\'s', points: lag.points });
    outcome.failures.push(...failures);
    return outcome;
  } finally {
    await reach.close();
    await observers.stop(created);
    if (outcome !== null) {
      outcome.notes.push(...reach.notes());
      mergeObservers(outcome, observers.sections);
    }
  }
}

function verifyBindTransfer(result: RunResult): Verification {
  const n = (k: string): number => result.counters[k]?.value ?? 0;
  const problems = result.counters['creates_started'] === undefined ? [] : [...verifyBurst(result).problems];
  if (result.counters['changes_planned'] !== undefined) {
    if (n('changes_accepted') === 0 && n('changes_planned') > 0) problems.push('no record change was accepted: nothing was measured');
    if (n('changes_failed') > 0) problems.push(`${n('changes_failed')} record changes were refused by the API server`);
    if (n('changes_never_on_primary') > 0) problems.push(`${n('changes_never_on_primary')} changes were never answered by the primary`);
    if (n('changes_never_on_secondary') > 0) problems.push(`${n('changes_never_on_secondary')} changes were never answered by a secondary (NOTIFY or transfer lost, or too slow)`);
  }
  return { passed: problems.length === 0, problems };
}

/** The bind transfer scenario. */
export const bindTransferScenario = {
  name: 'bind-transfer',
  describe: 'create zones and records through the operator, change records at a rate, and time each change until every secondary answers it (NOTIFY + IXFR)',
  options: 'transfer',
  metrics: bindTransferMetrics,
  plan: planBindTransfer,
  minSecondaries: 1,
  checkTarget(target: Target): string | undefined {
    const roles = rolesOf(target.dnsServers);
    if (roles.some((s) => s.role === 'secondary') && roles.some((s) => s.role === 'primary')) return undefined;
    // A cluster: its instances are reached through port-forwards the run opens (their roles are checked then).
    if (target.dnsServers.length === 0 && target.openDnsForwards !== undefined) return undefined;
    if (target.dnsServers.length === 0) return 'the target names no BIND9 server reachable from here, and cannot open port-forwards to its pods';
    return 'the target has no secondary BIND9 server: the running sandbox was started with sandbox.secondaries 0 (stop it with `bindy-loadtest sandbox down` and let the run start its own, or `sandbox up --secondaries 1`)';
  },
  drive: driveBindTransfer,
  verify: verifyBindTransfer,
} satisfies Scenario<BindTransferPlanData>;
