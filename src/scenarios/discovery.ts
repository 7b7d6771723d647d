/**
 * @module The discovery scenario: records written by a controller reacting to Services and
 * Ingresses, not by people. The run creates annotated LoadBalancer Services and Ingresses
 * (labelled with its run id); scout (the sandbox's twin, or bindy's scout on a cluster) writes an
 * ARecord for each Service and for each Ingress rule; the operator makes it Ready; BIND9 answers
 * it. Each ARecord's stages are timed from its source's intended start; then every source is
 * deleted and each ARecord must go and its name answer NXDOMAIN. ARecords scout leaves behind are
 * orphans: counted and named, never deleted by this tool (it did not create them).
 */
import { performance } from 'node:perf_hooks';
import { discoveryMetrics } from '../judge/criteria.js';
import { Counters, createLatencyHistogram, type QuantityHistogram } from '../measure/index.js';
import { runIdLabel } from '../model/kinds.js';
import { managedByScout, scoutLabels } from '../model/scout-contract.js';
import { DnsProber, type ProbeRecord } from '../observe/dns-prober.js';
import { defaultProbeSpacing } from '../observe/probe-schedule.js';
import { KubeClient } from '../observe/kube-client.js';
import { WatchTracker } from '../observe/watch-tracker.js';
import { latencyResult, type FailureRecord, type RunResult } from '../report/result/index.js';
import { TargetNotReadyError } from '../errors.js';
import { flippedIp, planDiscovery, type DiscoveryPlanData, type DiscoveryRecord, type DiscoverySource } from './discovery-plan.js';
import { fieldManager } from '../drive/sustained-session.js';
import { mergeObservers, type DriveContext, type DriveOutcome, type Scenario, type ScenarioPlan, type Verification } from './scenario.js';
import { StartedObservers } from './started-observers.js';

/** Runs `fn` over `items` with at most `limit` in flight, starting none once `stop` is aborted. */
async function eachBounded<T>(items: readonly T[], limit: number, stop: AbortSignal, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop.aborted && next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** One cluster whose scout publishes the run's sources: the target's own (index 0) or another one. */
interface ClusterSide {
  name: string;
  index: number;
  client: KubeClient;
}

/** One source's milestones, ms on the run's monotonic clock (null: not reached). */
interface Stages {
  source: DiscoverySource;
  cluster: ClusterSide;
  createIntended: number;
  createAccepted: number | null;
  deleteIntended: number | null;
  deleteAccepted: number | null;
}

const stageMethods = {
  discovery_create_to_arecord: "source create's intended start → scout's ARecord first seen by the watch (scout's part; one per Service, one per Ingress rule)",
  discovery_create_to_ready: "source create's intended start → the ARecord's first Ready=True watch event (scout's and the operator's parts)",
  discovery_arecord_to_ready: 'ARecord first seen → its first Ready=True (the operator\'s part alone)',
  discovery_create_to_resolvable: "source create's intended start → first DNS answer with the source's address for the ARecord's name, at the slowest server (the whole path)",
  discovery_flip_to_ready: "address change's intended start → the ARecord Ready at the generation scout's new apply made (2: scout wrote it once before)",
  discovery_flip_to_resolvable: "address change's intended start → first DNS answer with the new address, at the slowest server",
  discovery_delete_to_arecord_gone: "source delete's intended start → the ARecord's DELETED watch event (scout's finalizer path and the operator's)",
  discovery_delete_to_nxdomain: "source delete's intended start → the first NXDOMAIN/NODATA for the ARecord's name, at the slowest server",
  api_create: 'Service or Ingress create request sent → response received',
  api_delete: 'Service or Ingress delete request sent → response received',
} as const;

type StageName = keyof typeof stageMethods;

/** The key the DNS prober and the ARecord tracker know one ARecord by. */
function recordKey(ns: string, r: DiscoveryRecord): string {
  return `ARecord/${ns}/${r.arecord}`;
}

/** A source's phase failure as the result lists it. */
function sourceFailure(s: DiscoverySource, ns: string, phase: string, status: number, message: string, atMs: number): FailureRecord {
  return { kind: s.kind, name: s.name, namespace: ns, uid: null, phase, reason: String(status), message, lastCondition: null, atMs };
}

async function driveDiscovery(ctx: DriveContext, plan: ScenarioPlan<DiscoveryPlanData>): Promise<DriveOutcome> {
  const d = plan.data;
  if (d === undefined) throw new Error('the discovery plan carries no data');
  const cluster = ctx.target.discovery?.scoutCluster ?? d.scoutCluster;
  const others = (ctx.target.discovery?.sourceClusters ?? []).slice(0, d.clusters - 1);
  if (others.length < d.clusters - 1) throw new TargetNotReadyError(`discovery: ${d.clusters} clusters asked, the target has ${others.length + 1}`);
  const clusters: ClusterSide[] = [{ name: cluster, index: 0, client: ctx.client }, ...others.map((c, i) => ({ name: c.name, index: i + 1, client: new KubeClient({ kubeconfigPath: c.kubeconfig }) }))];
  // Source i of every cluster, then source i + 1: the clusters' scouts see the same object at about the same time.
  const perCluster = clusters.map((c) => d.sources(c.name, c.index).map((source) => ({ source, cluster: c })));
  const placed = (perCluster[0] ?? []).flatMap((_, i) => perCluster.map((list) => list[i]).filter((x): x is { source: DiscoverySource; cluster: ClusterSide } => x !== undefined));
  const sources = placed.map((p) => p.source);
  const ns = plan.namespace;
  const now = (): number => performance.now();
  const runLabel = `${runIdLabel}=${plan.runId}`;
  const zones = new WatchTracker({ client: ctx.client, kinds: ['DNSZone'], namespace: ns, labelSelector: runLabel });
  const sourceKinds = [...new Set(sources.map((s) => s.kind))];
  // Each cluster's own sources, watched where they live (their deletion waits for that cluster's scout).
  const sourceTrackers = clusters.map((c) => new WatchTracker({ client: c.client, kinds: sourceKinds, namespace: ns, labelSelector: runLabel }));
  // Scout's ARecords for this namespace's sources (under every publishing cluster): they carry no run id.
  const arecords = new WatchTracker({
    client: ctx.client,
    kinds: ['ARecord'],
    namespace: ns,
    labelSelector: `${scoutLabels.managedBy}=${managedByScout},${clusters.length === 1 ? `${scoutLabels.sourceCluster}=${cluster},` : ''}${scoutLabels.sourceNamespace}=${ns}`,
  });
  const readyAt = new Map<string, number>();
  // Each ARecord's source's stages, by the ARecord's key (filled as sources are created).
  const stageOfKey = new Map<string, Stages>();
  // ARecords deleted while their source still existed (not by the run's remove phase): lost.
  const lost = new Map<string, number>();
  arecords.on((e) => {
    if (e.type === 'condition' && e.condition.status === 'True' && !readyAt.has(e.key)) readyAt.set(e.key, e.atMs);
    if (e.type === 'deleted') {
      const st = stageOfKey.get(e.key);
      if (st !== undefined && st.deleteIntended === null && !lost.has(e.key)) {
        lost.set(e.key, e.atMs);
        // DNS must now say the name is gone: its create expectation would never settle.
        const x = st.source.records.find((r) => recordKey(ns, r) === e.key);
        if (x !== undefined) prober?.expect({ key: e.key, kind: 'ARecord', fqdn: x.fqdn, rrType: 'A', expected: null, intendedStartMs: e.atMs, operation: 'delete' });
      }
    }
  });
  const ours = new Set(sources.flatMap((s) => s.records.map((r) => recordKey(ns, r))));
  const sourceCount = sources.length;
  const tracked = (r: DiscoveryRecord): ReturnType<WatchTracker['records']>[number] | undefined => arecords.records().find((x) => x.key === recordKey(ns, r));
  const servers = ctx.target.dnsServers.map((s, i) => ({ host: s.host, port: s.port, name: s.name ?? `dns-${i}` }));
  const prober = servers.length === 0 ? null : new DnsProber({ servers, now, ratePerSecond: 500, maxInFlight: 64, spacing: defaultProbeSpacing });
  const answer = (ip: string): { rrType: 'A'; shapes: string[][]; text: string } => ({ rrType: 'A', shapes: [[ip]], text: `A ${ip}` });
  const h = new Map<StageName, QuantityHistogram>(Object.keys(stageMethods).map((k) => [k as StageName, createLatencyHistogram()]));
  const rec = (name: StageName, from: number | null, to: number | null): void => {
    if (from !== null && to !== null) h.get(name)?.record((to - from) * 1000);
  };
  const counters = new Counters();
  const failures: FailureRecord[] = [];
  const notes: string[] = [];
  const stages = new Map<string, Stages>();
  const observers = new StartedObservers();
  let outcome: DriveOutcome | null = null;
  const signals = (): boolean => ctx.stopStarting.aborted || ctx.hardStop.aborted;
  const keysOf = (list: readonly Stages[]): string[] => list.flatMap((st) => st.source.records.map((r) => recordKey(ns, r)));
  try {
    await Promise.all([zones.start(), ...sourceTrackers.map((t) => t.start()), arecords.start()]);
    // Setup, not measured: the zones, Ready before any source exists.
    for (const z of d.zones) {
      ctx.journal.append(z);
      const r = await ctx.client.create(z);
      if (!r.ok && r.error.status !== 409) throw new Error(`setup: create DNSZone ${z.metadata.name}: ${r.error.message}`);
    }
    const zonesReady = await zones.waitUntil((t) => t.records().filter((r) => r.lastCondition?.status === 'True').length >= d.zones.length, d.timeoutMs, ctx.hardStop);
    if (zonesReady === 'timeout') throw new TargetNotReadyError(`setup: the ${d.zones.length} DNSZones were not all Ready within ${Math.round(d.timeoutMs / 1000)} s`);
    await observers.start(ctx, plan);
    const t0 = now();

    // Publish: every source, bounded concurrency; the intended start is when its slot freed.
    ctx.onEvent({ type: 'notice', text: `discovery: creating ${sourceCount} annotated sources (${sourceKinds.join(', ')}; scout cluster${clusters.length === 1 ? '' : 's'} ${clusters.map((c) => c.name).join(', ')})` });
    await eachBounded(placed, d.concurrency, ctx.stopStarting, async ({ source: s, cluster: c }) => {
      const st: Stages = { source: s, cluster: c, createIntended: now(), createAccepted: null, deleteIntended: null, deleteAccepted: null };
      stages.set(`${c.name}/${s.kind}/${s.name}`, st);
      for (const x of s.records) stageOfKey.set(recordKey(ns, x), st);
      // The run journal covers the target's own cluster; another cluster's sources are deleted by this drive (below, also on the way out).
      if (c.index === 0) ctx.journal.append(s.object);
      const r = await c.client.create(s.object);
      rec('api_create', r.sentMs, r.receivedMs);
      if (!r.ok) {
        failures.push(sourceFailure(s, ns, 'create', r.error.status, r.error.message, r.receivedMs - t0));
        return;
      }
      st.createAccepted = r.receivedMs;
      for (const x of s.records) prober?.expect({ key: recordKey(ns, x), kind: 'ARecord', fqdn: x.fqdn, rrType: 'A', expected: answer(s.ip), intendedStartMs: st.createIntended, operation: 'create' });
      ctx.onEvent({ type: 'status', text: `discovery: ${stages.size}/${sourceCount} sources created, ${readyAt.size} ARecords Ready` });
    });
    // Every create answered: from here a Ctrl-C ends the waits at once (run-scenario's hard stop).
    ctx.onEvent({ type: 'engine-done' });
    const created = [...stages.values()].filter((s) => s.createAccepted !== null);
    const expectedRecords = keysOf(created);
    const published = (): number => expectedRecords.filter((k) => readyAt.has(k)).length;
    // A lost ARecord may never be Ready: it counts as settled for the wait (and as lost in the verdict).
    const publishWait = await arecords.waitUntil(() => expectedRecords.every((k) => readyAt.has(k) || lost.has(k)), d.timeoutMs, ctx.hardStop);
    const dnsWait = prober === null || signals() ? null : await prober.waitFor(expectedRecords, d.timeoutMs, ctx.hardStop);
    const afterCreate: ProbeRecord[] = prober?.records() ?? [];
    // Flips: a LoadBalancer that moves: the first sources get a new address once every ARecord of theirs is Ready.
    const flips: { st: Stages; record: DiscoveryRecord; intended: number; readyMs: number | null }[] = [];
    if (!signals() && d.flips > 0) {
      // The target's own cluster's sources only (another cluster's move would be the same test again).
      const toFlip = created.filter((st) => st.cluster.index === 0).slice(0, d.flips).filter((st) => st.source.records.every((x) => readyAt.has(recordKey(ns, x)) && !lost.has(recordKey(ns, x))));
      ctx.onEvent({ type: 'notice', text: `discovery: moving ${toFlip.length} sources to a new address` });
      await eachBounded(toFlip, d.concurrency, ctx.stopStarting, async (st) => {
        const s = st.source;
        const ip = flippedIp(s.index);
        const intended = now();
        const r = await ctx.client.apply({ apiVersion: s.object.apiVersion, kind: s.kind, metadata: { name: s.name, namespace: ns, annotations: { [d.ipAnnotation]: ip } } }, fieldManager);
        if (!r.ok) {
          failures.push(sourceFailure(s, ns, 'flip', r.error.status, r.error.message, r.receivedMs - t0));
          return;
        }
        for (const x of s.records) {
          const a = tracked(x);
          if (a === undefined) continue;
          const f = { st, record: x, intended, readyMs: null as number | null };
          flips.push(f);
          // scout wrote the ARecord once (generation 1); its apply of the new address makes generation 2.
          arecords.awaitReady(a.uid, 2, (at) => (f.readyMs = at));
          prober?.expect({ key: recordKey(ns, x), kind: 'ARecord', fqdn: x.fqdn, rrType: 'A', expected: answer(ip), previous: answer(s.ip), intendedStartMs: intended, operation: 'update' });
        }
      });
      const flipWait = await arecords.waitUntil(() => flips.every((f) => f.readyMs !== null), d.timeoutMs, ctx.hardStop);
      if (prober !== null && !signals()) await prober.waitFor(flips.map((f) => recordKey(ns, f.record)), d.timeoutMs, ctx.hardStop);
      if (flipWait === 'timeout') notes.push(`flips: ${flips.filter((f) => f.readyMs === null).length} of ${flips.length} ARecords were not Ready at their new generation within ${Math.round(d.timeoutMs / 1000)} s`);
    }
    const afterFlip = new Map((prober?.records() ?? []).filter((r) => r.operation === 'update').map((r) => [r.key, r]));
    if (publishWait === 'timeout') notes.push(`publish: ${expectedRecords.length - published()} of ${expectedRecords.length} ARecords were not Ready within ${Math.round(d.timeoutMs / 1000)} s${lost.size > 0 ? ` (${lost.size} lost)` : ''}`);
    if (dnsWait === 'timeout') notes.push(`publish: DNS did not answer every Ready record within ${Math.round(d.timeoutMs / 1000)} s`);

    // Remove: every source; scout's finalizer path deletes its ARecords, then DNS forgets the names.
    if (!signals()) {
      ctx.onEvent({ type: 'notice', text: `discovery: deleting the ${created.length} sources` });
      await eachBounded(created, d.concurrency, ctx.stopStarting, async (st) => {
        const s = st.source;
        st.deleteIntended = now();
        const r = await st.cluster.client.delete(s.kind, ns, s.name);
        rec('api_delete', r.sentMs, r.receivedMs);
        if (!r.ok && r.error.status !== 404) {
          failures.push(sourceFailure(s, ns, 'delete', r.error.status, r.error.message, r.receivedMs - t0));
          return;
        }
        st.deleteAccepted = r.receivedMs;
        for (const x of s.records) prober?.expect({ key: recordKey(ns, x), kind: 'ARecord', fqdn: x.fqdn, rrType: 'A', expected: null, intendedStartMs: st.deleteIntended, operation: 'delete' });
      });
      const deleted = created.filter((s) => s.deleteAccepted !== null);
      const liveOurs = (): number => arecords.records().filter((r) => r.deletedMs === null && ours.has(r.key)).length;
      const goneWait = await arecords.waitUntil(() => liveOurs() === 0, d.timeoutMs, ctx.hardStop);
      if (prober !== null && !signals()) await prober.waitFor(keysOf(deleted), d.timeoutMs, ctx.hardStop);
      if (goneWait === 'timeout') notes.push(`remove: ${liveOurs()} ARecords were still there ${Math.round(d.timeoutMs / 1000)} s after their sources were deleted`);
      for (const t of sourceTrackers) await t.waitUntil((x) => x.counts().live === 0, d.timeoutMs, ctx.hardStop);
    }

    // Figures: each ARecord's stages, from its source's intended starts (one pass over the tracked ARecords).
    const arecordByKey = new Map(arecords.records().map((r) => [r.key, r]));
    const stoppedEarly = signals();
    const byKeyCreate = new Map(afterCreate.filter((r) => r.operation === 'create').map((r) => [r.key, r]));
    const byKeyDelete = new Map((prober?.records() ?? []).filter((r) => r.operation === 'delete').map((r) => [r.key, r]));
    const slowest = (r: ProbeRecord | undefined): number | null => (r === undefined || r.servers.some((x) => x.matchedMs === null) ? null : Math.max(...r.servers.map((x) => x.matchedMs ?? 0)));
    let seen = 0;
    let ready = 0;
    let answered = 0;
    let wrong = 0;
    let toRemove = 0;
    let gone = 0;
    let nxdomain = 0;
    const orphans: string[] = [];
    for (const st of created) {
      const removed = st.deleteAccepted !== null && st.deleteIntended !== null;
      for (const x of st.source.records) {
        const key = recordKey(ns, x);
        const a = arecordByKey.get(key);
        const seenMs = a?.firstSeenMs ?? null;
        const readyMs = readyAt.get(key) ?? null;
        const dnsMs = slowest(byKeyCreate.get(key));
        if (seenMs !== null) seen++;
        if (readyMs !== null) ready++;
        if (dnsMs !== null) answered++;
        if (byKeyCreate.get(key)?.servers.some((y) => y.wrongSeen) === true) wrong++;
        rec('discovery_create_to_arecord', st.createIntended, seenMs);
        rec('discovery_create_to_ready', st.createIntended, readyMs);
        rec('discovery_arecord_to_ready', seenMs, readyMs);
        rec('discovery_create_to_resolvable', st.createIntended, dnsMs);
        const lostMs = lost.get(key);
        if (lostMs !== undefined) failures.push({ kind: 'ARecord', name: x.arecord, namespace: ns, uid: a?.uid ?? null, phase: 'lost', reason: 'DeletedWhileSourceExists', message: `deleted while ${st.source.kind} ${st.cluster.name}/${ns}/${st.source.name} still existed${clusters.length > 1 ? " (another cluster's scout cleaned it up as stale: bindy #474)" : ''}`, lastCondition: a?.lastCondition ?? null, atMs: lostMs - t0 });
        else if (readyMs === null) failures.push({ kind: 'ARecord', name: x.arecord, namespace: ns, uid: a?.uid ?? null, phase: 'discovery_create_to_ready', reason: seenMs === null ? 'NotPublished' : (a?.lastCondition?.reason ?? 'NotReady'), message: seenMs === null ? `scout wrote no ARecord for ${st.source.kind} ${st.source.name} (${x.fqdn})` : (a?.lastCondition?.message ?? 'never Ready'), lastCondition: a?.lastCondition ?? null });
        if (removed) {
          toRemove++;
          const goneMs = a?.deletedMs ?? null;
          const nxMs = slowest(byKeyDelete.get(key));
          if (goneMs !== null) gone++;
          if (nxMs !== null) nxdomain++;
          // A lost ARecord was gone before its source's delete: no delete latency to speak of.
          if (lostMs === undefined) {
            rec('discovery_delete_to_arecord_gone', st.deleteIntended, goneMs);
            rec('discovery_delete_to_nxdomain', st.deleteIntended, nxMs);
          }
          // A run stopped early did not wait for scout: what is left then is not an orphan yet.
          if (!stoppedEarly && a !== undefined && a.deletedMs === null) orphans.push(a.name);
        }
      }
    }
    let flipsReady = 0;
    let flipsAnswered = 0;
    for (const f of flips) {
      const dnsMs = slowest(afterFlip.get(recordKey(ns, f.record)));
      if (f.readyMs !== null) flipsReady++;
      if (dnsMs !== null) flipsAnswered++;
      rec('discovery_flip_to_ready', f.intended, f.readyMs);
      rec('discovery_flip_to_resolvable', f.intended, dnsMs);
    }
    const ofKind = (list: readonly Stages[], kind: DiscoverySource['kind']): number => list.filter((st) => st.source.kind === kind).length;
    const deletedSources = created.filter((s) => s.deleteAccepted !== null);
    const c = (name: string, value: number, unit: string, description: string): void => {
      counters.declare(name, unit, description);
      counters.add(name, value);
    };
    c('discovery_clusters', clusters.length, 'clusters', 'clusters whose scouts published the same sources into the zones');
    c('discovery_sources_failed', stages.size - created.length, 'objects', 'Service or Ingress creates the API server refused (each in the failures)');
    c('discovery_services_created', ofKind(created, 'Service'), 'objects', 'annotated LoadBalancer Services the API server accepted');
    c('discovery_ingresses_created', ofKind(created, 'Ingress'), 'objects', 'annotated Ingresses the API server accepted');
    c('discovery_arecords_expected', expectedRecords.length, 'objects', 'ARecords scout must write for them (one per Service, one per Ingress rule)');
    c('discovery_arecords_published', seen, 'objects', 'of those, ARecords scout wrote (seen by the watch)');
    c('discovery_arecords_ready', ready, 'objects', 'of those, ARecords seen Ready=True');
    c('discovery_answered', answered, 'objects', "ARecords whose name every DNS server answered with their source's address");
    c('discovery_wrong_data', wrong, 'objects', 'ARecords whose name a DNS server answered with another address');
    c('discovery_flips', flips.length, 'objects', 'ARecords whose source the run moved to a new address after they were answered');
    c('discovery_flips_ready', flipsReady, 'objects', 'of those, ARecords seen Ready at the generation of the new address');
    c('discovery_flips_answered', flipsAnswered, 'objects', 'of those, names every DNS server answered with the new address');
    c('discovery_services_deleted', ofKind(deletedSources, 'Service'), 'objects', 'Services deleted in the remove phase');
    c('discovery_ingresses_deleted', ofKind(deletedSources, 'Ingress'), 'objects', 'Ingresses deleted in the remove phase');
    c('discovery_arecords_to_remove', toRemove, 'objects', 'ARecords of the deleted sources: each must go, and its name stop being answered');
    c('discovery_arecords_gone', gone, 'objects', 'of those, ARecords seen deleted');
    c('discovery_nxdomain', nxdomain, 'objects', 'of those, names every DNS server stopped answering (NXDOMAIN or NODATA)');
    c('discovery_arecords_lost', lost.size, 'objects', 'ARecords deleted while their source still existed (not by the remove phase): lost; with several clusters, one cluster\'s scout cleaning up another\'s (bindy #474)');
    c('discovery_orphans', orphans.length, 'objects', 'ARecords scout left behind after their source was deleted (not deleted by this tool: it did not create them)');
    if (lost.size > 0) {
      const byCluster = new Map<string, number>();
      for (const k of lost.keys()) {
        const st = stageOfKey.get(k);
        const what = st === undefined ? undefined : `cluster ${st.cluster.name}'s ${st.source.kind}`;
        if (what !== undefined) byCluster.set(what, (byCluster.get(what) ?? 0) + 1);
      }
      notes.push(`${lost.size} ARecords lost while their sources existed: ${[...byCluster].map(([what, n]) => `${n} of ${what} ARecords`).join(', ')}${clusters.length > 1 ? " (scout's stale cleanup selects source-cluster != its own: bindy #474)" : ''}`);
    }
    if (stoppedEarly) notes.push('interrupted: the figures cover the stages reached; ARecords still there were not counted as orphans (scout was not waited for)');
    if (orphans.length > 0) notes.push(`${orphans.length} orphaned ARecords (scout did not delete them after their source went): ${orphans.slice(0, 10).join(', ')}${orphans.length > 10 ? ', …' : ''}`);
    if (prober === null) notes.push('DNS not probed: the target names no DNS server reachable from here; the create→resolvable and delete→NXDOMAIN figures are missing');
    const latencies: DriveOutcome['latencies'] = {};
    for (const [name, hist] of h) if (hist.count > 0) latencies[name] = latencyResult(hist, stageMethods[name]);
    outcome = { latencies, counters: counters.toJSON(), timeSeries: [], failures, notes, operator: [], apiAmplification: null };
    return outcome;
  } finally {
    prober?.stop();
    zones.stop();
    for (const t of sourceTrackers) t.stop();
    // Another cluster's sources are outside the run journal: whatever the remove phase did not delete goes now.
    for (const st of stages.values()) if (st.cluster.index > 0 && st.deleteAccepted === null && st.createAccepted !== null) await st.cluster.client.delete(st.source.kind, ns, st.source.name).catch(() => undefined);
    arecords.stop();
    await observers.stop(stages.size);
    if (outcome !== null) mergeObservers(outcome, observers.sections);
  }
}

function verifyDiscovery(result: RunResult): Verification {
  const n = (name: string): number => result.counters[name]?.value ?? 0;
  const problems: string[] = [];
  const sources = n('discovery_services_created') + n('discovery_ingresses_created');
  // Results from before Ingresses counted one ARecord per Service and had no `expected` counter.
  const expected = result.counters['discovery_arecords_expected'] === undefined ? n('discovery_services_created') : n('discovery_arecords_expected');
  const toRemove = result.counters['discovery_arecords_to_remove'] === undefined ? n('discovery_services_deleted') : n('discovery_arecords_to_remove');
  const lost = n('discovery_arecords_lost');
  if (n('discovery_sources_failed') > 0) problems.push(`${n('discovery_sources_failed')} Service or Ingress creates were refused (see the failures)`);
  if (lost > 0) problems.push(`${lost} ARecords were deleted while their source still existed (lost${n('discovery_clusters') > 1 ? ": another cluster's scout cleaned them up, bindy #474" : ''})`);
  if (n('discovery_arecords_published') < expected) problems.push(`${expected - n('discovery_arecords_published')} of ${expected} ARecords were never written by scout`);
  if (n('discovery_arecords_ready') + lost < n('discovery_arecords_published')) problems.push(`${n('discovery_arecords_published') - n('discovery_arecords_ready')} ARecords scout wrote never became Ready`);
  if (result.counters['discovery_answered'] !== undefined && result.latencies['discovery_create_to_resolvable'] !== undefined && n('discovery_answered') + lost < expected) problems.push(`${expected - lost - n('discovery_answered')} ARecords' names were never answered with their source's address`);
  if (n('discovery_flips_ready') < n('discovery_flips')) problems.push(`${n('discovery_flips') - n('discovery_flips_ready')} of ${n('discovery_flips')} moved ARecords never became Ready at the new address's generation`);
  if (result.latencies['discovery_flip_to_resolvable'] !== undefined && n('discovery_flips_answered') < n('discovery_flips')) problems.push(`${n('discovery_flips') - n('discovery_flips_answered')} moved ARecords' names were never answered with the new address`);
  if (n('discovery_wrong_data') > 0) problems.push(`${n('discovery_wrong_data')} names were answered with another address`);
  if (n('discovery_orphans') > 0) problems.push(`${n('discovery_orphans')} ARecords were left behind after their sources were deleted (orphans)`);
  if (n('discovery_arecords_gone') + n('discovery_orphans') < toRemove) problems.push("some deleted sources' ARecords were neither seen gone nor left behind");
  if (result.latencies['discovery_delete_to_nxdomain'] !== undefined && n('discovery_nxdomain') < toRemove) problems.push(`${toRemove - n('discovery_nxdomain')} names of deleted sources were still answered`);
  if (sources === 0) problems.push('no Service or Ingress was created');
  return { passed: problems.length === 0, problems };
}

/** The discovery scenario. */
export const discoveryScenario: Scenario<DiscoveryPlanData> = {
  name: 'discovery',
  describe: 'annotated Services and Ingresses → scout\'s ARecords → Ready → DNS answers, and back to NXDOMAIN; orphans counted',
  options: 'discovery',
  metrics: discoveryMetrics,
  plan: planDiscovery,
  scoutCluster: (config) => config.scenarios.discovery.scoutCluster,
  sourceClusters: (config) => config.scenarios.discovery.clusters - 1,
  checkTarget(target, plan) {
    if (target.info.kind === 'sandbox' && target.discovery === undefined) {
      return 'the running sandbox has no scout twin: stop it (bindy-loadtest sandbox down) and let the run start its own, or start it with `bindy-loadtest sandbox up --scout --detach`';
    }
    const wanted = (plan.data?.clusters ?? 1) - 1;
    if (wanted > 0 && target.info.kind !== 'sandbox') return `--clusters ${wanted + 1}: other source clusters run on the sandbox only for now (each its own API server and scout twin); on a cluster use --clusters 1`;
    const have = target.discovery?.sourceClusters?.length ?? 0;
    if (wanted > have) return `--clusters ${wanted + 1}: the running sandbox has ${have} other source cluster(s): stop it (bindy-loadtest sandbox down) and let the run start its own, or start it with \`bindy-loadtest sandbox up --source-clusters ${wanted} --detach\``;
    return undefined;
  },
  drive: driveDiscovery,
  verify: verifyDiscovery,
};

