/** @module The model's public API: bindy kinds, built-in schemas and validation, fixture generators, output writers. */
export * from './kinds.js';
export type { FieldViolation, ValidationOutcome, ObjectValidator } from './schemas/types.js';
export type { OpenApiSchema } from './schemas/openapi.js';
export { openApiSchemaOfCrd } from './schemas/openapi.js';
export { toJsonSchema } from './schemas/to-json-schema.js';
export type { JsonSchema, ToJsonSchemaOptions } from './schemas/to-json-schema.js';
export { builtinSchemas } from './schemas/builtin.js';
export { validatorFor, compileValidator } from './schemas/validator.js';
export type { FixtureOptions } from './fixtures/options.js';
export { defaultFixtureOptions, resolveFixtureOptions } from './fixtures/options.js';
export type {
  Bind9ClusterObject,
  DnsZoneObject,
  GeneratedObject,
  RecordObject,
  FixtureObject,
} from './fixtures/objects.js';
export { generateAll, generateCluster, generateZone, generateZones, generateZoneRecords, zoneNameAt } from './fixtures/generate.js';
export type { QuerySpec } from './fixtures/queries.js';
export { generateQueries, generateZoneQueries, recordFqdn } from './fixtures/queries.js';
export { createRng, deriveSeed } from './fixtures/prng.js';
export type { Rng } from './fixtures/prng.js';
export type { WriteStats } from './output/sink.js';
export { writeYamlStream, yamlDocuments } from './output/yaml-writer.js';
export { toYamlDocument } from './output/yaml-emit.js';
export { writeZoneFile, zoneFileLines } from './output/zone-file.js';
export { recordToRrs, quoteString } from './output/rdata.js';
export type { ZoneRr } from './output/rdata.js';
export { writeQueryFile, queryLine } from './output/query-file.js';
export { writeFixtureFiles } from './output/write-fixtures.js';
export type { FixtureFilesReport } from './output/write-fixtures.js';
