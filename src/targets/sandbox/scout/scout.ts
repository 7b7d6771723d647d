/**
 * @module The scout twin's controller: informers over Services and Ingresses (every namespace, or
 * the ones given) and over the target namespace's DNSZones, one keyed work queue per source kind
 * (scout runs one kube-runtime Controller per kind), and the reconcile that carries out
 * {@link planReconcile}'s plan through @kubernetes/client-node. Emits a typed event per reconcile
 * and never prints.
 */
import { restartOnError } from '../informer-restart.js';
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { bindyGroup, bindyVersion } from '../../../model/kinds.js';
import { KindQueues } from '../operator/work-queue.js';
import { parseQueueKey, queueKey } from '../operator/context.js';
import { ScoutKubeApi } from './kube-api.js';
import {
  cleanupGraceExpired,
  cleanupGraceMs as scoutCleanupGraceMs,
  planReconcile,
  scoutFinalizer,
  scoutSettings,
  sourceView,
  zoneView,
  type ScoutPlan,
  type ScoutSettings,
  type ScoutSettingsInput,
  type SourceKind,
  type ZoneView,
} from './mapping.js';

/** Options of {@link createScout}. */
export interface ScoutOptions {
  /** The cluster whose Services and Ingresses are watched and get scout's finalizer (scout's local client). */
  readonly sourceKubeConfig: KubeConfig;
  /** The bindy cluster where ARecords are written and DNSZones read (scout's remote client); default: the source cluster. */
  readonly targetKubeConfig?: KubeConfig;
  readonly settings: ScoutSettingsInput;
  /** `--namespace-selector`: a label selector namespaces must match (asked of the API server per reconcile); none: every namespace. */
  readonly namespaceSelector?: string;
  /** Watch only these namespaces (a twin convenience; scout watches every namespace). */
  readonly watchNamespaces?: readonly string[];
  /** Source kinds to watch (default both). */
  readonly kinds?: readonly SourceKind[];
  /** Parallel reconciles per kind (default 4; kube-runtime's default is unbounded). */
  readonly workers?: number;
  /** Requeue after a wait or an error, ms (scout: 30 s). */
  readonly requeueMs?: number;
  /** How long a failing deletion is retried before the finalizer goes anyway, ms (scout: 300 s). */
  readonly cleanupGraceMs?: number;
  /**
   * Reconcile every cached source again every this many ms (default 0: never, like scout, whose
   * controllers only react to changes of the sources). A twin knob to make #474 flap continuously.
   */
  readonly resyncMs?: number;
  readonly now?: () => Date;
  /** Called with every reconcile's outcome; must not throw. */
  readonly onEvent?: (event: ScoutEvent) => void;
}

/** The source a reconcile was about, and which scout (cluster name) ran it. */
export interface SourceRef {
  readonly kind: SourceKind;
  readonly namespace: string;
  readonly name: string;
  readonly cluster: string;
}

/** Why an ARecord was deleted. */
export type DeleteCause = 'source-deleted' | 'opted-out' | 'stale';

/** What a scout reconcile did. */
export type ScoutEvent =
  | {
      readonly type: 'reconciled';
      readonly source: SourceRef;
      /** The plan's action (`release` = ARecords deleted and finalizer removed). */
      readonly action: ScoutPlan['action'];
      /** Why nothing (ignore) or nothing yet (wait) happened. */
      readonly reason?: string;
      /** ARecords server-side applied. */
      readonly applied: readonly string[];
      /** ARecords deleted, each with its cause and the cluster that had made it. */
      readonly deleted: readonly { readonly name: string; readonly cause: DeleteCause; readonly cluster: string | undefined }[];
      /** Ingress rules that gave no ARecord, and why. */
      readonly skipped: readonly string[];
    }
  | { readonly type: 'error'; readonly source: SourceRef; readonly error: unknown };

/** A created scout twin. */
export interface Scout {
  /** Fills the zone store, then starts the source informers and the workers. */
  start(): Promise<void>;
  /** Stops watches and workers; waits for running reconciles. */
  stop(): Promise<void>;
  readonly settings: ScoutSettings;
  /** API calls made so far, by verb. */
  readonly apiCalls: Readonly<Record<'list' | 'patch' | 'apply' | 'delete', number>>;
}

type CachedInformer = Informer<KubernetesObject> & ObjectCache<KubernetesObject>;

function sourcePath(kind: SourceKind, namespace: string | undefined): string {
  const base = kind === 'Service' ? '/api/v1' : '/apis/networking.k8s.io/v1';
  const plural = kind === 'Service' ? 'services' : 'ingresses';
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
}

/** Creates a scout twin (nothing runs until start()). */
export function createScout(options: ScoutOptions): Scout {
  const settings = scoutSettings(options.settings);
  const source = options.sourceKubeConfig;
  const target = options.targetKubeConfig ?? source;
  const api = new ScoutKubeApi(source, target, settings.targetNamespace);
  const requeueMs = options.requeueMs ?? 30_000;
  const graceMs = options.cleanupGraceMs ?? scoutCleanupGraceMs;
  const now = options.now ?? (() => new Date());
  const kinds = options.kinds ?? (['Service', 'Ingress'] as const);
  const namespaces: readonly (string | undefined)[] = options.watchNamespaces ?? [undefined];
  const emit = (e: ScoutEvent): void => options.onEvent?.(e);
  const sourceInformers = new Map<SourceKind, CachedInformer[]>();
  let zoneInformer: CachedInformer | undefined;
  let stopped = false;
  const restartTimers = new Set<NodeJS.Timeout>();
  let resyncTimer: NodeJS.Timeout | undefined;

  const queue = new KindQueues({
    workers: options.workers ?? 4,
    handler: handle,
    onError: () => undefined, // handle() reports and requeues its own failures
  });

  function cached(kind: SourceKind, namespace: string, name: string): KubernetesObject | undefined {
    for (const i of sourceInformers.get(kind) ?? []) {
      const o = i.get(name, namespace);
      if (o !== undefined) return o;
    }
    return undefined;
  }

  function zones(): ZoneView[] {
    return (zoneInformer?.list() ?? []).map(zoneView).filter((z): z is ZoneView => z !== undefined);
  }

  /** Deletes what `selector` lists; returns what went. */
  async function deleteBy(selector: string, cause: DeleteCause, out: { name: string; cause: DeleteCause; cluster: string | undefined }[]): Promise<void> {
    for (const r of await api.listARecords(selector)) {
      await api.deleteARecord(r.name);
      out.push({ name: r.name, cause, cluster: r.cluster });
    }
  }

  async function handle(key: string): Promise<void> {
    const { kind, namespace, name } = parseQueueKey(key);
    const sourceKind = kind as SourceKind;
    const ref: SourceRef = { kind: sourceKind, namespace, name, cluster: settings.clusterName };
    // kube-runtime calls the reconciler only for objects still in its store: a source deleted
    // without scout's finalizer leaves its ARecords behind.
    const view = sourceView(sourceKind, cached(sourceKind, namespace, name));
    if (view === undefined) return;
    const applied: string[] = [];
    const deleted: { name: string; cause: DeleteCause; cluster: string | undefined }[] = [];
    try {
      // Scout asks the API server only after its excluded-namespace and deletion checks: one LIST per reconcile, not more.
      const asks = options.namespaceSelector !== undefined && !settings.excludedNamespaces.includes(namespace) && view.deletionTimestampMs === undefined;
      const eligible = asks && options.namespaceSelector !== undefined ? await api.namespaceMatches(namespace, options.namespaceSelector) : true;
      const plan = planReconcile(view, settings, { namespaceEligible: eligible, zones: zones() });
      switch (plan.action) {
        case 'ignore':
          break;
        case 'wait':
          queue.add(key, requeueMs);
          break;
        case 'add-finalizer':
          // The patch's watch event brings the next reconcile, as with scout's `await_change`.
          await api.setFinalizers(sourceKind, namespace, name, [...view.finalizers, scoutFinalizer]);
          break;
        case 'apply':
          for (const r of plan.records) {
            await api.applyARecord(r);
            applied.push(r.metadata.name);
          }
          if (plan.stale !== undefined) await deleteBy(plan.stale, 'stale', deleted);
          break;
        case 'release': {
          try {
            await deleteBy(plan.own, plan.why === 'deleting' ? 'source-deleted' : 'opted-out', deleted);
            if (plan.stale !== undefined) await deleteBy(plan.stale, 'stale', deleted);
          } catch (error) {
            // Scout retries a failing deletion for its grace period, then lets the source go (#444);
            // the opt-out path has no grace: its error is an ordinary requeue.
            if (plan.why === 'opted-out' || !cleanupGraceExpired(view.deletionTimestampMs, now().getTime(), graceMs)) throw error;
          }
          await api.setFinalizers(sourceKind, namespace, name, view.finalizers.filter((f) => f !== scoutFinalizer));
          break;
        }
      }
      emit({
        type: 'reconciled',
        source: ref,
        action: plan.action,
        ...(plan.action === 'ignore' || plan.action === 'wait' ? { reason: plan.reason } : {}),
        applied,
        deleted,
        skipped: plan.action === 'apply' ? plan.skipped : [],
      });
    } catch (error) {
      emit({ type: 'error', source: ref, error });
      // Scout's error policy: requeue after 30 s, whatever the error.
      if (!stopped) queue.add(key, requeueMs);
    }
  }

  function onSource(kind: SourceKind, o: KubernetesObject): void {
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    if (name !== '') queue.add(queueKey(kind, ns, name));
  }

  /** Starts an informer; rejects when its first list fails (client-node only emits that as an event). */
  async function startInformer(informer: CachedInformer): Promise<void> {
    let failure: unknown;
    const onError = (e: unknown): void => {
      failure ??= e;
    };
    informer.on('error', onError);
    try {
      await informer.start();
    } finally {
      informer.off('error', onError);
    }
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(`informer ${informer === zoneInformer ? 'of DNSZones' : 'of sources'} failed to list`, { cause: failure });
  }


  async function start(): Promise<void> {
    // The zone store is filled before the first source is reconciled. Scout starts its DNSZone
    // reflector and its controllers together, so a source seen first may wait one 30 s requeue.
    zoneInformer = makeInformer<KubernetesObject>(target, `/apis/${bindyGroup}/${bindyVersion}/namespaces/${settings.targetNamespace}/dnszones`, () => api.listZones());
    await startInformer(zoneInformer);
    restartOnError(zoneInformer, () => stopped, restartTimers);
    for (const kind of kinds) {
      const list: CachedInformer[] = [];
      for (const ns of namespaces) {
        const informer = makeInformer<KubernetesObject>(source, sourcePath(kind, ns), () => api.listSources(kind, ns));
        // A deletion needs no reconcile: with the finalizer, the update that set deletionTimestamp brought it.
        informer.on('add', (o) => onSource(kind, o));
        informer.on('update', (o) => onSource(kind, o));
        list.push(informer);
      }
      sourceInformers.set(kind, list);
    }
    await Promise.all([...sourceInformers.values()].flat().map((i) => startInformer(i)));
    for (const i of [...sourceInformers.values()].flat()) restartOnError(i, () => stopped, restartTimers);
    queue.start();
    const resync = options.resyncMs ?? 0;
    if (resync > 0) {
      resyncTimer = setInterval(() => {
        for (const [kind, list] of sourceInformers) for (const i of list) for (const o of i.list()) onSource(kind, o);
      }, resync);
      resyncTimer.unref();
    }
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    if (resyncTimer !== undefined) clearInterval(resyncTimer);
    for (const t of restartTimers) clearTimeout(t);
    const informers = [...sourceInformers.values()].flat();
    if (zoneInformer !== undefined) informers.push(zoneInformer);
    await Promise.allSettled(informers.map((i) => i.stop()));
    await queue.stop();
    api.close();
  }

  return { start, stop, settings, apiCalls: api.calls };
}
