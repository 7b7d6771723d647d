/** @module What a run checks before it starts anything (no sandbox, no object): where it writes and where it pushes. */
import type { ResolvedConfig } from '../config/index.js';
import { formatOrigin } from '../config/index.js';
import { checkPushgateway } from '../report/pushgateway.js';
import { assertWritableDir } from './output-path.js';

/**
 * The results folder can be written (exit 2 when it is a file or unwritable) and the Pushgateway,
 * when one is set, answers (exit 3): both found before any load, not after the run. Returns the
 * absolute results folder.
 */
export async function checkBeforeRun(cwd: string, resolved: ResolvedConfig): Promise<string> {
  const { config, origins } = resolved;
  const origin = origins.get('output');
  const label = origin?.kind === 'file' ? `output (${formatOrigin(origin)})` : '--output';
  const output = await assertWritableDir(cwd, config.output, label);
  if (config.report.pushgateway !== undefined) await checkPushgateway(config.report.pushgateway);
  return output;
}
