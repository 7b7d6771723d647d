/**
 * @module Applying and lifting backpressure's one pressure: a latency fault on the operator→bindcar
 * link through the target's fault mechanism (slow-sidecar), a FlowSchema + PriorityLevelConfiguration
 * that squeeze the operator's ServiceAccount (api-throttle), or the operator's limits lowered
 * (operator-limits: a change to what the run did not create). Each is journalled before it takes
 * effect, so a run killed under pressure leaves `cleanup` what to undo.
 */
import { FaultLedger } from '../faults/fault-ledger.js';
import type { AppliedFault } from '../faults/fault.js';
import type { ChangeDescriptor, RestoreOutcome } from '../faults/limits/change.js';
import { restoreFromDescriptor } from '../faults/limits/restore.js';
import { runIdLabel } from '../model/kinds.js';
import type { KubeClient, KubeObject } from '../observe/kube-client.js';
import type { Journal } from '../observe/journal.js';
import type { Target } from '../targets/target.js';
import type { PlannedPressure, ThrottlePlan } from './backpressure-plan.js';

/** The journal key of the pressure. */
export const pressureKey = 'pressure';

/** A pressure in force. */
export interface AppliedPressure {
  /** Wall-clock time it took effect (ISO). */
  appliedAt: string;
  mechanism: string;
  target: string;
  /** Lifts it and proves it lifted (idempotent). */
  lift(): Promise<{ lifted: boolean; evidence: string }>;
}

/** The ServiceAccount whose requests api-throttle squeezes. */
export interface OperatorServiceAccount {
  namespace: string;
  name: string;
}

/** The PriorityLevelConfiguration and FlowSchema of a throttle (pure): `sa`'s requests on bindy's resources and Events in a level of `shares` nominal shares that rejects beyond its seats. */
export function throttleObjects(t: ThrottlePlan, sa: OperatorServiceAccount, runId: string): [KubeObject, KubeObject] {
  const labels = { [runIdLabel]: runId, 'app.kubernetes.io/managed-by': 'bindy-loadtest' };
  const level: KubeObject = {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'PriorityLevelConfiguration',
    metadata: { name: t.name, labels },
    // No lending, no borrowing: the level has exactly its nominal seats (the twin models no borrowing at all).
    spec: { type: 'Limited', limited: { nominalConcurrencyShares: t.shares, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Reject' } } },
  };
  const schema: KubeObject = {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: t.name, labels },
    spec: {
      priorityLevelConfiguration: { name: t.name },
      matchingPrecedence: t.matchingPrecedence,
      distinguisherMethod: { type: 'ByUser' },
      rules: [
        {
          subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: sa.namespace, name: sa.name } }],
          // Its reconcile traffic (its own resources and the Events it writes), not its Lease: a
          // throttled renewal would end its leadership and its process, which is a crash test.
          resourceRules: [
            { verbs: ['*'], apiGroups: ['bindy.firestoned.io'], resources: ['*'], clusterScope: true, namespaces: ['*'] },
            { verbs: ['*'], apiGroups: ['', 'events.k8s.io'], resources: ['events'], namespaces: ['*'] },
          ],
        },
      ],
    },
  };
  return [level, schema];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What applying needs. */
export interface PressureContext {
  target: Target;
  client: KubeClient;
  journal: Journal;
  runId: string;
  /** api-throttle: whose requests to squeeze. */
  operator?: OperatorServiceAccount;
  /** The slow-sidecar fault lifts itself this long after it was applied if the tool is gone (dead-man switch), ms. */
  deadManMs: number;
}

/** Applies the pressure (journalled first); throws with what was undone when it cannot. */
export async function applyPressure(p: PlannedPressure, c: PressureContext): Promise<AppliedPressure> {
  if (p.mode === 'slow-sidecar') {
    const mechanism = c.target.faults?.mechanismFor('link', p.link);
    if (mechanism === undefined) throw new Error(`the target has no fault mechanism on the link ${p.link} (checked before the run)`);
    const ledger = new FaultLedger({ journal: (descriptor) => c.journal.appendFaultApplying(pressureKey, descriptor) });
    const applied: AppliedFault = await ledger.apply(mechanism, p.link, { ...p.spec, durationMs: c.deadManMs });
    return {
      appliedAt: applied.appliedAt,
      mechanism: mechanism.name,
      target: p.link,
      lift: async () => {
        const r = await ledger.revert(applied);
        if (r.proof.reverted) c.journal.appendFaultReverted(pressureKey);
        return { lifted: r.proof.reverted, evidence: r.proof.evidence };
      },
    };
  }
  if (p.mode === 'operator-limits') {
    const mechanism = c.target.operatorLimits;
    if (mechanism === undefined) throw new Error('the target cannot change the operator\'s limits (checked before the run)');
    let journalled: ChangeDescriptor | null = null;
    // Restored (from the change in hand, or from its descriptor alone) and journalled so.
    const lift = async (restore: () => Promise<RestoreOutcome>): Promise<{ lifted: boolean; evidence: string }> => {
      const r = await restore();
      if (r.restored) c.journal.appendChangeRestored(pressureKey);
      return { lifted: r.restored, evidence: r.evidence };
    };
    try {
      const applied = await mechanism.apply(p.limits, `${c.runId}-limits`, (d) => {
        c.journal.appendChangeApplying(pressureKey, d);
        journalled = d;
      });
      return { appliedAt: applied.appliedAt, mechanism: mechanism.name, target: applied.text, lift: () => lift(() => applied.restore()) };
    } catch (e) {
      const d = journalled as ChangeDescriptor | null;
      if (d === null) throw e;
      const undone = await lift(() => restoreFromDescriptor(d, c.target.kubeConfig)).catch((re: unknown) => ({ lifted: false, evidence: message(re) }));
      throw new Error(`operator-limits: ${message(e)}; ${undone.lifted ? `restored (${undone.evidence})` : `NOT restored (${undone.evidence}): run bindy-loadtest cleanup --run-id ${c.runId}`}`);
    }
  }
  const sa = c.operator;
  if (sa === undefined) throw new Error("the operator's ServiceAccount is not known (checked before the run)");
  const objects = throttleObjects(p.throttle, sa, c.runId);
  const made: KubeObject[] = [];
  const remove = async (): Promise<{ lifted: boolean; evidence: string }> => {
    // The FlowSchema first: once it is gone no request lands in the level.
    const lines: string[] = [];
    let ok = true;
    for (const o of [...made].reverse()) {
      const kind = o.kind === 'FlowSchema' ? 'FlowSchema' : 'PriorityLevelConfiguration';
      const name = o.metadata.name ?? '';
      const d = await c.client.delete(kind, '', name);
      if (!d.ok && d.error.status !== 404) {
        ok = false;
        lines.push(`delete ${kind} ${name}: HTTP ${d.error.status} ${d.error.message}`);
        continue;
      }
      const g = await c.client.get(kind, null, name);
      const gone = g.ok && g.value === null;
      ok &&= gone;
      lines.push(gone ? `${kind} ${name} gone (GET 404)` : `${kind} ${name} still there`);
    }
    if (ok) made.length = 0;
    return { lifted: ok, evidence: lines.join('; ') };
  };
  try {
    for (const o of objects) {
      c.journal.append(o);
      const r = await c.client.create(o);
      if (!r.ok) throw new Error(`create ${o.kind} ${o.metadata.name ?? ''}: HTTP ${r.error.status} ${r.error.reason}: ${r.error.message}`);
      made.push(r.value);
    }
  } catch (e) {
    const undone = await remove().catch((re: unknown) => ({ lifted: false, evidence: message(re) }));
    throw new Error(`${message(e)}; ${undone.lifted ? 'what was made is removed' : `NOT all removed (${undone.evidence}): run bindy-loadtest cleanup --run-id ${c.runId}`}`);
  }
  return { appliedAt: new Date().toISOString(), mechanism: 'api-flowcontrol', target: `ServiceAccount ${sa.namespace}/${sa.name}`, lift: remove };
}
