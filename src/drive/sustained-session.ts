/**
 * @module One sustained run: the zones and the working set put in place (not measured), then an
 * open-loop schedule of creates, updates and deletes over the live working set, each operation
 * timed from its intended start to its effect as the watch sees it (Ready at the new generation, or
 * gone), then a bounded wait for what is still outstanding. Never prints: progress goes out as events.
 */
import { defaultMaxListeners, setMaxListeners } from 'node:events';
import { TargetNotReadyError } from '../errors.js';
import { runIdLabel } from '../model/kinds.js';
import type { BindyKind, RecordKind } from '../model/kinds.js';
import type { DnsZoneObject, RecordObject } from '../model/fixtures/objects.js';
import { createRng } from '../model/fixtures/prng.js';
import type { Rng } from '../model/fixtures/prng.js';
import { objectKeyOf } from '../model/operation.js';
import type { OperationType } from '../model/operation.js';
import type { Journal } from '../observe/journal.js';
import type { ApiFailure, ApiResult, KubeClient, KubeObject } from '../observe/kube-client.js';
import type { ConditionSnapshot } from '../report/result/index.js';
import { WatchTracker } from '../observe/watch-tracker.js';
import type { ObservedBy, TrackerEvent } from '../observe/watch-tracker.js';
import { runArrivals } from './arrival-engine.js';
import type { ArrivalSchedule } from './arrival-schedule.js';
import type { ArrivalSummary } from './arrival-engine.js';
import type { LoadPause } from './load-pause.js';
import { isQuotaRefusal, OperationLedger } from './operation-ledger.js';
import type { LedgerSnapshot } from './operation-ledger.js';
import { chooseOperation, WorkingSet } from './working-set.js';
import type { MixPolicy } from './working-set.js';
import { sleep } from './sleep.js';

/** The field manager of the tool's server-side applies (updates). */
export const fieldManager = 'bindy-loadtest';

/** A live progress line of a sustained run (the CLI prints it as it is). */
export interface SustainedStatusEvent {
  type: 'status';
  text: string;
}
/** The engine stopped starting operations (schedule over or stopped): an interrupt can stop the wait at once. */
export interface EngineDoneEvent {
  type: 'engine-done';
}
/** Something a person should see at once, on its own line (a chaos fault applied or reverted). */
export interface NoticeEvent {
  type: 'notice';
  text: string;
}
/** Every event a sustained session (or a scenario built on it) emits besides the tracker's. */
export type SustainedEvent = SustainedStatusEvent | EngineDoneEvent | NoticeEvent;

/**
 * One operation of the measured schedule, when its write was accepted and when its effect was seen
 * (times on the client's monotonic clock). `ttl`: an update's new `spec.ttl`.
 */
export type OperationEvent =
  | { phase: 'accepted'; type: OperationType; key: string; uid: string; intendedMs: number; acceptedMs: number; ttl?: number }
  | { phase: 'done'; type: OperationType; key: string; intendedMs: number; atMs: number }
  /** The API refused it (after any retries); `byQuota`: a ResourceQuota's 403 "exceeded quota". */
  | { phase: 'refused'; type: OperationType; key: string; intendedMs: number; atMs: number; status: number; byQuota: boolean };

/** Options of one sustained session. */
export interface SustainedSessionOptions {
  client: KubeClient;
  runId: string;
  namespace: string;
  /** Record kinds the creates draw from (one watch each, plus DNSZone). */
  recordKinds: readonly RecordKind[];
  /** The zones, created before anything is measured. */
  zones: readonly DnsZoneObject[];
  /** Records for creates, zone by zone round-robin (never exhausted within the run). */
  records: () => Iterator<RecordObject>;
  schedule: ArrivalSchedule;
  /** End of the ramp-up, ms from the schedule's start: the steady phase starts here. */
  rampUpMs: number;
  policy: MixPolicy;
  /** Records created (and seen Ready) before the schedule starts; not measured. */
  prefill: number;
  maxInFlight: number;
  /** Bound on each wait: zones and prefill Ready, and the outstanding operations after the schedule, ms. */
  timeoutMs: number;
  /** TTL range of updates (an update sets a new `spec.ttl` from it). */
  ttl: { min: number; max: number };
  seed: number;
  /** Retries of a write answered 429 (after its Retry-After, at most this many; 0 = none). */
  maxRetries: number;
  journal?: Journal;
  stopStarting?: AbortSignal;
  hardStop?: AbortSignal;
  /** Called once the measured schedule is about to start (observers begin here). */
  beforeMeasured?: () => Promise<void>;
  onEvent?: (e: SustainedEvent | TrackerEvent) => void;
  /** Called at every backlog sample of the measured schedule (about each second): ms since it started and the operations outstanding. */
  onSample?: (s: { tMs: number; outstanding: number }) => void;
  /** Sampling interval of the series and the progress, ms (default 1000). */
  sampleMs?: number;
  /** Called for every measured operation accepted by the API, and again when its effect is seen. */
  onOperation?: (e: OperationEvent) => void;
  /** A hold on the measured schedule (on the client's clock): chaos's quiet window after an experiment. */
  pause?: LoadPause;
  /** Every run object's UID the session sees is added here (also those it deletes): cleanup removes their Events. */
  seenUids?: Set<string>;
}

/** What a sustained session measured. */
export interface SustainedSessionResult {
  ledger: LedgerSnapshot;
  engine: ArrivalSummary | null;
  /** Monotonic ms when the measured schedule started (series count from here). */
  measuredStartMs: number;
  /** When the wait for outstanding operations ended. */
  settledMs: number;
  /** How the wait ended. */
  settled: 'all' | 'timeout' | 'aborted';
  /** Setup, not measured: how long the zones and the prefill took, and how many were Ready. */
  setup: { zones: number; zonesReady: number; prefilled: number; prefillReady: number; ms: number };
  /** How long the schedule was held in all (see LoadPause), ms: the load lasted this much longer than its duration. */
  heldMs: number;
  /** Objects the run holds when the load stopped (records not deleted, plus the zones). */
  heldObjects: number;
  tracker: { restarts: number; relists: number; errors: number };
}

/** One object the run created and has not deleted. */
interface Held {
  uid: string;
  kind: RecordKind;
  name: string;
  ttl: number | undefined;
}

function isRetryable(e: ApiFailure): boolean {
  return e.status === 429;
}

/** Runs one sustained session (see the module doc). */
export async function runSustainedSession(o: SustainedSessionOptions): Promise<SustainedSessionResult> {
  const now = (): number => o.client.now();
  const sampleMs = o.sampleMs ?? 1000;
  const kinds: BindyKind[] = ['DNSZone', ...o.recordKinds];
  const tracker = new WatchTracker({ client: o.client, kinds, namespace: o.namespace, labelSelector: `${runIdLabel}=${o.runId}`, now, forgetDeleted: true, ...(o.seenUids === undefined ? {} : { seenUids: o.seenUids }) });
  const offTracker = o.onEvent === undefined ? () => false : tracker.on(o.onEvent);
  const ledger = new OperationLedger();
  const rng: Rng = createRng(o.seed);
  const held = new Map<string, Held>();
  const free = new WorkingSet<string>();
  const records = o.records();
  const signals = [o.stopStarting, o.hardStop];
  // Every zone and prefilled record is waited for at once, and each write in flight may wait out a
  // Retry-After: each listens to the stops, by design and only while it waits (not a leak).
  setMaxListeners(Math.max(defaultMaxListeners, o.zones.length + o.prefill + o.maxInFlight + defaultMaxListeners), ...signals.filter((s): s is AbortSignal => s !== undefined));
  let lastChurn: OperationType | null = null;
  await tracker.start();
  const setupStart = now();
  try {
    // Setup: the zones, then the prefill, each awaited Ready (bounded); none of it is measured.
    let zonesReady = 0;
    const zoneWaits: Promise<void>[] = [];
    const notReadyZones = new Set<string>();
    for (const z of o.zones) {
      o.journal?.append(z);
      const r = await o.client.create(z);
      if (!r.ok) throw setupRefused(`create DNSZone ${z.metadata.name}`, r.error);
      const uid = r.value.metadata.uid ?? '';
      notReadyZones.add(uid);
      zoneWaits.push(
        waitMilestone((l) => tracker.awaitReady(uid, r.value.metadata.generation ?? 1, l), o.timeoutMs, signals).then((ok) => {
          if (!ok) return;
          zonesReady++;
          notReadyZones.delete(uid);
        }),
      );
    }
    await Promise.all(zoneWaits);
    if (zonesReady < o.zones.length && !aborted(signals)) {
      const said = whyNotReady([...notReadyZones].map((uid) => tracker.get(uid)?.lastCondition ?? null));
      throw new TargetNotReadyError(`setup: ${o.zones.length - zonesReady} of ${o.zones.length} DNSZones were not Ready within ${Math.round(o.timeoutMs / 1000)} s (${said})`, {
        hint: 'is the operator running and does the Bind9Cluster have a Ready primary? A zone that is only slow (bindcar\'s rate limiter pacing its calls) gets longer with --timeout',
      });
    }
    let prefillReady = 0;
    const prefillWaits: Promise<void>[] = [];
    for (let i = 0; i < o.prefill && !aborted(signals); i++) {
      const obj = records.next().value as RecordObject | undefined;
      if (obj === undefined) break;
      o.journal?.append(obj);
      const r = await o.client.create(obj);
      if (!r.ok) throw setupRefused(`create ${obj.kind} ${obj.metadata.name}`, r.error);
      const uid = r.value.metadata.uid ?? '';
      held.set(uid, { uid, kind: obj.kind, name: obj.metadata.name, ttl: obj.spec.ttl });
      prefillWaits.push(
        waitMilestone((l) => tracker.awaitReady(uid, r.value.metadata.generation ?? 1, l), o.timeoutMs, signals).then((ok) => {
          if (ok) {
            prefillReady++;
            free.add(uid);
          }
        }),
      );
    }
    await Promise.all(prefillWaits);
    const setup = { zones: o.zones.length, zonesReady, prefilled: held.size, prefillReady, ms: now() - setupStart };
    if (aborted(signals)) {
      return { ledger: ledger.snapshot(), engine: null, measuredStartMs: now(), settledMs: now(), settled: 'aborted', setup, heldMs: 0, heldObjects: held.size + o.zones.length, tracker: { ...tracker.stats } };
    }

    await o.beforeMeasured?.();
    const t0 = now();
    ledger.start(t0, { fromMs: o.rampUpMs, toMs: o.schedule.durationMs });
    o.pause?.onRelease((span) => ledger.held(span.fromMs, span.toMs));
    // The schedule's own time: a hold stops it.
    const scheduleAt = (t: number): number => (o.pause === undefined ? t - t0 : o.pause.scheduleMs(t0, t));
    const sampler = setInterval(() => {
      const t = now();
      ledger.sample(t, { due: o.schedule.dueBy(scheduleAt(t)), held: held.size });
      const heldFor = o.pause?.reason ?? null;
      o.onEvent?.({ type: 'status', text: statusLine(ledger, scheduleAt(t), o.schedule.durationMs, held.size) + (heldFor === null ? '' : ` | load held: ${heldFor}`) });
      o.onSample?.({ tMs: t - t0, outstanding: ledger.counts().outstanding });
    }, sampleMs);
    sampler.unref();

    /** Sends one write, retrying 429s after their Retry-After (bounded), and files its outcome. */
    const send = async (id: number, call: () => Promise<ApiResult<unknown>>): Promise<ApiResult<unknown>> => {
      let r = await call();
      for (let k = 0; !r.ok && isRetryable(r.error) && k < o.maxRetries && !aborted(signals); k++) {
        ledger.retried(id);
        await sleep(Math.min(30_000, Math.max(100, (r.error.retryAfterSeconds ?? 1) * 1000)), signals);
        r = await call();
      }
      return r;
    };

    /** An operation the API refused: into the ledger, and told to the listener. */
    const refused = (id: number, type: OperationType, key: string, intended: number, r: { error: ApiFailure; sentMs: number; receivedMs: number }): void => {
      ledger.failed(id, r.error, r.sentMs, r.receivedMs);
      o.onOperation?.({ phase: 'refused', type, key, intendedMs: intended, atMs: r.receivedMs, status: r.error.status, byQuota: isQuotaRefusal(r.error) });
    };

    const perform = async (_index: number, intended: number): Promise<void> => {
      const choice = chooseOperation(o.policy, rng, free.size, held.size, lastChurn);
      if (o.policy.kind === 'churn') lastChurn = choice.type;
      if (choice.type === 'create') {
        const obj = records.next().value as RecordObject | undefined;
        if (obj === undefined) throw new Error('the record stream ran out');
        o.journal?.append(obj);
        const id = ledger.begin('create', objectKeyOf(obj.kind, o.namespace, obj.metadata.name), intended, choice.substitutedFor);
        const r = await send(id, () => o.client.create(obj));
        if (!r.ok) return refused(id, 'create', objectKeyOf(obj.kind, o.namespace, obj.metadata.name), intended, r);
        const m = (r.value as KubeObject).metadata;
        const uid = m.uid ?? '';
        held.set(uid, { uid, kind: obj.kind, name: obj.metadata.name, ttl: obj.spec.ttl });
        ledger.accepted(id, r.sentMs, r.receivedMs, uid);
        const key = objectKeyOf(obj.kind, o.namespace, obj.metadata.name);
        o.onOperation?.({ phase: 'accepted', type: 'create', key, uid, intendedMs: intended, acceptedMs: r.receivedMs });
        tracker.awaitReady(uid, m.generation ?? 1, (at, by) => {
          ledger.done(id, at, by);
          o.onOperation?.({ phase: 'done', type: 'create', key, intendedMs: intended, atMs: at });
          if (held.has(uid)) free.add(uid);
        });
        return;
      }
      const uid = free.take(rng);
      const h = uid === undefined ? undefined : held.get(uid);
      if (h === undefined) throw new Error('the working set named an object the run does not hold');
      if (choice.type === 'update') {
        const ttl = nextTtl(h.ttl, o.ttl, rng);
        const patch: KubeObject = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: h.kind, metadata: { name: h.name, namespace: o.namespace }, spec: { ttl } };
        const id = ledger.begin('update', objectKeyOf(h.kind, o.namespace, h.name), intended);
        const r = await send(id, () => o.client.apply(patch, fieldManager));
        if (!r.ok) {
          free.add(h.uid);
          return refused(id, 'update', objectKeyOf(h.kind, o.namespace, h.name), intended, r);
        }
        h.ttl = ttl;
        ledger.accepted(id, r.sentMs, r.receivedMs, h.uid);
        const key = objectKeyOf(h.kind, o.namespace, h.name);
        o.onOperation?.({ phase: 'accepted', type: 'update', key, uid: h.uid, intendedMs: intended, acceptedMs: r.receivedMs, ttl });
        tracker.awaitReady(h.uid, (r.value as KubeObject).metadata.generation ?? 1, (at, by) => {
          ledger.done(id, at, by);
          o.onOperation?.({ phase: 'done', type: 'update', key, intendedMs: intended, atMs: at });
          if (held.has(h.uid)) free.add(h.uid);
        });
        return;
      }
      const id = ledger.begin('delete', objectKeyOf(h.kind, o.namespace, h.name), intended);
      const r = await send(id, () => o.client.delete(h.kind, o.namespace, h.name));
      if (!r.ok) {
        free.add(h.uid);
        return refused(id, 'delete', objectKeyOf(h.kind, o.namespace, h.name), intended, r);
      }
      held.delete(h.uid);
      ledger.accepted(id, r.sentMs, r.receivedMs, h.uid);
      const key = objectKeyOf(h.kind, o.namespace, h.name);
      o.onOperation?.({ phase: 'accepted', type: 'delete', key, uid: h.uid, intendedMs: intended, acceptedMs: r.receivedMs });
      tracker.awaitGone(h.uid, (at, by) => {
        ledger.done(id, at, by);
        o.onOperation?.({ phase: 'done', type: 'delete', key, intendedMs: intended, atMs: at });
      });
    };

    let engine: ArrivalSummary;
    try {
      engine = await runArrivals({
        schedule: o.schedule,
        maxInFlight: o.maxInFlight,
        perform,
        onDropped: (index, intended) => ledger.dropped(index, intended),
        ...(o.pause === undefined ? {} : { pause: o.pause }),
        ...(o.stopStarting === undefined ? {} : { stopStarting: o.stopStarting }),
        ...(o.hardStop === undefined ? {} : { hardStop: o.hardStop }),
        now,
      });
    } finally {
      o.onEvent?.({ type: 'engine-done' });
    }
    // Outstanding writes get the run's timeout to show their effect; an interrupt ends the wait.
    const outcome = await tracker.waitUntil(() => ledger.outstanding() === 0, o.timeoutMs, o.hardStop);
    const settledMs = now();
    clearInterval(sampler);
    ledger.sample(settledMs, { due: o.schedule.dueBy(scheduleAt(settledMs)), held: held.size });
    ledger.finish(settledMs, (uid) => tracker.get(uid)?.lastCondition ?? null);
    return {
      ledger: ledger.snapshot(),
      engine,
      measuredStartMs: t0,
      settledMs,
      settled: outcome === 'met' ? 'all' : outcome,
      setup,
      heldMs: o.pause?.heldMs(settledMs) ?? 0,
      heldObjects: held.size + o.zones.length,
      tracker: { ...tracker.stats },
    };
  } finally {
    offTracker();
    tracker.stop();
  }
}

/**
 * What the objects' last Ready conditions said, most common first (pure): `12 said PrimaryFailed:
 * "…"; 7 had no Ready condition yet`, messages cut to 160 characters.
 */
export function whyNotReady(conditions: readonly (ConditionSnapshot | null)[]): string {
  const counts = new Map<string, number>();
  for (const c of conditions) {
    const key = c === null ? '' : `${c.reason ?? c.status}${c.message === undefined || c.message === '' ? '' : `: "${c.message.length > 160 ? `${c.message.slice(0, 159)}…` : c.message}"`}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => (k === '' ? `${n} had no Ready condition yet` : `${n} said ${k}`))
    .join('; ');
}

/** A setup write the API refused: the target is not ready for this run (exit 3), with what to do. */
function setupRefused(what: string, e: ApiFailure): TargetNotReadyError {
  const hint =
    e.status === 409
      ? 'an object of another run holds the name: remove it with bindy-loadtest cleanup --run-id ID (or --all), or use another --namespace'
      : 'see the API server\'s message; nothing measured was started';
  return new TargetNotReadyError(`setup: ${what}: HTTP ${e.status} ${e.reason}: ${e.message}`, { hint });
}

function aborted(signals: readonly (AbortSignal | undefined)[]): boolean {
  return signals.some((s) => s?.aborted === true);
}

/** Awaits one tracker milestone with a bound; true when it was seen. */
function waitMilestone(register: (l: (at: number, by: ObservedBy) => void) => () => void, timeoutMs: number, signals: readonly (AbortSignal | undefined)[]): Promise<boolean> {
  return new Promise((resolve) => {
    let cancel: () => void = () => undefined;
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cancel();
      for (const s of signals) s?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    for (const s of signals) s?.addEventListener('abort', onAbort, { once: true });
    cancel = register(() => finish(true));
    if (aborted(signals)) finish(false);
  });
}

/** A TTL from the range that differs from the current one (so the spec changes and the generation bumps). */
export function nextTtl(current: number | undefined, range: { min: number; max: number }, rng: Rng): number {
  if (range.max <= range.min) return current === range.min ? range.min + 1 : range.min;
  let t = rng.int(range.min, range.max);
  if (t === current) t = t === range.max ? range.min : t + 1;
  return t;
}

/** The progress line (pure): how far through the schedule, rates, backlog, working set. */
export function statusLine(ledger: OperationLedger, elapsedMs: number, durationMs: number, held: number): string {
  const c = ledger.counts();
  const r = ledger.recentRates();
  const left = Math.max(0, Math.ceil((durationMs - elapsedMs) / 1000));
  return (
    `[${(elapsedMs / 1000).toFixed(0).padStart(4)} s] ops ${c.started} started, ${c.done} done, ${c.failed} failed, ${c.dropped} dropped | ` +
    `offered ${r.offered.toFixed(1)}/s, started ${r.started.toFixed(1)}/s, done ${r.done.toFixed(1)}/s | backlog ${c.outstanding} | working set ${held} | ` +
    (left > 0 ? `${left} s of load left` : 'load done, waiting for the outstanding writes')
  );
}
