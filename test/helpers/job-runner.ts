/**
 * @module Test support: a Job controller twin for the API server twin. It follows the store's
 * batch/v1 Jobs and, for an Indexed Job, starts one local process per index in place of a pod:
 * this CLI (from source) with the pod template's container args and env, `JOB_COMPLETION_INDEX`,
 * and `KUBECONFIG` naming a kubeconfig for the twin in place of the pod's ServiceAccount. It writes
 * the Job's status as the Job controller does: `active` while pods run, `succeeded` and
 * `completedIndexes` and a `Complete` condition when every index exited 0; with backoffLimit 0 the
 * first failed pod terminates the others (SIGTERM, as the kubelet does) and, once they are gone,
 * the Job gets `Failed` (BackoffLimitExceeded). A deleted Job's processes get SIGTERM (the garbage
 * collector deleting its pods). The image is not run: the source is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ApiServer } from '../../src/targets/sandbox/apiserver/api-server.js';
import type { StoreEvent } from '../../src/targets/sandbox/apiserver/store.js';
import { selfCommand } from '../../src/targets/sandbox/supervisor/self-command.js';

/** A pod the runner started: its Job, its index and how it ended. */
export interface RunPod {
  job: string;
  index: number;
  args: string[];
  /** Exit code (null: killed by a signal), once it ended. */
  exit: number | null | undefined;
  /** What it printed on stderr (the pod's log). */
  log: string;
}

/** A running Job controller twin. */
export interface JobRunner {
  /** Every pod started so far. */
  readonly pods: readonly RunPod[];
  /** Resolves once every pod started so far has ended. */
  settled(): Promise<void>;
  /** Stops following Jobs and kills what still runs. */
  stop(): Promise<void>;
}

interface ContainerSpec {
  args?: string[];
  env?: { name: string; value?: string }[];
}

interface JobSpec {
  completionMode?: string;
  completions?: number;
  template?: { spec?: { containers?: ContainerSpec[] } };
}

/** Starts the runner on `server`; the pods reach the twin with the kubeconfig at `kubeconfig`. */
export function startJobRunner(
  server: ApiServer,
  o: {
    kubeconfig: string;
    env?: NodeJS.ProcessEnv;
    /** A test's fault for one pod (e.g. credentials that do not work). */
    podEnv?: (index: number) => NodeJS.ProcessEnv;
    /** Holds a pod back until this resolves (a pod scheduled late). */
    startAfter?: (index: number) => Promise<void>;
  },
): JobRunner {
  const pods: RunPod[] = [];
  const running = new Map<string, Map<number, ChildProcess>>();
  const exits: Promise<void>[] = [];
  const status = async (ns: string, name: string, body: Record<string, unknown>): Promise<void> => {
    await server.request({ method: 'PATCH', path: `/apis/batch/v1/namespaces/${ns}/jobs/${name}/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: { status: body } });
  };
  const startJob = (ns: string, name: string, spec: JobSpec): void => {
    const key = `${ns}/${name}`;
    if (running.has(key) || spec.completionMode !== 'Indexed') return;
    const container = spec.template?.spec?.containers?.[0] ?? {};
    const count = spec.completions ?? 1;
    const procs = new Map<number, ChildProcess>();
    running.set(key, procs);
    const ended: (number | null)[] = [];
    let failed = false;
    const startTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    void status(ns, name, { active: count, startTime });
    const { command, args } = selfCommand();
    for (let index = 0; index < count; index++) {
      const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env), JOB_COMPLETION_INDEX: String(index), KUBECONFIG: o.kubeconfig };
      for (const e of container.env ?? []) env[e.name] = e.value ?? '';
      Object.assign(env, o.podEnv?.(index) ?? {});
      const pod: RunPod = { job: key, index, args: container.args ?? [], exit: undefined, log: '' };
      pods.push(pod);
      exits.push(
        (o.startAfter?.(index) ?? Promise.resolve()).then(() => new Promise<void>((resolve) => {
          // A pod held back by the test starts only if its Job has not failed meanwhile.
          if (failed) {
            pod.exit = null;
            ended.push(null);
            resolve();
            return;
          }
          const child = spawn(command, [...args, ...pod.args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
          procs.set(index, child);
          child.stderr?.on('data', (c: Buffer) => (pod.log += c.toString()));
          child.once('close', (code) => {
            pod.exit = code;
            procs.delete(index);
            ended.push(code);
            if (code !== 0 && !failed) {
              // backoffLimit 0: the first failed pod fails the Job; the others are terminated.
              failed = true;
              for (const p of procs.values()) p.kill('SIGTERM');
            }
            const done = ended.length === count;
            const succeeded = ended.filter((c) => c === 0).length;
            const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
            const condition = failed
              ? { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTransitionTime: now }
              : { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastTransitionTime: now };
            void status(ns, name, {
              active: count - ended.length,
              succeeded,
              failed: ended.length - succeeded,
              ...(done ? { conditions: [condition], completionTime: failed ? undefined : now } : {}),
            }).then(resolve, resolve);
          });
        })),
      );
    }
  };
  const onEvent = (e: StoreEvent): void => {
    const m = e.object.metadata;
    const key = `${m.namespace ?? ''}/${m.name}`;
    if (e.type === 'DELETED') {
      // The garbage collector deletes the Job's pods (propagationPolicy Background): SIGTERM.
      for (const p of running.get(key)?.values() ?? []) p.kill('SIGTERM');
      return;
    }
    if (e.type === 'ADDED') startJob(m.namespace ?? '', m.name, (e.object as { spec?: JobSpec }).spec ?? {});
  };
  const unsubscribe = server.store.watch('batch/jobs', server.store.rv, onEvent);
  return {
    pods,
    async settled() {
      await Promise.all(exits);
    },
    async stop() {
      unsubscribe();
      for (const procs of running.values()) for (const p of procs.values()) p.kill('SIGKILL');
      await Promise.all(exits);
    },
  };
}
