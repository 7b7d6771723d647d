/**
 * @module The operator twin: informers for Bind9Cluster, Bind9Instance, DNSZone and the 8 record
 * kinds, one keyed work queue per kind with N workers each (kube-rs runs one Controller per kind,
 * each with its own scheduler and concurrency), bindy's requeue intervals, finalizers, events,
 * leader election and metrics. Talks to any API server through @kubernetes/client-node.
 */
import { restartOnError } from '../informer-restart.js';
import { hostname } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type ObjectCache } from '@kubernetes/client-node';
import { bindyGroup, bindyVersion, isRecordKind, kindInfo, clusterLabel, type RecordKind } from '../../../model/kinds.js';
import type { TsigKeySpec } from '../dns-update/tsig.js';
import { bindcarBackoff, type BackoffPolicy } from './backoff.js';
import { parseQueueKey, queueKey, type Caches, type ReconcileContext, type ReconcileResult } from './context.js';
import { KubeApi, apiStatus } from './kube-api.js';
import { LeaderElector } from './leader-election.js';
import { createOperatorMetrics, type OperatorMetrics } from './metrics.js';
import { arr, isRecord, type BindyObject } from './objects.js';
import { reconcileCluster, reconcileInstance } from './reconcile-infra.js';
import { reconcileRecord } from './reconcile-record.js';
import { reconcileZone } from './reconcile-zone.js';
import { zoneSelectsRecord } from './selection.js';
import { createSidecarClient } from './sidecar-client.js';
import { KindQueues } from './work-queue.js';
import { injectedDelayMs } from './injected-delay.js';
import { MemoryLeak } from './memory-leak.js';
import { TokenBucket, capacityBurst } from './token-bucket.js';
import { CrashCounter } from './crash-counter.js';
import { settleHeapEvery } from './heap-settle.js';
import { udpQuery } from '../bind9/udp-query.js';
import { failureDelayMs, profileRules, reconcileTriggered, triggerFingerprint, type TwinProfile } from './profile.js';

type WatchedKind = 'Bind9Cluster' | 'Bind9Instance' | 'DNSZone' | RecordKind;

/** Between two full collections while a leak is injected, ms (see heap-settle.ts). */
const heapSettleMs = 1000;

/** Options of {@link createOperator}. */
export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch one namespace; undefined watches all. */
  readonly namespace?: string;
  /** named for record UPDATEs. */
  readonly dns: { readonly host: string; readonly port: number; readonly tsig: TsigKeySpec; readonly timeoutMs?: number; readonly transport?: 'udp' | 'tcp' };
  /** bindcar in front of the primaries' named. */
  readonly sidecar: { readonly url: string; readonly token: string };
  /**
   * The secondary servers, by instance index (`C-secondary-<i>` → `[i]`): each one's bindcar (same
   * token) and its named (where NOTIFY goes). Absent: secondary instances have no pod.
   */
  readonly secondaries?: readonly { readonly sidecarUrl: string; readonly dns: { readonly host: string; readonly port: number } }[];
  /**
   * Parallel reconciles per kind (default 4), like kube-rs's `controller::Config::concurrency`:
   * every kind has its own queue, so a backlog of records never delays a zone reconcile.
   */
  readonly workers?: number;
  /** Added before every reconcile: fixed ms, or a sampler for a distribution (default 0). */
  readonly reconcileDelay?: number | (() => number);
  /** Kinds whose reconciles get `reconcileDelay` (default: every kind). */
  readonly reconcileDelayKinds?: readonly string[];
  /** Fraction 0..1 of reconciles that fail before doing anything (default 0). */
  readonly errorRate?: number;
  /** Lease election (default on, like bindy's BINDY_ENABLE_LEADER_ELECTION); `namespace` of the Lease. */
  readonly leaderElection?: false | { readonly namespace: string; readonly identity?: string; readonly leaseDurationSeconds?: number };
  /** Called once the operator stopped after losing its Lease (bindy then exits non-zero: its process ends, and Kubernetes restarts the pod). */
  readonly onLeadershipLost?: () => void;
  /** The bindy release line to behave as (default 0.6: bindy 0.6.2); see profile.ts. */
  readonly profile?: TwinProfile;
  /** Requeue intervals in ms under 0.6 (bindy: 300 s when Ready, 30 s otherwise and on error). */
  readonly requeue?: { readonly readyMs?: number; readonly notReadyMs?: number };
  /** bindcar retry policy (default bindy's). */
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly now?: () => Date;
  /** Called with every reconcile failure (the operator never throws them). */
  readonly onError?: (key: string, error: unknown) => void;
  /**
   * Where the pod readiness stand-in asks named (default `dns`): the kubelet probes the pod itself,
   * not through the operator's network path (which a chaos fault may slow or cut).
   */
  readonly namedProbe?: { readonly host: string; readonly port: number };
  /** Between two readiness probes of named, ms (default 2000; 0 = none). */
  readonly namedProbeMs?: number;
  /**
   * After a zone had to be created again on a primary (a restarted named that lost its data), queue
   * every record the zone selects, so they are published again (bindy after #486). Default off:
   * 0.6.2 does not, and the restarted server serves the zone without its records (#486).
   */
  readonly republishOnZoneRecreate?: boolean;
  /**
   * An injected memory leak (ground truth for the memory-growth figure): real memory kept at this
   * many MiB per minute from start(), capped (see memory-leak.ts). Absent: none.
   */
  readonly leak?: { readonly mibPerMinute: number; readonly capBytes?: number; readonly onCap?: (bytes: number) => void };
  /**
   * An injected crash: when the `reconciles`th reconcile (success or error) has finished, `crash`
   * is called with the count. The process part exits there; nothing here exits. Absent: none.
   */
  readonly crashAfter?: { readonly reconciles: number; readonly crash: (reconciles: number) => void };
  /**
   * A throughput ceiling: at most this many reconciles start per second across every kind and
   * worker (a token bucket with one second's burst in front of the queues). Absent: no cap.
   */
  readonly capacity?: number;
}

/** A created operator. */
export interface Operator {
  /** Waits for leadership (when on), fills the caches and starts the workers. */
  start(): Promise<void>;
  /** Stops watches, workers and lease renewal; waits for running reconciles. */
  stop(): Promise<void>;
  /** `GET /metrics` in Prometheus text format. */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly metrics: OperatorMetrics;
  /** API calls made so far, by verb. */
  readonly apiCalls: Readonly<Record<'list' | 'get' | 'patch' | 'create' | 'delete', number>>;
}

function listPath(kind: WatchedKind, namespace: string | undefined): string {
  const plural = kindInfo[kind].plural;
  return namespace === undefined ? `/apis/${bindyGroup}/${bindyVersion}/${plural}` : `/apis/${bindyGroup}/${bindyVersion}/namespaces/${namespace}/${plural}`;
}

/** Creates the operator (nothing runs until start()). */
export function createOperator(options: OperatorOptions): Operator {
  const rules = profileRules[options.profile ?? '0.6'];
  const metrics = createOperatorMetrics(rules);
  const api = new KubeApi(options.kubeConfig, 'bindy', {
    ...(rules.apiClientLimit === null ? {} : { limit: rules.apiClientLimit }),
    onLimited: () => metrics.rateLimitHits?.inc(),
    onRequest: (r) => {
      metrics.apiRequests?.labels(r.resource, r.verb, r.status).inc();
      metrics.apiRequestDuration?.labels(r.resource, r.verb).observe(r.seconds);
    },
  });
  // 0.8: what last woke each zone and record (its trigger fingerprint), and each object's failures in a row.
  const fingerprints = new Map<string, string>();
  const failures = new Map<string, number>();
  const random = options.random ?? Math.random;
  const readyMs = options.requeue?.readyMs ?? 300_000;
  const notReadyMs = options.requeue?.notReadyMs ?? 30_000;
  const errorRate = options.errorRate ?? 0;
  const abort = new AbortController();
  const informers = new Map<WatchedKind, Informer<BindyObject> & ObjectCache<BindyObject>>();
  let stopped = false;
  const restartTimers = new Set<NodeJS.Timeout>();

  const caches: Caches = {
    get: (kind, namespace, name) => informers.get(kind)?.get(name, namespace),
    list: (kind, namespace) => informers.get(kind)?.list(namespace) ?? [],
  };
  const workers = options.workers ?? 4;
  const limiter = options.capacity === undefined ? undefined : new TokenBucket(options.capacity, capacityBurst(options.capacity));
  // One queue per kind: bindy runs a separate kube-rs Controller (scheduler + runner) for each.
  const queue = new KindQueues({ workers, handler: handle, onError: (key, e) => options.onError?.(key, e), ...(limiter === undefined ? {} : { limiter }) });
  const crashCounter = options.crashAfter === undefined ? undefined : new CrashCounter(options.crashAfter.reconciles);
  const leak =
    options.leak === undefined
      ? undefined
      : new MemoryLeak({ mibPerMinute: options.leak.mibPerMinute, ...(options.leak.capBytes === undefined ? {} : { capBytes: options.leak.capBytes }), ...(options.leak.onCap === undefined ? {} : { onCap: options.leak.onCap }) });
  // What was injected, on /metrics: the ground truth a report can name.
  if (options.leak !== undefined) metrics.injected.labels('leak_mib_per_minute').set(options.leak.mibPerMinute);
  if (options.crashAfter !== undefined) metrics.injected.labels('crash_after_reconciles').set(options.crashAfter.reconciles);
  if (limiter !== undefined) {
    metrics.injected.labels('capacity_reconciles_per_second').set(limiter.ratePerSecond);
    metrics.injected.labels('capacity_burst').set(limiter.burst);
  }
  if (errorRate > 0) metrics.injected.labels('error_rate').set(errorRate);
  const backoff = options.backoff ?? bindcarBackoff;
  // A retry budget other than bindy's changes how long a failing bindcar call holds a reconcile (a
  // zone's finalizer above all): a result must say it was not bindy's.
  if (backoff.maxElapsedMs !== bindcarBackoff.maxElapsedMs) metrics.injected.labels('bindcar_retry_budget_ms').set(backoff.maxElapsedMs);
  if (typeof options.reconcileDelay === 'number' && options.reconcileDelay > 0) metrics.injected.labels('reconcile_delay_ms').set(options.reconcileDelay);
  metrics.leakedBytes.set(0);
  const ctx: ReconcileContext = {
    api,
    caches,
    dns: { host: options.dns.host, port: options.dns.port, tsig: options.dns.tsig, ...(options.dns.timeoutMs === undefined ? {} : { timeoutMs: options.dns.timeoutMs }), ...(options.dns.transport === undefined ? {} : { transport: options.dns.transport }) },
    sidecar: createSidecarClient(options.sidecar, backoff),
    secondaries: (options.secondaries ?? []).map((s) => ({ sidecar: createSidecarClient({ url: s.sidecarUrl, token: options.sidecar.token }, backoff), dns: s.dns })),
    // The secondaries transfer from the primary's own address (its "pod"), never through the operator's fault link.
    ...(options.namedProbe === undefined ? {} : { primaryTransfer: options.namedProbe }),
    now: options.now ?? (() => new Date()),
    enqueue: (key, delay) => queue.add(key, delay),
    signal: abort.signal,
    republishOnZoneRecreate: options.republishOnZoneRecreate === true,
    tagUntaggedOnly: rules.tagUntaggedOnly,
    recordKinds: rules.recordKinds,
    recordStamps: rules.recordStamps,
  };

  async function dispatch(kind: string, namespace: string, name: string): Promise<ReconcileResult & { deleted?: boolean }> {
    if (kind === 'DNSZone') return reconcileZone(ctx, namespace, name);
    if (kind === 'Bind9Instance') return reconcileInstance(ctx, namespace, name);
    if (kind === 'Bind9Cluster') return reconcileCluster(ctx, namespace, name);
    if (isRecordKind(kind)) return reconcileRecord(ctx, kind, namespace, name);
    return { ready: true };
  }

  /** Counts a finished reconcile towards the injected crash. */
  function counted(): void {
    if (crashCounter?.count() === true) options.crashAfter?.crash(crashCounter.done);
  }

  async function handle(key: string): Promise<void> {
    try {
      await reconcileKey(key);
    } finally {
      counted();
    }
  }

  async function reconcileKey(key: string): Promise<void> {
    const { kind, namespace, name } = parseQueueKey(key);
    const started = performance.now();
    const d = injectedDelayMs(kind, options.reconcileDelay, options.reconcileDelayKinds);
    if (d > 0) await new Promise((r) => setTimeout(r, d));
    try {
      if (errorRate > 0 && random() < errorRate) throw new Error('injected reconcile failure (errorRate)');
      const result = await dispatch(kind, namespace, name);
      metrics.reconciliations.labels(kind, 'success').inc();
      metrics.duration.labels(kind).observe((performance.now() - started) / 1000);
      if (result.deleted === true) {
        metrics.deleted.labels(kind).inc();
        metrics.active.labels(kind).dec();
        return;
      }
      if (ctx.caches.get(kind as WatchedKind, namespace, name) === undefined) return;
      if (rules.timedRequeues) queue.add(key, result.ready ? readyMs : notReadyMs);
      else if (result.failed === true) retryLater(key);
      else {
        // "Await change" (Ready, or waiting for a change that will wake it): a retry still scheduled from an earlier failure is dropped, so at rest nothing runs.
        failures.delete(key);
        queue.cancelDelayed(key);
      }
    } catch (error) {
      metrics.reconciliations.labels(kind, 'error').inc();
      metrics.duration.labels(kind).observe((performance.now() - started) / 1000);
      const status = apiStatus(error);
      metrics.errors.labels(kind, status !== undefined ? 'api_error' : 'reconcile_error').inc();
      if (!stopped) {
        if (rules.timedRequeues) queue.add(key, notReadyMs);
        else retryLater(key);
      }
      throw error;
    }
  }

  /** 0.8: no timed requeue; an object that failed (or is not Ready yet) is tried again after its own backoff, 2 s doubling to 60 s. */
  function retryLater(key: string): void {
    const backoff = rules.failureBackoff;
    if (backoff === null) return;
    const n = (failures.get(key) ?? 0) + 1;
    failures.set(key, n);
    queue.add(key, failureDelayMs(backoff, n));
  }

  /** Zones of the record's namespace that select it or list it (bindy's watch mapper). */
  function zonesFor(record: BindyObject, kind: RecordKind): string[] {
    const ns = record.metadata?.namespace ?? '';
    return caches
      .list('DNSZone', ns)
      .filter((z) => zoneSelectsRecord(z, record) || arr(z.status?.['records']).some((r) => isRecord(r) && r['kind'] === kind && r['name'] === record.metadata?.name))
      .map((z) => queueKey('DNSZone', ns, z.metadata?.name ?? ''));
  }

  function onEvent(kind: WatchedKind, obj: BindyObject, deleted: boolean): void {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const key = queueKey(kind, ns, name);
    if (deleted) {
      fingerprints.delete(key);
      failures.delete(key);
    } else {
      const fp = rules.eventFilter ? triggerFingerprint(kind, obj) : '';
      if (reconcileTriggered(rules, kind, fingerprints.get(key), fp)) queue.add(key);
      if (rules.eventFilter) fingerprints.set(key, fp);
    }
    if (isRecordKind(kind)) for (const z of zonesFor(obj, kind)) queue.add(z);
    if (kind === 'Bind9Instance') {
      for (const z of caches.list('DNSZone', ns)) queue.add(queueKey('DNSZone', ns, z.metadata?.name ?? ''));
      const cluster = obj.metadata?.labels?.[clusterLabel];
      if (cluster !== undefined) queue.add(queueKey('Bind9Cluster', ns, cluster));
    }
  }

  function makeKindInformer(kind: WatchedKind): Informer<BindyObject> & ObjectCache<BindyObject> {
    const plural = kindInfo[kind].plural;
    const ns = options.namespace;
    const listFn = async (): Promise<KubernetesListObject<BindyObject>> => {
      const list: unknown =
        ns === undefined
          ? await api.custom.listClusterCustomObject({ group: bindyGroup, version: bindyVersion, plural })
          : await api.custom.listNamespacedCustomObject({ group: bindyGroup, version: bindyVersion, namespace: ns, plural });
      if (!isRecord(list)) throw new TypeError(`list of ${plural} is not an object`);
      const items = arr(list['items']).filter(isRecord).map((i) => ({ ...(i as BindyObject), apiVersion: `${bindyGroup}/${bindyVersion}`, kind }));
      return { apiVersion: `${bindyGroup}/${bindyVersion}`, kind: `${kind}List`, metadata: isRecord(list['metadata']) ? list['metadata'] : {}, items };
    };
    const informer = makeInformer<BindyObject>(options.kubeConfig, listPath(kind, ns), listFn);
    informer.on('add', (o) => onEvent(kind, o, false));
    informer.on('update', (o) => onEvent(kind, o, false));
    informer.on('delete', (o) => onEvent(kind, o, true));
    restartOnError(informer, () => stopped, restartTimers);
    return informer;
  }

  let elector: LeaderElector | undefined;
  /** Stops the periodic full collections that run while a leak is injected. */
  let stopSettling: () => void = () => undefined;
  let probeTimer: NodeJS.Timeout | null = null;

  /**
   * The pod readiness stand-in: in Kubernetes a BIND9 pod that restarts goes not-Ready and Ready
   * again, and that change reaches bindy's instance controller as a watch event. The sandbox has no
   * pods, so named is probed here, and a change of its health queues every Bind9Instance.
   */
  function startNamedProbe(): void {
    const every = options.namedProbeMs ?? 2000;
    if (every <= 0) return;
    // Every named the instances map to: the primary's, then each secondary's.
    const targets = [options.namedProbe ?? { host: options.dns.host, port: options.dns.port }, ...(options.secondaries ?? []).map((s) => s.dns)];
    let last: string | null = null;
    let busy = false;
    probeTimer = setInterval(() => {
      if (busy || stopped) return;
      busy = true;
      Promise.all(
        targets.map((t) =>
          udpQuery(t.port, 'version.bind', 'TXT', 1000).then(
            () => '1',
            () => '0',
          ),
        ),
      )
        .then((each) => each.join(''))
        .then((healthy) => {
          busy = false;
          if (last !== null && healthy !== last) {
            for (const i of informers.get('Bind9Instance')?.list() ?? []) queue.add(queueKey('Bind9Instance', i.metadata?.namespace ?? '', i.metadata?.name ?? ''));
          }
          last = healthy;
        }, () => (busy = false));
    }, every);
    probeTimer.unref();
  }

  async function start(): Promise<void> {
    const le = options.leaderElection;
    if (le !== false && le !== undefined) {
      elector = new LeaderElector(options.kubeConfig, {
        namespace: le.namespace,
        identity: le.identity ?? `${hostname()}-${process.pid}`,
        ...(le.leaseDurationSeconds === undefined ? {} : { leaseDurationSeconds: le.leaseDurationSeconds }),
      });
      // Losing the lease: stop reconciling, as bindy's process exits.
      await elector.acquire(() => void stop().then(() => options.onLeadershipLost?.()), abort.signal);
    }
    // The line's kinds only: a 0.6 operator knows no PTRRecord (and its cluster serves none).
    const watchedKinds: readonly WatchedKind[] = ['Bind9Cluster', 'Bind9Instance', 'DNSZone', ...rules.recordKinds];
    for (const kind of watchedKinds) informers.set(kind, makeKindInformer(kind));
    await Promise.all([...informers.values()].map((i) => i.start()));
    queue.start();
    startNamedProbe();
    if (leak !== undefined) {
      stopSettling = settleHeapEvery(heapSettleMs);
      leak.start();
    }
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    abort.abort();
    if (probeTimer !== null) clearInterval(probeTimer);
    leak?.release();
    stopSettling();
    elector?.stop();
    for (const t of restartTimers) clearTimeout(t);
    await Promise.allSettled([...informers.values()].map((i) => i.stop()));
    await queue.stop();
    api.close();
  }

  const metricsHandler = (req: IncomingMessage, res: ServerResponse): void => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (leak !== undefined) metrics.leakedBytes.set(leak.bytes);
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  };

  return { start, stop, metricsHandler, metrics, apiCalls: api.calls };
}
