/**
 * @module A shard pod's side of its channel to the coordinator, through the API server: its spec
 * from the spec ConfigMap (its index from `JOB_COMPLETION_INDEX`), the common start and the stop
 * levels from the keys the coordinator patches into it (watched by name, as the pod's Role
 * allows), and its messages patched into its own report ConfigMap.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { KubeClient, KubeObject } from '../observe/kube-client.js';
import { ObjectFollower } from '../observe/object-follower.js';
import { completionIndexEnv, goKey, jobPurposeOf, shardJobNames, specKey, stopKey } from '../scenarios/shard-job-manifest.js';
import { exitPatch, progressPatch, readyPatch, resultPatch, statusPatch } from '../scenarios/shard-job-report.js';
import { parseCoordinatorMessage } from '../scenarios/shard-protocol.js';
import type { ShardMessage, ShardSpec } from '../scenarios/shard-protocol.js';
import type { ShardChannel } from './parent-channel.js';

/**
 * The shard pod's credentials: the kubeconfig `KUBECONFIG` names when it is set (a shard run
 * outside a pod, e.g. by the test suite's Job runner against the API server twin), else the
 * pod's ServiceAccount (its token and CA mounted by Kubernetes, `KUBERNETES_SERVICE_HOST`).
 */
export function shardKubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  const file = env['KUBECONFIG']?.split(':')[0];
  if (file !== undefined && file !== '') {
    try {
      kc.loadFromFile(file);
    } catch (e) {
      throw new UsageError(`burst-shard: KUBECONFIG ${file}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`);
    }
    return kc;
  }
  if (env['KUBERNETES_SERVICE_HOST'] === undefined) throw new TargetNotReadyError('burst-shard: not in a pod (KUBERNETES_SERVICE_HOST is not set) and KUBECONFIG is not set: no credentials for the API server');
  kc.loadFromCluster();
  return kc;
}

/** `namespace/name` of the spec ConfigMap, from `--spec-configmap`. */
export function specConfigMapRef(v: string): { namespace: string; name: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(v);
  if (m === null) throw new UsageError(`--spec-configmap: expected NAMESPACE/NAME, got ${JSON.stringify(v)}`);
  return { namespace: m[1] ?? '', name: m[3] ?? '' };
}

/** The shard's index from `JOB_COMPLETION_INDEX`. */
export function completionIndexOf(env: NodeJS.ProcessEnv): number {
  const raw = env[completionIndexEnv];
  if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`burst-shard --spec-configmap runs in a pod of an Indexed Job: ${completionIndexEnv} is ${raw === undefined ? 'not set' : JSON.stringify(raw)}`);
  return Number(raw);
}

/** The channel of a shard pod to its coordinator, through ConfigMaps. */
export class ConfigMapChannel implements ShardChannel {
  readonly #client: KubeClient;
  readonly #namespace: string;
  readonly #specName: string;
  readonly #index: number;
  readonly #onStop: (level: number) => void;
  #report: string | null = null;
  #spec: KubeObject | null = null;
  #follower: ObjectFollower | null = null;
  #gone = false;
  #level = 0;
  #changed: (() => void) | null = null;
  #lastProgress = '';

  /** `onStop(level)` is called once per level the coordinator asks for (1: stop creating; 2: stop waiting too). */
  constructor(o: { client: KubeClient; namespace: string; specName: string; index: number; onStop: (level: number) => void }) {
    this.#client = o.client;
    this.#namespace = o.namespace;
    this.#specName = o.specName;
    this.#index = o.index;
    this.#onStop = o.onStop;
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = null;
    c?.();
  }

  #onSpec(cm: KubeObject): void {
    this.#spec = cm;
    const level = Number(cm.data?.[stopKey] ?? '0');
    // Each level once, in order: a jump from 0 to 2 is a first and a second Ctrl-C.
    while (this.#level < Math.min(level, 2)) {
      this.#level++;
      this.#onStop(this.#level);
    }
    this.#notify();
  }

  /** Reads the spec and starts watching the spec ConfigMap for `go` and `stop`. */
  async spec(): Promise<ShardSpec> {
    this.#follower = new ObjectFollower({
      client: this.#client,
      kind: 'ConfigMap',
      namespace: this.#namespace,
      select: { name: this.#specName },
      onObject: (cm) => this.#onSpec(cm),
      onDeleted: () => {
        // The coordinator removed its ConfigMaps: it has ended, or it is cleaning up. Stop as if its channel closed.
        this.#gone = true;
        while (this.#level < 1) {
          this.#level++;
          this.#onStop(this.#level);
        }
        this.#notify();
      },
    });
    try {
      await this.#follower.start();
    } catch (e) {
      throw new TargetNotReadyError(`burst-shard: cannot read the spec ConfigMap ${this.#namespace}/${this.#specName}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = this.#spec?.data?.[specKey];
    let stored: unknown;
    try {
      stored = text === undefined ? undefined : JSON.parse(text);
    } catch {
      stored = undefined;
    }
    const m = parseCoordinatorMessage({ type: 'spec', spec: { ...(typeof stored === 'object' && stored !== null ? stored : {}), index: this.#index } });
    if (m?.type !== 'spec') throw new UsageError(`burst-shard: the ConfigMap ${this.#namespace}/${this.#specName} holds no shard spec for index ${this.#index} (${specKey})`);
    this.#report = shardJobNames(m.spec.runId, jobPurposeOf(m.spec)).report(this.#index);
    return m.spec;
  }

  /** Resolves once `go` is set, or when `stop` aborts, or the coordinator is gone (then the shard starts nothing). */
  async go(stop: AbortSignal): Promise<void> {
    const onAbort = (): void => this.#notify();
    stop.addEventListener('abort', onAbort, { once: true });
    try {
      while (this.#spec?.data?.[goKey] !== 'true' && !this.#gone && !stop.aborted) {
        await new Promise<void>((resolve) => (this.#changed = resolve));
      }
    } finally {
      stop.removeEventListener('abort', onAbort);
    }
  }

  async #patch(patch: Record<string, unknown>): Promise<void> {
    if (this.#report === null) throw new UsageError('burst-shard: a message before the spec was read');
    const r = await this.#client.mergePatch('ConfigMap', this.#namespace, this.#report, patch);
    if (!r.ok) throw new TargetNotReadyError(`burst-shard: cannot write the report ConfigMap ${this.#namespace}/${this.#report}: ${r.error.message}`);
  }

  /** Patches the message into the report ConfigMap (a result too large for a ConfigMap throws, naming its size). */
  async send(m: ShardMessage): Promise<void> {
    if (m.type === 'ready') await this.#patch(readyPatch());
    else if (m.type === 'progress') {
      // Written only when it changed (every write is load on the API server under test); a lost one is made good by the next, never failing the shard.
      const text = JSON.stringify(m);
      if (text === this.#lastProgress) return;
      this.#lastProgress = text;
      await this.#patch(progressPatch(m)).catch(() => undefined);
    } else if (m.type === 'status') await this.#patch(statusPatch(m.text)).catch(() => undefined);
    else await this.#patch(resultPatch(m.text));
  }

  /** Says how the shard ended (its exit code and one-line error; `terminated`: on a signal Kubernetes sent): the coordinator's view of its pod's exit. */
  async reportExit(code: number, error: string | null, terminated = false): Promise<void> {
    if (this.#report !== null) await this.#patch(exitPatch(code, error, terminated));
  }

  /** Stops watching. */
  close(): void {
    this.#follower?.stop();
  }
}
