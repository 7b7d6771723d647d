/**
 * The OpenAPI documents without sockets: v2's conversion of structural schemas (as kube-apiserver
 * converts them), its protobuf encoding with gnostic's field numbers, v3's real schemas, and the
 * content negotiation of `/openapi/v2`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs/light.js';
import { parse as parseYaml } from 'yaml';
import { createApiServer } from './api-server.js';
import { defaultResources } from './default-resources.js';
import { builtinSchemas } from '../../../model/schemas/builtin.js';
import { bindyKinds } from '../../../model/kinds.js';
import { fieldDescriptions, schemaAt } from './field-descriptions.js';
import { toV2Schema } from './openapi-v2.js';
import { encodeOpenApiV2, openApiV2ProtoType } from './openapi-v2-proto.js';

test('v2 conversion: nullable and preserve-unknown-fields nodes lose type and children; nullable fields leave required', () => {
  const out = toV2Schema({
    type: 'object',
    required: ['a', 'n'],
    properties: {
      a: { type: 'string', pattern: '^x$' },
      n: { type: 'array', nullable: true, items: { type: 'string' } },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { x: { type: 'string' } } },
      oneOf: { type: 'string', oneOf: [{ pattern: 'a' }] },
      map: { type: 'object', additionalProperties: { type: 'integer', format: 'int32' } },
    },
  });
  assert.deepEqual(out, {
    type: 'object',
    required: ['a'],
    properties: {
      a: { type: 'string', pattern: '^x$' },
      n: {},
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      oneOf: { type: 'string' },
      map: { type: 'object', additionalProperties: { type: 'integer', format: 'int32' } },
    },
  });
});

/** Reads the fields of one protobuf message: field number → raw values (length-delimited ones as bytes). */
function fields(buf: Uint8Array): Map<number, (Uint8Array | number)[]> {
  const r = protobuf.Reader.create(buf);
  const out = new Map<number, (Uint8Array | number)[]>();
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    const v = wire === 2 ? r.bytes() : wire === 0 ? r.uint32() : (r.skipType(wire), -1);
    out.set(id, [...(out.get(id) ?? []), v]);
  }
  return out;
}
const text = (b: Uint8Array | number | undefined): string => (b instanceof Uint8Array ? Buffer.from(b).toString('utf8') : '');
const msg = (b: Uint8Array | number | undefined): Map<number, (Uint8Array | number)[]> => fields(b instanceof Uint8Array ? b : new Uint8Array());

test("protobuf v2: gnostic's field numbers for the document, definitions, schemas and vendor extensions (as YAML)", () => {
  const doc = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: {},
    definitions: { 'x.v1.K': { type: 'object', required: ['spec'], properties: { spec: { type: 'string' } }, 'x-kubernetes-group-version-kind': [{ group: 'x', kind: 'K', version: 'v1' }] } },
  };
  const top = fields(encodeOpenApiV2(doc));
  assert.equal(text(top.get(1)?.[0]), '2.0', 'swagger = 1');
  assert.equal(text(msg(top.get(2)?.[0]).get(1)?.[0]), 'Kubernetes', 'info = 2, title = 1');
  const named = msg(msg(top.get(9)?.[0]).get(1)?.[0]);
  assert.equal(text(named.get(1)?.[0]), 'x.v1.K', 'definitions = 9 → NamedSchema name = 1');
  const schema = msg(named.get(2)?.[0]);
  assert.equal(text(msg(schema.get(22)?.[0]).get(1)?.[0]), 'object', 'type = 22 → TypeItem value = 1');
  assert.equal(text(schema.get(19)?.[0]), 'spec', 'required = 19');
  const prop = msg(msg(schema.get(25)?.[0]).get(1)?.[0]);
  assert.equal(text(prop.get(1)?.[0]), 'spec', 'properties = 25 → NamedSchema');
  const ext = msg(schema.get(31)?.[0]);
  assert.equal(text(ext.get(1)?.[0]), 'x-kubernetes-group-version-kind', 'vendor_extension = 31');
  assert.deepEqual(parseYaml(text(msg(ext.get(2)?.[0]).get(2)?.[0])), [{ group: 'x', kind: 'K', version: 'v1' }], 'Any.yaml = 2');
});

test('/openapi/v2 answers JSON, or protobuf to a client that asks for it; v3 carries the real schemas of CRD kinds', async () => {
  const s = createApiServer({ resources: defaultResources() });
  const json = await s.request({ method: 'GET', path: '/openapi/v2' });
  assert.equal(json.status, 200);
  const defs = (json.body as { definitions: Record<string, { properties?: Record<string, unknown>; 'x-kubernetes-group-version-kind'?: unknown }> }).definitions;
  const zone = defs['io.firestoned.bindy.v1beta1.DNSZone'];
  assert.deepEqual(zone?.['x-kubernetes-group-version-kind'], [{ group: 'bindy.firestoned.io', kind: 'DNSZone', version: 'v1beta1' }]);
  assert.deepEqual(Object.keys(zone?.properties ?? {}).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.ok(defs['io.firestoned.bindy.v1beta1.DNSZoneList']);
  assert.equal(defs['io.k8s.api.core.v1.Namespace']?.['x-kubernetes-group-version-kind'], undefined, 'built-in kinds keep kubectl on its compiled-in types');

  const pb = await s.request({ method: 'GET', path: '/openapi/v2', headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
  assert.equal(pb.status, 200);
  assert.equal(pb.headers['content-type'], openApiV2ProtoType);
  assert.equal(text(fields(pb.bytes).get(1)?.[0]), '2.0');

  const v3 = await s.request({ method: 'GET', path: '/openapi/v3/apis/bindy.firestoned.io/v1beta1' });
  const schemas = (v3.body as { components: { schemas: Record<string, { properties?: Record<string, { properties?: Record<string, unknown> }> }> } }).components.schemas;
  const spec = schemas['io.firestoned.bindy.v1beta1.DNSZone']?.properties?.['spec'];
  assert.ok(spec?.properties?.['zoneName'], 'the real DNSZone spec, not an open object');
  assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'metadata resolves within the document');
});

test('published schemas carry our field descriptions (for kubectl explain); the model schemas stay structure only', async () => {
  const s = createApiServer({ resources: defaultResources() });
  const doc = (await s.request({ method: 'GET', path: '/openapi/v2' })).body as { definitions: Record<string, { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> }> };
  const spec = doc.definitions['io.firestoned.bindy.v1beta1.DNSZone']?.properties['spec'];
  assert.match(spec?.description ?? '', /desired zone/);
  assert.match(spec?.properties?.['zoneName']?.description ?? '', /without trailing dot/);
  // The two selector lists share one schema node in the model: each keeps its own description.
  assert.match(spec?.properties?.['bind9InstancesFrom']?.description ?? '', /Bind9Instances/);
  assert.match(spec?.properties?.['recordsFrom']?.description ?? '', /record kinds/);
  assert.match(doc.definitions['io.firestoned.bindy.v1beta1.MXRecord']?.properties['spec']?.properties?.['mailServer']?.description ?? '', /Mail exchanger/);
  assert.equal(builtinSchemas.DNSZone.properties?.['spec']?.description, undefined);
});

test('every described field exists in its kind\'s schema', () => {
  for (const kind of bindyKinds) {
    for (const path of Object.keys(fieldDescriptions(kind))) assert.ok(schemaAt(builtinSchemas[kind], path), `${kind}: ${path}`);
  }
});
