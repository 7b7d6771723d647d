/** @module `sandbox start operator`: the operator twin as its own process, against any API server. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { bindyKinds } from '../../model/kinds.js';
import { parseDistribution, parsePercentage, parseRate, type Distribution } from '../../config/index.js';
import { formatDuration, formatLeakRate, formatRate, parseDuration, parseInteger, parseLeakRate } from '../../config/values.js';
import { leakCapBytes } from '../../targets/sandbox/operator/memory-leak.js';
import { capacityBurst } from '../../targets/sandbox/operator/token-bucket.js';
import { bindcarBackoff, withRetryBudget } from '../../targets/sandbox/operator/backoff.js';
import { parseKeyFile } from '../../targets/sandbox/bind9/tsig-key.js';
import { isTwinProfile, profileRules, twinProfiles } from '../../targets/sandbox/operator/profile.js';
import type { CliContext } from '../command-module.js';
import { waitForStopSignal } from '../signals.js';

const help = `
The kubeconfig is the global -k/--kubeconfig (or $KUBECONFIG); the sidecar token comes from
$BIND_API_TOKEN, never from the command line.

Examples:
  $ BIND_API_TOKEN=$(cat token) bindy-loadtest sandbox start operator -k kind.kubeconfig \\
        --dns 127.0.0.1:5353 --tsig-key-file update.key --sidecar http://127.0.0.1:8080
      reconcile bindy objects of a kind cluster that has bindy's CRDs but no bindy
  $ bindy-loadtest sandbox start operator … --reconcile-delay 'uniform(200ms,400ms)' --workers 4
  $ bindy-loadtest sandbox start operator … --leak 30Mi/m --capacity 5/s --crash-after 500
      ground truths: RSS grows 30 MiB a minute (stops at 1 GiB), at most 5 reconciles a second,
      exit 101 (as a Rust panic does) when the 500th reconcile is done
  $ bindy-loadtest sandbox start operator … --bindcar-retry-budget 10s
      a failing bindcar call (a zone deleted before it reached BIND9: freeze answers 500) gives
      up after 10 s instead of bindy's 120 s; reported as injected
`;

/** Exit code of the injected crash: what a panicking Rust program (bindy) exits with. */
export const injectedCrashExitCode = 101;

/** A sampler (ms) for a configured delay distribution. */
export function delaySampler(d: Distribution): number | (() => number) {
  if (d.kind === 'fixed') return d.ms;
  const { minMs, maxMs } = d;
  return () => minMs + Math.random() * (maxMs - minMs);
}

function hostPort(raw: string, flag = '--dns'): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(raw);
  const port = Number(m?.[2]);
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${flag}: expected HOST:PORT like 127.0.0.1:5353, got '${raw}'`);
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** One `--secondary HOST:PORT=URL`: a secondary's named and the bindcar beside it. */
export function parseSecondaryArg(raw: string): { dns: { host: string; port: number }; sidecarUrl: string } {
  const eq = raw.indexOf('=');
  const url = eq < 0 ? '' : raw.slice(eq + 1);
  if (eq < 0 || !/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--secondary: expected HOST:PORT=URL (its named, then its bindcar), like 127.0.0.1:5354=http://127.0.0.1:8081, got '${raw}'`);
  return { dns: hostPort(raw.slice(0, eq), '--secondary'), sidecarUrl: url };
}

interface OperatorPartOptions {
  dns: string;
  secondary?: string[];
  tsigKeyFile: string;
  sidecar: string;
  workers: string;
  reconcileDelay?: string;
  reconcileDelayKinds?: string;
  namedProbe?: string;
  republishOnZoneRecreate?: boolean;
  errorRate?: string;
  leak?: string;
  crashAfter?: string;
  capacity?: string;
  bindcarRetryBudget?: string;
  notReadyRequeue?: string;
  bindyVersion: string;
  leaderElection: boolean;
  leaseNamespace: string;
  watchNamespace?: string;
  metricsPort?: string;
  replica?: string;
}

/** Registers `sandbox start operator`. */
export function startOperatorPart(start: Command, ctx: CliContext, announce: (ctx: CliContext, line: object) => void): void {
  start
    .command('operator')
    .description('the bindy-like operator twin: reconciles bindy objects, zones through the sidecar, records by TSIG-signed UPDATE')
    .requiredOption('--dns <host:port>', 'named to send RFC 2136 UPDATEs to')
    .requiredOption('--tsig-key-file <file>', 'BIND key file of the TSIG update key')
    .requiredOption('--sidecar <url>', 'bindcar (or its twin) base URL')
    .option('--secondary <dns=url...>', 'a secondary BIND9 server as HOST:PORT=URL (its named, its bindcar); the nth serves every C-secondary-<n> instance (repeatable)')
    .option('--workers <n>', 'reconcile workers', '4')
    .option('--reconcile-delay <d>', 'added delay per reconcile: 250ms, or uniform(200ms,400ms)')
    .option('--reconcile-delay-kinds <kinds>', 'only these kinds get the delay, e.g. ARecord,AAAARecord (default: every kind)')
    .option('--error-rate <p>', 'share of reconciles that fail on purpose, e.g. 5%')
    .option('--leak <rate>', 'injected memory leak: real memory kept at e.g. 30Mi/m (stops at 1 GiB)')
    .option('--crash-after <n>', `exit ${injectedCrashExitCode} (a crash) when the nth reconcile is done`)
    .option('--capacity <rate>', 'at most this many reconciles start per second, every kind together, e.g. 5/s (burst: one second\'s worth)')
    .option('--bindcar-retry-budget <d>', `no new attempt of a failing bindcar call starts after this long, e.g. 10s (default: bindy's ${formatDuration(bindcarBackoff.maxElapsedMs)})`)
    .option('--not-ready-requeue <d>', "requeue of a reconcile that failed or is not Ready, e.g. 3s (default: bindy's 30s); shortens recoveries in tests")
    .option('--bindy-version <line>', `the bindy release line to behave as: ${twinProfiles.join(' or ')} (0.8: reconciles only on changes of generation, finalizers, labels, annotations or zoneRef, no timed requeues, failures back off 2 s → 60 s, API client limited to 20/s burst 30)`, '0.6')
    .option('--no-leader-election', 'do not take the bindy-leader Lease')
    .option('--lease-namespace <ns>', 'namespace of the bindy-leader Lease', 'kube-system')
    .option('--watch-namespace <ns>', 'reconcile only this namespace (default: all)')
    .option('--metrics-port <port>', '/metrics port on 127.0.0.1 (default: a free one)')
    .option('--replica <id>', 'a second replica of the operator (the split-brain fault): its log lines say so, and cleanup finds it by this id')
    .option('--named-probe <host:port>', 'where the pod-readiness stand-in asks named every 2 s (default: --dns)')
    .option('--republish-on-zone-recreate', 'after a zone is created again on a primary (a named that lost its data), publish its records again (bindy after #486; 0.6.2 does not)')
    .addHelpText('after', help)
    .action(async (o: OperatorPartOptions) => {
      const kubeconfigPath = ctx.globals().kubeconfig ?? ctx.io.env['KUBECONFIG'];
      if (kubeconfigPath === undefined || kubeconfigPath === '') throw new UsageError('--kubeconfig: the operator needs a kubeconfig (or $KUBECONFIG)');
      if (!isTwinProfile(o.bindyVersion)) throw new UsageError(`--bindy-version: expected ${twinProfiles.join(' or ')}, got '${o.bindyVersion}'`);
      const profile = o.bindyVersion;
      const workers = Number(o.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers: expected a positive integer, got '${o.workers}'`);
      const delay = o.reconcileDelay === undefined ? undefined : parseDistribution(o.reconcileDelay);
      if (delay !== undefined && !delay.ok) throw new UsageError(`--reconcile-delay: ${delay.message}`);
      const delayKinds = o.reconcileDelayKinds?.split(',').map((k) => k.trim());
      const unknownKind = delayKinds?.find((k) => !(bindyKinds as readonly string[]).includes(k));
      if (unknownKind !== undefined) throw new UsageError(`--reconcile-delay-kinds: ${JSON.stringify(unknownKind)} is not a bindy kind (known: ${bindyKinds.join(', ')})`);
      const errorRate = o.errorRate === undefined ? undefined : parsePercentage(o.errorRate);
      if (errorRate !== undefined && !errorRate.ok) throw new UsageError(`--error-rate: ${errorRate.message}`);
      const leak = o.leak === undefined ? undefined : parseLeakRate(o.leak);
      if (leak !== undefined && !leak.ok) throw new UsageError(`--leak: ${leak.message}`);
      const crashAfter = o.crashAfter === undefined ? undefined : parseInteger(o.crashAfter, 1);
      if (crashAfter !== undefined && !crashAfter.ok) throw new UsageError(`--crash-after: ${crashAfter.message}`);
      const capacity = o.capacity === undefined ? undefined : parseRate(o.capacity);
      if (capacity !== undefined && !capacity.ok) throw new UsageError(`--capacity: ${capacity.message}`);
      const retryBudget = o.bindcarRetryBudget === undefined ? undefined : parseDuration(o.bindcarRetryBudget);
      if (retryBudget !== undefined && !retryBudget.ok) throw new UsageError(`--bindcar-retry-budget: ${retryBudget.message}`);
      const notReady = o.notReadyRequeue === undefined ? undefined : parseDuration(o.notReadyRequeue);
      if (notReady !== undefined && (!notReady.ok || notReady.value <= 0)) throw new UsageError(`--not-ready-requeue: ${notReady.ok ? 'must be more than 0' : notReady.message}`);
      // bindy's own budget given explicitly is no change: nothing injected, nothing reported.
      const budget = retryBudget?.ok === true && retryBudget.value !== bindcarBackoff.maxElapsedMs ? retryBudget.value : undefined;
      const log = (line: string): void => {
        ctx.io.stderr(`${new Date().toISOString()} operator twin${o.replica === undefined ? '' : ` (replica ${o.replica})`}: ${line}\n`);
      };
      const injected = [
        ...(leak?.ok === true ? [`leak ${formatLeakRate(leak.value)} (stops at ${leakCapBytes / 1048576} MiB)`] : []),
        ...(crashAfter?.ok === true ? [`crash (exit ${injectedCrashExitCode}) after ${crashAfter.value} reconciles`] : []),
        ...(capacity?.ok === true ? [`capacity ${formatRate(capacity.value)} (burst ${capacityBurst(capacity.value)})`] : []),
        ...(budget === undefined ? [] : [`bindcar retry budget ${formatDuration(budget)} (bindy's: ${formatDuration(bindcarBackoff.maxElapsedMs)})`]),
        ...(notReady?.ok === true ? [`not-Ready requeue ${formatDuration(notReady.value)} (bindy's: 30s)`] : []),
      ];
      if (injected.length > 0) log(`injected: ${injected.join('; ')}`);
      const key = parseKeyFile(await readFile(o.tsigKeyFile, 'utf8').catch(() => {
        throw new UsageError(`--tsig-key-file: cannot read ${o.tsigKeyFile}`);
      }), o.tsigKeyFile);
      // Not Promise.withResolvers: Node 20 has none.
      let onLost: () => void = () => undefined;
      const leadershipLost = new Promise<void>((resolve) => (onLost = resolve));
      // Loaded here: the operator twin's code stays out of every other command's process.
      const { runOperator } = await import('../../targets/sandbox/operator/run.js');
      const running = await runOperator({
        kubeconfigPath,
        dns: { ...hostPort(o.dns), tsig: key },
        sidecarUrl: o.sidecar,
        ...(o.secondary === undefined ? {} : { secondaries: o.secondary.map(parseSecondaryArg) }),
        token: ctx.io.env['BIND_API_TOKEN'] ?? '',
        workers,
        ...(delay?.ok === true ? { reconcileDelay: delaySampler(delay.value) } : {}),
        ...(delayKinds === undefined ? {} : { reconcileDelayKinds: delayKinds }),
        ...(errorRate?.ok === true ? { errorRate: errorRate.value } : {}),
        leaderElection: o.leaderElection ? { namespace: o.leaseNamespace } : false,
        onLeadershipLost: () => onLost(),
        ...(o.watchNamespace === undefined ? {} : { namespace: o.watchNamespace }),
        ...(o.metricsPort === undefined ? {} : { metricsPort: Number(o.metricsPort) }),
        ...(o.namedProbe === undefined ? {} : { namedProbe: hostPort(o.namedProbe) }),
        republishOnZoneRecreate: o.republishOnZoneRecreate === true,
        ...(leak?.ok === true ? { leak: { mibPerMinute: leak.value, onCap: (bytes: number) => log(`the injected leak reached its cap, ${bytes / 1048576} MiB: it holds that and grows no more`) } } : {}),
        ...(crashAfter?.ok === true
          ? {
              crashAfter: {
                reconciles: crashAfter.value,
                // The one exit outside main.ts: an injected crash must end the process at once, with
                // no drain, no Lease release and no cleanup, as a panic does.
                crash: (n: number) => {
                  log(`injected crash: ${n} reconciles done (--crash-after ${crashAfter.value}), exiting ${injectedCrashExitCode}`);
                  process.exit(injectedCrashExitCode);
                },
              },
            }
          : {}),
        ...(capacity?.ok === true ? { capacity: capacity.value } : {}),
        ...(budget === undefined ? {} : { backoff: withRetryBudget(bindcarBackoff, budget) }),
        ...(notReady?.ok === true ? { requeue: { notReadyMs: notReady.value } } : {}),
        profile,
      });
      // Once every flag is known good: a bad one is the only line a user sees (exit 2).
      log(`behaving as bindy ${profileRules[profile].release}`);
      announce(ctx, { metricsUrl: running.metricsUrl });
      const why = await Promise.race([waitForStopSignal().then(() => 'stop' as const), leadershipLost.then(() => 'lost' as const)]);
      await running.close();
      // As bindy: losing the Lease ends the process non-zero (Kubernetes then restarts the pod; the sandbox has no kubelet).
      if (why === 'lost') throw new Error('operator twin: lost the leader Lease (someone else holds it, or renewals went unanswered past the renew deadline): stopped reconciling and exiting, as bindy does');
    });
}
