/** @module `bindy-loadtest discovery`: Services and Ingresses annotated for scout → ARecords → Ready → DNS, and back. */
import type { Command } from 'commander';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--services', key: 'scenarios.discovery.services' },
  { flag: '--ingresses', key: 'scenarios.discovery.ingresses' },
  { flag: '--ingress-rules', key: 'scenarios.discovery.ingressRules' },
  { flag: '--clusters', key: 'scenarios.discovery.clusters' },
  { flag: '--flips', key: 'scenarios.discovery.flips' },
  { flag: '--zones', key: 'scenarios.discovery.zones' },
  { flag: '--concurrency', key: 'scenarios.discovery.concurrency' },
  { flag: '--timeout', key: 'scenarios.discovery.timeout' },
  { flag: '--scout-cluster', key: 'scenarios.discovery.scoutCluster' },
  { flag: '--annotation-prefix', key: 'scenarios.discovery.annotationPrefix' },
  ...runConfigFlags,
];

const help = `
What it does:
  1. makes sure the namespace and the Bind9Cluster exist; creates --zones DNSZones named after
     the run that select records by zone label alone (scout's ARecords carry no run id), waits
     until they are Ready (setup, not measured); with no sandbox running it starts one with the
     scout twin (bindy's service discovery) under --scout-cluster
  2. publish: creates --services LoadBalancer Services and --ingresses Ingresses (--ingress-rules
     hosts each) annotated the way scout reads them (<prefix>scout-enabled, zone, ip; labelled
     with the run id), --concurrency in flight; scout writes one ARecord per Service
     (scout-<cluster>-<namespace>-<service>) and one per Ingress rule (…-<ingress>-<rule index>);
     for each ARecord, from its source's intended start: seen, Ready, and every DNS server
     answering the source's address for its name
     flips: the first --flips sources get a new address (their ip annotation, server-side
     applied) once answered; each ARecord timed to Ready at the new generation and to DNS
     answering the new address
  3. remove: deletes every source; for each ARecord: gone (scout's finalizer path) and its name
     answered NXDOMAIN; ARecords left behind are orphans, counted and named, never deleted by
     this tool (it only deletes what it labelled)
  4. deletes everything labelled with the run id (unless --keep)
  Writes <output>/<run-id>/result.json, summary.md and report.html (--format).
  Ctrl-C: stops creating, cleans up (scout unpublishes as the Services go), exits 130.
  On a cluster, bindy's scout must run with its target namespace set to the run's namespace
  (-n), where the zones are; the Services are created there too.

Examples:
  $ bindy-loadtest discovery --services 500 --zones 5 --flips 100
  $ bindy-loadtest discovery --services 0 --ingresses 100 --ingress-rules 4   # 400 ARecords from Ingresses
  $ bindy-loadtest discovery --services 20 --ingresses 20 --clusters 2
      the same sources in a second cluster (sandbox: its own API server and scout twin); ARecords
      one cluster's scout deletes while their source lives are lost (bindy #474)
  $ bindy-loadtest discovery --services 100 --annotation-prefix example.com/   # another controller's keys
  $ bindy-loadtest --target cluster -n apps discovery --scout-cluster prod-eu --services 200

Exit codes: 0 every ARecord published, Ready, answered and unpublished, none lost, no orphan; 1 otherwise;
            2 bad flags; 3 target not ready; 130 interrupted.
`;

/** The `discovery` command. */
export const discoveryCommand: CommandModule = {
  register(program, ctx) {
    const cmd = program
      .command('discovery')
      .description("service discovery: annotated Services and Ingresses → scout's ARecords → Ready → DNS, and back to NXDOMAIN; orphans counted")
      .option('--services <n>', 'annotated LoadBalancer Services created (scenarios.discovery.services)')
      .option('--ingresses <n>', 'annotated Ingresses created beside them (scenarios.discovery.ingresses)')
      .option('--ingress-rules <n>', 'rules of each Ingress, one host and one ARecord each (scenarios.discovery.ingressRules)')
      .option('--clusters <n>', "clusters publishing the same sources into the zones (scenarios.discovery.clusters; 2+: other clusters' scouts too, bindy #474)")
      .option('--flips <n>', 'of the sources, those moved to a new address once answered (scenarios.discovery.flips)')
      .option('--zones <n>', 'DNSZones they are spread over (scenarios.discovery.zones)')
      .option('--concurrency <n>', 'creates and deletes in flight (scenarios.discovery.concurrency)')
      .option('--timeout <duration>', 'wait for each phase, e.g. 2m (scenarios.discovery.timeout)')
      .option('--scout-cluster <name>', "scout's --cluster-name, part of each ARecord's name (scenarios.discovery.scoutCluster)")
      .option('--annotation-prefix <prefix>', "prefix of the annotations scout reads (scenarios.discovery.annotationPrefix; scout's own: bindy.firestoned.io/)");
    addRunOptions(cmd, 'discovery')
      .addHelpText('after', help)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, flags));
        await runWithOptions(ctx, scenarios.discovery, resolved, o, c);
      });
  },
};
