/**
 * @module The discovery plan (pure): DNSZones that select records by zone label alone (scout's
 * ARecords carry no run id), and annotated LoadBalancer Services spread over them, each with the
 * ARecord scout will write for it and the DNS answer that record must give.
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

/** Services one run can give distinct addresses to (198.18.0.0/15, RFC 2544's benchmarking range). */
export const maxDiscoveryServices = 131_072;

/** One annotated Service and what scout and DNS must make of it. */
export interface DiscoverySource {
  service: KubeObject;
  /** Its index: `svc-<index>`, address {@link discoveryIp}(index). */
  index: number;
  name: string;
  zone: string;
  /** The name DNS must answer: `<service>.<zone>`. */
  fqdn: string;
  ip: string;
  /** The ARecord scout writes: `scout-<cluster>-<namespace>-<service>`. */
  arecord: string;
}

/** What only the discovery drive reads. */
export interface DiscoveryPlanData {
  zones: DnsZoneObject[];
  /** The Services in creation order, with the ARecord names scout writes under `scoutCluster` (regenerated on each call). */
  sources: (scoutCluster: string) => DiscoverySource[];
  scoutCluster: string;
  /** Services whose address changes after they are answered (the first ones). */
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

/** The annotated Services, round-robin over the zones. */
export function discoverySources(config: Readonly<Config>, runId: string, zones: readonly DnsZoneObject[], scoutCluster: string): DiscoverySource[] {
  const d = config.scenarios.discovery;
  const keys = annotationKeys(d.annotationPrefix);
  const namespace = config.namespace;
  return Array.from({ length: d.services }, (_, i) => {
    const name = `svc-${i}`;
    const zone = zones[i % zones.length]?.spec.zoneName ?? '';
    const ip = discoveryIp(i);
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { [runIdLabel]: runId }, annotations: { [keys.scoutEnabled]: 'true', [keys.zone]: zone, [keys.ip]: ip } },
      spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
    };
    return { service, index: i, name, zone, fqdn: `${name}.${zone}`, ip, arecord: arecordName(scoutCluster, namespace, name) };
  });
}

/** The discovery plan. */
export function planDiscovery(input: PlanInput): ScenarioPlan<DiscoveryPlanData> {
  const { config, runId } = input;
  const d = config.scenarios.discovery;
  if (d.services > maxDiscoveryServices / 2) throw new UsageError(`scenarios.discovery.services: ${d.services} is above ${maxDiscoveryServices / 2} (each Service gets its own address in 198.18.0.0/15, and one more when it is flipped)`);
  const o = fixtureOptionsFromConfig(config, { runId, zones: d.zones, recordsPerZone: 1 });
  const zones = discoveryZones(config, runId);
  // At most every Service: a default of 20 flips on a 5-Service run moves all 5.
  const flips = Math.min(d.flips, d.services);
  const describe = [
    `1. namespace ${config.namespace} and Bind9Cluster ${o.clusterName}: as for burst (not measured); ${d.zones} DNSZones (sd-N.${runId}.example.com) selecting records by zone label, waited Ready (not measured)`,
    `2. publish: ${d.services} LoadBalancer Services annotated for scout (${d.annotationPrefix}scout-enabled, zone, ip), ${d.concurrency} creates in flight; each timed from its intended start to scout's ARecord (scout-${d.scoutCluster}-${config.namespace}-svc-N), to its Ready, and to DNS answering its address (every server)`,
    `   flips: the first ${flips} Services get a new address (server-side apply of their ip annotation) once answered; each timed to its ARecord Ready at the new generation and to DNS answering the new address`,
    `3. remove: every Service deleted; each timed to its ARecord gone and to DNS answering NXDOMAIN; ARecords scout leaves behind are counted as orphans (never deleted by this tool)`,
    `4. each phase waits up to ${Math.round(d.timeout / 1000)} s; then cleanup: everything labelled loadtest.bindy.firestoned.io/run-id=${runId} (unless --keep)`,
  ];
  return {
    scenario: 'discovery',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster: generateCluster(o) },
    kinds: ['DNSZone', 'ARecord', 'Service'],
    total: d.zones + d.services,
    describe,
    objects: () => zones,
    engine: { concurrency: d.concurrency, timeoutMs: d.timeout },
    data: { zones, sources: (cluster) => discoverySources(config, runId, zones, cluster), scoutCluster: d.scoutCluster, flips, ipAnnotation: annotationKeys(d.annotationPrefix).ip, concurrency: d.concurrency, timeoutMs: d.timeout },
  };
}
