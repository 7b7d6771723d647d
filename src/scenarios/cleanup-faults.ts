/**
 * @module Cleanup of faults a run left in force (killed mid-experiment): every fault its journal
 * says was applied and never reverted is reverted from its descriptor alone, proven gone, and the
 * journal told so. A fault of a live run is left to that run; one of a sandbox the run started and
 * that is stopped went with it.
 */
import type { DescriptorRevert } from '../faults/revert.js';
import type { RevertDescriptor } from '../faults/fault.js';
import type { JournalFile } from '../observe/journal.js';

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
  }
}

/** Reverts every pending fault of `journals` whose run is dead (oldest journal first, each fault in order). */
export async function revertJournalFaults(journals: readonly JournalFile[], deps: FaultCleanupDeps): Promise<FaultCleanupLine[]> {
  const out: FaultCleanupLine[] = [];
  for (const j of journals) {
    for (const f of j.faults) {
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
