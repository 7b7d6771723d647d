/** @module The configuration's public API: the Config type, resolveConfig, the value syntax and the profiles. */
export type * from './types.js';
export { profileNames, targetKinds, shardRunners, networkLinks, reportFormats, backpressureModes } from './types.js';
export { resolveConfig, type FlagOverride, type ResolveInput, type ResolvedConfig } from './resolve.js';
export { formatOrigin, type ValueOrigin } from './origin.js';
export { defaultConfig } from './defaults.js';
export { profiles } from './profiles.js';
export { configJsonSchema } from './schema.js';
export { configRows, configJson, renderTable, redacted, type ConfigRow } from './render.js';
export {
  parseDuration,
  formatDuration,
  parseRate,
  formatRate,
  parsePercentage,
  formatPercentage,
  parseKindMix,
  parseOperationMix,
  parseRange,
  parseDistribution,
  parseSizeMiB,
  type Distribution,
  type IntRange,
  type Operation,
  type Parsed,
  type Weights,
} from './values.js';
