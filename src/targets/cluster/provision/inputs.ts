/** @module Where `cluster up` finds deploy/loadtest/ and dashboards/, and reading what its plan needs from them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../package-root.js';
import { TargetNotReadyError } from '../../../errors.js';
import { deployFiles } from './facts.js';
import type { PlanInputs } from './plan.js';

/** The tool's own root (a clone, or the installed package). */
export function toolRoot(): string {
  return packageRoot();
}

/** Reads the kind config, bindy's kustomization and the dashboard names under `root`; exit 3 when deploy/loadtest/ is not there. */
export function readPlanInputs(root: string, workDir: string): PlanInputs {
  const kindConfig = join(root, deployFiles.kindConfig);
  const kustomization = join(root, deployFiles.bindyKustomization, 'kustomization.yaml');
  for (const f of [kindConfig, kustomization]) {
    if (!existsSync(f)) throw new TargetNotReadyError(`${f} not found: cluster up installs from deploy/loadtest/ of the tool`, { hint: 'run it from a clone of the bindy-loadtest repository' });
  }
  let dashboards: string[] = [];
  try {
    dashboards = readdirSync(join(root, deployFiles.dashboards)).filter((f) => f.endsWith('.json')).sort();
  } catch {
    // no dashboards/: monitoring without them
  }
  return { kindConfig: readFileSync(kindConfig, 'utf8'), kustomization: readFileSync(kustomization, 'utf8'), dashboards, workDir };
}
