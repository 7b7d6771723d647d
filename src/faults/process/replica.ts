/**
 * @module The split-brain fault on the sandbox (`sandbox-replica`): a second operator process, as a
 * Deployment scaled to two replicas. With leader election it must stand by while the first holds
 * the bindy-leader Lease; without it (a replica that does not take the Lease) both reconcile the
 * same objects at once. The replica is found by a marker in its command line (`--replica <id>`),
 * journalled before it is spawned, so `cleanup` stops it from the descriptor alone after a kill.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { fetchText } from '../../observe/metrics-fetch.js';
import { parsePrometheusText } from '../../observe/prometheus-text.js';
import { freePort } from '../../targets/sandbox/ports.js';
import { commandLineOf, stopPart } from '../../targets/sandbox/supervisor/part-process.js';
import { sandboxPart } from '../../targets/sandbox/supervisor/restart.js';
import { selfCommand } from '../../targets/sandbox/supervisor/self-command.js';
import { partNodeFlags } from '../../targets/sandbox/supervisor/tunables.js';
import { isSandboxProcess } from '../../targets/sandbox/supervisor/orphans.js';
import { describeFault, type AppliedFault, type ApplyOptions, type FaultMechanism, type FaultSpec, type ReplicaRevertDescriptor, type RevertOutcome, type RevertProof } from '../fault.js';

/** How long the replica may take to serve its /metrics (a Node start, then the listener). */
const upWithinMs = 20_000;

/** The replica's start arguments (pure): the operator's own, its metrics on `metricsPort`, the marker, and no Lease when asked. */
export function replicaArgs(operatorArgs: readonly string[], o: { replicaId: string; metricsPort: number; leaderElection: boolean }): string[] {
  const out: string[] = [];
  for (let i = 0; i < operatorArgs.length; i++) {
    const a = operatorArgs[i] ?? '';
    if (a === '--metrics-port' || a === '--replica') {
      i++;
      continue;
    }
    if (a === '--no-leader-election') continue;
    out.push(a);
  }
  return [...out, '--metrics-port', String(o.metricsPort), '--replica', o.replicaId, ...(o.leaderElection ? [] : ['--no-leader-election'])];
}

/** The pids of running operator processes whose command line carries `--replica <id>`. */
export function replicaPids(replicaId: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = commandLineOf(Number(entry));
    if (cmd !== null && isSandboxProcess('operator', cmd) && new RegExp(`\\s--replica ${replicaId}(\\s|$)`).test(cmd)) out.push(Number(entry));
  }
  return out;
}

/** Reconciles a replica counted (`…_reconciliations_total`, every kind and status), or null when its /metrics does not answer. */
async function reconcilesOf(metricsUrl: string): Promise<number | null> {
  try {
    const { samples } = parsePrometheusText(await fetchText(metricsUrl, { timeoutMs: 2000 }));
    return samples.filter((s) => s.name.endsWith('_reconciliations_total')).reduce((n, s) => n + s.value, 0);
  } catch {
    return null;
  }
}

/** Stops every process of the replica (SIGTERM, then SIGKILL) and proves none is left; safe to repeat. */
export async function revertReplica(d: ReplicaRevertDescriptor): Promise<RevertOutcome> {
  try {
    const pids = replicaPids(d.replicaId);
    for (const pid of pids) await stopPart(pid, 5000);
    const left = replicaPids(d.replicaId);
    return { reverted: left.length === 0, already: pids.length === 0, detail: left.length === 0 ? `replica ${d.replicaId} ${pids.length === 0 ? 'was not running' : `stopped (pid ${pids.join(', ')})`}` : `replica ${d.replicaId} still runs (pid ${left.join(', ')})` };
  } catch (e) {
    return { reverted: false, already: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Checks that no process of the replica runs. */
export function verifyReplicaReverted(d: ReplicaRevertDescriptor): Promise<RevertProof> {
  const left = replicaPids(d.replicaId);
  const gone = left.length === 0;
  return Promise.resolve({ reverted: gone, checkedAt: new Date().toISOString(), faultCleared: gone, evidence: gone ? `no process of replica ${d.replicaId} runs` : `replica ${d.replicaId} STILL runs (pid ${left.join(', ')})` });
}

/** Options of {@link ReplicaMechanism}. */
export interface ReplicaMechanismOptions {
  /** The sandbox home (state.json: the operator part's start arguments and secrets). */
  readonly home: string;
}

/** A second operator replica on the sandbox, behind the one fault interface (part `operator`). */
export class ReplicaMechanism implements FaultMechanism {
  readonly name = 'sandbox-replica' as const;

  constructor(private readonly options: ReplicaMechanismOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'replica') return `${spec.kind} is not a replica fault (it starts a second operator: replica)`;
    if (target !== 'operator') return `replica starts a second operator: it acts on the part operator, not on ${target}`;
    if (spec.durationMs !== undefined) return `durationMs is not supported for replica (${describeFault(spec)}): the revert stops it`;
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'replica') throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const { home } = this.options;
    const { part } = await sandboxPart(home, 'operator');
    if (part.args === undefined) throw new UsageError('the sandbox records no start arguments for its operator (started by an older version): restart the sandbox');
    const replicaId = `r${randomBytes(4).toString('hex')}`;
    const metricsPort = await freePort();
    const args = replicaArgs(part.args, { replicaId, metricsPort, leaderElection: spec.leaderElection });
    const descriptor: ReplicaRevertDescriptor = { mechanism: 'sandbox-replica', version: 1, home, replicaId };
    await options.beforeApply?.(descriptor);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, file] of Object.entries(part.secretEnv ?? {})) env[key] = (await readFile(file, 'utf8')).trim();
    const logFile = join(dirname(part.logFile), `operator-${replicaId}.log`);
    const logFd = openSync(logFile, 'a');
    const self = selfCommand();
    // Detached in its own group like every part: it must outlive nothing but its revert (or cleanup).
    const child = spawn(self.command, [...partNodeFlags('operator', args), ...self.args, 'sandbox', 'start', 'operator', ...args], { stdio: ['ignore', 'ignore', logFd], detached: true, env });
    closeSync(logFd);
    child.unref();
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    // Up once it serves /metrics: a standby never announces itself ready (it waits for the Lease), as a pod that is Running but not leading.
    const deadline = Date.now() + upWithinMs;
    while ((await reconcilesOf(metricsUrl)) === null) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await revertReplica(descriptor);
        throw new Error(`the second operator replica did not come up within ${upWithinMs / 1000} s (its log: ${logFile}); stopped`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    let reconciles: number | null = null;
    return {
      id: replicaId,
      target,
      spec,
      appliedAt: new Date().toISOString(),
      descriptor,
      // What it did is read from its own /metrics just before it is stopped.
      revert: async () => {
        reconciles = await reconcilesOf(metricsUrl);
        return revertReplica(descriptor);
      },
      verifyReverted: () => verifyReplicaReverted(descriptor),
      observations: (): Readonly<Record<string, number>> => (reconciles === null ? {} : { replica_reconciles: reconciles }),
    };
  }
}
