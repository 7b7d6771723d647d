/**
 * @module What `sandbox up` sets up inside its fresh API server so scenarios have something to
 * target: the test namespace and a Bind9Cluster with one primary instance (served by the local
 * named) and one secondary per secondary server, waiting — through a watch — until the operator
 * twin reports every instance Ready.
 */
import { KubeConfig, KubernetesObjectApi, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { InterruptedError, TargetNotReadyError } from '../../../errors.js';
import { bindyApiVersion, kindInfo } from '../../../model/kinds.js';
import { managedNamespaceLabel as managedByLabel, managedNamespaceValue as managedByValue } from '../../cluster/namespace.js';

interface Condition {
  type?: string;
  status?: string;
}
interface WithConditions extends KubernetesObject {
  status?: { conditions?: Condition[] };
}

function isReady(o: WithConditions): boolean {
  return (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function createIfAbsent(api: KubernetesObjectApi, obj: KubernetesObject): Promise<void> {
  try {
    await api.create(obj);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

/** Creates the sandbox's namespace in another source cluster's API server (where a run creates that cluster's sources). */
export async function bootstrapSourceCluster(kubeconfigPath: string, namespace: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  await createIfAbsent(KubernetesObjectApi.makeApiClient(kc), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [managedByLabel]: managedByValue } } });
}

/** Options of {@link bootstrapSandbox}. */
export interface BootstrapOptions {
  kubeconfigPath: string;
  namespace: string;
  clusterName: string;
  /** Secondary replicas of the Bind9Cluster (default 0). */
  secondaries?: number;
  /** Bound on the wait for the instances to become Ready, in ms. */
  timeoutMs: number;
  /** Aborting ends the wait with an InterruptedError. */
  signal?: AbortSignal;
}

/** Creates the namespace and Bind9Cluster, then waits until `<cluster>-primary-0` and every `<cluster>-secondary-<i>` is Ready. */
export async function bootstrapSandbox(o: BootstrapOptions): Promise<{ instances: string[] }> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfigPath);
  const api = KubernetesObjectApi.makeApiClient(kc);
  await createIfAbsent(api, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: { [managedByLabel]: managedByValue } } });
  const secondaries = o.secondaries ?? 0;
  const instances = [`${o.clusterName}-primary-0`, ...Array.from({ length: secondaries }, (_, i) => `${o.clusterName}-secondary-${i}`)];
  const pending = new Set(instances);
  const instance = instances.join(', ');
  const path = `/apis/${bindyApiVersion}/namespaces/${o.namespace}/${kindInfo.Bind9Instance.plural}`;
  const watch = new Watch(kc);
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Marked handled now: it may reject (interrupt, timeout) before the `await ready` below is reached.
  ready.catch(() => undefined);
  const timer = setTimeout(
    () => settle?.reject(new TargetNotReadyError(`sandbox: Bind9Instance ${o.namespace}/${[...pending].join(', ')} of ${instance} not Ready within ${o.timeoutMs} ms`, { hint: 'see operator.log in the sandbox directory' })),
    o.timeoutMs,
  );
  const onAbort = (): void => settle?.reject(new InterruptedError('interrupted while the sandbox was starting'));
  if (o.signal?.aborted === true) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  // The watch is established before the create, so the Ready event cannot slip between the two;
  // with no resourceVersion it also replays an instance that exists already.
  const req = await watch.watch(
    path,
    {},
    (_type: string, obj: WithConditions) => {
      if (isReady(obj)) pending.delete(obj.metadata?.name ?? '');
      if (pending.size === 0) settle?.resolve();
    },
    (err: unknown) => {
      if (err !== null && err !== undefined) settle?.reject(new TargetNotReadyError(`sandbox: watching Bind9Instances failed: ${err instanceof Error ? err.message : JSON.stringify(err)}`));
    },
  );
  try {
    await createIfAbsent(api, {
      apiVersion: bindyApiVersion,
      kind: 'Bind9Cluster',
      metadata: { name: o.clusterName, namespace: o.namespace, labels: { [managedByLabel]: managedByValue } },
      spec: { version: '9.18', primary: { replicas: 1 }, secondary: { replicas: secondaries } },
    } as KubernetesObject);
    await ready;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    req.abort();
  }
  return { instances };
}
