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
import { createThrottle, removeThrottle, throttleObjects, type OperatorServiceAccount } from '../faults/flowcontrol/throttle.js';
import type { KubeClient } from '../observe/kube-client.js';
import type { Journal } from '../observe/journal.js';
import type { Target } from '../targets/target.js';
import type { PlannedPressure } from './backpressure-plan.js';

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
export type { OperatorServiceAccount } from '../faults/flowcontrol/throttle.js';
/** The throttle's objects (kept here for backpressure's callers). */
export { throttleObjects } from '../faults/flowcontrol/throttle.js';

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
  const name = p.throttle.name;
  // Each object journalled before it is created: a killed run's cleanup lists and deletes them first.
  await createThrottle(c.client, objects, (o) => c.journal.append(o)).catch((e: unknown) => {
    throw new Error(`${message(e)}${message(e).includes('NOT all removed') ? `: run bindy-loadtest cleanup --run-id ${c.runId}` : ''}`);
  });
  const remove = async (): Promise<{ lifted: boolean; evidence: string }> => {
    const r = await removeThrottle(c.client, name);
    return { lifted: r.lifted, evidence: r.evidence };
  };
  return { appliedAt: new Date().toISOString(), mechanism: 'api-flowcontrol', target: `ServiceAccount ${sa.namespace}/${sa.name}`, lift: remove };
}
