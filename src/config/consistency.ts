/** @module Checks that involve several keys (a ramp-up longer than its run…), run on the merged configuration. */
import type { ConfigIssue } from '../errors.js';
import { issueAtOrigin, originRank, type ValueOrigin } from './origin.js';
import type { Config } from './types.js';
import { formatDuration, formatRate } from './values.js';
import { maxBurstObjects, maxE2eRecords, maxFixtureObjects, maxFixtureZones, positiveDurationKeys } from './limits.js';

function valueAt(config: Config, dotted: string): unknown {
  let node: unknown = config;
  for (const k of dotted.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[k] : undefined;
  return node;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

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
  const bp = s.backpressure;
  if (bp.pressureAt + bp.pressureDuration > bp.duration) {
    blame('scenarios.backpressure.pressureDuration', 'scenarios.backpressure.duration', `the pressure ends at ${formatDuration(bp.pressureAt + bp.pressureDuration)} (pressureAt + pressureDuration), after the load's duration ${formatDuration(bp.duration)}`);
  }
  if (s.e2e.spikeDuration > s.e2e.spikeEvery) {
    blame('scenarios.e2e.spikeDuration', 'scenarios.e2e.spikeEvery', `a spike of ${formatDuration(s.e2e.spikeDuration)} is longer than the interval it is drawn in (${formatDuration(s.e2e.spikeEvery)})`);
  }
  s.e2e.experiments.forEach((e, i) => {
    if (e.at + e.duration > s.e2e.duration) {
      blame('scenarios.e2e.experiments', 'scenarios.e2e.duration', `experiment ${i} (${e.kind}) ends at ${formatDuration(e.at + e.duration)}, after the e2e duration ${formatDuration(s.e2e.duration)}`);
    }
  });
  if (s.e2e.zones * s.e2e.recordsPerZone.max > maxE2eRecords) {
    blame('scenarios.e2e.zones', 'scenarios.e2e.recordsPerZone', `${count(s.e2e.zones)} zones × up to ${count(s.e2e.recordsPerZone.max)} records is above the maximum of ${count(maxE2eRecords)} records in one population`);
  }
  const at = (key: string): ValueOrigin => origins.get(key) ?? { kind: 'default' };
  for (const key of positiveDurationKeys) {
    if (valueAt(config, key) === 0) issues.push(issueAtOrigin(at(key), key, `must be above 0: a ${key.split('.').at(-1) ?? key} of 0 would end before anything could happen`));
  }
  const b = s.burst;
  if (b.records + b.zones > maxBurstObjects) {
    blame('scenarios.burst.records', 'scenarios.burst.zones', `${count(b.records)} records + ${count(b.zones)} zones is above the maximum of ${count(maxBurstObjects)} objects in one burst (every object's state is held in memory); split it into several runs`);
  }
  if (s.bind.records + s.bind.zones > maxBurstObjects) {
    blame('scenarios.bind.records', 'scenarios.bind.zones', `${count(s.bind.records)} records + ${count(s.bind.zones)} zones is above the maximum of ${count(maxBurstObjects)} objects created at once (every object's state is held in memory)`);
  }
  if (s.transfer.records + s.transfer.zones > maxBurstObjects) {
    blame('scenarios.transfer.records', 'scenarios.transfer.zones', `${count(s.transfer.records)} records + ${count(s.transfer.zones)} zones is above the maximum of ${count(maxBurstObjects)} objects created at once (every object's state is held in memory)`);
  }
  if (s.transfer.records < s.transfer.zones) {
    blame('scenarios.transfer.records', 'scenarios.transfer.zones', `${count(s.transfer.records)} records for ${count(s.transfer.zones)} zones: every zone needs a record to change`);
  }
  if (s.bind.server !== undefined && s.bind.server.length !== 1) {
    issues.push(issueAtOrigin(at('scenarios.bind.server'), 'scenarios.bind.server', `one server (dnsperf queries one), got ${s.bind.server.length}`));
  }
  const f = config.fixtures;
  if (f.zones > maxFixtureZones) {
    issues.push(issueAtOrigin(at('fixtures.zones'), 'fixtures.zones', `${count(f.zones)} is above the maximum of ${count(maxFixtureZones)} zones the fixtures can tell apart (32-bit zone streams)`));
  } else if (f.zones * f.recordsPerZone > maxFixtureObjects) {
    blame('fixtures.zones', 'fixtures.recordsPerZone', `${count(f.zones)} zones × ${count(f.recordsPerZone)} records is above the maximum of ${count(maxFixtureObjects)} records the fixtures can number`);
  }
  // The DNS prober on a cluster without probe.servers opens port-forwards to BIND9's pods itself (TCP).
  if (config.report.progressInterval < 100) {
    issues.push(issueAtOrigin(at('report.progressInterval'), 'report.progressInterval', `progressInterval ${formatDuration(config.report.progressInterval)} is below 100ms (a line per event loop turn helps nobody)`));
  }
  return issues;
}
