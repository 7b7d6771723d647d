/**
 * @module Cleanup of faults and changes a run left in force (killed mid-experiment): every fault its
 * journal says was applied and never reverted is reverted from its descriptor alone, proven gone,
 * and the journal told so; every change (the operator's limits) is restored the same way. A fault
 * or change of a live run is left to that run; a fault of a sandbox the run started and that is
 * stopped went with it (a change may not have: its control groups outlive the sandbox).
 */
import type { DescriptorRevert } from '../faults/revert.js';
import type { RevertDescriptor } from '../faults/fault.js';
import type { JournalFile } from '../observe/journal.js';
import { changeTargetText, type ChangeDescriptor, type RestoreOutcome } from '../faults/limits/change.js';

/** What cleanup did with one pending fault. */
export interface FaultCleanupLine {
  runId: string;
  key: string;
  /** What the descriptor acts on, e.g. `link operator-bind` or `part operator`. */
  what: string;
  outcome: 'reverted' | 'already gone' | 'failed' | 'owner alive' | 'went with its sandbox';
  detail: string;
}

/** What reverting needs from the outside world (injected, so the logic is tested without processes). */
export interface FaultCleanupDeps {
  isAlive(pid: number): boolean;
  revert(d: RevertDescriptor): Promise<DescriptorRevert>;
  /** Faults left for another pass (a cluster's, until its kubeconfig is at hand): no line, untouched. */
  skip?(d: RevertDescriptor): boolean;
  /** Tells the journal of `runId` that `key` is reverted. */
  markReverted(journal: JournalFile, key: string): void;
}

/** One line naming what a descriptor acts on. */
export function faultTargetText(d: RevertDescriptor): string {
  switch (d.mechanism) {
    case 'sandbox-proxy':
      return `link ${d.link}`;
    case 'sandbox-process':
      return `part ${d.part}`;
    case 'sandbox-sidecar':
      return `bindcar twin ${d.url}`;
    case 'sandbox-cgroup':
      return `part ${d.part} (control groups ${d.groups.join(', ')})`;
    case 'sandbox-rlimit':
      return `part ${d.part} (open-files limit of pid ${d.pid})`;
    case 'sandbox-disk':
      return `part ${d.part} (ballast ${d.ballast})`;
    case 'sandbox-zonefile':
      return `part ${d.part} (torn zone file${d.files.length === 1 ? '' : 's'} of ${d.files.map((f) => f.zone).join(', ')})`;
    case 'api-flowcontrol':
      return `API server ${d.server} (FlowSchema and PriorityLevelConfiguration ${d.name})`;
    case 'sandbox-replica':
      return `part operator (second replica ${d.replicaId})`;
    case 'api-quota':
      return `ResourceQuota ${d.namespace}/${d.name} on ${d.server}`;
    case 'chaos-mesh':
      return `${d.kind} ${d.namespace}/${d.name}`;
    case 'cluster-native':
      return `pods ${d.labelSelector} in ${d.namespace}`;
    case 'deployment-replica':
      return `Deployment ${d.namespace}/${d.name} on ${d.server} (replicas ${d.replicas.original} → ${d.replicas.applied}${d.leaderElection === null ? '' : ', leader election off'})`;
    case 'deployment-limits':
      return `Deployment ${d.namespace}/${d.name} on ${d.server} (container ${d.container}'s resources ${JSON.stringify(d.original)} → ${JSON.stringify(d.applied)})`;
    case 'pod-zonefile':
      return `pod ${d.namespace}/${d.pod} on ${d.server} (torn zone file${d.zones.length === 1 ? '' : 's'} of ${d.zones.join(', ')})`;
  }
}

/** Reverts every pending fault of `journals` whose run is dead (oldest journal first, each fault in order). */
export async function revertJournalFaults(journals: readonly JournalFile[], deps: FaultCleanupDeps): Promise<FaultCleanupLine[]> {
  const out: FaultCleanupLine[] = [];
  for (const j of journals) {
    for (const f of j.faults) {
      if (deps.skip?.(f.descriptor) === true) continue;
      const base = { runId: j.runId, key: f.key, what: faultTargetText(f.descriptor) };
      if (deps.isAlive(f.ownerPid)) {
        out.push({ ...base, outcome: 'owner alive', detail: `run ${j.runId} (pid ${f.ownerPid}) is still running and reverts its own faults` });
        continue;
      }
      if (j.sandbox?.stopped === true) {
        out.push({ ...base, outcome: 'went with its sandbox', detail: 'the sandbox the run started is stopped, and every fault with it' });
        continue;
      }
      try {
        const r = await deps.revert(f.descriptor);
        const ok = r.outcome.reverted && r.proof.reverted;
        out.push({ ...base, outcome: ok ? (r.outcome.already ? 'already gone' : 'reverted') : 'failed', detail: ok ? r.proof.evidence : `${r.outcome.detail}; ${r.proof.evidence}` });
        if (ok) deps.markReverted(j, f.key);
      } catch (e) {
        out.push({ ...base, outcome: 'failed', detail: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return out;
}

/** What restoring needs from the outside world (injected, so the logic is tested without processes). */
export interface ChangeCleanupDeps {
  isAlive(pid: number): boolean;
  /** Restores `d`, or says it cannot here (null: e.g. a cluster change while cleanup has no cluster). */
  restore(d: ChangeDescriptor): Promise<RestoreOutcome | null>;
  /** Tells the journal of `runId` that `key` is restored. */
  markRestored(journal: JournalFile, key: string): void;
}

/** What cleanup did with one pending change. */
export interface ChangeCleanupLine {
  runId: string;
  key: string;
  what: string;
  outcome: 'restored' | 'already restored' | 'failed' | 'owner alive' | 'not here';
  detail: string;
}

/** Restores every pending change of `journals` whose run is dead (oldest journal first, each in order). */
export async function restoreJournalChanges(journals: readonly JournalFile[], deps: ChangeCleanupDeps): Promise<ChangeCleanupLine[]> {
  const out: ChangeCleanupLine[] = [];
  for (const j of journals) {
    for (const c of j.changes) {
      const base = { runId: j.runId, key: c.key, what: changeTargetText(c.descriptor) };
      if (deps.isAlive(c.ownerPid)) {
        out.push({ ...base, outcome: 'owner alive', detail: `run ${j.runId} (pid ${c.ownerPid}) is still running and restores its own changes` });
        continue;
      }
      try {
        const r = await deps.restore(c.descriptor);
        if (r === null) {
          out.push({ ...base, outcome: 'not here', detail: 'restoring it needs the cluster it was made on: run cleanup with --target cluster and its context' });
          continue;
        }
        out.push({ ...base, outcome: r.restored ? (r.already ? 'already restored' : 'restored') : 'failed', detail: r.evidence });
        if (r.restored) deps.markRestored(j, c.key);
      } catch (e) {
        out.push({ ...base, outcome: 'failed', detail: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return out;
}
