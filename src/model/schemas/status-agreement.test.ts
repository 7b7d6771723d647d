/**
 * The hand-written status schemas against bindy's real CRDs (read from /work/shared as data): the
 * same schema node for node (descriptions aside) for every kind of the 0.6 line and for the 0.8
 * line's PTRRecord, and the same verdicts, pruning and defaults on status objects as a validator
 * compiled from the real CRD. Under CI=true missing data is a failure, never a skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { kindsOfLine, type BindyKind } from '../kinds.js';
import { loadCrdSchemas } from './crd-files.js';
import { builtinSchemas } from './builtin.js';
import { compileValidator, validatorFor } from './validator.js';
import { isPlainObject, type OpenApiSchema } from './openapi.js';
import { recordStatusSchema } from './status-schemas.js';
import { needsSharedData, sharedPath } from './shared-data.js';

const crds06 = sharedPath('bindy/deploy/operator/crds');
const crds08 = sharedPath('bindy-0.8/crds');
const needs = needsSharedData;

function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (!isPlainObject(node)) return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'description').map(([k, v]) => [k, withoutDescriptions(v)]));
}

function statusOf(schema: OpenApiSchema | undefined): OpenApiSchema | undefined {
  return schema?.properties?.['status'];
}

async function crdSchemas(dir: string): Promise<Map<string, OpenApiSchema>> {
  assert.ok(existsSync(dir), `bindy's CRDs are missing at ${dir}`);
  return loadCrdSchemas(dir);
}

test("every kind's built-in status schema is bindy 0.6's CRD status schema, node for node", needs(crds06), async () => {
  const real = await crdSchemas(crds06);
  for (const kind of kindsOfLine('0.6')) {
    const crdStatus = statusOf(real.get(kind));
    assert.ok(crdStatus, `no status schema for ${kind} in bindy's CRDs`);
    assert.deepEqual(statusOf(builtinSchemas[kind]), withoutDescriptions(crdStatus), `${kind}: built-in status schema differs from the CRD`);
  }
});

test("the record status schema is bindy 0.8's PTRRecord status schema, node for node", needs(crds08), async () => {
  const real = await crdSchemas(crds08);
  const ptr = statusOf(real.get('PTRRecord'));
  assert.ok(ptr, "no PTRRecord status schema in bindy 0.8's CRDs");
  assert.deepEqual(recordStatusSchema, withoutDescriptions(ptr));
});

const meta = { name: 'z', namespace: 'ns' };
const soa = { primaryNs: 'ns1.example.com.', adminEmail: 'hostmaster.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const zone = (status: unknown): unknown => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: meta, spec: { zoneName: 'example.com', soaRecord: soa }, status });
const arecord = (status: unknown): unknown => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: meta, spec: { name: 'www', ipv4Addresses: ['192.0.2.1'] }, status });
const instanceRef = { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Instance', name: 'c-primary-0', namespace: 'ns' };
const ready = { type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00+00:00' };

interface Case {
  name: string;
  kind: BindyKind;
  obj: unknown;
  /** `field: message` of every violation, in order. */
  violations: string[];
  unknownFields?: string[];
  /** The status that would be stored (after pruning and defaults), when valid. */
  stored?: unknown;
}

const cases: Case[] = [
  {
    name: 'a bind9Instances entry without status (what the operator twin wrote) is refused',
    kind: 'DNSZone',
    obj: zone({ conditions: [ready], bind9Instances: [instanceRef] }),
    violations: ['status.bind9Instances[0].status: Required value'],
  },
  {
    name: 'a bind9Instances entry with an unknown status value is refused',
    kind: 'DNSZone',
    obj: zone({ bind9Instances: [{ ...instanceRef, status: 'Ready' }] }),
    violations: ['status.bind9Instances[0].status: Unsupported value: "Ready": supported values: "Claimed", "Configured", "Failed", "Unclaimed"'],
  },
  {
    name: 'a string recordsCount is a type error',
    kind: 'DNSZone',
    obj: zone({ recordsCount: '3' }),
    violations: ['status.recordsCount: Invalid value: "string": status.recordsCount in body must be of type integer: "string"'],
  },
  {
    name: 'a condition without type is refused',
    kind: 'ARecord',
    obj: arecord({ conditions: [{ status: 'True' }] }),
    violations: ['status.conditions[0].type: Required value'],
  },
  {
    name: 'a zoneRef without zoneName is refused',
    kind: 'ARecord',
    obj: arecord({ zoneRef: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'z', namespace: 'ns' } }),
    violations: ['status.zoneRef.zoneName: Required value'],
  },
  {
    name: 'a records[] stamp that is not a date-time is refused',
    kind: 'DNSZone',
    obj: zone({ records: [{ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', name: 'a', namespace: 'ns', lastReconciledAt: 'yesterday' }] }),
    violations: ['status.records[0].lastReconciledAt: Invalid value: "yesterday": status.records[0].lastReconciledAt in body must be of type date-time: "yesterday"'],
  },
  {
    name: 'a valid zone status gets its defaults (records: [], recordsCount: 0) and loses unknown fields',
    kind: 'DNSZone',
    obj: zone({ conditions: [ready], bind9Instances: [{ ...instanceRef, status: 'Configured' }], bind9InstancesCount: 1, phase: 'Ready' }),
    violations: [],
    unknownFields: ['status.phase'],
    stored: { conditions: [ready], bind9Instances: [{ ...instanceRef, status: 'Configured' }], bind9InstancesCount: 1, records: [], recordsCount: 0 },
  },
  {
    name: 'a valid record status loses unknown fields, also inside zoneRef',
    kind: 'ARecord',
    obj: arecord({ conditions: [ready], zoneRef: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'z', namespace: 'ns', zoneName: 'example.com', uid: 'x' }, extra: 1 }),
    violations: [],
    unknownFields: ['status.zoneRef.uid', 'status.extra'],
    stored: { conditions: [ready], zoneRef: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', name: 'z', namespace: 'ns', zoneName: 'example.com' } },
  },
  {
    name: 'an empty status gets conditions: []',
    kind: 'Bind9Cluster',
    obj: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'Bind9Cluster', metadata: meta, spec: {}, status: {} },
    violations: [],
    stored: { conditions: [] },
  },
];

for (const c of cases) {
  test(`status validation, built-in and bindy's CRD alike: ${c.name}`, needs(crds06), async () => {
    const crd = (await crdSchemas(crds06)).get(c.kind);
    assert.ok(crd);
    // A CRD leaves apiVersion, kind and metadata to the API server: declare them so only status is compared.
    const root: Record<string, OpenApiSchema> = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    const real = compileValidator({ ...crd, properties: { ...root, ...crd.properties } })(c.obj);
    const builtin = validatorFor(c.kind)(c.obj);
    const said = (o: typeof real): string[] => o.violations.map((v) => `${v.field}: ${v.message}`);
    assert.deepEqual(said(real), c.violations, "bindy's CRD");
    assert.deepEqual(said(builtin), c.violations, 'built-in');
    assert.deepEqual(builtin.violations, real.violations);
    assert.deepEqual(builtin.unknownFields, c.unknownFields ?? []);
    assert.deepEqual(real.unknownFields, builtin.unknownFields);
    if (c.stored !== undefined) {
      assert.deepEqual((builtin.pruned as { status: unknown }).status, c.stored);
      assert.deepEqual((real.pruned as { status: unknown }).status, c.stored);
    }
  });
}
