/** @module Runs the scout twin as its own process: kubeconfigs from files (two in remote mode); scout has no metrics endpoint. */
import { KubeConfig } from '@kubernetes/client-node';
import { createScout, type Scout, type ScoutOptions } from './scout.js';

/** Options of {@link runScout}. */
export interface RunScoutOptions extends Omit<ScoutOptions, 'sourceKubeConfig' | 'targetKubeConfig'> {
  /** The cluster whose Services and Ingresses scout watches. */
  readonly kubeconfigPath: string;
  /** The bindy cluster ARecords go to (scout's remote mode); default the same as `kubeconfigPath`. */
  readonly targetKubeconfigPath?: string;
}

/** A running scout process part. */
export interface RunningScout {
  readonly scout: Scout;
  close(): Promise<void>;
}

function load(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Loads the kubeconfig(s) and starts scout; a failed start leaves nothing running. */
export async function runScout(options: RunScoutOptions): Promise<RunningScout> {
  const { kubeconfigPath, targetKubeconfigPath, ...rest } = options;
  const sourceKubeConfig = load(kubeconfigPath);
  const scout = createScout({
    ...rest,
    sourceKubeConfig,
    ...(targetKubeconfigPath === undefined || targetKubeconfigPath === kubeconfigPath ? {} : { targetKubeConfig: load(targetKubeconfigPath) }),
  });
  try {
    await scout.start();
  } catch (error) {
    await scout.stop();
    throw error;
  }
  return { scout, close: () => scout.stop() };
}
