/** @module The global options every command accepts, as commander parses them (raw, unvalidated). */
import { Option, type Command } from 'commander';
import { profileNames, targetKinds } from '../config/types.js';

/** Raw global option values; validation and precedence happen in src/config/. */
export interface GlobalOptions {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  output?: string;
  verbose: number;
  prometheus?: string;
  operatorMetrics?: string;
  json?: boolean;
  target?: string;
  profile?: string;
  config?: string;
  seed?: string;
  shards?: string;
  shardRunner?: string;
  shardImage?: string;
  dryRun?: boolean;
}

/** Maps each global option's attribute to the flag a user typed, for error messages. */
export const globalFlagNames: Record<Exclude<keyof GlobalOptions, 'verbose'>, string> = {
  namespace: '--namespace',
  kubeconfig: '--kubeconfig',
  context: '--context',
  output: '--output',
  prometheus: '--prometheus',
  operatorMetrics: '--operator-metrics',
  json: '--json',
  target: '--target',
  profile: '--profile',
  config: '--config',
  seed: '--seed',
  shards: '--shards',
  shardRunner: '--shard-runner',
  shardImage: '--shard-image',
  dryRun: '--dry-run',
};

/** Adds the global options to the root program. */
export function addGlobalOptions(program: Command): void {
  program
    .option('-n, --namespace <name>', 'namespace for every object the tool creates (default: bindy-loadtest)')
    .option('-k, --kubeconfig <file>', 'kubeconfig for --target cluster (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-o, --output <dir>', 'directory for results and reports (default: ./results)')
    .option('-v, --verbose', 'more detail on stderr; repeat for more (-vv)', (_v: string, prev: number) => prev + 1, 0)
    .option('--prometheus <url>', 'Prometheus server to query for operator metrics instead of scraping; on a cluster also BIND9 containers\' memory and CPU (cAdvisor)')
    .option('--operator-metrics <url>', 'target cluster: the operator runs outside the cluster (bindy from a laptop, the twin against kind); its /metrics URL, scraped there, and no bindy Deployment is required')
    .option('--json', 'print the JSON result on stdout and nothing else there')
    .addOption(new Option('--target <kind>', 'where to run: a local sandbox twin, or a real cluster').choices([...targetKinds]))
    .addOption(new Option('--profile <name>', 'named profile of settings and criteria').choices([...profileNames]))
    .option('--config <file>', 'YAML configuration file (flags > file > profile > defaults)')
    .option('--seed <n>', 'seed for every generator: same seed, same objects (default: 1)')
    .option('--shards <n>', 'burst only: generate the load from n shards, each with a disjoint slice of the objects and of the rate, merged into one result (default: 1); on a cluster they run as a Kubernetes Indexed Job (needs --shard-image)')
    .addOption(new Option('--shard-runner <where>', 'where the shards run: job = one pod each in an Indexed Job, local = processes here (default: auto = job on --target cluster, local on the sandbox)').choices(['auto', 'local', 'job']))
    .option('--shard-image <image>', 'this tool\'s container image for the shard pods (docker build -t REGISTRY/bindy-loadtest:TAG . from the repo; see docs/cluster.md)')
    .option('--dry-run', 'print the plan and the effective configuration, send nothing');
}
