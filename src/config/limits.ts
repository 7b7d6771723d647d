/** @module The largest counts a run or the fixtures accept, each with its reason (checked with the configuration, before anything starts). */

/**
 * Objects in one burst (zones + records): the run holds every object's watch state, timings and
 * histogram entry in memory until it ends, and the sandbox's API server twin holds them too.
 */
export const maxBurstObjects = 1_000_000;

/** Records of one e2e population: each is held (and probed when it changes) in memory. */
export const maxE2eRecords = 1_000_000;

/** DNSZones the fixtures can tell apart: each zone's seeded random stream is keyed by a 32-bit zone index. */
export const maxFixtureZones = 2 ** 32;

/** Objects the fixtures can number: indices stay exact integers (2^53 − 1). */
export const maxFixtureObjects = Number.MAX_SAFE_INTEGER;

/** Durations that must be above 0 (0 would end the run, or the wait it bounds, before anything happens). */
export const positiveDurationKeys = [
  'scenarios.burst.timeout',
  'scenarios.sustained.duration',
  'scenarios.chaos.duration',
  'scenarios.e2e.timeout',
  'scenarios.e2e.duration',
  'scenarios.e2e.spikeEvery',
  'scenarios.e2e.spikeDuration',
  'scenarios.e2e.interval',
  'scenarios.backpressure.stepDuration',
  'scenarios.backpressure.duration',
  'scenarios.backpressure.pressureDuration',
  'scenarios.backpressure.recoveryTimeout',
  'scenarios.bind.duration',
  'scenarios.discovery.timeout',
  'scenarios.bind.queryTimeout',
  'scenarios.bind.timeout',
  'scenarios.transfer.duration',
  'scenarios.transfer.changeTimeout',
  'scenarios.transfer.timeout',
  'scenarios.rndc.duration',
  'scenarios.rndc.requestTimeout',
  'scenarios.zones.timeout',
] as const;
