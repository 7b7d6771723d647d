/**
 * Agreement with bindy's real CRDs (read from /work/shared/bindy, and bindy-0.8 for PTRRecord, as data): every generated object
 * validates against the real openAPIV3Schema (strict on unknown fields), and the built-in schemas
 * give the same verdict as the real ones on a table of valid and invalid objects and on bindy's examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ValidateFunction } from 'ajv';
import { bindyKinds, recordKinds } from '../kinds.js';
import type { BindyKind } from '../kinds.js';
import { loadCrdSchemas } from './crd-files.js';
import { toJsonSchema } from './to-json-schema.js';
import { newAjv, validatorFor } from './validator.js';
import { isPlainObject } from './openapi.js';
import type { OpenApiSchema } from './openapi.js';
import { builtinSchemas } from './builtin.js';
import { needsSharedData, sharedPath } from './shared-data.js';
import { resolveFixtureOptions } from '../fixtures/options.js';
import { generateCluster, generateZones, generateZoneRecords } from '../fixtures/generate.js';

const bindyDir = sharedPath('bindy');
/** The 0.8 line's PTRRecord CRD (the other kinds' CRDs are the 0.6 ones there). */
const crds08Dir = sharedPath('bindy-0.8/crds');
// Skipped without the data, except under CI=true: there the tests run and fail on the missing files.
const skip = needsSharedData(bindyDir).skip || needsSharedData(crds08Dir).skip;
const perKind = 10_000;

let realCache: Map<string, ValidateFunction> | undefined;
async function real(): Promise<Map<string, ValidateFunction>> {
  if (realCache === undefined) {
    const ajv = newAjv();
    realCache = new Map();
    for (const dir of [join(bindyDir, 'deploy/operator/crds'), crds08Dir]) {
      for (const [kind, schema] of await loadCrdSchemas(dir)) realCache.set(kind, ajv.compile(toJsonSchema(schema, { strict: true, root: true })));
    }
  }
  return realCache;
}

async function realVerdict(kind: BindyKind, obj: unknown): Promise<{ ok: boolean; why: string }> {
  const check = (await real()).get(kind);
  assert.ok(check, `no real CRD for ${kind}`);
  const ok = check(obj);
  return { ok, why: ok ? '' : JSON.stringify(check.errors?.slice(0, 3)) };
}

function builtinVerdict(kind: BindyKind, obj: unknown): { ok: boolean; why: string } {
  const out = validatorFor(kind)(obj);
  const ok = out.violations.length === 0 && out.unknownFields.length === 0;
  return { ok, why: JSON.stringify({ v: out.violations.slice(0, 3), u: out.unknownFields }) };
}

test('the real CRDs (0.6 and 0.8\'s PTRRecord) cover all 13 kinds and compile', { skip }, async () => {
  const kinds = [...(await real()).keys()].sort();
  assert.deepEqual(kinds, [...bindyKinds].sort());
});

async function assertAllValid(kind: BindyKind, objects: Iterable<unknown>): Promise<number> {
  const check = (await real()).get(kind);
  assert.ok(check);
  const builtin = validatorFor(kind);
  let n = 0;
  for (const obj of objects) {
    assert.ok(check(obj), `${kind} #${n} rejected by bindy's CRD: ${JSON.stringify(check.errors)}\n${JSON.stringify(obj)}`);
    const b = builtin(obj);
    assert.deepEqual([b.violations, b.unknownFields], [[], []], `${kind} #${n} rejected by the built-in schema`);
    n++;
  }
  return n;
}

test(`${perKind} generated DNSZones validate against bindy's CRD`, { skip }, async () => {
  const o = resolveFixtureOptions({ seed: 11, zones: perKind, recordsPerZone: 0 });
  assert.equal(await assertAllValid('DNSZone', generateZones(o)), perKind);
});

for (const kind of recordKinds) {
  test(`${perKind} generated ${kind}s validate against bindy's CRD`, { skip }, async () => {
    const o = resolveFixtureOptions({ seed: 12, zones: 1, recordsPerZone: perKind, kinds: { [kind]: 1 } });
    assert.equal(await assertAllValid(kind, generateZoneRecords(o, 0)), perKind);
  });
}

test(`${perKind} generated Bind9Clusters validate against bindy's CRD`, { skip }, async () => {
  function* clusters(): Generator<unknown> {
    for (let i = 0; i < perKind; i++) {
      yield generateCluster(resolveFixtureOptions({ clusterName: `c-${i}`, primaryReplicas: 1 + (i % 100), secondaryReplicas: i % 101 }));
    }
  }
  assert.equal(await assertAllValid('Bind9Cluster', clusters()), perKind);
});

const meta = { name: 'x', namespace: 'ns', labels: { a: 'b' } };
const soa = { primaryNs: 'ns1.example.com.', adminEmail: 'hostmaster.example.com.', serial: 2025010101, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const obj = (kind: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind, metadata: meta, spec });
const zoneSpec = { zoneName: 'example.com', soaRecord: soa };
const withoutKey = (o: Record<string, unknown>, key: string): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

const table: { name: string; kind: BindyKind; obj: unknown; valid: boolean }[] = [
  { name: 'minimal zone', kind: 'DNSZone', obj: obj('DNSZone', zoneSpec), valid: true },
  { name: 'zone missing soaRecord', kind: 'DNSZone', obj: obj('DNSZone', { zoneName: 'example.com' }), valid: false },
  { name: 'zone missing zoneName', kind: 'DNSZone', obj: obj('DNSZone', { soaRecord: soa }), valid: false },
  { name: 'zoneName with trailing dot', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, zoneName: 'example.com.' }), valid: false },
  { name: 'single-label zoneName', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, zoneName: 'local' }), valid: true },
  { name: 'zoneName label of 64 chars', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, zoneName: `${'a'.repeat(64)}.com` }), valid: false },
  { name: 'primaryNs without trailing dot', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, soaRecord: { ...soa, primaryNs: 'ns1.example.com' } }), valid: false },
  { name: 'adminEmail with @', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, soaRecord: { ...soa, adminEmail: 'admin@example.com.' } }), valid: false },
  { name: 'serial above uint32', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, soaRecord: { ...soa, serial: 4294967296 } }), valid: false },
  { name: 'refresh 0', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, soaRecord: { ...soa, refresh: 0 } }), valid: false },
  { name: 'soa missing negativeTtl', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, soaRecord: withoutKey(soa, 'negativeTtl') }), valid: false },
  { name: 'nameServer ipv6 compressed', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, nameServers: [{ hostname: 'ns1.example.com.', ipv6Address: '2001:db8::53' }] }), valid: true },
  { name: 'nameServer ipv6 with embedded v4', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, nameServers: [{ hostname: 'ns1.example.com.', ipv6Address: '::ffff:192.0.2.1' }] }), valid: false },
  { name: 'nameServer ipv4 malformed', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, nameServers: [{ hostname: 'ns1.example.com.', ipv4Address: '192.0.2' }] }), valid: false },
  { name: 'dnssecPolicy starting with _', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, dnssecPolicy: '_x' }), valid: false },
  { name: 'selector without selector key', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, recordsFrom: [{}] }), valid: false },
  { name: 'zone unknown field', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, foo: 1 }), valid: false },
  { name: 'nullable ttl null', kind: 'DNSZone', obj: obj('DNSZone', { ...zoneSpec, ttl: null }), valid: true },
  { name: 'A valid', kind: 'ARecord', obj: obj('ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1'], ttl: 300 }), valid: true },
  { name: 'A empty ipv4Addresses', kind: 'ARecord', obj: obj('ARecord', { name: 'www', ipv4Addresses: [] }), valid: false },
  { name: 'A negative ttl', kind: 'ARecord', obj: obj('ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1'], ttl: -1 }), valid: false },
  { name: 'A string ttl', kind: 'ARecord', obj: obj('ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1'], ttl: '300' }), valid: false },
  { name: 'A missing name', kind: 'ARecord', obj: obj('ARecord', { ipv4Addresses: ['192.0.2.1'] }), valid: false },
  { name: 'A unknown field', kind: 'ARecord', obj: obj('ARecord', { name: 'www', ipv4Addresses: ['192.0.2.1'], ipv4Address: '192.0.2.1' }), valid: false },
  { name: 'A without spec', kind: 'ARecord', obj: { apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'ARecord', metadata: meta }, valid: false },
  { name: 'AAAA valid', kind: 'AAAARecord', obj: obj('AAAARecord', { name: 'v6', ipv6Addresses: ['2001:db8::1'] }), valid: true },
  { name: 'CNAME missing target', kind: 'CNAMERecord', obj: obj('CNAMERecord', { name: 'alias' }), valid: false },
  { name: 'MX priority 65536', kind: 'MXRecord', obj: obj('MXRecord', { name: '@', priority: 65536, mailServer: 'mx.example.com.' }), valid: false },
  { name: 'MX priority 65535', kind: 'MXRecord', obj: obj('MXRecord', { name: '@', priority: 65535, mailServer: 'mx.example.com.' }), valid: true },
  { name: 'TXT text of numbers', kind: 'TXTRecord', obj: obj('TXTRecord', { name: 't', text: [1] }), valid: false },
  { name: 'NS valid', kind: 'NSRecord', obj: obj('NSRecord', { name: 'sub', nameserver: 'ns1.example.net.' }), valid: true },
  { name: 'SRV port 70000', kind: 'SRVRecord', obj: obj('SRVRecord', { name: '_sip._tcp', priority: 1, weight: 1, port: 70000, target: 'sip.example.com.' }), valid: false },
  { name: 'SRV missing weight', kind: 'SRVRecord', obj: obj('SRVRecord', { name: '_sip._tcp', priority: 1, port: 5060, target: 'sip.example.com.' }), valid: false },
  { name: 'CAA flags 256', kind: 'CAARecord', obj: obj('CAARecord', { name: '@', flags: 256, tag: 'issue', value: 'letsencrypt.org' }), valid: false },
  { name: 'CAA flags 128', kind: 'CAARecord', obj: obj('CAARecord', { name: '@', flags: 128, tag: 'issue', value: 'letsencrypt.org' }), valid: true },
  { name: 'PTR valid', kind: 'PTRRecord', obj: obj('PTRRecord', { name: '10', target: 'host10.example.com.', ttl: 3600 }), valid: true },
  { name: 'PTR missing target', kind: 'PTRRecord', obj: obj('PTRRecord', { name: '10' }), valid: false },
  { name: 'PTR negative ttl', kind: 'PTRRecord', obj: obj('PTRRecord', { name: '10', target: 'host10.example.com.', ttl: -1 }), valid: false },
  { name: 'PTR unknown field', kind: 'PTRRecord', obj: obj('PTRRecord', { name: '10', target: 'host10.example.com.', ptrdname: 'x.' }), valid: false },
  { name: 'cluster primary replicas 101', kind: 'Bind9Cluster', obj: obj('Bind9Cluster', { primary: { replicas: 101 } }), valid: false },
  { name: 'cluster rndc algorithm md5', kind: 'Bind9Cluster', obj: obj('Bind9Cluster', { global: { rndcSecretRef: { name: 's' } }, rndcSecretRefs: [{ name: 's', algorithm: 'hmac-md5' }] }), valid: false },
  { name: 'instance without role', kind: 'Bind9Instance', obj: obj('Bind9Instance', { clusterRef: 'c' }), valid: false },
  { name: 'instance valid', kind: 'Bind9Instance', obj: obj('Bind9Instance', { clusterRef: 'c', role: 'secondary', replicas: 2 }), valid: true },
  { name: 'provider with namespace', kind: 'ClusterBind9Provider', obj: obj('ClusterBind9Provider', { namespace: 'dns', primary: { replicas: 1 } }), valid: true },
];

for (const c of table) {
  test(`built-in and bindy's CRD agree: ${c.name} (${c.valid ? 'valid' : 'invalid'})`, { skip }, async () => {
    const r = await realVerdict(c.kind, c.obj);
    const b = builtinVerdict(c.kind, c.obj);
    assert.equal(r.ok, c.valid, `bindy's CRD says ${r.ok}: ${r.why}`);
    assert.equal(b.ok, c.valid, `built-in says ${b.ok}: ${b.why}`);
  });
}

/** True when the JSON pointer lies inside a subtree the built-in schema deliberately leaves free-form. */
function inFreeForm(kind: BindyKind, pointer: string): boolean {
  let node: OpenApiSchema | undefined = builtinSchemas[kind];
  for (const seg of pointer.split('/').slice(1)) {
    if (node === undefined) return false;
    if (node['x-kubernetes-preserve-unknown-fields'] === true) return true;
    node = /^\d+$/.test(seg) && node.items !== undefined ? node.items : node.properties?.[seg];
  }
  return node?.['x-kubernetes-preserve-unknown-fields'] === true;
}

test("built-in agrees with bindy's CRD on every bindy object in bindy's examples", { skip }, async (t) => {
  const dir = join(bindyDir, 'examples');
  const lenient = newAjv();
  const crds = await loadCrdSchemas(join(bindyDir, 'deploy/operator/crds'));
  let checked = 0;
  let valid = 0;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const o: unknown = doc.toJS();
      if (!isPlainObject(o) || typeof o.kind !== 'string' || !(bindyKinds as readonly string[]).includes(o.kind)) continue;
      const kind = o.kind as BindyKind;
      const where = `${file} ${kind} ${isPlainObject(o.metadata) ? String(o.metadata.name) : '?'}`;
      // What a default (pruning) API server says: only violations count.
      const crd = crds.get(kind);
      assert.ok(crd);
      const prunes = lenient.compile(toJsonSchema(crd, { root: true }))(o);
      const builtin = validatorFor(kind)(o);
      assert.equal(builtin.violations.length === 0, prunes, `${where}: pruning verdicts differ: ${JSON.stringify(builtin.violations)}`);
      // Strict: unknown fields count too, except inside subtrees the built-in leaves free-form on purpose.
      const strictCheck = (await real()).get(kind);
      assert.ok(strictCheck);
      const strictOk = strictCheck(o);
      const b = builtinVerdict(kind, o);
      if (strictOk !== b.ok) {
        const errs = strictCheck.errors ?? [];
        const onlyFreeForm = !strictOk && errs.every((e) => e.keyword === 'additionalProperties' && inFreeForm(kind, e.instancePath));
        assert.ok(onlyFreeForm, `${where}: strict verdicts differ: CRD ${strictOk} ${JSON.stringify(errs.slice(0, 2))} / built-in ${b.why}`);
        t.diagnostic(`${where}: unknown fields inside a free-form subtree: ${errs.map((e) => e.instancePath).join(', ')}`);
      }
      const first = strictCheck.errors?.[0];
      if (first !== undefined) t.diagnostic(`${where} is invalid against bindy's CRD (strict): ${first.instancePath} ${first.message ?? ''} ${JSON.stringify(first.params)}`);
      checked++;
      if (strictOk) valid++;
    }
  }
  t.diagnostic(`${checked} example objects checked, ${valid} valid under strict validation`);
  assert.ok(checked >= 50 && valid >= 40, `expected most examples to be valid, got ${valid} of ${checked}`);
});
