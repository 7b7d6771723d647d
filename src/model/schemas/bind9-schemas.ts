/**
 * @module Built-in schemas of Bind9Cluster, Bind9Instance and ClusterBind9Provider: the fields the
 * load test sets or reads are modelled precisely, the large pod-template-like subtrees are free-form.
 */
import type { OpenApiSchema } from './openapi.js';
import { freeForm, int32, objectRoot, optString, optStringList, stringMap } from './common.js';
import { bind9InstanceStatusSchema, clusterStatusSchema } from './status-schemas.js';

const rndcAlgorithm: OpenApiSchema = {
  type: 'string',
  default: 'hmac-sha256',
  enum: ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'],
};

/** A reference to the Secret holding an rndc key. */
const rndcSecretRef: OpenApiSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    algorithm: rndcAlgorithm,
    keyNameKey: { type: 'string', default: 'key-name' },
    secretKey: { type: 'string', default: 'secret' },
  },
};

const nullableRndcSecretRef: OpenApiSchema = { ...rndcSecretRef, nullable: true };
const replicas: OpenApiSchema = { ...int32(0, 100), nullable: true };
const freeFormList: OpenApiSchema = { type: 'array', nullable: true, items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };

const image: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: { image: optString, imagePullPolicy: optString, imagePullSecrets: optStringList },
};

const configMapRefs: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: { namedConf: optString, namedConfOptions: optString, namedConfZones: optString },
};

/** `primary` / `secondary` of a cluster: how many instances of that role (bindy's code defaults to 0). */
const roleSpec: OpenApiSchema = {
  type: 'object',
  nullable: true,
  properties: {
    replicas,
    labels: stringMap,
    allowTransfer: optStringList,
    rndcSecretRef: nullableRndcSecretRef,
    rndcKey: freeForm,
    service: freeForm,
  },
};

/** The spec shared by Bind9Cluster and ClusterBind9Provider. */
const clusterSpecProperties: Record<string, OpenApiSchema> = {
  version: { type: 'string', nullable: true, default: '9.18' },
  primary: roleSpec,
  secondary: roleSpec,
  image,
  configMapRefs,
  global: freeForm,
  acls: { type: 'object', nullable: true, additionalProperties: { type: 'array', items: { type: 'string' } } },
  rndcSecretRefs: { type: 'array', nullable: true, items: rndcSecretRef },
  volumes: freeFormList,
  volumeMounts: freeFormList,
};

/** Bind9Cluster (namespaced). */
export const bind9ClusterSchema: OpenApiSchema = objectRoot({ type: 'object', properties: clusterSpecProperties }, clusterStatusSchema);

/** ClusterBind9Provider (cluster-scoped): a cluster template plus the namespace its instances go to. */
export const clusterBind9ProviderSchema: OpenApiSchema = objectRoot(
  { type: 'object', properties: { ...clusterSpecProperties, namespace: optString } },
  clusterStatusSchema,
);

/** Bind9Instance (namespaced): one BIND9 server of a cluster. */
export const bind9InstanceSchema: OpenApiSchema = objectRoot(
  {
    type: 'object',
    required: ['clusterRef', 'role'],
    properties: {
      clusterRef: { type: 'string' },
      role: { type: 'string', enum: ['primary', 'secondary'] },
      replicas,
      version: optString,
      image,
      configMapRefs,
      primaryServers: optStringList,
      rndcSecretRef: nullableRndcSecretRef,
      rndcKey: freeForm,
      config: freeForm,
      bindcarConfig: freeForm,
      storage: freeForm,
      volumes: freeFormList,
      volumeMounts: freeFormList,
    },
  },
  bind9InstanceStatusSchema,
);
