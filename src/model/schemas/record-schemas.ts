/** @module The built-in structural schemas of the 9 record kinds, modelling every spec field bindy's CRDs declare. */
import type { RecordKind } from '../kinds.js';
import type { OpenApiSchema } from './openapi.js';
import { int32, objectRoot, ttlSchema } from './common.js';
import { recordStatusSchema } from './status-schemas.js';

const str: OpenApiSchema = { type: 'string' };

/** The fields of each kind besides `name` (relative owner, `@` = apex) and `ttl` (seconds), with the required ones. */
const kindFields: Readonly<Record<RecordKind, { properties: Record<string, OpenApiSchema>; required: string[] }>> = {
  ARecord: { properties: { ipv4Addresses: { type: 'array', minItems: 1, items: str } }, required: ['ipv4Addresses'] },
  AAAARecord: { properties: { ipv6Addresses: { type: 'array', minItems: 1, items: str } }, required: ['ipv6Addresses'] },
  CNAMERecord: { properties: { target: str }, required: ['target'] },
  MXRecord: { properties: { priority: int32(0, 65535), mailServer: str }, required: ['mailServer', 'priority'] },
  TXTRecord: { properties: { text: { type: 'array', items: str } }, required: ['text'] },
  NSRecord: { properties: { nameserver: str }, required: ['nameserver'] },
  SRVRecord: {
    properties: { priority: int32(0, 65535), weight: int32(0, 65535), port: int32(0, 65535), target: str },
    required: ['port', 'priority', 'target', 'weight'],
  },
  CAARecord: { properties: { flags: int32(0, 255), tag: str, value: str }, required: ['flags', 'tag', 'value'] },
  PTRRecord: { properties: { target: str }, required: ['target'] },
};

/** The built-in schema of one record kind. */
export function recordSchema(kind: RecordKind): OpenApiSchema {
  const f = kindFields[kind];
  return objectRoot(
    {
      type: 'object',
      required: [...f.required, 'name'],
      properties: { name: str, ttl: ttlSchema, ...f.properties },
    },
    recordStatusSchema,
  );
}
