/**
 * @module The too-many-objects fault: an object-count ResourceQuota on the run's namespace, for the
 * kinds the load creates, at their count when it is set (plus a headroom). The API server then
 * refuses every create beyond it, 403 "exceeded quota", as on a cluster whose namespace quota is
 * reached; bindy must keep what exists Ready and served. The same object on the sandbox's API server
 * and on a cluster (no Chaos Mesh needed). The fault counts from the moment the quota controller
 * has written the quota's `status.hard` (admission reads the status, not the spec). Lifted by
 * deleting the quota, proven gone (GET 404); the descriptor is all `cleanup` needs.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { runIdLabel } from '../../model/kinds.js';
import { objectKindOf, quotaKind, resourceOf, type ObjectKind } from '../../model/object-kinds.js';
import { KubeClient, type KubeObject } from '../../observe/kube-client.js';
import { sandboxApiClient } from '../sandbox-api-client.js';
import { deleteProvenGone, provenGone } from '../api-object-gone.js';
import { waitForObject } from '../chaos-mesh/wait.js';
import type { AppliedFault, ApplyOptions, FaultMechanism, FaultSpec, QuotaRevertDescriptor, RevertOutcome, RevertProof } from '../fault.js';
import { describeFault } from '../fault.js';

/** How long the quota controller may take to count a new quota (a real one syncs within seconds). */
const countedWithinMs = 30_000;

/** The quota's resource name for objects of `kind` (`count/<plural>.<group>`, `count/<plural>` in the core group). */
export function countName(kind: ObjectKind): string {
  const r = resourceOf(kind);
  const slash = r.apiVersion.indexOf('/');
  return slash < 0 ? `count/${r.plural}` : `count/${r.plural}.${r.apiVersion.slice(0, slash)}`;
}

/** `spec.hard` of the quota: each kind at its count now plus `headroom`. */
export function quotaHard(counts: readonly { kind: ObjectKind; count: number }[], headroom: number): Record<string, string> {
  return Object.fromEntries(counts.map((c) => [countName(c.kind), String(c.count + headroom)]));
}

/** The ResourceQuota object (pure), labelled with the run id. */
export function quotaObject(name: string, namespace: string, runId: string, hard: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: quotaKind, metadata: { name, namespace, labels: { [runIdLabel]: runId, 'app.kubernetes.io/managed-by': 'bindy-loadtest' } }, spec: { hard } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True once the controller has copied every hard limit into `status.hard` (what admission enforces). */
export function quotaCounted(q: KubeObject, hard: Record<string, string>): boolean {
  const status = isRecord(q.status) ? q.status : {};
  const h = isRecord(status.hard) ? status.hard : {};
  return Object.entries(hard).every(([k, v]) => String(h[k]) === v);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Deletes the quota and proves it gone (GET 404); safe to repeat. */
async function removeQuota(client: KubeClient, d: QuotaRevertDescriptor): Promise<RevertOutcome> {
  const r = await deleteProvenGone(client, quotaKind, d.namespace, d.name);
  return { reverted: r.gone, already: r.already, detail: r.evidence };
}

/** The client a descriptor's revert uses: the sandbox's (home) or the cluster's; a string says why none is needed or possible. */
async function clientFor(d: QuotaRevertDescriptor, kubeConfig: KubeConfig | undefined): Promise<KubeClient | { none: string; done: boolean }> {
  if (d.home !== undefined) {
    const c = await sandboxApiClient(d.home, d.server, 'quota');
    return typeof c === 'string' ? { none: c, done: true } : c;
  }
  if (kubeConfig === undefined) return { none: `reverting it needs the cluster it was made on (${d.server}): run cleanup with --target cluster and its context`, done: false };
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server !== d.server) return { none: `the kubeconfig points at ${server || '(none)'}, not ${d.server} where the quota was made`, done: false };
  return new KubeClient({ kubeConfig });
}

/** Lifts the quota a descriptor names (idempotent). */
export async function revertQuota(d: QuotaRevertDescriptor, kubeConfig?: KubeConfig): Promise<RevertOutcome> {
  try {
    const client = await clientFor(d, kubeConfig);
    if (!(client instanceof KubeClient)) return { reverted: client.done, already: client.done, detail: client.none };
    try {
      return await removeQuota(client, d);
    } finally {
      client.close();
    }
  } catch (e) {
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that the quota is gone (GET 404): no create is counted against it any more. */
export async function verifyQuotaReverted(d: QuotaRevertDescriptor, kubeConfig?: KubeConfig): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const client = await clientFor(d, kubeConfig);
    if (!(client instanceof KubeClient)) return { reverted: client.done, checkedAt: checkedAt(), faultCleared: client.done, evidence: client.none };
    try {
      const r = await provenGone(client, quotaKind, d.namespace, d.name);
      return { reverted: r.gone, checkedAt: checkedAt(), faultCleared: r.gone, evidence: r.evidence };
    } finally {
      client.close();
    }
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

/** Options of {@link QuotaMechanism}. */
export interface QuotaMechanismOptions {
  /** Credentials for the API server (the sandbox's admin kubeconfig, or the cluster's). */
  readonly kubeConfig: KubeConfig;
  /** The run's namespace: where the quota goes and the objects are counted. */
  readonly namespace: string;
  /** The run's id: the quota's label and name prefix. */
  readonly runId: string;
  /** The sandbox home, when the API server is the sandbox's (a cleanup then finds it from there). */
  readonly home?: string;
}

/** An object-count ResourceQuota on the run's namespace, behind the one fault interface (part `apiserver`, both targets). */
export class QuotaMechanism implements FaultMechanism {
  readonly name = 'api-quota' as const;

  constructor(private readonly options: QuotaMechanismOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'quota') return `${spec.kind} is not a fault of the API server's quota admission (it limits object counts: quota)`;
    if (target !== 'apiserver') return `quota acts on the part apiserver, not on ${target}`;
    if (spec.durationMs !== undefined) return `durationMs is not supported for quota (${describeFault(spec)}): the revert ends it`;
    for (const k of spec.kinds) {
      try {
        if (!resourceOf(objectKindOf(k)).namespaced) return `quota counts namespaced kinds only, not ${k}`;
      } catch (e) {
        return message(e);
      }
    }
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'quota') throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const { namespace, runId } = this.options;
    const client = new KubeClient({ kubeConfig: this.options.kubeConfig });
    try {
      // Every object of each kind in the namespace counts, the run's or not: a quota sees them all.
      const counts: { kind: ObjectKind; count: number }[] = [];
      for (const k of spec.kinds) {
        const kind = objectKindOf(k);
        const l = await client.list(kind, namespace, '');
        if (!l.ok) throw new Error(`counting ${kind} in ${namespace}: HTTP ${l.error.status} ${l.error.message}`);
        counts.push({ kind, count: l.value.items.length });
      }
      const hard = quotaHard(counts, spec.headroom);
      const name = `${runId}-quota-${randomBytes(3).toString('hex')}`;
      const descriptor: QuotaRevertDescriptor = {
        mechanism: 'api-quota',
        version: 1,
        server: client.kubeConfig.getCurrentCluster()?.server ?? '',
        ...(this.options.home === undefined ? {} : { home: this.options.home }),
        namespace,
        name,
      };
      await options.beforeApply?.(descriptor);
      const made = await client.create(quotaObject(name, namespace, runId, hard));
      if (!made.ok) throw new Error(`create ResourceQuota ${namespace}/${name}: HTTP ${made.error.status} ${made.error.reason}: ${made.error.message}`);
      // In force only once counted (watched, not polled): until then admission does not enforce it.
      const counted = await waitForObject(client, quotaKind, namespace, name, (q) => (q === null ? { failed: 'it disappeared' } : quotaCounted(q, hard) ? { done: true } : { done: false }), countedWithinMs);
      if (counted.outcome !== 'done') {
        const undone = await removeQuota(client, descriptor);
        throw new Error(`ResourceQuota ${namespace}/${name} was not counted by the quota controller (status.hard never matched spec.hard): ${counted.detail}; ${undone.reverted ? 'removed' : `NOT removed: ${undone.detail}`}`);
      }
      const kubeConfig = this.options.home === undefined ? this.options.kubeConfig : undefined;
      return {
        id: name,
        target,
        spec,
        appliedAt: new Date().toISOString(),
        descriptor,
        revert: () => revertQuota(descriptor, kubeConfig),
        verifyReverted: () => verifyQuotaReverted(descriptor, kubeConfig),
      };
    } finally {
      client.close();
    }
  }
}
