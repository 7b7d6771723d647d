/**
 * @module The built-in status schemas of the bindy kinds, written by hand from bindy's CRDs (field
 * for field, as a real API server validates, prunes and defaults a `/status` write). Tests check
 * each one against the CRDs of both bindy lines.
 */
import type { OpenApiSchema } from './openapi.js';
import { optString } from './common.js';

const str: OpenApiSchema = { type: 'string' };
const optInt32: OpenApiSchema = { type: 'integer', format: 'int32', nullable: true };

/** `observedGeneration`, as every bindy status has it. */
const observedGeneration: OpenApiSchema = { type: 'integer', format: 'int64', nullable: true };

/** One status condition (bindy's own Condition type: no per-condition observedGeneration). */
export const conditionSchema: OpenApiSchema = {
  type: 'object',
  required: ['status', 'type'],
  properties: { type: str, status: str, reason: optString, message: optString, lastTransitionTime: optString },
};

/** `conditions`, defaulted to an empty list like every bindy status. */
const conditions: OpenApiSchema = { type: 'array', default: [], items: conditionSchema };

/** A reference to an object with the time the referrer last reconciled it (zoneRef, zones[]). */
function reference(extra: Record<string, OpenApiSchema>, required: string[]): OpenApiSchema {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'name', ...required].sort(),
    properties: { apiVersion: str, kind: str, name: str, ...extra },
  };
}

/** The `zoneRef` a DNSZone writes on each record it selects, and the entries of an instance's `zones`. */
const zoneReference: OpenApiSchema = reference({ namespace: str, zoneName: str, lastReconciledAt: optString }, ['namespace', 'zoneName']);

/** The status of every record kind (and of 0.8's PTRRecord). */
export const recordStatusSchema: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: {
    conditions,
    observedGeneration,
    addresses: optString,
    lastUpdated: optString,
    publishedName: optString,
    recordHash: optString,
    zone: optString,
    zoneRef: { ...zoneReference, nullable: true },
  },
};

/** The status of a DNSZone: conditions, the instances it claimed (each with a status) and the records it selected. */
export const dnsZoneStatusSchema: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: {
    conditions,
    observedGeneration,
    bind9Instances: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'namespace', 'status'],
        properties: {
          apiVersion: str,
          kind: str,
          name: str,
          namespace: str,
          status: { type: 'string', enum: ['Claimed', 'Configured', 'Failed', 'Unclaimed'] },
          message: optString,
          lastReconciledAt: optString,
        },
      },
    },
    bind9InstancesCount: optInt32,
    dnssec: {
      type: 'object',
      nullable: true,
      required: ['signed'],
      properties: {
        signed: { type: 'boolean' },
        algorithm: optString,
        dsRecords: { type: 'array', default: [], items: str },
        keyTag: { type: 'integer', format: 'uint32', minimum: 0, nullable: true },
        lastKeyRollover: optString,
        nextKeyRollover: optString,
      },
    },
    records: {
      type: 'array',
      default: [],
      items: reference({ namespace: str, recordName: optString, lastReconciledAt: { type: 'string', format: 'date-time', nullable: true } }, ['namespace']),
    },
    recordsCount: { type: 'integer', format: 'int32', default: 0 },
  },
};

/** The status of a Bind9Cluster and of a ClusterBind9Provider. */
export const clusterStatusSchema: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: {
    conditions,
    observedGeneration,
    instanceCount: optInt32,
    readyInstances: optInt32,
    instances: { type: 'array', items: str },
  },
};

/** The status of a Bind9Instance. */
export const bind9InstanceStatusSchema: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: {
    conditions,
    observedGeneration,
    observedParentGeneration: observedGeneration,
    clusterRef: { ...reference({ namespace: optString }, []), nullable: true },
    rndcKeyRotation: {
      type: 'object',
      nullable: true,
      required: ['createdAt'],
      properties: {
        createdAt: str,
        lastRotatedAt: optString,
        rotateAt: optString,
        rotationCount: { type: 'integer', format: 'uint32', minimum: 0, default: 0 },
      },
    },
    serviceAddress: optString,
    zones: { type: 'array', items: zoneReference },
    zonesCount: optInt32,
  },
};
