/**
 * @module The state file of `cluster up`: what it made, written before each step runs, so that
 * `cluster down` (from another process, or after a kill) removes exactly that. Kept like the
 * sandbox's: `state.json` in a per-user home (`$BINDY_LOADTEST_CLUSTER_HOME`, else a temp folder).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { perUserHome } from '../../sandbox/supervisor/state.js';
import { join } from 'node:path';
import { UsageError } from '../../../errors.js';
import type { Provider } from './plan.js';

/** Where one step stands: `running` is written before it starts (a kill leaves it so: `down` undoes it). */
export type StepStatus = 'running' | 'done' | 'failed' | 'skipped';

/** One step as recorded. */
export interface StepState {
  id: string;
  title: string;
  run: string[];
  undo: string[] | null;
  status: StepStatus;
}

/** What `up` made, as `down` reads it. */
export interface ClusterState {
  version: 1;
  startedAt: string;
  provider: Provider;
  name: string;
  context: string;
  bindyVersion: string;
  /** Directory the steps ran in (their relative paths are relative to it). */
  cwd: string;
  /** Environment the steps ran with (KUBECONFIG), so the undos reach the same cluster. */
  env: Record<string, string>;
  /** Files `up` generated (removed by `down`). */
  files: string[];
  /** Steps started or skipped, in order. */
  steps: StepState[];
  /** True once every step ran (the preflight wait may still have failed). */
  complete: boolean;
}

/** The folder holding the state file (`$BINDY_LOADTEST_CLUSTER_HOME`, else a per-user temp folder), as sandboxHome() does. */
export function clusterHome(env: NodeJS.ProcessEnv = process.env): string {
  return perUserHome(env, 'BINDY_LOADTEST_CLUSTER_HOME', 'cluster');
}

/** Path of the state file inside a home. */
export function clusterStateFile(home: string): string {
  return join(home, 'state.json');
}

/** The state in `home`, or undefined when `up` recorded nothing there. */
export async function readClusterState(home: string): Promise<ClusterState | undefined> {
  let text: string;
  try {
    text = await readFile(clusterStateFile(home), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const state = JSON.parse(text) as ClusterState;
    if (state.version !== 1 || !Array.isArray(state.steps)) throw new Error(`version ${String(state.version)}`);
    return state;
  } catch (err) {
    throw new UsageError(`${clusterStateFile(home)}: not a cluster state file this version can read (${(err as Error).message})`, {
      hint: 'remove what it names by hand (kind delete cluster, helm uninstall), then the file',
    });
  }
}

/** Writes the state (creating the home), through a rename so a reader never sees half of it. */
export async function writeClusterState(home: string, state: ClusterState): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const tmp = `${clusterStateFile(home)}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, clusterStateFile(home));
}

/** Removes the state file. */
export async function removeClusterState(home: string): Promise<void> {
  await rm(clusterStateFile(home), { force: true });
}
