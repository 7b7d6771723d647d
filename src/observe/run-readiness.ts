/**
 * @module How far a run's objects are Ready, read from the API (one LIST per kind, by the run-id
 * label): the steady-state check of chaos experiments. With load still running some objects are
 * always on their way; what says a fault's effects are over is that no object written before a
 * moment (the fault's end) is still not Ready ({@link readinessOf}, pure).
 */
import { runIdLabel, type BindyKind } from '../model/kinds.js';
import type { KubeClient, KubeObject } from './kube-client.js';
import { fieldManager } from '../drive/sustained-session.js';

/** What one look at the run's objects found. */
export interface Readiness {
  objects: number;
  /** Ready=True at their current generation. */
  ready: number;
  notReady: number;
  /** Not Ready although last written before the cut-off (the fault's end): what convergence waits for. */
  overdue: number;
  /** The first few overdue objects, `Kind/name (reason)`. */
  overdueNames: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Ready=True with `observedGeneration` at the object's generation (when the status carries one). */
export function isReadyNow(o: KubeObject): boolean {
  const status = isObject(o.status) ? o.status : {};
  const observed = status['observedGeneration'];
  if (typeof observed === 'number' && o.metadata.generation !== undefined && observed < o.metadata.generation) return false;
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  return conditions.some((c) => isObject(c) && c['type'] === 'Ready' && c['status'] === 'True');
}

function readyReason(o: KubeObject): string {
  const status = isObject(o.status) ? o.status : {};
  const conditions: unknown[] = Array.isArray(status['conditions']) ? (status['conditions'] as unknown[]) : [];
  const ready = conditions.find((c) => isObject(c) && c['type'] === 'Ready');
  return isObject(ready) && typeof ready['reason'] === 'string' ? ready['reason'] : 'no Ready condition';
}

/** When the tool last wrote the object (creation, or its latest apply), wall-clock ms; second precision as the API keeps it. */
export function lastWrittenMs(o: KubeObject): number {
  let t = Date.parse(o.metadata.creationTimestamp ?? '');
  for (const m of o.metadata.managedFields ?? []) {
    if (m.manager !== fieldManager || m.time === undefined) continue;
    const at = Date.parse(m.time);
    if (Number.isFinite(at) && (!Number.isFinite(t) || at > t)) t = at;
  }
  return Number.isFinite(t) ? t : 0;
}

/**
 * Counts Ready objects; with `cutoffWallMs`, the ones not Ready although written more than a second
 * before it (API timestamps have whole seconds) are overdue.
 */
export function readinessOf(objects: readonly KubeObject[], cutoffWallMs: number | null): Readiness {
  let ready = 0;
  let overdue = 0;
  const overdueNames: string[] = [];
  for (const o of objects) {
    if (o.metadata.deletionTimestamp !== undefined) continue;
    if (isReadyNow(o)) {
      ready++;
      continue;
    }
    if (cutoffWallMs !== null && lastWrittenMs(o) < cutoffWallMs - 1000) {
      overdue++;
      if (overdueNames.length < 5) overdueNames.push(`${o.kind}/${o.metadata.name ?? ''} (${readyReason(o)})`);
    }
  }
  const live = objects.filter((o) => o.metadata.deletionTimestamp === undefined).length;
  return { objects: live, ready, notReady: live - ready, overdue, overdueNames };
}

/** Every object of the run of `kinds` in `namespace` (one LIST per kind); a failed LIST throws with its reason. */
export async function listRunObjects(client: KubeClient, namespace: string, runId: string, kinds: readonly BindyKind[]): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const kind of kinds) {
    const r = await client.list(kind, namespace, `${runIdLabel}=${runId}`);
    if (!r.ok) throw new Error(`LIST ${kind} in ${namespace}: HTTP ${r.error.status} ${r.error.message}`);
    // A LIST's items carry no kind of their own.
    out.push(...r.value.items.map((i) => ({ ...i, kind })));
  }
  return out;
}
