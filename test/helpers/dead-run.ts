/** @module A fault journalled by a run that then died: what a SIGKILLed run leaves for `cleanup`. */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Journal } from '../../src/observe/journal.js';
import type { AppliedFault, FaultMechanism, FaultSpec } from '../../src/faults/fault.js';

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
