/**
 * @module Descriptions of the bindy kinds' fields for `kubectl explain` (our own words, short; the
 * schemas themselves stay structure only). Applied when the OpenAPI documents are built.
 */
import type { OpenApiSchema } from '../../../model/schemas/openapi.js';

const recordCommon: Record<string, string> = {
  spec: 'The desired record: its owner name relative to the zone, TTL and data.',
  'spec.name': 'Owner name relative to the zone ("www"); "@" is the zone apex.',
  'spec.ttl': 'TTL in seconds of the published RRset (bindy publishes 300 when unset).',
  status: 'What bindy last did with the record (written by bindy only).',
  'status.conditions': 'Exactly one condition, Ready, whose reason says why it is (not) published.',
  'status.observedGeneration': 'The generation bindy last reconciled.',
  'status.zoneRef': 'The DNSZone whose recordsFrom selects this record (set by the zone reconcile).',
  'status.lastUpdated': 'When bindy last published the record to BIND9.',
  'status.recordHash': 'Hash of the published data, to skip unchanged updates.',
  'status.addresses': 'The addresses published (A and AAAA records), comma-separated.',
};

const recordData: Record<string, Record<string, string>> = {
  ARecord: { 'spec.ipv4Addresses': 'IPv4 addresses of the RRset (at least one).' },
  AAAARecord: { 'spec.ipv6Addresses': 'IPv6 addresses of the RRset (at least one).' },
  CNAMERecord: { 'spec.target': 'Canonical name, a FQDN with its trailing dot.' },
  MXRecord: { 'spec.priority': 'Preference (lower first).', 'spec.mailServer': 'Mail exchanger, a FQDN with its trailing dot.' },
  TXTRecord: { 'spec.text': 'The character strings of the record, each up to 255 bytes once published.' },
  NSRecord: { 'spec.nameserver': 'Name server of the delegated name, a FQDN with its trailing dot.' },
  SRVRecord: { 'spec.priority': 'Priority (lower first).', 'spec.weight': 'Relative weight among equal priorities.', 'spec.port': 'Port of the service.', 'spec.target': 'Host of the service, a FQDN with its trailing dot.' },
  CAARecord: { 'spec.flags': 'Flags (128: critical).', 'spec.tag': 'Property tag: issue, issuewild or iodef.', 'spec.value': 'Property value, e.g. the CA domain.' },
  PTRRecord: { 'spec.name': 'Host portion of the reverse name within the reverse zone, e.g. 10 in 0.168.192.in-addr.arpa.', 'spec.target': 'Canonical host the address points back to, a FQDN with its trailing dot.' },
};

const zone: Record<string, string> = {
  spec: 'The desired zone: its name, SOA, and which instances serve it and which records it holds.',
  'spec.zoneName': 'The zone name without trailing dot (example.com).',
  'spec.soaRecord': 'The zone SOA; times in seconds.',
  'spec.soaRecord.primaryNs': 'Primary name server, a FQDN with its trailing dot.',
  'spec.soaRecord.adminEmail': 'Responsible mailbox in DNS form (hostmaster.example.com.).',
  'spec.soaRecord.serial': 'Zone serial (unsigned 32 bits).',
  'spec.soaRecord.refresh': 'Seconds between secondaries\' refresh checks.',
  'spec.soaRecord.retry': 'Seconds before a failed refresh is retried.',
  'spec.soaRecord.expire': 'Seconds after which secondaries stop answering without a refresh.',
  'spec.soaRecord.negativeTtl': 'TTL in seconds of negative answers.',
  'spec.ttl': 'Default TTL of the zone in seconds.',
  'spec.bind9InstancesFrom': 'Label selectors over Bind9Instances in this namespace: the servers of the zone.',
  'spec.recordsFrom': 'Label selectors over the record kinds in this namespace: the records of the zone.',
  'spec.clusterRef': 'Kept for compatibility; bindy does not read it.',
  'spec.dnssecPolicy': 'Name of a BIND9 dnssec-policy to sign the zone with.',
  'spec.nameServers': 'The zone NS records, with glue addresses for in-zone names.',
  'spec.nameServerIps': 'Glue addresses by name server (older form of nameServers).',
  status: 'What bindy last did with the zone (written by bindy only).',
  'status.conditions': 'Ready, Degraded and Progressing.',
  'status.observedGeneration': 'The generation bindy last reconciled.',
  'status.bind9Instances': 'Every selected instance with the state of the zone on it: Claimed, Configured, Failed or Unclaimed.',
  'status.bind9InstancesCount': 'Number of selected instances.',
  'status.records': 'The records the zone selects, with when each was last reconciled.',
  'status.recordsCount': 'Number of selected records.',
  'status.dnssec': 'DNSSEC signing state, when a policy is set.',
};

/** The descriptions of one kind's fields by dotted path (empty for kinds without any). */
export function fieldDescriptions(kind: string): Readonly<Record<string, string>> {
  if (kind === 'DNSZone') return zone;
  const data = recordData[kind];
  return data === undefined ? {} : { ...recordCommon, ...data };
}

/** The node at a dotted path (through properties and array items), or undefined. */
export function schemaAt(schema: OpenApiSchema, path: string): OpenApiSchema | undefined {
  let node: OpenApiSchema | undefined = schema;
  for (const seg of path.split('.')) {
    const holder: OpenApiSchema | undefined = node?.type === 'array' ? node.items : node;
    node = holder?.properties?.[seg];
  }
  return node;
}

/** `node` with `description` set at the path `segs`, copying only the nodes on the way (schema nodes are shared between fields). */
function withDescription(node: OpenApiSchema, segs: readonly string[], description: string): OpenApiSchema {
  const [seg, ...rest] = segs;
  if (seg === undefined) return { ...node, description };
  if (node.type === 'array' && node.items !== undefined) return { ...node, items: withDescription(node.items, segs, description) };
  const child = node.properties?.[seg];
  return child === undefined ? node : { ...node, properties: { ...node.properties, [seg]: withDescription(child, rest, description) } };
}

/** `schema` with the descriptions of `paths` set; the input is not changed. */
export function describe(schema: OpenApiSchema, paths: Readonly<Record<string, string>>): OpenApiSchema {
  let out = schema;
  for (const [path, description] of Object.entries(paths)) out = withDescription(out, path.split('.'), description);
  return out;
}
