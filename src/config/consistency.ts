/** @module Checks that involve several keys (a ramp-up longer than its run…), run on the merged configuration. */
import type { ConfigIssue } from '../errors.js';
import { issueAtOrigin, originRank, type ValueOrigin } from './origin.js';
import type { Config } from './types.js';
import { formatDuration, formatRate } from './values.js';

/** Every cross-key problem of an effective configuration; each is placed at the higher-precedence of the keys involved (the one the user most likely just set). */
export function checkConsistency(config: Config, origins: ReadonlyMap<string, ValueOrigin>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const blame = (a: string, b: string, message: string): void => {
    const oa = origins.get(a) ?? { kind: 'default' };
    const ob = origins.get(b) ?? { kind: 'default' };
    issues.push(originRank(ob) > originRank(oa) ? issueAtOrigin(ob, b, message) : issueAtOrigin(oa, a, message));
  };
  const s = config.scenarios;
  if (s.sustained.rampUp > s.sustained.duration) {
    blame('scenarios.sustained.rampUp', 'scenarios.sustained.duration', `rampUp ${formatDuration(s.sustained.rampUp)} is longer than duration ${formatDuration(s.sustained.duration)}`);
  }
  s.chaos.experiments.forEach((e, i) => {
    if (e.at + e.duration > s.chaos.duration) {
      blame(
        'scenarios.chaos.experiments',
        'scenarios.chaos.duration',
        `experiment ${i} (${e.kind}) ends at ${formatDuration(e.at + e.duration)}, after the chaos scenario's duration ${formatDuration(s.chaos.duration)}`,
      );
    }
  });
  if (s.backpressure.startRate > s.backpressure.maxRate) {
    blame('scenarios.backpressure.startRate', 'scenarios.backpressure.maxRate', `startRate ${formatRate(s.backpressure.startRate)} is above maxRate ${formatRate(s.backpressure.maxRate)}`);
  }
  if (s.e2e.probeInterval > s.e2e.timeout) {
    blame('scenarios.e2e.probeInterval', 'scenarios.e2e.timeout', `probeInterval ${formatDuration(s.e2e.probeInterval)} is longer than timeout ${formatDuration(s.e2e.timeout)}`);
  }
  if (s.burst.dnsProbe === 'on' && config.target === 'cluster' && config.probe.servers === undefined) {
    // TODO(issue 13): probe over TCP through a kubectl port-forward (it carries TCP only).
    blame(
      'scenarios.burst.dnsProbe',
      'target',
      'the DNS prober needs an address of BIND9 reachable over UDP from here on a cluster: set probe.servers (--probe-servers host:port), e.g. a NodePort or LoadBalancer Service of the Bind9Instance',
    );
  }
  if (config.report.progressInterval < 100) {
    const o = origins.get('report.progressInterval') ?? { kind: 'default' as const };
    issues.push(issueAtOrigin(o, 'report.progressInterval', `progressInterval ${formatDuration(config.report.progressInterval)} is below 100ms (a line per event loop turn helps nobody)`));
  }
  return issues;
}
