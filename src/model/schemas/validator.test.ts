import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatorFor, pointerToFieldPath } from './validator.js';
import { bindyKinds } from '../kinds.js';

const soa = { primaryNs: 'ns1.example.com.', adminEmail: 'hostmaster.example.com.', serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 };
const zone = (spec: Record<string, unknown>): unknown => ({ apiVersion: 'bindy.firestoned.io/v1beta1', kind: 'DNSZone', metadata: { name: 'z' }, spec });
const srv = { name: '_sip._tcp', priority: 10, weight: 5, port: 5060, target: 'sip.example.com.' };

const cases: { name: string; kind: (typeof bindyKinds)[number]; obj: unknown; field: string; reason: string; message: string | RegExp }[] = [
  { name: 'missing soaRecord', kind: 'DNSZone', obj: zone({ zoneName: 'example.com' }), field: 'spec.soaRecord', reason: 'FieldValueRequired', message: 'Required value' },
  {
    name: 'trailing dot in zoneName',
    kind: 'DNSZone',
    obj: zone({ zoneName: 'example.com.', soaRecord: soa }),
    field: 'spec.zoneName',
    reason: 'FieldValueInvalid',
    message: /^Invalid value: "example\.com\.": spec\.zoneName in body should match '\^.*\$'$/,
  },
  {
    name: 'SRV port 70000',
    kind: 'SRVRecord',
    obj: { spec: { ...srv, port: 70000 } },
    field: 'spec.port',
    reason: 'FieldValueInvalid',
    message: 'Invalid value: 70000: spec.port in body should be less than or equal to 65535',
  },
  {
    name: 'negative ttl',
    kind: 'ARecord',
    obj: { spec: { name: 'www', ipv4Addresses: ['192.0.2.1'], ttl: -1 } },
    field: 'spec.ttl',
    reason: 'FieldValueInvalid',
    message: 'Invalid value: -1: spec.ttl in body should be greater than or equal to 0',
  },
  {
    name: 'string ttl',
    kind: 'ARecord',
    obj: { spec: { name: 'www', ipv4Addresses: ['192.0.2.1'], ttl: '300' } },
    field: 'spec.ttl',
    reason: 'FieldValueTypeInvalid',
    message: 'Invalid value: "string": spec.ttl in body must be of type integer: "string"',
  },
  {
    name: 'empty ipv4Addresses',
    kind: 'ARecord',
    obj: { spec: { name: 'www', ipv4Addresses: [] } },
    field: 'spec.ipv4Addresses',
    reason: 'FieldValueInvalid',
    message: 'Invalid value: 0: spec.ipv4Addresses in body should have at least 1 items',
  },
  {
    name: 'bad role',
    kind: 'Bind9Instance',
    obj: { spec: { clusterRef: 'c', role: 'leader' } },
    field: 'spec.role',
    reason: 'FieldValueNotSupported',
    message: 'Unsupported value: "leader": supported values: "primary", "secondary"',
  },
  {
    name: 'array item type',
    kind: 'TXTRecord',
    obj: { spec: { name: 't', text: ['ok', 5] } },
    field: 'spec.text[1]',
    reason: 'FieldValueTypeInvalid',
    message: 'Invalid value: "integer": spec.text[1] in body must be of type string: "integer"',
  },
];

for (const c of cases) {
  test(`validatorFor: ${c.name}`, () => {
    const out = validatorFor(c.kind)(c.obj);
    const v = out.violations.find((x) => x.field === c.field);
    assert.ok(v, `no violation on ${c.field}: ${JSON.stringify(out.violations)}`);
    assert.equal(v.reason, c.reason);
    if (typeof c.message === 'string') assert.equal(v.message, c.message);
    else assert.match(v.message, c.message);
  });
}

test('validatorFor reports every violation at once', () => {
  const out = validatorFor('SRVRecord')({ spec: { name: 'x', port: 70000, priority: -1 } });
  assert.deepEqual(out.violations.map((v) => v.field).sort(), ['spec.port', 'spec.priority', 'spec.target', 'spec.weight']);
});

test('validatorFor lists unknown fields and prunes them (status too), keeping preserved subtrees', () => {
  const obj = {
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'Bind9Cluster',
    metadata: { name: 'c', annotations: { a: 'b' } },
    spec: { primary: { replicas: 1, bogus: true }, global: { anything: { deep: 1 } }, extra: 1 },
    status: { conditions: [], operatorNote: 'pruned' },
  };
  const out = validatorFor('Bind9Cluster')(obj);
  assert.deepEqual(out.violations, []);
  assert.deepEqual(out.unknownFields.sort(), ['spec.extra', 'spec.primary.bogus', 'status.operatorNote']);
  assert.deepEqual(out.pruned, {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: obj.metadata,
    spec: { primary: { replicas: 1 }, global: { anything: { deep: 1 } }, version: '9.18' },
    status: { conditions: [] },
  });
  assert.equal(obj.spec.primary.bogus, true, 'the input is not mutated');
});

test('validatorFor applies defaults only to present parents', () => {
  const out = validatorFor('Bind9Instance')({ spec: { clusterRef: 'c', role: 'primary', rndcSecretRef: { name: 's' } } });
  assert.deepEqual(out.pruned, {
    spec: { clusterRef: 'c', role: 'primary', rndcSecretRef: { name: 's', algorithm: 'hmac-sha256', keyNameKey: 'key-name', secretKey: 'secret' } },
  });
});

test('validatorFor compiles once per kind and exists for all 13 kinds', () => {
  for (const k of bindyKinds) assert.equal(validatorFor(k), validatorFor(k));
});

test('pointerToFieldPath uses brackets for indices and unescapes', () => {
  assert.equal(pointerToFieldPath('/spec/nameServers/0/hostname'), 'spec.nameServers[0].hostname');
  assert.equal(pointerToFieldPath('/metadata/labels/a~1b'), 'metadata.labels.a/b');
  assert.equal(pointerToFieldPath(''), '');
});
