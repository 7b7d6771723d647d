/** @module Public API of the run-result format (version 1): types, building, (de)serialising, files. */
export * from './types.js';
export {
  createRunResult,
  finishRunResult,
  histogramOf,
  latencyResult,
  measuredHistogram,
  parseResult,
  serializeResult,
  validateResult,
} from './result.js';
export type { StartMetadata } from './result.js';
export { readResultFile, writeResultFile } from './result-file.js';
export { hostInfo } from './host-info.js';
export { prepareResultValidator, resultSchemaIssues, resultSchemaUrl } from './schema.js';
