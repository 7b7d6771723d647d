/**
 * @module Throttling the operator, and only the operator, through the API server's API Priority and
 * Fairness: a PriorityLevelConfiguration of a few seats that rejects beyond them (429) and a
 * FlowSchema routing the operator's ServiceAccount there, on its own resources and Events, not its
 * Lease. Used by backpressure's api-throttle and, as the `api-flowcontrol` {@link FaultMechanism},
 * by chaos's apiserver-throttle on the sandbox. Lifted by deleting the FlowSchema, then the level,
 * each proven gone (GET 404); the descriptor (sandbox home + names) is all `cleanup` needs.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { runIdLabel } from '../../model/kinds.js';
import { KubeClient, type KubeObject } from '../../observe/kube-client.js';
import { sandboxApiClient } from '../sandbox-api-client.js';
import { deleteProvenGone, provenGone } from '../api-object-gone.js';
import { describeFault, type AppliedFault, type ApplyOptions, type FaultMechanism, type FaultSpec, type FlowControlRevertDescriptor, type RevertOutcome, type RevertProof } from '../fault.js';

/** The two objects of a throttle: their shared name, the level's shares, and the schema's precedence. */
export interface ThrottleSpec {
  /** Name of both objects. */
  name: string;
  /** nominalConcurrencyShares of the priority level. */
  shares: number;
  /** Before the suggested `service-accounts` schema (9000) that would otherwise take the operator's requests. */
  matchingPrecedence: number;
}

/** The FlowSchema's precedence: after the system schemas (≤ 900), before `service-accounts` (9000), `global-default` and `catch-all`. */
export const throttlePrecedence = 1000;

/** The ServiceAccount whose requests a throttle squeezes. */
export interface OperatorServiceAccount {
  namespace: string;
  name: string;
}

/** The PriorityLevelConfiguration and FlowSchema of a throttle (pure): `sa`'s requests on bindy's resources and Events in a level of `shares` nominal shares that rejects beyond its seats. */
export function throttleObjects(t: ThrottleSpec, sa: OperatorServiceAccount, runId: string): [KubeObject, KubeObject] {
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

/** Deletes the throttle `name` (the FlowSchema first: once it is gone no request lands in the level), each proven gone; safe to repeat. */
export async function removeThrottle(client: KubeClient, name: string): Promise<{ lifted: boolean; already: boolean; evidence: string }> {
  const lines: string[] = [];
  let ok = true;
  let already = true;
  for (const kind of ['FlowSchema', 'PriorityLevelConfiguration'] as const) {
    const r = await deleteProvenGone(client, kind, null, name);
    ok &&= r.gone;
    already &&= r.already;
    lines.push(r.evidence);
  }
  return { lifted: ok, already, evidence: lines.join('; ') };
}

/** Creates the throttle's objects, level first; `beforeCreate` runs before each (a journal). On a failure what was made is removed and the error says so. */
export async function createThrottle(client: KubeClient, objects: readonly KubeObject[], beforeCreate: (o: KubeObject) => void = () => undefined): Promise<void> {
  try {
    for (const o of objects) {
      beforeCreate(o);
      const r = await client.create(o);
      if (!r.ok) throw new Error(`create ${o.kind} ${o.metadata.name ?? ''}: HTTP ${r.error.status} ${r.error.reason}: ${r.error.message}`);
    }
  } catch (e) {
    const name = objects[0]?.metadata.name ?? '';
    const undone = await removeThrottle(client, name).catch((re: unknown) => ({ lifted: false, evidence: message(re) }));
    throw new Error(`${message(e)}; ${undone.lifted ? 'what was made is removed' : `NOT all removed (${undone.evidence})`}`);
  }
}

/** The sandbox's admin client, or why there is none (the sandbox is gone, or another one runs there now). */
function sandboxClient(d: FlowControlRevertDescriptor): Promise<KubeClient | string> {
  return sandboxApiClient(d.home, d.server, 'throttle');
}

/** Lifts the throttle a descriptor names; safe to repeat. */
export async function revertFlowControl(d: FlowControlRevertDescriptor): Promise<RevertOutcome> {
  try {
    const client = await sandboxClient(d);
    if (typeof client === 'string') return { reverted: true, already: true, detail: client };
    try {
      const r = await removeThrottle(client, d.name);
      return { reverted: r.lifted, already: r.already, detail: r.evidence };
    } finally {
      client.close();
    }
  } catch (e) {
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that both objects are gone (GET 404): no request of the operator is routed to the squeezed level any more. */
export async function verifyFlowControlReverted(d: FlowControlRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const client = await sandboxClient(d);
    if (typeof client === 'string') return { reverted: true, checkedAt: checkedAt(), faultCleared: true, evidence: client };
    try {
      const lines: string[] = [];
      let gone = true;
      for (const kind of ['FlowSchema', 'PriorityLevelConfiguration'] as const) {
        const r = await provenGone(client, kind, null, d.name);
        gone &&= r.gone;
        lines.push(r.evidence);
      }
      return { reverted: gone, checkedAt: checkedAt(), faultCleared: gone, evidence: lines.join('; ') };
    } finally {
      client.close();
    }
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

/** Options of {@link FlowControlMechanism}. */
export interface FlowControlMechanismOptions {
  /** The sandbox home (state.json: its kubeconfig and API server). */
  readonly home: string;
  /** The sandbox's admin kubeconfig file. */
  readonly kubeconfigPath: string;
  /** Whose requests are squeezed (the operator twin's ServiceAccount); absent: the target does not say, and the fault is refused. */
  readonly operator?: OperatorServiceAccount;
  /** The run's id: the objects' label and name prefix. */
  readonly runId: string;
}

/** The API server answers the operator 429 beyond a few seats (the `apiserver` part), behind the one fault interface. */
export class FlowControlMechanism implements FaultMechanism {
  readonly name = 'api-flowcontrol' as const;

  constructor(private readonly options: FlowControlMechanismOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'throttle') return `${spec.kind} is not a fault of the API server's flow control (it throttles: throttle)`;
    if (target !== 'apiserver') return `throttle acts on the part apiserver, not on ${target}`;
    if (this.options.operator === undefined) return "throttle squeezes the operator's ServiceAccount, and this sandbox does not say which it is (its state.json has no operatorIdentity)";
    // The objects stay until deleted: the revert (or cleanup) ends them.
    if (spec.durationMs !== undefined) return `durationMs is not supported for throttle (${describeFault(spec)}): the revert ends it`;
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    const sa = this.options.operator;
    if (reason !== undefined || spec.kind !== 'throttle' || sa === undefined) throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const client = new KubeClient({ kubeconfigPath: this.options.kubeconfigPath });
    try {
      const name = `${this.options.runId}-throttle-${randomBytes(3).toString('hex')}`;
      const descriptor: FlowControlRevertDescriptor = { mechanism: 'api-flowcontrol', version: 1, home: this.options.home, server: client.kubeConfig.getCurrentCluster()?.server ?? '', name };
      await options.beforeApply?.(descriptor);
      await createThrottle(client, throttleObjects({ name, shares: spec.shares, matchingPrecedence: throttlePrecedence }, sa, this.options.runId));
      return {
        id: name,
        target,
        spec,
        appliedAt: new Date().toISOString(),
        descriptor,
        revert: () => revertFlowControl(descriptor),
        verifyReverted: () => verifyFlowControlReverted(descriptor),
      };
    } finally {
      client.close();
    }
  }
}
