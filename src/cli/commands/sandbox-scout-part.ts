/** @module `sandbox start scout`: the scout twin (bindy's service discovery) as its own process, against any API server. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../config/index.js';
import { maxSourceClusters } from '../../config/types.js';
import { sourceClusterPartNames } from '../../targets/sandbox/supervisor/state.js';
import { defaultAnnotationPrefix, type SourceKind } from '../../targets/sandbox/scout/mapping.js';
import type { ScoutEvent } from '../../targets/sandbox/scout/scout.js';
import type { CliContext } from '../command-module.js';
import { waitForStopSignal } from '../signals.js';

const help = `
The kubeconfig is the global -k/--kubeconfig (or $KUBECONFIG): the cluster whose Services and
Ingresses scout watches. With --target-kubeconfig, ARecords go to another cluster (scout's remote
mode). Every reconcile is written to stderr as one JSON line.

Examples:
  $ bindy-loadtest sandbox start scout -k sandbox.kubeconfig --cluster-name alpha
      publish annotated LoadBalancer Services and Ingresses of every namespace as ARecords in
      bindy-loadtest (the global -n), as bindy's scout would
  $ bindy-loadtest sandbox start scout -k beta.kubeconfig --target-kubeconfig sandbox.kubeconfig \\
        --cluster-name beta --no-reproduce-unscoped-cleanup
      a second cluster writing into the same namespace, with the stale cleanup scoped by zone
      (bindy PR #497) instead of released scout's unscoped one (bindy #474)
`;

interface ScoutPartOptions {
  clusterName: string;
  targetNamespace?: string;
  targetKubeconfig?: string;
  annotationPrefix: string;
  defaultZone?: string;
  defaultIps?: string;
  excludeNamespaces: string;
  namespaceSelector?: string;
  watchNamespaces?: string;
  kinds: string;
  reproduceUnscopedCleanup: boolean;
  scopedCleanup: string;
  workers: string;
  requeue: string;
  resync: string;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function duration(flag: string, raw: string): number {
  const d = parseDuration(raw);
  if (!d.ok) throw new UsageError(`${flag}: ${d.message}`);
  return d.value;
}

/** One scout event as a log line (errors by their message; no secrets pass through scout). */
export function scoutEventLine(e: ScoutEvent): string {
  return `${JSON.stringify(e, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`;
}

/** Registers `sandbox start scout`. */
export function startScoutPart(start: Command, ctx: CliContext, announce: (ctx: CliContext, line: object) => void): void {
  start
    .command('scout')
    // A source cluster's scout runs the same command under a name of its own (a pid told apart by its command line).
    .aliases(Array.from({ length: maxSourceClusters }, (_, i) => sourceClusterPartNames(i).scout))
    .description('the scout twin: annotated LoadBalancer Services and Ingresses → ARecords, as bindy\'s service discovery does')
    .requiredOption('--cluster-name <name>', 'cluster name stamped on ARecord names and labels (scout: BINDY_SCOUT_CLUSTER_NAME, required)')
    .option('--target-namespace <ns>', 'namespace ARecords are written to and DNSZones read from (default: the global -n)')
    .option('--target-kubeconfig <file>', 'write ARecords to this cluster instead (scout\'s remote mode)')
    .option('--annotation-prefix <prefix>', 'prefix of the scout-enabled, zone, ip, ttl and record-name annotations', defaultAnnotationPrefix)
    .option('--default-zone <zone>', 'zone of sources without a zone annotation')
    .option('--default-ips <ips>', 'comma-separated IPs of sources without an ip annotation (before their load balancer\'s)')
    .option('--exclude-namespaces <list>', 'namespaces never acted in (scout: its own namespace and BINDY_SCOUT_EXCLUDE_NAMESPACES)', 'bindy-system')
    .option('--namespace-selector <selector>', 'only namespaces matching this label selector')
    .option('--watch-namespaces <list>', 'watch only these namespaces (default: all, as scout)')
    .option('--kinds <list>', 'source kinds to watch', 'Service,Ingress')
    .option('--no-reproduce-unscoped-cleanup', 'scope the stale cleanup (see --scoped-cleanup) instead of reproducing bindy #474')
    .option('--scoped-cleanup <how>', 'with --no-reproduce-unscoped-cleanup: zone (bindy PR #497) or own-cluster (never another cluster\'s records)', 'zone')
    .option('--workers <n>', 'parallel reconciles per kind', '4')
    .option('--requeue <d>', 'requeue after a wait or an error (scout: 30s)', '30s')
    .option('--resync <d>', 'reconcile every source again this often (scout: never)', '0')
    .addHelpText('after', help)
    .action(async (o: ScoutPartOptions) => {
      const kubeconfigPath = ctx.globals().kubeconfig ?? ctx.io.env['KUBECONFIG'];
      if (kubeconfigPath === undefined || kubeconfigPath === '') throw new UsageError('--kubeconfig: scout needs a kubeconfig (or $KUBECONFIG)');
      if (o.clusterName.trim() === '') throw new UsageError('--cluster-name: must not be empty');
      const workers = Number(o.workers);
      if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers: expected a positive integer, got '${o.workers}'`);
      if (o.scopedCleanup !== 'zone' && o.scopedCleanup !== 'own-cluster') throw new UsageError(`--scoped-cleanup: expected zone or own-cluster, got '${o.scopedCleanup}'`);
      const kinds = list(o.kinds);
      const unknown = kinds.find((k) => k !== 'Service' && k !== 'Ingress');
      if (unknown !== undefined || kinds.length === 0) throw new UsageError(`--kinds: expected Service and/or Ingress, got '${o.kinds}'`);
      const watchNamespaces = list(o.watchNamespaces);
      // Loaded here: the Kubernetes client stays out of the other parts' processes.
      const { runScout } = await import('../../targets/sandbox/scout/run.js');
      const running = await runScout({
        kubeconfigPath,
        ...(o.targetKubeconfig === undefined ? {} : { targetKubeconfigPath: o.targetKubeconfig }),
        settings: {
          clusterName: o.clusterName.trim(),
          targetNamespace: o.targetNamespace ?? ctx.globals().namespace ?? 'bindy-loadtest',
          annotationPrefix: o.annotationPrefix,
          ...(o.defaultZone === undefined ? {} : { defaultZone: o.defaultZone }),
          defaultIps: list(o.defaultIps),
          excludedNamespaces: list(o.excludeNamespaces),
          reproduceUnscopedCleanup: o.reproduceUnscopedCleanup,
          scopedCleanup: o.scopedCleanup,
        },
        ...(o.namespaceSelector === undefined ? {} : { namespaceSelector: o.namespaceSelector }),
        ...(watchNamespaces.length === 0 ? {} : { watchNamespaces }),
        kinds: kinds as SourceKind[],
        workers,
        requeueMs: duration('--requeue', o.requeue),
        resyncMs: duration('--resync', o.resync),
        onEvent: (e) => ctx.io.stderr(scoutEventLine(e)),
      });
      const s = running.scout.settings;
      announce(ctx, { cluster: s.clusterName, targetNamespace: s.targetNamespace, reproduceUnscopedCleanup: s.reproduceUnscopedCleanup });
      await waitForStopSignal();
      await running.close();
    });
}
