/**
 * @module Shards as the pods of a Kubernetes Indexed Job: every message goes through the API
 * server, so it works the same on any cluster and on the API server twin. The coordinator creates
 * (each journalled before its create, each labelled with the run id) the shard pods' RBAC, a spec
 * ConfigMap, one report ConfigMap per shard and the Job; it releases the shards and passes
 * Ctrl-C on by patching `go` and `stop` into the spec ConfigMap, which the pods watch, and reads
 * each shard's ready, progress, result and exit from its report ConfigMap, which it watches. A
 * Job that fails (a pod that failed, the deadline) ends every shard that has not said how it
 * ended. `close` deletes the Job (its pods with it) and the rest.
 */
import { TargetNotReadyError, UsageError } from '../errors.js';
import type { BindyKind } from '../model/kinds.js';
import { runIdLabel } from '../model/kinds.js';
import type { ShardJobKind } from '../model/object-kinds.js';
import type { ApiFailure, KubeClient, KubeObject } from '../observe/kube-client.js';
import { ObjectFollower } from '../observe/object-follower.js';
import type { CommonShardSpec, ShardExit, ShardLauncher, ShardProcess } from './shard-launcher.js';
import type { ShardMessage } from './shard-protocol.js';
import { componentLabel, goKey, jobPurposeOf, shardJobNames, shardJobObjects, stopKey } from './shard-job-manifest.js';
import { readReport, type ShardReport } from './shard-job-report.js';
import { shardLabel } from './shard-slice.js';

/** Options of {@link jobShardLauncher}. */
export interface JobShardOptions {
  client: KubeClient;
  namespace: string;
  image: string;
  /** Each object is journalled before its create, so `cleanup --run-id` finds it after a kill. */
  journal: { append(obj: KubeObject): void };
  /** The bindy kinds the shards create (their Role names exactly these). */
  kinds: readonly BindyKind[];
  /** The run's own bound, seconds (the Job's activeDeadlineSeconds adds a margin). */
  runBoundSeconds: number;
  /** How long every pod may take to reach the start gate (image pull, scheduling), ms. */
  readyTimeoutMs: number;
  /** A line for the person running it (above the progress line). */
  onLine: (line: string) => void;
}

interface JobShard {
  onMessage: ((m: ShardMessage) => void) | null;
  report: ShardReport;
  exit: ShardExit | null;
  resolve: (e: ShardExit) => void;
  exited: Promise<ShardExit>;
  interrupts: number;
}

/** How long a pod may take to be ready at the start gate (image pull, scheduling), ms. */
export const jobPodReadyTimeoutMs = 300_000;

/** How long `close` waits for the Job to record its end once every pod has said how it ended, ms. */
const jobEndGraceMs = 30_000;

/** Why the API server refused a write of the Job machinery: bad input (422, 400) is exit 2; a refusal (403) or no answer is exit 3. */
function refusal(what: string, e: ApiFailure): Error {
  const text = `${what}: ${e.status === 0 ? e.message : `HTTP ${e.status} ${e.reason}: ${e.message}`}`;
  if (e.status === 400 || e.status === 422) return new UsageError(text);
  const hint = e.status === 403 ? 'the coordinator needs create, delete, list and watch on jobs, configmaps, serviceaccounts, roles and rolebindings in the namespace (docs/cluster.md#sharded-runs-an-indexed-job)' : 'check that the cluster answers (kubectl get --raw /readyz)';
  return new TargetNotReadyError(text, { hint });
}

/** The one-line reason a finished Job gives, or null while it runs. */
function jobEnd(job: KubeObject): string | null {
  const status = (job['status'] ?? {}) as { conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
  const c = (status.conditions ?? []).find((x) => (x.type === 'Failed' || x.type === 'Complete') && x.status === 'True');
  if (c === undefined) return null;
  return `the Job ${c.type === 'Failed' ? 'failed' : 'completed'}${c.reason === undefined ? '' : ` (${c.reason}${c.message === undefined ? '' : `: ${c.message}`})`}`;
}

/** A launcher that runs the shards as an Indexed Job in the run's namespace. */
export function jobShardLauncher(o: JobShardOptions): ShardLauncher {
  const shards = new Map<number, JobShard>();
  const made: { kind: ShardJobKind; name: string }[] = [];
  const followers: ObjectFollower[] = [];
  let names: ReturnType<typeof shardJobNames> | null = null;
  let released = false;
  let stopLevel = 0;
  let closed = false;
  let readyTimer: NodeJS.Timeout | null = null;
  let jobEnded = false;
  // The Job's end was read and every shard it ended was said: terminated pods' exits are said from then on.
  let jobSettled = false;
  let onJobEnded: (() => void) | null = null;

  const shard = (index: number): JobShard => {
    let s = shards.get(index);
    if (s === undefined) {
      let resolve: (e: ShardExit) => void = () => undefined;
      const exited = new Promise<ShardExit>((r) => (resolve = r));
      s = { onMessage: null, report: { ready: false, progress: null, status: null, resultText: null, exit: null, terminated: false }, exit: null, resolve, exited, interrupts: 0 };
      shards.set(index, s);
    }
    return s;
  };
  const end = (s: JobShard, e: ShardExit): void => {
    if (s.exit !== null) return;
    s.exit = e;
    s.resolve(e);
  };
  // Messages from what a report says now that it did not say before: ready, progress, the result, then the exit.
  const onReport = (cm: KubeObject): void => {
    const index = Number(cm.metadata.labels?.[shardLabel]);
    if (!Number.isInteger(index) || index < 0) return;
    const s = shard(index);
    let now: ShardReport;
    try {
      now = readReport(cm);
    } catch (e) {
      end(s, { code: null, signal: null, error: `its report ConfigMap ${cm.metadata.name ?? ''} is unreadable: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    const was = s.report;
    s.report = now;
    const send = s.onMessage ?? (() => undefined);
    if (now.ready && !was.ready) send({ type: 'ready' });
    if (now.progress !== null && JSON.stringify(now.progress) !== JSON.stringify(was.progress)) send({ type: 'progress', ...now.progress });
    if (now.status !== null && now.status !== was.status) send({ type: 'status', text: now.status });
    if (now.resultText !== null && was.resultText === null) send({ type: 'result', text: now.resultText });
    // A pod Kubernetes terminated is a consequence (the Job failed because of another pod): said once the Job's end named the cause.
    if (now.exit !== null && (!now.terminated || jobSettled)) end(s, now.exit);
  };
  // A Job that ended (or went) ends every shard that did not say how it ended: read once more first, a pod's last patch may be in flight.
  const onJobEnd = async (why: string): Promise<void> => {
    if (names === null || jobSettled) return;
    // First the pods that said nothing (the cause: a pod that failed before it could report), then the ones Kubernetes terminated because of them.
    const silent: [number, JobShard][] = [];
    for (const [index, s] of shards) {
      if (s.exit !== null || s.report.exit !== null) continue;
      const r = await o.client.get('ConfigMap', o.namespace, names.report(index));
      if (r.ok && r.value !== null) onReport(r.value);
      if (s.report.exit === null) silent.push([index, s]);
    }
    // Several silent pods: which failed first is in the pods' statuses and logs, not in the reports.
    const which = silent.length > 1 ? `; shards ${silent.map(([i]) => i).join(', ')} said nothing (kubectl -n ${o.namespace} logs -l batch.kubernetes.io/job-name=${names.base} tells which failed first)` : '';
    for (const [, s] of silent) end(s, { code: null, signal: null, error: `its pod ended without saying how: ${why}${which}` });
    jobSettled = true;
    for (const s of shards.values()) if (s.report.exit !== null) end(s, s.report.exit);
  };
  const patchSpec = async (data: Record<string, string>): Promise<void> => {
    if (names === null || closed) return;
    const r = await o.client.mergePatch('ConfigMap', o.namespace, names.spec, { data });
    if (!r.ok) o.onLine(`could not tell the shards ${JSON.stringify(data)}: ${r.error.message}`);
  };

  return {
    async open(common: CommonShardSpec): Promise<void> {
      const purpose = jobPurposeOf(common);
      const n = shardJobNames(common.runId, purpose);
      names = n;
      for (let i = 0; i < common.count; i++) shard(i);
      // In a pod the coordinator's journal folder and working folder mean nothing: the shard writes no journal (its objects carry the run-id label, and this run's journal names the Job's namespace).
      const specText = JSON.stringify({ ...common, journalDir: '', cwd: '/' });
      const objects = shardJobObjects({ runId: common.runId, namespace: o.namespace, count: common.count, image: o.image, specText, kinds: o.kinds, runBoundSeconds: o.runBoundSeconds, toolVersion: common.toolVersion, purpose });
      for (const obj of objects) {
        o.journal.append(obj);
        const r = await o.client.create(obj);
        if (!r.ok) throw refusal(`creating ${obj.kind} ${o.namespace}/${obj.metadata.name ?? ''} for the shard Job`, r.error);
        made.push({ kind: obj.kind as ShardJobKind, name: obj.metadata.name ?? '' });
        // The reports exist (empty) before the Job: followed from then on, so no pod's first patch is missed.
        if (obj.kind === 'ConfigMap' && obj.metadata.name === n.report(common.count - 1)) {
          const reports = new ObjectFollower({
            client: o.client,
            kind: 'ConfigMap',
            namespace: o.namespace,
            select: { labelSelector: `${runIdLabel}=${common.runId},${componentLabel}=shard-report` },
            onObject: onReport,
            onDeleted: (cm) => {
              const s = shards.get(Number(cm.metadata.labels?.[shardLabel]));
              if (s !== undefined) end(s, { code: null, signal: null, error: `its report ConfigMap ${cm.metadata.name ?? ''} was deleted` });
            },
            onError: (m) => o.onLine(`reading the shards' reports: ${m} (trying again)`),
          });
          await reports.start();
          followers.push(reports);
        }
      }
      const job = new ObjectFollower({
        client: o.client,
        kind: 'Job',
        namespace: o.namespace,
        select: { labelSelector: `${runIdLabel}=${common.runId},${componentLabel}=shard-job` },
        onObject: (j) => {
          const why = jobEnd(j);
          if (why === null) return;
          jobEnded = true;
          onJobEnded?.();
          void onJobEnd(why);
        },
        onDeleted: () => void onJobEnd('the Job was deleted'),
        onError: (m) => o.onLine(`reading the shard Job: ${m} (trying again)`),
      });
      await job.start();
      followers.push(job);
      // A pod that never gets going (an image that cannot be pulled, no room on any node) ends its shard, rather than the run waiting for the Job's deadline.
      readyTimer = setTimeout(() => {
        for (const s of shards.values()) if (!s.report.ready) end(s, { code: null, signal: null, error: `its pod did not start within ${Math.round(o.readyTimeoutMs / 1000)} s (kubectl -n ${o.namespace} describe pods -l ${runIdLabel}=${common.runId} says why: an image pull, no room on a node)` });
      }, o.readyTimeoutMs);
      readyTimer.unref();
      o.onLine(`${purpose === 'dnsperf' ? 'in-cluster DNS engine' : 'shards'}: Job ${o.namespace}/${n.base} created (${common.count} pod${common.count === 1 ? '' : 's'} of ${o.image}); waiting for ${common.count === 1 ? 'its pod' : 'every pod'} to be ready`);
    },

    start(index, onMessage): ShardProcess {
      const s = shard(index);
      s.onMessage = onMessage;
      // What its report said before it was started here (a fast pod) is said now, in order.
      const r = s.report;
      if (r.ready) onMessage({ type: 'ready' });
      if (r.progress !== null) onMessage({ type: 'progress', ...r.progress });
      if (r.resultText !== null) onMessage({ type: 'result', text: r.resultText });
      return {
        send(m) {
          // The spec is in the spec ConfigMap already; `go` releases every shard at once, so it is patched once.
          if (m.type !== 'go' || released) return;
          released = true;
          void patchSpec({ [goKey]: 'true' });
        },
        interrupt() {
          s.interrupts++;
          // Every shard is asked at each level; the ConfigMap carries the level once.
          if (s.interrupts > stopLevel && stopLevel < 2) {
            stopLevel = s.interrupts;
            void patchSpec({ [stopKey]: String(stopLevel) });
          }
          // A second Ctrl-C stops waiting for a pod that never reached the gate: close() removes the Job and it with it.
          if (s.interrupts >= 2 && !s.report.ready) end(s, { code: 130, signal: null, error: 'stopped before its pod was ready' });
        },
        exited: s.exited,
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (readyTimer !== null) clearTimeout(readyTimer);
      // Every pod said how it ended and is exiting: let the Job record it (bounded) rather than kill a pod on its way out.
      if (!jobEnded && [...shards.values()].every((s) => s.report.exit !== null)) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, jobEndGraceMs);
          onJobEnded = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      for (const f of followers) f.stop();
      // The Job first (Background: its pods go with it), then the ConfigMaps and the RBAC.
      const order: readonly ShardJobKind[] = ['Job', 'ConfigMap', 'RoleBinding', 'Role', 'ServiceAccount'];
      for (const kind of order) {
        for (const m of made.filter((x) => x.kind === kind)) {
          const r = await o.client.delete(kind, o.namespace, m.name);
          if (!r.ok && r.error.status !== 404) o.onLine(`could not delete ${kind} ${o.namespace}/${m.name}: ${r.error.message} (bindy-loadtest cleanup --run-id removes it)`);
        }
      }
      jobSettled = true;
      for (const s of shards.values()) if (s.report.exit !== null) end(s, s.report.exit);
      // A shard still waiting (the Job never started) ends now: nothing will run it.
      for (const s of shards.values()) end(s, { code: null, signal: null, error: 'the Job was removed before its pod ended' });
    },
  };
}
