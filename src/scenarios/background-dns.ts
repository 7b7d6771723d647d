/**
 * @module The background DNS queries of chaos and e2e: dnsperf for the whole load, every zone's SOA
 * and NS and one missing name each. From this machine through the target's client link; on a
 * cluster in a pod of a Job next to BIND9, opened before the load (the pod's image pull and start
 * are not the load's time) and released at its start. Prepared first so that a missing program,
 * image or server loses nothing; stopped with the load; its Job deleted whatever happens.
 */
import { TargetNotReadyError } from '../errors.js';
import { locateDnsperf, runDnsperfPhase, type DnsperfSections } from '../drive/dnsperf/index.js';
import { apexQueries } from '../model/fixtures/queries.js';
import type { DnsServer } from '../targets/target.js';
import { backgroundDnsperfLoad, unusedResperfLoad, type BackgroundDnsPlan } from './background-dns-plan.js';
import { checkEngineSpec, openDnsEngineJob, type DnsEngineJob, type EngineContext } from './dns-engine-job.js';
import { inClusterDnsServer } from './dns-engine-job-plan.js';
import type { DnsEngineWork } from './shard-protocol.js';

/** How the background queries ended: their figures, or why there are none (a note for the result; `failure`: what failed, a problem of the run rather than a figure of the faults). */
export type BackgroundDnsEnd = { sections: DnsperfSections } | { note: string; failure: string | null };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function failed(e: unknown): BackgroundDnsEnd {
  return { note: `the background DNS queries failed: ${message(e)}`, failure: message(e) };
}

/** The background DNS queries of one run, prepared before its load. */
export interface BackgroundDns {
  /** Starts the queries with the load; their series count from `t0` (the run's clock). */
  start(t0: number): void;
  /** Stops them now (the load ended before their duration): what was asked so far is kept. Idempotent. */
  stop(): void;
  /** Waits for them to end (stop first to end them now) and releases what they used. Idempotent; never throws. */
  finish(): Promise<BackgroundDnsEnd>;
}

/** What the queries need to know of the run. */
export interface BackgroundDnsOptions {
  plan: BackgroundDnsPlan;
  runId: string;
  namespace: string;
  /** The run's Bind9Cluster (the in-cluster pod asks its primary instance's Service). */
  clusterName: string;
  /** The zones whose apex the queries ask. */
  zones: readonly string[];
  /** From this machine: the server asked (the client link's when the target has one); undefined: none reachable. */
  clientServer: DnsServer | undefined;
  /** How long dnsperf runs when not stopped first: the load's length and room for its holds, ms. */
  durationMs: number;
  /** On a cluster: how long the Job may live from now (setup, the load, the holds), ms. */
  jobBoundMs: number;
}

/** No queries, and why. */
function none(note: string): BackgroundDns {
  return { start: () => undefined, stop: () => undefined, finish: () => Promise.resolve({ note, failure: null }) };
}

/** What the queries ask, as the figures' method names it. */
function queriesOf(zones: readonly string[]): { generated: ReturnType<typeof apexQueries>; what: string } {
  return { generated: apexQueries(zones), what: `every zone's SOA and NS and one missing name each (${zones.length * 3} queries), looped` };
}

/** dnsperf on this machine against `server`. */
function fromHere(ctx: EngineContext, o: BackgroundDnsOptions, program: string, server: DnsServer): BackgroundDns {
  const stop = new AbortController();
  const onStop = (): void => stop.abort();
  let phase: Promise<BackgroundDnsEnd> | null = null;
  return {
    start: (t0) => {
      if (phase !== null || ctx.stopStarting.aborted) return;
      ctx.stopStarting.addEventListener('abort', onStop, { once: true });
      phase = runDnsperfPhase({
        program,
        server,
        load: backgroundDnsperfLoad(o.plan.qps, o.durationMs),
        outstandingSetting: `scenarios.${o.plan.section}.queryRate (lower it)`,
        queries: queriesOf(o.zones),
        startedMs: t0,
        signal: stop.signal,
      })
        .then((sections): BackgroundDnsEnd => ({ sections }))
        .catch(failed)
        .finally(() => ctx.stopStarting.removeEventListener('abort', onStop));
    },
    stop: onStop,
    finish: () => phase ?? Promise.resolve({ note: 'no background DNS queries: the load did not start', failure: null }),
  };
}

/** dnsperf in a pod next to BIND9, its Job open and its pod ready at the gate. */
function inCluster(job: DnsEngineJob): BackgroundDns {
  let finishing: Promise<BackgroundDnsEnd> | null = null;
  return {
    start: (t0) => job.go(t0),
    stop: () => job.stop(),
    finish: () =>
      (finishing ??= job.finish().then(
        (sections): BackgroundDnsEnd => (sections === null ? { note: 'no background DNS queries: the run stopped before the in-cluster dnsperf started', failure: null } : { sections }),
        failed,
      )),
  };
}

/** The in-cluster pod's work: its server (given, else the primary Bind9Instance's Service) and queries; undefined with a note when `auto` finds no server. */
async function inClusterWork(ctx: EngineContext, o: BackgroundDnsOptions): Promise<DnsEngineWork | string> {
  const given = o.plan.inCluster?.server;
  let server: { host: string; port: number } | undefined = given;
  if (server === undefined) {
    const list = await ctx.client.list('Bind9Instance', o.namespace, '');
    if (!list.ok) throw new TargetNotReadyError(`background DNS queries: cannot list the Bind9Instances of ${o.namespace}: ${list.error.message}`);
    server = inClusterDnsServer(list.value.items, o.clusterName, o.namespace);
    if (server === undefined) {
      const why = `no primary Bind9Instance of Bind9Cluster ${o.clusterName} in ${o.namespace} for the in-cluster dnsperf to ask`;
      if (o.plan.setting === 'on') throw new TargetNotReadyError(`background DNS queries: ${why}`, { hint: `wait until bindy has created the cluster's instances, or name the server: --in-cluster-server host:port (scenarios.${o.plan.section}.inClusterServer)` });
      return `no background DNS queries: ${why} (--in-cluster-server host:port names one)`;
    }
  }
  const dnsperf = backgroundDnsperfLoad(o.plan.qps, o.durationMs);
  const q = queriesOf(o.zones);
  return { type: 'dns-engine', engine: 'dnsperf', server: { host: server.host, port: server.port }, dnsperf, resperf: unusedResperfLoad(dnsperf), queries: { generated: [...q.generated], what: q.what } };
}

/**
 * Prepares the run's background DNS queries before its load: on a cluster the Job's pod started
 * and ready. With `on`, what cannot run them throws (exit 2 or 3); with `auto`, a note says why
 * there are none.
 */
export async function openBackgroundDns(ctx: EngineContext, o: BackgroundDnsOptions): Promise<BackgroundDns> {
  const p = o.plan;
  if (p.setting === 'off') return none(`no background DNS queries (scenarios.${p.section}.dnsLoad off)`);
  if (p.inCluster !== null) {
    const image = p.inCluster.image;
    // `on` without an image was refused before the run (backgroundDnsUnsupported).
    if (image === undefined) return none("no background DNS queries: on a cluster they run in a pod next to BIND9, as a Job of this tool's image, and --shard-image (shardImage) is not set");
    const work = await inClusterWork(ctx, o);
    if (typeof work === 'string') return none(work);
    checkEngineSpec({ runId: o.runId, config: p.inCluster.config, work });
    const job = await openDnsEngineJob(ctx, { runId: o.runId, namespace: o.namespace, image, config: p.inCluster.config, work, boundMs: o.jobBoundMs, statusLine: false });
    if (!job.ready && !ctx.stopStarting.aborted) {
      // The pod failed before its gate (no image, no dnsperf in it): said before the load, not after it.
      const end = await job.finish().then(
        () => new Error('the in-cluster dnsperf pod ended before it was ready'),
        (e: unknown) => e,
      );
      if (p.setting === 'on') throw end;
      return none(`no background DNS queries: ${message(end)}`);
    }
    return inCluster(job);
  }
  if (o.clientServer === undefined) return none('no background DNS queries: the target names no DNS server reachable from here');
  let program: string;
  try {
    program = locateDnsperf();
  } catch (e) {
    // Asked for explicitly: a missing dnsperf is the machine's problem (exit 3); on auto, a note.
    if (p.setting === 'on') throw e;
    return none(`no background DNS queries: ${message(e)}`);
  }
  return fromHere(ctx, o, program, o.clientServer);
}
