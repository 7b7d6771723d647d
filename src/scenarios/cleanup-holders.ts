/**
 * @module What holds a cleanup up (pure): each object still there after its deletion was asked
 * for, with its finalizers and last condition, and a hint naming the likely cause.
 */
import type { KubeObject } from '../observe/kube-client.js';

/** An object still there after its deletion was requested, and why it may be. */
export interface Holder {
  /** `Kind/namespace/name`. */
  key: string;
  finalizers: string[];
  /** Seconds since its deletionTimestamp; null when the API server has not marked it deleting. */
  deletingForS: number | null;
  /** Its last Ready condition as `Ready=False Reason: message`, or null when it has none. */
  condition: string | null;
}

/** Whether the operator that removes the finalizers is known to be running. */
export type OperatorState = 'running' | 'not running' | 'unknown';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The holder `obj` is at wall-clock time `nowMs`. */
export function describeHolder(obj: KubeObject, nowMs: number): Holder {
  const m = obj.metadata;
  const key = `${obj.kind}/${m.namespace ?? ''}/${m.name ?? ''}`;
  const deleting = typeof m.deletionTimestamp === 'string' ? Date.parse(m.deletionTimestamp) : NaN;
  const status = isRecord(obj['status']) ? obj['status'] : {};
  const conditions = Array.isArray(status['conditions']) ? status['conditions'].filter(isRecord) : [];
  const ready = conditions.find((c) => c['type'] === 'Ready') ?? conditions.at(-1);
  let condition: string | null = null;
  if (ready !== undefined) {
    const reason = typeof ready['reason'] === 'string' ? ` ${ready['reason']}` : '';
    const message = typeof ready['message'] === 'string' && ready['message'] !== '' ? `: ${ready['message'].slice(0, 160)}` : '';
    condition = `${String(ready['type'])}=${String(ready['status'])}${reason}${message}`;
  }
  return {
    key,
    finalizers: Array.isArray(m.finalizers) ? m.finalizers.filter((f): f is string => typeof f === 'string') : [],
    deletingForS: Number.isNaN(deleting) ? null : Math.max(0, Math.round((nowMs - deleting) / 1000)),
    condition,
  };
}

/** One line per holder: `DNSZone/ns/z (finalizer …; deleting for 12 s; last Ready=False …)`. */
export function formatHolder(h: Holder): string {
  const parts = [
    h.finalizers.length > 0 ? `finalizer ${h.finalizers.join(', ')}` : 'no finalizer',
    ...(h.deletingForS === null ? ['not marked for deletion'] : [`deleting for ${h.deletingForS} s`]),
    ...(h.condition === null ? [] : [`last ${h.condition}`]),
  ];
  return `${h.key} (${parts.join('; ')})`;
}

/** The likely cause of the holders being there, and what to do; names the operator only when it is the cause. */
export function holdersHint(holders: readonly Holder[], operator: OperatorState): string {
  if (holders.length === 0) return 'nothing is left';
  if (holders.some((h) => h.deletingForS === null)) {
    return 'some objects were never marked for deletion (the delete did not reach them): run the same cleanup again';
  }
  const withFinalizers = holders.filter((h) => h.finalizers.length > 0);
  if (withFinalizers.length === 0) return 'the objects carry no finalizer: the API server has not finished deleting them; run the same cleanup again';
  if (operator === 'not running') return 'the operator is not running, so nothing removes their finalizers: start it (or sandbox up), then run the same cleanup again';
  const zones = withFinalizers.filter((h) => h.key.startsWith('DNSZone/'));
  const causes: string[] = [];
  if (zones.length > 0) {
    causes.push(`the operator keeps a DNSZone's finalizer until bindcar has frozen and deleted the zone in BIND9 (paced by bindcar's rate limiter)`);
    // A zone never seen Ready may never have reached BIND9: the 0.6.2 give-up path.
    if (zones.some((z) => z.condition === null || !z.condition.startsWith('Ready=True'))) {
      causes.push(`a zone that never reached BIND9 gets 500 from bindcar 0.7, which bindy 0.6.2 retries for its whole bindcar budget (120 s, then the call in flight; the sandbox's sandbox.operator.bindcarRetryBudget shortens it) before letting go`);
    }
  }
  if (zones.length < withFinalizers.length) causes.push(`the operator removes a record's finalizer once its RRset is deleted from BIND9: a failing DNS update or a busy operator holds it`);
  const running = operator === 'running' ? 'the operator is running; ' : '';
  return `${running}${causes.join('; ')}; see the conditions above and the operator's log, then run the same cleanup again`;
}
