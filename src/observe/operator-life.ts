/**
 * @module Whether the operator crashed or was restarted between two looks: on a cluster from its
 * pods (restart counts, and pods that were replaced), elsewhere from `process_start_time_seconds`
 * on its /metrics (a new process has a new start time). Used by backpressure's "no crash" check and chaos's restart invariant.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { processStartMetric } from '../measure/api-amplification.js';
import { fetchExposition } from './metrics-fetch.js';
import { bindyPodDefaults } from './metrics-pod-proxy.js';

/** One look at the operator. */
export interface OperatorLife {
  /** Pod name → restart count (cluster), or `process` → its start time in seconds (a local process). */
  processes: Record<string, number>;
  how: 'pods' | 'start-time';
}

/** Where to look. */
export type OperatorLifeSource = { kind: 'metrics'; url: string } | { kind: 'pods'; kubeConfig: KubeConfig; namespace?: string; labelSelector?: string };

/** Where to look at the operator's life: its /metrics when the target names one (`operatorMetricsUrl`), else its pods. */
function operatorLifeSource(operatorMetricsUrl: string | undefined, kubeConfig: KubeConfig): OperatorLifeSource {
  return operatorMetricsUrl !== undefined ? { kind: 'metrics', url: operatorMetricsUrl } : { kind: 'pods', kubeConfig };
}

/** Looks at one operator when asked; a look that fails is null, its reason kept in `whyNot`. */
export class OperatorLooks {
  readonly #source: OperatorLifeSource;
  readonly #signal: AbortSignal | undefined;
  /** Why the last failed look failed ('' while none has). */
  whyNot = '';

  constructor(operatorMetricsUrl: string | undefined, kubeConfig: KubeConfig, signal?: AbortSignal) {
    this.#source = operatorLifeSource(operatorMetricsUrl, kubeConfig);
    this.#signal = signal;
  }

  /** One look, or null when the operator cannot be seen now. */
  async look(): Promise<OperatorLife | null> {
    try {
      return await lookAtOperator(this.#source, this.#signal);
    } catch (e) {
      this.whyNot = e instanceof Error ? e.message : String(e);
      return null;
    }
  }
}

/** Looks once; throws when the operator cannot be seen (its /metrics does not answer; no pod). */
export async function lookAtOperator(source: OperatorLifeSource, signal?: AbortSignal): Promise<OperatorLife> {
  if (source.kind === 'metrics') {
    const e = await fetchExposition(source.url, { timeoutMs: 5000 }, signal);
    const start = e.samples.find((s) => s.name === processStartMetric && Object.keys(s.labels).length === 0)?.value;
    if (start === undefined) throw new Error(`${source.url} has no ${processStartMetric}`);
    return { processes: { process: start }, how: 'start-time' };
  }
  const api = source.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = source.namespace ?? bindyPodDefaults.namespace;
  const labelSelector = source.labelSelector ?? bindyPodDefaults.labelSelector;
  const list = await api.listNamespacedPod({ namespace, labelSelector });
  const processes: Record<string, number> = {};
  for (const p of list.items) {
    const name = p.metadata?.name;
    if (name === undefined || p.metadata?.deletionTimestamp !== undefined) continue;
    processes[name] = (p.status?.containerStatuses ?? []).reduce((a, c) => a + c.restartCount, 0);
  }
  if (Object.keys(processes).length === 0) throw new Error(`no pod with label ${labelSelector} in ${namespace}`);
  return { processes, how: 'pods' };
}

/**
 * Restarts between two looks (pure): a container restart counts once per restart; a pod or process
 * that is gone and replaced counts once. At least the count, since restarts between the looks that
 * left no trace (a process that restarted twice) count once.
 */
export function restartsBetween(before: OperatorLife, after: OperatorLife): { restarts: number; evidence: string } {
  if (before.how === 'start-time' || after.how === 'start-time') {
    const a = before.processes['process'];
    const b = after.processes['process'];
    const changed = a !== b;
    return { restarts: changed ? 1 : 0, evidence: changed ? `${processStartMetric} changed from ${a} to ${b}: a new operator process` : `${processStartMetric} unchanged (${a}): the same operator process throughout` };
  }
  let restarts = 0;
  const lines: string[] = [];
  for (const [pod, n] of Object.entries(after.processes)) {
    const was = before.processes[pod];
    if (was === undefined) {
      restarts++;
      lines.push(`pod ${pod} is new`);
    } else if (n > was) {
      restarts += n - was;
      lines.push(`pod ${pod} restarted ${n - was}×`);
    }
  }
  const gone = Object.keys(before.processes).filter((p) => after.processes[p] === undefined);
  if (gone.length > 0) lines.push(`gone: ${gone.join(', ')}`);
  return { restarts, evidence: lines.length === 0 ? `the same ${Object.keys(after.processes).length} pod(s), no container restart` : lines.join('; ') };
}
