/** @module From the resolved configuration to the fixture generator's options (one place for the mapping). */
import type { Config } from '../config/index.js';
import { resolveFixtureOptions, type FixtureOptions } from '../model/fixtures/options.js';

/** The generator options the configuration's `fixtures` section asks for, with per-scenario overrides. */
export function fixtureOptionsFromConfig(
  config: Readonly<Config>,
  overrides: Pick<FixtureOptions, 'runId'> & Partial<Pick<FixtureOptions, 'zones' | 'recordsPerZone' | 'kinds'>>,
): FixtureOptions {
  const f = config.fixtures;
  return resolveFixtureOptions(
    {
      seed: config.seed,
      namespace: config.namespace,
      zones: f.zones,
      recordsPerZone: f.recordsPerZone,
      kinds: { ...f.kinds },
      ttl: { min: f.ttl.min, max: f.ttl.max },
      zoneNamePattern: f.zoneNamePattern,
      recordNamePattern: f.recordNamePattern,
      clusterName: f.clusterName,
      nxdomainShare: f.nxdomainShare,
      ...overrides,
    },
    'configuration',
  );
}
