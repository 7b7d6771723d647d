/**
 * @module The discovery plan (pure): DNSZones that select records by zone label alone (scout's
 * ARecords carry no run id), and annotated sources spread over them (LoadBalancer Services and
 * Ingresses with one host per rule), each with the ARecords scout will write for it and the DNS
 * answer each must give.
 */
import type { Config } from '../config/index.js';
import { UsageError } from '../errors.js';
import { generateCluster, generateZone } from '../model/fixtures/generate.js';
import type { DnsZoneObject } from '../model/fixtures/objects.js';
import { runIdLabel, zoneLabel } from '../model/kinds.js';
import { annotationKeys, arecordName } from '../model/scout-contract.js';
import type { KubeObject } from '../observe/kube-client.js';
import { fixtureOptionsFromConfig } from './fixture-options.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';

/** Sources one run can give distinct addresses to (198.18.0.0/15, RFC 2544's benchmarking range). */
export const maxDiscoveryServices = 131_072;

/** One ARecord scout must write for a source, and the name DNS must answer with the source's address. */
export interface DiscoveryRecord {
  /** `scout-<cluster>-<namespace>-<name>` (Service), `…-<rule index>` (Ingress). */
  arecord: string;
  /** `<service>.<zone>`, or the Ingress rule's host. */
  fqdn: string;
}

/** One annotated source (a LoadBalancer Service or an Ingress) and what scout and DNS must make of it. */
export interface DiscoverySource {
  kind: 'Service' | 'Ingress';
  object: KubeObject;
  /** Its address index: {@link discoveryIp}(index); Services first, then Ingresses. */
  index: number;
  /** `svc-<n>` or `ing-<n>`. */
  name: string;
  zone: string;
  ip: string;
  /** One per Service; one per rule of an Ingress. */
  records: DiscoveryRecord[];
}

/** What only the discovery drive reads. */
export interface DiscoveryPlanData {
  zones: DnsZoneObject[];
  /**
   * The sources of cluster `clusterIndex` (0: the target's own) in creation order (Ingresses
   * spread among the Services), with the ARecord names scout writes there under `scoutCluster`
   * (regenerated on each call).
   */
  sources: (scoutCluster: string, clusterIndex?: number) => DiscoverySource[];
  scoutCluster: string;
  /** Clusters publishing the same sources: 1 = the target's own. */
  clusters: number;
  /** Sources whose address changes after they are answered (the first ones created). */
  flips: number;
  /** The annotation holding a Service's address (`<prefix>ip`). */
  ipAnnotation: string;
  concurrency: number;
  timeoutMs: number;
}

/** The address of Service `i`: 198.18.0.0/15 in order, never a real host. */
export function discoveryIp(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= maxDiscoveryServices) throw new RangeError(`service ${i}: outside 198.18.0.0/15`);
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

/** The address Service `i` moves to when flipped: counted down from the top of the range, never one a Service had. */
export function flippedIp(i: number): string {
  return discoveryIp(maxDiscoveryServices - 1 - i);
}

/** The zones of a discovery run: named after the run (no other run's records can match), selecting by zone label only. */
export function discoveryZones(config: Readonly<Config>, runId: string): DnsZoneObject[] {
  const d = config.scenarios.discovery;
  const o = { ...fixtureOptionsFromConfig(config, { runId, zones: d.zones, recordsPerZone: 1 }), zoneNamePattern: `sd-{}.${runId}.example.com` };
  return Array.from({ length: d.zones }, (_, i) => {
    const z = generateZone(o, i);
    // scout labels its ARecords with the zone only: a selector on the run id would never match them.
    return { ...z, spec: { ...z.spec, recordsFrom: [{ selector: { matchLabels: { [zoneLabel]: z.spec.zoneName } } }] } };
  });
}

/** `n` Services and `m` Ingresses in one order, the Ingresses spread evenly among the Services (so the first sources created, and flipped, hold both kinds). */
export function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    out.push(a[i] as T);
    // After Service i, the Ingresses that fall before the next Service's share of the whole.
    while (j < b.length && (j + 1) * a.length <= (i + 1) * b.length) out.push(b[j++] as T);
  }
  while (j < b.length) out.push(b[j++] as T);
  return out;
}

/**
 * The annotated Services and Ingresses of cluster `clusterIndex`, each kind round-robin over the
 * zones, in creation order. Every cluster has the same objects (namespace and names: what bindy
 * #474's cleanup selects on); another cluster's get their own addresses and DNS names (a
 * `record-name` annotation on Services, `-c<k>` in Ingress hosts), so each ARecord has one answer.
 */
export function discoverySources(config: Readonly<Config>, runId: string, zones: readonly DnsZoneObject[], scoutCluster: string, clusterIndex = 0): DiscoverySource[] {
  const d = config.scenarios.discovery;
  const keys = annotationKeys(d.annotationPrefix);
  const namespace = config.namespace;
  const base = clusterIndex * (d.services + d.ingresses);
  const suffix = clusterIndex === 0 ? '' : `-c${clusterIndex + 1}`;
  const zoneOf = (i: number): string => zones[i % zones.length]?.spec.zoneName ?? '';
  const metadata = (name: string, zone: string, ip: string, extra: Record<string, string> = {}): KubeObject['metadata'] => ({ name, namespace, labels: { [runIdLabel]: runId }, annotations: { [keys.scoutEnabled]: 'true', [keys.zone]: zone, [keys.ip]: ip, ...extra } });
  const services = Array.from({ length: d.services }, (_, i): DiscoverySource => {
    const name = `svc-${i}`;
    const zone = zoneOf(i);
    const index = base + i;
    const ip = discoveryIp(index);
    const recordName = `${name}${suffix}`;
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(name, zone, ip, suffix === '' ? {} : { [keys.recordName]: recordName }),
      spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
    };
    return { kind: 'Service', object, index, name, zone, ip, records: [{ arecord: arecordName(scoutCluster, namespace, name), fqdn: `${recordName}.${zone}` }] };
  });
  const ingresses = Array.from({ length: d.ingresses }, (_, i): DiscoverySource => {
    const name = `ing-${i}`;
    const zone = zoneOf(i);
    const index = base + d.services + i;
    const ip = discoveryIp(index);
    // One host per rule (scout: one ARecord per rule, named by the rule's index), all in the zone.
    const hosts = Array.from({ length: d.ingressRules }, (_, r) => `${name}-r${r}${suffix}.${zone}`);
    const object: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: metadata(name, zone, ip),
      spec: { rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } })) },
    };
    return { kind: 'Ingress', object, index, name, zone, ip, records: hosts.map((fqdn, r) => ({ arecord: arecordName(scoutCluster, namespace, name, r), fqdn })) };
  });
  return interleave(services, ingresses);
}

/** The discovery plan. */
export function planDiscovery(input: PlanInput): ScenarioPlan<DiscoveryPlanData> {
  const { config, runId } = input;
  const d = config.scenarios.discovery;
  if (d.services + d.ingresses === 0) throw new UsageError('scenarios.discovery: --services 0 and --ingresses 0: nothing for scout to publish (give at least one)');
  if (d.clusters * (d.services + d.ingresses) > maxDiscoveryServices / 2) throw new UsageError(`scenarios.discovery: ${d.clusters} cluster(s) × (${d.services} Services + ${d.ingresses} Ingresses) is above ${maxDiscoveryServices / 2} (each source gets its own address in 198.18.0.0/15, and one more when it is flipped)`);
  const o = fixtureOptionsFromConfig(config, { runId, zones: d.zones, recordsPerZone: 1 });
  const zones = discoveryZones(config, runId);
  // At most every source: a default of 20 flips on a 5-Service run moves all 5.
  const sourceCount = d.services + d.ingresses;
  const flips = Math.min(d.flips, sourceCount);
  const what = [d.services > 0 ? `${d.services} LoadBalancer Services` : '', d.ingresses > 0 ? `${d.ingresses} Ingresses of ${d.ingressRules} rule${d.ingressRules === 1 ? '' : 's'} (one host, one ARecord each)` : ''].filter((x) => x !== '').join(' and ');
  const describe = [
    `1. namespace ${config.namespace} and Bind9Cluster ${o.clusterName}: as for burst (not measured); ${d.zones} DNSZones (sd-N.${runId}.example.com) selecting records by zone label, waited Ready (not measured)`,
    `2. publish: ${what} annotated for scout (${d.annotationPrefix}scout-enabled, zone, ip), ${d.concurrency} creates in flight; each ARecord timed from its source's intended start to scout writing it (scout-${d.scoutCluster}-${config.namespace}-svc-N, …-ing-N-<rule>), to its Ready, and to DNS answering the source's address (every server)`,
    `   flips: the first ${flips} sources get a new address (server-side apply of their ip annotation) once answered; each of their ARecords timed to Ready at the new generation and to DNS answering the new address`,
    `3. remove: every source deleted; each ARecord timed to gone and to DNS answering NXDOMAIN; ARecords scout leaves behind are counted as orphans (never deleted by this tool)`,
    ...(d.clusters > 1 ? [`   clusters: the same sources (namespace and names) are created in ${d.clusters - 1} other cluster(s) too, whose scouts write under ${d.scoutCluster}-2… into the same zones (own addresses and names); an ARecord deleted while its source still exists is lost (bindy #474: scout's stale cleanup is not scoped by cluster)`] : []),
    `4. each phase waits up to ${Math.round(d.timeout / 1000)} s; then cleanup: everything labelled loadtest.bindy.firestoned.io/run-id=${runId} (unless --keep)`,
  ];
  return {
    scenario: 'discovery',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster: generateCluster(o) },
    kinds: ['DNSZone', 'ARecord', 'Service', ...(d.ingresses > 0 ? (['Ingress'] as const) : [])],
    total: d.zones + d.clusters * sourceCount,
    describe,
    objects: () => zones,
    engine: { concurrency: d.concurrency, timeoutMs: d.timeout },
    data: { zones, sources: (cluster, k = 0) => discoverySources(config, runId, zones, cluster, k), scoutCluster: d.scoutCluster, clusters: d.clusters, flips, ipAnnotation: annotationKeys(d.annotationPrefix).ip, concurrency: d.concurrency, timeoutMs: d.timeout },
  };
}
