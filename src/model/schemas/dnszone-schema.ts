/** @module The built-in structural schema of DNSZone, modelling every spec field bindy's CRD declares. */
import type { OpenApiSchema } from './openapi.js';
import {
  dnssecPolicyPattern,
  fqdnWithDotPattern,
  int32,
  ipv4Pattern,
  ipv6Pattern,
  objectRoot,
  optString,
  selectorList,
  stringMap,
  ttlSchema,
  zoneNamePattern,
} from './common.js';
import { dnsZoneStatusSchema } from './status-schemas.js';

/** The SOA record of a zone; all times in seconds. */
const soaRecord: OpenApiSchema = {
  type: 'object',
  required: ['adminEmail', 'expire', 'negativeTtl', 'primaryNs', 'refresh', 'retry', 'serial'],
  properties: {
    primaryNs: { type: 'string', pattern: fqdnWithDotPattern },
    // The mailbox in DNS form (hostmaster.example.com.), not an e-mail address.
    adminEmail: { type: 'string', pattern: fqdnWithDotPattern },
    serial: { type: 'integer', format: 'int64', minimum: 0, maximum: 4294967295 },
    refresh: int32(1),
    retry: int32(1),
    expire: int32(1),
    negativeTtl: int32(0),
  },
};

/** DNSZone (namespaced). */
export const dnsZoneSchema: OpenApiSchema = objectRoot(
  {
    type: 'object',
    required: ['soaRecord', 'zoneName'],
    properties: {
      zoneName: { type: 'string', pattern: zoneNamePattern },
      soaRecord,
      ttl: ttlSchema,
      bind9InstancesFrom: selectorList,
      recordsFrom: selectorList,
      // Present in bindy's schema, never read by its operator.
      clusterRef: optString,
      dnssecPolicy: { type: 'string', nullable: true, pattern: dnssecPolicyPattern },
      nameServerIps: stringMap,
      nameServers: {
        type: 'array',
        nullable: true,
        items: {
          type: 'object',
          required: ['hostname'],
          properties: {
            hostname: { type: 'string', pattern: fqdnWithDotPattern },
            ipv4Address: { type: 'string', nullable: true, pattern: ipv4Pattern },
            ipv6Address: { type: 'string', nullable: true, pattern: ipv6Pattern },
          },
        },
      },
    },
  },
  dnsZoneStatusSchema,
);
