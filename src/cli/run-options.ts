/** @module The options every scenario command shares (run id, reports, progress, keep, cluster permissions) and the run they start. */
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/index.js';
import { metricsObserver } from '../scenarios/metrics-observer.js';
import type { Scenario } from '../scenarios/index.js';
import type { CliContext } from './command-module.js';
import type { ConfigFlag } from './config-flags.js';
import { commandLineOf, runScenario } from './run-scenario.js';

/** Config flags of the shared run options. */
export const runConfigFlags: readonly ConfigFlag[] = [
  { flag: '--run-id', key: 'runId' },
  { flag: '--format', key: 'report.formats' },
  { flag: '--pushgateway', key: 'report.pushgateway' },
  { flag: '--progress-interval', key: 'report.progressInterval' },
];

/** The shared options' values as commander parses them. */
export type RunFlags = Record<string, unknown> & { keep?: boolean; createCluster?: boolean; allowExistingNamespace?: boolean };

/** Adds the shared run options to a scenario command. */
export function addRunOptions(cmd: Command, scenario: string): Command {
  return cmd
    .option('--run-id <id>', `run id put on every object (default ${scenario}-YYYYMMDD-HHMMSS-xxxx)`)
    .option('--format <formats>', 'reports to write besides result.json: markdown, html, prometheus (comma-separated or repeated; report.formats)', (v: string, prev?: string) => (prev === undefined ? v : `${prev},${v}`))
    .option('--pushgateway <url>', "push the run's summary metrics to this Prometheus Pushgateway (report.pushgateway)")
    .option('--progress-interval <duration>', 'print a progress line this often when stderr is not a terminal, e.g. 1s (report.progressInterval; default 5s)')
    .option('--keep', 'leave the objects in place after the run (remove them later with cleanup --run-id)')
    .option('--create-cluster', 'cluster target: create the Bind9Cluster from the fixtures when it is absent (removed with the run)')
    .option('--allow-existing-namespace', 'cluster target: use a namespace the tool did not create (only run-labelled objects are ever deleted)');
}

/** Runs `scenario` with the shared options, observing the operator's and the API server's metrics around the measured part. */
export function runWithOptions(ctx: CliContext, scenario: Scenario, resolved: ResolvedConfig, o: RunFlags, cmd: Command, interleave = false): Promise<void> {
  return runScenario(ctx, {
    scenario,
    resolved,
    interleave,
    keep: o.keep === true,
    createCluster: o.createCluster === true,
    allowExistingNamespace: o.allowExistingNamespace === true,
    commandLine: commandLineOf(cmd),
    observers: [metricsObserver({ intervalMs: 1000, ...(resolved.config.prometheus === undefined ? {} : { prometheusUrl: resolved.config.prometheus }) })],
  });
}
