/**
 * @module Object-count ResourceQuotas, as kube-apiserver's ResourceQuota admission plugin and the
 * quota controller enforce them: a create of a resource that a quota of its namespace counts
 * (`count/<plural>.<group>`, `count/<plural>` for the core group, or the legacy core names such as
 * `configmaps`) is refused 403 when one more would exceed `status.hard`, with the plugin's message.
 * Admission reads `status.hard` (not `spec.hard`): a quota counts once the controller has written
 * its status, which the twin does at once and a real cluster within seconds; a client waits for it.
 * Only object counts are modelled (no compute resources, scopes or scope selectors).
 */
import type { KubeObject } from './store.js';
import type { ResourceDefinition } from './resources.js';

/** Core resources a quota may also count by their bare name (kube's legacy quota names). */
const legacyCoreNames = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims']);

/** The quota resource names that count objects of `def` in a namespace. */
export function countNames(def: ResourceDefinition): string[] {
  if (def.group !== '') return [`count/${def.plural}.${def.group}`];
  return legacyCoreNames.has(def.plural) ? [`count/${def.plural}`, def.plural] : [`count/${def.plural}`];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A quota's resource list (`spec.hard`, `status.hard`, `status.used`) as numbers; a value that is not a whole count is left out. */
export function countsOf(list: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!isRecord(list)) return out;
  for (const [k, v] of Object.entries(list)) {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    if (Number.isInteger(n) && n >= 0) out.set(k, n);
  }
  return out;
}

/** The quota's status as its controller writes it: `hard` copied from the spec, `used` counted for each hard resource. */
export function quotaStatus(quota: KubeObject, used: (name: string) => number): { hard: Record<string, string>; used: Record<string, string> } {
  const spec = isRecord(quota.spec) ? quota.spec : {};
  const hard: Record<string, string> = {};
  const usedOut: Record<string, string> = {};
  for (const [k, v] of Object.entries(isRecord(spec.hard) ? spec.hard : {})) {
    hard[k] = String(v);
    usedOut[k] = String(used(k));
  }
  return { hard, used: usedOut };
}

/** `a=1,b=2` with sorted names, as the admission plugin prints resource lists. */
function pretty(entries: [string, number][]): string {
  return entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * Why one more object of `def` may not be created in its namespace, or null: the first quota (by
 * name) whose `status.hard` counts it and whose `used + 1` would exceed it. `count` gives the
 * objects of `def` in the namespace now. The text is the plugin's error, before the Forbidden prefix.
 */
export function quotaRefusal(quotas: readonly KubeObject[], def: ResourceDefinition, count: () => number): string | null {
  const names = countNames(def);
  const sorted = [...quotas].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  let counted: number | undefined;
  for (const q of sorted) {
    const status = isRecord(q.status) ? q.status : {};
    const hard = countsOf(status.hard);
    const limited = names.filter((n) => hard.has(n));
    if (limited.length === 0) continue;
    const now = (counted ??= count());
    const exceeded = limited.filter((n) => now + 1 > (hard.get(n) ?? 0));
    if (exceeded.length === 0) continue;
    return `exceeded quota: ${q.metadata.name}, requested: ${pretty(exceeded.map((n) => [n, 1]))}, used: ${pretty(exceeded.map((n) => [n, now]))}, limited: ${pretty(exceeded.map((n) => [n, hard.get(n) ?? 0]))}`;
  }
  return null;
}
