/**
 * @module `bindy-loadtest cluster up|down`: a real cluster for `--target cluster`, made from
 * deploy/loadtest/ (kind or k3d, or an existing cluster), bindy at a pinned release, optionally
 * monitoring and Chaos Mesh; `down` removes exactly what `up` made.
 */
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import type { CliContext, CommandModule } from '../command-module.js';
import { formatDuration } from '../../config/values.js';
import { defaultClusterName, defaultWorkers, kindVersion, loadtestCluster, monitoringRelease, pinnedBindyVersion } from '../../targets/cluster/provision/facts.js';
import { readPlanInputs, toolRoot } from '../../targets/cluster/provision/inputs.js';
import { clusterOptions, clusterPlan, providers, shellLine, undoOrder, type ClusterFlags, type ClusterPlan } from '../../targets/cluster/provision/plan.js';
import { preflightWait } from '../../targets/cluster/provision/ready.js';
import { clusterDown, clusterLogFile, clusterUp, undoTools, type RunnerIo } from '../../targets/cluster/provision/runner.js';
import { clusterHome, clusterStateFile, readClusterState } from '../../targets/cluster/provision/state.js';
import { locateTools } from '../../targets/cluster/provision/tools.js';
import type { ToolName } from '../../targets/cluster/provision/facts.js';

const upHelp = `
What up does, in order (each step printed with its command line; --dry-run prints them all):
  1. creates the cluster: kind create cluster --config deploy/loadtest/kind-config.yaml
     (1 control plane + --workers workers, context kind-NAME), or k3d cluster create NAME
     --agents N (context k3d-NAME); with --provider existing nothing is created (--context)
  2. installs bindy at the release deploy/loadtest/bindy pins (kubectl apply --server-side -k),
     waits for its rollout
  3. with --monitoring: kube-prometheus-stack and the Pushgateway (helm, pinned chart versions,
     deploy/loadtest/prometheus-values.yaml) and the Grafana dashboards of dashboards/
  4. with --chaos: Chaos Mesh (helm, deploy/loadtest/chaos-mesh-values.yaml), bindy-system annotated
  5. the BIND9 cluster the runs load (deploy/loadtest/bind9-cluster.yaml, bind9-exporter.yaml),
     waits until it is Ready
  6. waits until the tool's own preflight passes against the new context
Each step is recorded in the state file (${'$'}BINDY_LOADTEST_CLUSTER_HOME/state.json, else a per-user
temp folder) before it starts. A failed step undoes the steps before it, last first (exit 3 naming
the step); Ctrl-C undoes everything started (exit 130). On an existing cluster, what was there
before up (bindy-system, monitoring, chaos-mesh, bindy-loadtest, a release) is skipped and never
removed. A preflight that does not pass within --timeout keeps what was made, for a look (exit 3).
Needs kind ${kindVersion} (or k3d), kubectl, and helm for --monitoring or --chaos (exit 3 with the
install line when one is missing); kind and k3d need Docker. Global options it reads: --context
(existing), -k/--kubeconfig (given to every program as KUBECONFIG), --dry-run, --json, -v (every
program's output; it is always in cluster.log beside the state file).

Examples:
  $ bindy-loadtest cluster up
      kind cluster bindy-loadtest, bindy, the BIND9 cluster; then:
  $ bindy-loadtest --target cluster --context kind-bindy-loadtest --profile quick burst
  $ bindy-loadtest cluster up --monitoring --chaos --workers 4
  $ bindy-loadtest cluster up --bindy-version v0.6.1 --dry-run
      the steps and their undos, nothing run
  $ bindy-loadtest cluster up --provider existing --context my-cluster
  $ bindy-loadtest cluster down
`;

const downHelp = `
Removes what the last cluster up made, as its state file records it, last first: a kind or k3d
cluster it created is deleted (everything in it goes with it); on an existing cluster each thing
it installed is removed (helm uninstall, kubectl delete) and what was there before up is left
alone. The cluster itself is never deleted unless up created it. An undo that fails keeps the
state with what is left (exit 3): run down again. Nothing recorded: "nothing to remove", exit 0.
Helm never deletes the CRDs a chart installed (kube-prometheus-stack, Chaos Mesh): on an existing
cluster they stay.

Examples:
  $ bindy-loadtest cluster down
  $ bindy-loadtest cluster down --dry-run
`;

/** The plan as text: each step, its command line, and what undoes it. */
export function planText(plan: ClusterPlan, cwd: string): string {
  const o = plan.options;
  const where = o.provider === 'existing' ? `the existing cluster of context ${o.context}` : `a ${o.provider} cluster ${o.name} (context ${o.context}, ${o.workers} workers)`;
  const lines = [
    `cluster up would make ${where}: bindy ${o.bindyVersion}, monitoring ${o.monitoring ? 'on' : 'off'}, chaos ${o.chaos ? 'on' : 'off'}, waits up to ${formatDuration(o.timeoutMs)}`,
    `programs: ${plan.tools.join(', ')}; commands run in ${cwd}${Object.keys(plan.env).length > 0 ? ` with ${Object.entries(plan.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`,
    ...plan.files.map((f) => `writes ${f.path} first`),
  ];
  plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.title}`);
    if (s.present !== undefined) lines.push(`     skipped if there before up: ${shellLine(s.present.argv)}${s.present.when === 'output' ? ' (prints something)' : ''}`);
    lines.push(`     run:  ${shellLine(s.run)}`);
    lines.push(`     undo: ${s.undo === null ? `(${s.noUndo ?? 'nothing to undo'})` : shellLine(s.undo)}`);
  });
  lines.push(`${plan.steps.length + 1}. wait until the preflight passes (context ${plan.ready.context}, Bind9Cluster ${plan.ready.namespace}/${plan.ready.clusterName})`);
  const undos = undoOrder(plan.steps);
  lines.push(`cluster down would run: ${undos.length === 0 ? 'nothing' : undos.map((s) => shellLine(s.undo ?? [])).join(' ; ')}`);
  return `${lines.join('\n')}\n`;
}

/** The current context of the kubeconfig a run would use, when it can be read. */
function currentContext(kubeconfig: string | undefined, env: NodeJS.ProcessEnv): () => string | undefined {
  return () => {
    const path = kubeconfig ?? (env['KUBECONFIG'] ?? '').split(delimiter).find((p) => p !== '') ?? join(homedir(), '.kube', 'config');
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      const c = kc.getCurrentContext();
      return c === '' ? undefined : c;
    } catch {
      return undefined;
    }
  };
}

function runnerIo(ctx: CliContext, home: string, signal?: AbortSignal): RunnerIo {
  const verbose = ctx.globals().verbose > 0;
  return {
    env: ctx.io.env,
    cwd: toolRoot(),
    home,
    progress: (l) => ctx.io.stderr(`${l}\n`),
    ...(verbose ? { output: (l: string) => ctx.io.stderr(`  | ${l}\n`) } : {}),
    ...(signal === undefined ? {} : { signal }),
  };
}

/** The `cluster` command. */
export const clusterCommand: CommandModule = {
  register(program, ctx) {
    const cluster = program.command('cluster').description('make a real cluster for --target cluster (kind, k3d or an existing one) with bindy pinned, or remove it');
    cluster
      .command('up')
      .description('create the cluster (or use --context), install bindy, optionally monitoring and Chaos Mesh, wait for the preflight')
      .option('--provider <name>', `where the cluster comes from: ${providers.join(', ')} (default: kind)`)
      .option('--name <name>', `cluster name for kind or k3d (default: ${defaultClusterName}; context kind-NAME or k3d-NAME)`)
      .option('--workers <n>', `worker nodes for kind or k3d, 1 to 10 (default: ${defaultWorkers})`)
      .option('--bindy-version <tag>', 'bindy release tag to install, vX.Y.Z (default: the one deploy/loadtest/bindy pins)')
      .option('--monitoring', 'also install kube-prometheus-stack, the Pushgateway and the Grafana dashboards')
      .option('--chaos', 'also install Chaos Mesh')
      .option('--timeout <duration>', 'bound of every wait (rollout, helm, Bind9Cluster Ready, preflight) (default: 10m)')
      .addHelpText('after', upHelp)
      .action(async (f: Omit<ClusterFlags, 'context' | 'kubeconfig'>) => {
        const g = ctx.globals();
        if (g.namespace !== undefined && g.namespace !== loadtestCluster.namespace) {
          throw new UsageError(`--namespace: cluster up makes the BIND9 cluster in ${loadtestCluster.namespace} (deploy/loadtest/bind9-cluster.yaml), got '${g.namespace}'`);
        }
        const kubeconfig = g.kubeconfig === undefined ? undefined : resolve(ctx.io.cwd, g.kubeconfig);
        const root = toolRoot();
        const home = clusterHome(ctx.io.env);
        const inputs = readPlanInputs(root, home);
        const options = clusterOptions(
          { ...f, ...(g.context === undefined ? {} : { context: g.context }), ...(kubeconfig === undefined ? {} : { kubeconfig }) },
          pinnedBindyVersion(inputs.kustomization),
          currentContext(kubeconfig, ctx.io.env),
        );
        const plan = clusterPlan(options, inputs);
        if (g.dryRun === true) {
          if (g.json === true) ctx.io.stdout(`${JSON.stringify({ dryRun: true, cwd: root, ...plan }, null, 2)}\n`);
          else ctx.io.stdout(planText(plan, root));
          return;
        }
        locateTools(plan.tools, ctx.io.env['PATH'], `cluster up --provider ${options.provider}${options.monitoring ? ' --monitoring' : ''}${options.chaos ? ' --chaos' : ''}`);
        const stop = new AbortController();
        const onSignal = (): void => {
          if (!stop.signal.aborted) ctx.io.stderr('cluster up: interrupted: stopping the running step and undoing what was made (a second Ctrl-C is ignored until then)\n');
          stop.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const report = await clusterUp(plan, runnerIo(ctx, home, stop.signal), preflightWait(ctx.io.env));
          const lines = [
            `cluster up: ready (preflight passed in ${(report.readyMs / 1000).toFixed(1)} s): context ${options.context}, bindy ${options.bindyVersion}`,
            `  run:     bindy-loadtest --target cluster --context ${options.context} --profile quick burst`,
            ...(options.monitoring ? [`  metrics: kubectl --context ${options.context} -n ${monitoringRelease.namespace} port-forward service/prometheus-pushgateway 9091:9091 (then --pushgateway http://127.0.0.1:9091)`] : []),
            `  remove:  bindy-loadtest cluster down   (state: ${clusterStateFile(home)})`,
          ];
          ctx.io.stderr(`${lines.join('\n')}\n`);
          if (g.json === true) ctx.io.stdout(`${JSON.stringify({ context: options.context, provider: options.provider, name: options.name, bindyVersion: options.bindyVersion, state: clusterStateFile(home), ...report }, null, 2)}\n`);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
    cluster
      .command('down')
      .description('remove what cluster up made (a cluster it created, or what it installed into an existing one)')
      .addHelpText('after', downHelp)
      .action(async () => {
        const g = ctx.globals();
        const home = clusterHome(ctx.io.env);
        const state = await readClusterState(home);
        if (state === undefined) {
          ctx.io.stderr(`cluster down: nothing to remove (no state in ${home})\n`);
          return;
        }
        if (g.dryRun === true) {
          const undos = undoOrder(state.steps.filter((s) => s.status === 'running' || s.status === 'done'));
          ctx.io.stdout(`${undos.map((s) => `${s.title}: ${shellLine(s.undo ?? [])}`).join('\n')}${undos.length > 0 ? '\n' : ''}`);
          return;
        }
        locateTools(undoTools(state) as ToolName[], ctx.io.env['PATH'], `cluster down (state ${clusterStateFile(home)})`);
        const report = await clusterDown(runnerIo(ctx, home));
        if (report === null) {
          ctx.io.stderr(`cluster down: nothing to remove (no state in ${home})\n`);
          return;
        }
        const left = report.leftAlone.length > 0 ? `; left alone (there before up): ${report.leftAlone.join('; ')}` : '';
        ctx.io.stderr(`cluster down: removed what up made (${report.undone.length} undo step(s))${left}; log ${clusterLogFile(home)}\n`);
        if (g.json === true) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      });
  },
};
