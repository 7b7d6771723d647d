/**
 * @module The `/openapi/v2` document in protobuf, as kube-apiserver serves it to clients that ask
 * for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (every kubectl does, and
 * kubectl 1.20 accepts nothing else). The messages are gnostic's `openapi.v2` package, declared
 * here with only the fields the document uses (field numbers from gnostic's OpenAPIv2.proto);
 * values of defaults, enums and vendor extensions travel as YAML text, as gnostic encodes them.
 */
import protobuf from 'protobufjs/light.js';
import { stringify as toYaml } from 'yaml';
import type { Published } from './openapi-shared.js';

/** The media types clients ask for a protobuf OpenAPI v2 document with (the `@` one is kubectl's). */
export const openApiV2ProtoAccept = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];
/** The Content-Type of the answer: kube-openapi's, without the `@` that Go's MIME parser refuses. */
export const openApiV2ProtoType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;
const f = (type: string, id: number): { type: string; id: number } => ({ type, id });
const many = (type: string, id: number): { type: string; id: number; rule: 'repeated' } => ({ type, id, rule: 'repeated' });

const messages: Record<string, Fields> = {
  Any: { yaml: f('string', 2) },
  NamedAny: { name: f('string', 1), value: f('Any', 2) },
  Info: { title: f('string', 1), version: f('string', 2), description: f('string', 3) },
  Document: {
    swagger: f('string', 1),
    info: f('Info', 2),
    paths: f('Paths', 8),
    definitions: f('Definitions', 9),
    security: many('SecurityRequirement', 12),
    securityDefinitions: f('SecurityDefinitions', 13),
  },
  Paths: { path: many('NamedPathItem', 2) },
  NamedPathItem: { name: f('string', 1), value: f('PathItem', 2) },
  PathItem: { get: f('Operation', 2), put: f('Operation', 3), post: f('Operation', 4), delete: f('Operation', 5), patch: f('Operation', 8), parameters: many('ParametersItem', 9) },
  Operation: {
    description: f('string', 3),
    operationId: f('string', 5),
    produces: many('string', 6),
    consumes: many('string', 7),
    parameters: many('ParametersItem', 8),
    responses: f('Responses', 9),
    schemes: many('string', 10),
    vendorExtension: many('NamedAny', 13),
  },
  ParametersItem: { parameter: f('Parameter', 1) },
  Parameter: { bodyParameter: f('BodyParameter', 1), nonBodyParameter: f('NonBodyParameter', 2) },
  BodyParameter: { description: f('string', 1), name: f('string', 2), in: f('string', 3), required: f('bool', 4), schema: f('Schema', 5) },
  NonBodyParameter: { queryParameterSubSchema: f('QueryParameterSubSchema', 3), pathParameterSubSchema: f('PathParameterSubSchema', 4) },
  QueryParameterSubSchema: { required: f('bool', 1), in: f('string', 2), description: f('string', 3), name: f('string', 4), type: f('string', 6), uniqueItems: f('bool', 20) },
  PathParameterSubSchema: { required: f('bool', 1), in: f('string', 2), description: f('string', 3), name: f('string', 4), type: f('string', 5), uniqueItems: f('bool', 19) },
  Responses: { responseCode: many('NamedResponseValue', 1) },
  NamedResponseValue: { name: f('string', 1), value: f('ResponseValue', 2) },
  ResponseValue: { response: f('Response', 1) },
  Response: { description: f('string', 1), schema: f('SchemaItem', 2) },
  SchemaItem: { schema: f('Schema', 1) },
  Definitions: { additionalProperties: many('NamedSchema', 1) },
  Properties: { additionalProperties: many('NamedSchema', 1) },
  NamedSchema: { name: f('string', 1), value: f('Schema', 2) },
  AdditionalPropertiesItem: { schema: f('Schema', 1), boolean: f('bool', 2) },
  TypeItem: { value: many('string', 1) },
  ItemsItem: { schema: many('Schema', 1) },
  Schema: {
    ref: f('string', 1),
    format: f('string', 2),
    title: f('string', 3),
    description: f('string', 4),
    default: f('Any', 5),
    multipleOf: f('double', 6),
    maximum: f('double', 7),
    exclusiveMaximum: f('bool', 8),
    minimum: f('double', 9),
    exclusiveMinimum: f('bool', 10),
    maxLength: f('int64', 11),
    minLength: f('int64', 12),
    pattern: f('string', 13),
    maxItems: f('int64', 14),
    minItems: f('int64', 15),
    uniqueItems: f('bool', 16),
    maxProperties: f('int64', 17),
    minProperties: f('int64', 18),
    required: many('string', 19),
    enum: many('Any', 20),
    additionalProperties: f('AdditionalPropertiesItem', 21),
    type: f('TypeItem', 22),
    items: f('ItemsItem', 23),
    allOf: many('Schema', 24),
    properties: f('Properties', 25),
    vendorExtension: many('NamedAny', 31),
  },
  SecurityRequirement: { additionalProperties: many('NamedStringArray', 1) },
  NamedStringArray: { name: f('string', 1), value: f('StringArray', 2) },
  StringArray: { value: many('string', 1) },
  SecurityDefinitions: { additionalProperties: many('NamedSecurityDefinitionsItem', 1) },
  NamedSecurityDefinitionsItem: { name: f('string', 1), value: f('SecurityDefinitionsItem', 2) },
  SecurityDefinitionsItem: { apiKeySecurity: f('ApiKeySecurity', 2) },
  ApiKeySecurity: { type: f('string', 1), name: f('string', 2), in: f('string', 3), description: f('string', 4) },
};

let documentType: protobuf.Type | undefined;
function documentMessage(): protobuf.Type {
  documentType ??= protobuf.Root.fromJSON({
    nested: { openapi: { nested: { v2: { nested: Object.fromEntries(Object.entries(messages).map(([name, fields]) => [name, { fields }])) } } } },
  }).lookupType('openapi.v2.Document');
  return documentType;
}

type Msg = Record<string, unknown>;

function isObj(v: unknown): v is Published {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const objOf = (v: unknown): Published => (isObj(v) ? v : {});
const strOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const yamlAny = (v: unknown): Msg => ({ yaml: toYaml(v) });

function vendorExtensions(o: Published): Msg[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: yamlAny(v) }));
}

/** Drops undefined values so the message holds only what the document says. */
function compact(m: Msg): Msg {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined));
}

function schemaMsg(s: Published): Msg {
  const num = (k: string): number | undefined => (typeof s[k] === 'number' ? s[k] : undefined);
  const ap = s.additionalProperties;
  return compact({
    ref: strOf(s.$ref),
    format: strOf(s.format),
    title: strOf(s.title),
    description: strOf(s.description),
    default: s.default === undefined ? undefined : yamlAny(s.default),
    multipleOf: num('multipleOf'),
    maximum: num('maximum'),
    exclusiveMaximum: s.exclusiveMaximum === true ? true : undefined,
    minimum: num('minimum'),
    exclusiveMinimum: s.exclusiveMinimum === true ? true : undefined,
    maxLength: num('maxLength'),
    minLength: num('minLength'),
    pattern: strOf(s.pattern),
    maxItems: num('maxItems'),
    minItems: num('minItems'),
    uniqueItems: s.uniqueItems === true ? true : undefined,
    maxProperties: num('maxProperties'),
    minProperties: num('minProperties'),
    required: Array.isArray(s.required) ? s.required : undefined,
    enum: Array.isArray(s.enum) ? s.enum.map(yamlAny) : undefined,
    additionalProperties: typeof ap === 'boolean' ? { boolean: ap } : isObj(ap) ? { schema: schemaMsg(ap) } : undefined,
    type: typeof s.type === 'string' ? { value: [s.type] } : undefined,
    items: isObj(s.items) ? { schema: [schemaMsg(s.items)] } : undefined,
    allOf: Array.isArray(s.allOf) ? s.allOf.map((x) => schemaMsg(objOf(x))) : undefined,
    properties: isObj(s.properties) ? { additionalProperties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schemaMsg(objOf(v)) })) } : undefined,
    vendorExtension: vendorExtensions(s),
  });
}

function parameterMsg(p: Published): Msg {
  const common = { name: strOf(p.name), in: strOf(p.in), description: strOf(p.description), required: p.required === true ? true : undefined };
  if (p.in === 'body') return { parameter: { bodyParameter: compact({ ...common, schema: isObj(p.schema) ? schemaMsg(p.schema) : undefined }) } };
  const sub = compact({ ...common, type: strOf(p.type), uniqueItems: p.uniqueItems === true ? true : undefined });
  return { parameter: { nonBodyParameter: p.in === 'path' ? { pathParameterSubSchema: sub } : { queryParameterSubSchema: sub } } };
}

const parametersOf = (v: unknown): Msg[] | undefined => (Array.isArray(v) ? v.map((p) => parameterMsg(objOf(p))) : undefined);

function operationMsg(o: Published): Msg {
  return compact({
    description: strOf(o.description),
    operationId: strOf(o.operationId),
    produces: o.produces,
    consumes: o.consumes,
    parameters: parametersOf(o.parameters),
    responses: {
      responseCode: Object.entries(objOf(o.responses)).map(([name, r]) => {
        const resp = objOf(r);
        return { name, value: { response: compact({ description: strOf(resp.description), schema: isObj(resp.schema) ? { schema: schemaMsg(resp.schema) } : undefined }) } };
      }),
    },
    schemes: o.schemes,
    vendorExtension: vendorExtensions(o),
  });
}

function pathItemMsg(item: Published): Msg {
  const ops = Object.fromEntries(['get', 'put', 'post', 'delete', 'patch'].filter((k) => isObj(item[k])).map((k) => [k, operationMsg(objOf(item[k]))]));
  return compact({ ...ops, parameters: parametersOf(item.parameters) });
}

/** Encodes an OpenAPI v2 (Swagger 2.0) JSON document as gnostic's `openapi.v2.Document`. */
export function encodeOpenApiV2(doc: Published): Buffer {
  const info = objOf(doc.info);
  const message = compact({
    swagger: strOf(doc.swagger),
    info: compact({ title: strOf(info.title), version: strOf(info.version), description: strOf(info.description) }),
    paths: { path: Object.entries(objOf(doc.paths)).map(([name, item]) => ({ name, value: pathItemMsg(objOf(item)) })) },
    definitions: { additionalProperties: Object.entries(objOf(doc.definitions)).map(([name, s]) => ({ name, value: schemaMsg(objOf(s)) })) },
    security: Array.isArray(doc.security)
      ? doc.security.map((req) => ({ additionalProperties: Object.entries(objOf(req)).map(([name, v]) => ({ name, value: { value: Array.isArray(v) ? v : [] } })) }))
      : undefined,
    securityDefinitions: {
      additionalProperties: Object.entries(objOf(doc.securityDefinitions)).map(([name, d]) => {
        const def = objOf(d);
        return { name, value: { apiKeySecurity: compact({ type: strOf(def.type), name: strOf(def.name), in: strOf(def.in), description: strOf(def.description) }) } };
      }),
    },
  });
  const type = documentMessage();
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}
