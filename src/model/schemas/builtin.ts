/** @module The table of built-in structural schemas, one per bindy kind. */
import type { BindyKind } from '../kinds.js';
import type { OpenApiSchema } from './openapi.js';
import { dnsZoneSchema } from './dnszone-schema.js';
import { recordSchema } from './record-schemas.js';
import { bind9ClusterSchema, bind9InstanceSchema, clusterBind9ProviderSchema } from './bind9-schemas.js';

/** The built-in openAPIV3Schema of every bindy kind (hand-written from bindy's CRDs, checked against them by tests). */
export const builtinSchemas: Readonly<Record<BindyKind, OpenApiSchema>> = {
  DNSZone: dnsZoneSchema,
  ARecord: recordSchema('ARecord'),
  AAAARecord: recordSchema('AAAARecord'),
  CNAMERecord: recordSchema('CNAMERecord'),
  MXRecord: recordSchema('MXRecord'),
  TXTRecord: recordSchema('TXTRecord'),
  NSRecord: recordSchema('NSRecord'),
  SRVRecord: recordSchema('SRVRecord'),
  CAARecord: recordSchema('CAARecord'),
  PTRRecord: recordSchema('PTRRecord'),
  Bind9Cluster: bind9ClusterSchema,
  Bind9Instance: bind9InstanceSchema,
  ClusterBind9Provider: clusterBind9ProviderSchema,
};
