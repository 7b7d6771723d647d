/** @module A fault journalled by a run that then died: what a SIGKILLed run leaves for `cleanup`. */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { Journal, readJournals } from '../../src/observe/journal.js';
import type { AppliedFault, FaultMechanism, FaultSpec, RevertDescriptor } from '../../src/faults/fault.js';
import { revertFromDescriptor } from '../../src/faults/revert.js';
import { revertJournalFaults, type FaultCleanupLine } from '../../src/scenarios/cleanup-faults.js';

/**
 * Applies `spec` to `target` through `mechanism`, journalled as fault `exp-0` of run `runId` under
 * `out/journal`, then names a process that has exited as the journal's owner (a dead run); the
 * applied fault and the journal file.
 */
export async function faultOfDeadRun(out: string, runId: string, mechanism: FaultMechanism, target: string, spec: FaultSpec): Promise<{ applied: AppliedFault; journalFile: string }> {
  const deadOwner = spawn(process.execPath, ['-e', '']);
  await new Promise((res) => deadOwner.on('exit', res));
  const j = new Journal(join(out, 'journal'), runId);
  const applied = await mechanism.apply(target, spec, { beforeApply: (d) => j.appendFaultApplying('exp-0', d) });
  j.close();
  const journalFile = join(out, 'journal', `run-${runId}.jsonl`);
  await writeFile(journalFile, (await readFile(journalFile, 'utf8')).replace(`"ownerPid":${process.pid}`, `"ownerPid":${deadOwner.pid ?? 0}`));
  return { applied, journalFile };
}

/** What `cleanup --target cluster` does with the faults of dead runs journalled in `journalDir` (those `skip` leaves out aside): reverted through `kc`, marked so. */
export function revertDeadRunFaults(journalDir: string, kc: KubeConfig, skip?: (d: RevertDescriptor) => boolean): Promise<FaultCleanupLine[]> {
  return revertJournalFaults(readJournals(journalDir), {
    isAlive: () => false,
    ...(skip === undefined ? {} : { skip }),
    revert: (desc) => revertFromDescriptor(desc, { kubeConfig: kc }),
    markReverted: (j, key) => {
      const again = new Journal(journalDir, j.runId);
      again.appendFaultReverted(key);
      again.close();
    },
  });
}
