/**
 * @module The last step of `cluster up`: wait until the tool's own preflight (the one every
 * `--target cluster` run passes first) finds nothing missing on the new cluster.
 */
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError } from '../../../errors.js';
import { formatDuration } from '../../../config/values.js';
import { kindInfo, recordKindsOfLine } from '../../../model/kinds.js';
import { gatherClusterFacts } from '../cluster-facts.js';
import { preflightProblems, type PreflightProblem } from '../preflight.js';
import type { ReadyTarget } from './plan.js';
import type { WaitReady } from './runner.js';

/**
 * Plurals a run writes or watches: zones and every record kind every bindy line serves (the
 * preflight checks each is served; a run that uses PTRRecord, 0.8's, checks it in its own preflight).
 */
const runResources = ['DNSZone' as const, ...recordKindsOfLine('0.6')].map((k) => kindInfo[k].plural);

/** One preflight pass: the problems, or why the cluster could not even be asked. */
async function preflightOnce(r: ReadyTarget, env: NodeJS.ProcessEnv): Promise<PreflightProblem[]> {
  const path = r.kubeconfig ?? (env['KUBECONFIG'] ?? '').split(delimiter).find((p) => p !== '') ?? join(homedir(), '.kube', 'config');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    return [{ what: `cannot read the kubeconfig ${path}: ${e instanceof Error ? e.message : String(e)}`, fix: 'kind and k3d write it when they create the cluster; pass --kubeconfig for another file' }];
  }
  if (!kc.getContexts().some((c) => c.name === r.context)) {
    return [{ what: `the kubeconfig ${path} has no context ${r.context}`, fix: 'kind and k3d add it when they create the cluster; check kubectl config get-contexts' }];
  }
  kc.setCurrentContext(r.context);
  const facts = await gatherClusterFacts(kc, { namespace: r.namespace, clusterName: r.clusterName });
  return preflightProblems(facts, { namespace: r.namespace, clusterName: r.clusterName, resources: runResources, createCluster: false, allowExistingNamespace: false });
}

/**
 * The real wait: the preflight every `pollMs` until it passes, or a TargetNotReadyError (exit 3)
 * naming what it still finds missing after `timeoutMs`, with its fix.
 */
export function preflightWait(env: NodeJS.ProcessEnv, pollMs = 5000): WaitReady {
  return async (r, signal) => {
    const deadline = performance.now() + r.timeoutMs;
    let last: PreflightProblem[] = [];
    for (;;) {
      try {
        last = await preflightOnce(r, env);
      } catch (e) {
        last = [{ what: `the preflight could not read the cluster: ${e instanceof Error ? e.message : String(e)}`, fix: `kubectl --context ${r.context} get --raw /readyz` }];
      }
      if (last.length === 0) return;
      if (signal.aborted || performance.now() + pollMs > deadline) break;
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
    const first = last[0];
    throw new TargetNotReadyError(
      `cluster up: the preflight did not pass within ${formatDuration(r.timeoutMs)} (context ${r.context}): ${first?.what ?? 'unknown'}${last.length > 1 ? ` (+${last.length - 1} more)` : ''}`,
      { hint: `${first?.fix ?? ''}; what up made is kept for a look: bindy-loadtest cluster down removes it` },
    );
  };
}
