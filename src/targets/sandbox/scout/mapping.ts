/**
 * @module The scout twin's pure part: a source object (LoadBalancer Service or Ingress) and the
 * settings in, what bindy's scout would do with it out (apply these ARecords, delete by these
 * selectors, add the finalizer, wait, or nothing and why). No I/O; every rule cites where scout
 * has it (`src/scout.rs` at bindy v0.6.2, see docs/sandbox-scout.md).
 */
import { bindyApiVersion } from '../../../model/kinds.js';
import { arr, isRecord, str } from '../operator/objects.js';
import { annotationKeys, arecordName, defaultAnnotationPrefix, managedByScout, maxNameLength, sanitizeName, scoutFieldManager, scoutFinalizer, scoutLabels, allowZoneNamespacesAnnotation, type AnnotationKeys } from '../../../model/scout-contract.js';

export { annotationKeys, arecordName, defaultAnnotationPrefix, managedByScout, maxNameLength, sanitizeName, scoutFieldManager, scoutFinalizer, scoutLabels, allowZoneNamespacesAnnotation, type AnnotationKeys };

/** How long scout keeps retrying the deletion of a source's ARecords before letting the source go (#444), ms. */
export const cleanupGraceMs = 300_000;

/** One `status.loadBalancer.ingress[]` entry. */
export interface LoadBalancerEntry {
  readonly ip?: string;
  readonly hostname?: string;
}


/** Kinds of source the twin watches (scout also watches Gateway routes; the sandbox serves none). */
export type SourceKind = 'Service' | 'Ingress';

/** How the stale cleanup is scoped when it does not reproduce #474. */
export type ScopedCleanup = 'zone' | 'own-cluster';

/** What a scout instance is configured with (CLI flags / env of `bindy scout`). */
export interface ScoutSettings {
  /** `--cluster-name`: stamped on labels and names; scout refuses to start without it. */
  readonly clusterName: string;
  /** `--namespace`: where ARecords are written and DNSZones are looked up (scout: `bindy-system`). */
  readonly targetNamespace: string;
  /** Prefix of the opt-in, zone, ip, ttl and record-name annotation keys. */
  readonly annotationPrefix: string;
  /** `--default-zone`: the zone of sources without a zone annotation. */
  readonly defaultZone?: string;
  /** `--default-ips`: used when a source has no ip annotation (before its load-balancer status). */
  readonly defaultIps: readonly string[];
  /** Namespaces never acted in (scout: its own pod namespace plus `BINDY_SCOUT_EXCLUDE_NAMESPACES`). */
  readonly excludedNamespaces: readonly string[];
  /**
   * True: the stale cleanup deletes other clusters' ARecords of the same source namespace/name, as
   * released scout does (bindy #474). False: it is scoped by `scopedCleanup`.
   */
  readonly reproduceUnscopedCleanup: boolean;
  /**
   * With the bug off: `zone` adds the source's zone to the stale selector (bindy PR #497; clusters
   * sharing a zone still collide), `own-cluster` never deletes another cluster's records.
   */
  readonly scopedCleanup: ScopedCleanup;
}

/** Settings a caller gives; everything but the cluster name and target namespace has a default. */
export type ScoutSettingsInput = Pick<ScoutSettings, 'clusterName' | 'targetNamespace'> & Partial<Omit<ScoutSettings, 'clusterName' | 'targetNamespace'>>;

/**
 * Settings with defaults: the annotation prefix scout uses, no default zone or IPs, the unscoped
 * cleanup of released scout, and `bindy-system` excluded, the namespace scout's Deployment runs in
 * (scout never acts in its own namespace).
 */
export function scoutSettings(input: ScoutSettingsInput): ScoutSettings {
  if (input.clusterName === '') throw new RangeError('scout needs a cluster name (BINDY_SCOUT_CLUSTER_NAME is required)');
  if (input.targetNamespace === '') throw new RangeError('scout needs a target namespace');
  return {
    annotationPrefix: defaultAnnotationPrefix,
    defaultIps: [],
    excludedNamespaces: ['bindy-system'],
    reproduceUnscopedCleanup: true,
    scopedCleanup: 'zone',
    ...input,
  };
}


/** What scout reads of a source object, whatever client deserialised it. */
export interface SourceView {
  readonly kind: SourceKind;
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly finalizers: readonly string[];
  /** When deletion started (ms since the epoch); undefined while the object is not being deleted. */
  readonly deletionTimestampMs?: number;
  /** A Service's `spec.type` (undefined: ClusterIP by default). */
  readonly serviceType?: string;
  readonly loadBalancer: readonly LoadBalancerEntry[];
  /** An Ingress's `spec.rules[].host` by rule index; undefined for a rule without a host. */
  readonly hosts: readonly (string | undefined)[];
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function timeMs(v: unknown): number | undefined {
  // client-node's list answers carry Date objects, its watch events RFC 3339 strings.
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** Reads a Service or Ingress (as a list or a watch delivers it) into a {@link SourceView}; undefined when it has no name. */
export function sourceView(kind: SourceKind, obj: unknown): SourceView | undefined {
  if (!isRecord(obj) || !isRecord(obj['metadata'])) return undefined;
  const meta = obj['metadata'];
  const name = str(meta['name']);
  if (name === undefined || name === '') return undefined;
  const spec = isRecord(obj['spec']) ? obj['spec'] : {};
  const status = isRecord(obj['status']) ? obj['status'] : {};
  const lb = isRecord(status['loadBalancer']) ? status['loadBalancer'] : {};
  const deletion = timeMs(meta['deletionTimestamp']);
  const serviceType = str(spec['type']);
  return {
    kind,
    namespace: str(meta['namespace']) ?? '',
    name,
    annotations: stringMap(meta['annotations']),
    finalizers: arr(meta['finalizers']).filter((f): f is string => typeof f === 'string'),
    ...(deletion === undefined ? {} : { deletionTimestampMs: deletion }),
    ...(serviceType === undefined ? {} : { serviceType }),
    loadBalancer: arr(lb['ingress'])
      .filter(isRecord)
      .map((e) => {
        const ip = str(e['ip']);
        const hostname = str(e['hostname']);
        return { ...(ip === undefined ? {} : { ip }), ...(hostname === undefined ? {} : { hostname }) };
      }),
    hosts: kind === 'Ingress' ? arr(spec['rules']).map((r) => (isRecord(r) ? str(r['host']) : undefined)) : [],
  };
}

/** What scout's zone gate reads of a DNSZone in its target namespace. */
export interface ZoneView {
  readonly namespace: string;
  readonly zoneName: string;
  /** The raw `allow-zone-namespaces` annotation, when set. */
  readonly allowNamespaces?: string;
}

/** Reads a DNSZone into a {@link ZoneView}; undefined without `spec.zoneName`. */
export function zoneView(obj: unknown): ZoneView | undefined {
  if (!isRecord(obj) || !isRecord(obj['metadata']) || !isRecord(obj['spec'])) return undefined;
  const zoneName = str(obj['spec']['zoneName']);
  if (zoneName === undefined) return undefined;
  const allow = stringMap(obj['metadata']['annotations'])[allowZoneNamespacesAnnotation];
  return { namespace: str(obj['metadata']['namespace']) ?? '', zoneName, ...(allow === undefined ? {} : { allowNamespaces: allow }) };
}

/** Opted in: `scout-enabled: "true"` exactly, or the legacy `recordKind: "ARecord"` (`is_scout_opted_in`). */
export function isOptedIn(annotations: Readonly<Record<string, string>>, keys: AnnotationKeys): boolean {
  return annotations[keys.scoutEnabled] === 'true' || annotations[keys.recordKind] === 'ARecord';
}

/** The zone annotation (empty counts as absent), else the default zone (`resolve_zone`). */
export function resolveZone(annotations: Readonly<Record<string, string>>, keys: AnnotationKeys, defaultZone: string | undefined): string | undefined {
  const z = annotations[keys.zone];
  return z !== undefined && z !== '' ? z : defaultZone;
}

/**
 * IPv4 addresses, in scout's order: the ip annotation (comma list, entries trimmed, empties
 * dropped), else the default IPs, else the first load-balancer entry with a non-empty `ip`
 * (one address only; hostname-only entries are skipped). Undefined: none yet.
 */
export function resolveIps(annotations: Readonly<Record<string, string>>, keys: AnnotationKeys, defaultIps: readonly string[], loadBalancer: readonly LoadBalancerEntry[]): string[] | undefined {
  const raw = annotations[keys.ip];
  if (raw !== undefined) {
    const ips = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (ips.length > 0) return ips;
  }
  if (defaultIps.length > 0) return [...defaultIps];
  const first = loadBalancer.find((e) => e.ip !== undefined && e.ip !== '');
  return first?.ip === undefined ? undefined : [first.ip];
}

/**
 * The ttl annotation as Rust's `str::parse::<i32>` reads it (optional sign, digits, nothing else,
 * within i32); anything else is ignored and the record gets no TTL. A negative value passes here
 * and is refused by the CRD's `minimum: 0`, as with scout.
 */
export function parseTtl(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= -2_147_483_648 && n <= 2_147_483_647 ? n : undefined;
}

/** Outcome of deriving a record name from a host. */
export type RecordNameResult = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

/** `host` relative to `zone` (`derive_record_name`): trailing dots dropped, the zone itself is `@`, case-sensitive. */
export function deriveRecordName(host: string, zone: string): RecordNameResult {
  const h = host.replace(/\.+$/, '');
  if (h === zone) return { ok: true, name: '@' };
  const suffix = `.${zone}`;
  if (!h.endsWith(suffix)) return { ok: false, reason: `host "${h}" does not belong to zone "${zone}"` };
  return { ok: true, name: h.slice(0, h.length - suffix.length) };
}

/** The record-name annotation (trimmed, empty = absent) or the name derived from `host` (`resolve_record_name`). */
export function resolveRecordName(annotations: Readonly<Record<string, string>>, keys: AnnotationKeys, host: string, zone: string): RecordNameResult {
  const override = annotations[keys.recordName]?.trim();
  if (override !== undefined && override !== '') return { ok: true, name: override };
  return deriveRecordName(host, zone);
}

/** Scout's zone gate (`check_zone_authorization`, finding H1). */
export type ZoneAuthorization = 'authorized' | 'forbidden' | 'not-found';

/** Whether a DNSZone named `zoneName` exists among `zones` and lets `sourceNamespace` publish into it. */
export function authorizeZone(zones: readonly ZoneView[], zoneName: string, sourceNamespace: string): ZoneAuthorization {
  let found = false;
  for (const z of zones) {
    if (z.zoneName !== zoneName) continue;
    found = true;
    if (z.namespace === sourceNamespace) return 'authorized';
    const allowed = (z.allowNamespaces ?? '').split(',').map((s) => s.trim());
    if (allowed.includes('*') || allowed.includes(sourceNamespace)) return 'authorized';
  }
  return found ? 'forbidden' : 'not-found';
}

/** The selector of the ARecords this scout made for one source (`*_arecord_label_selector`). */
export function ownSelector(settings: ScoutSettings, namespace: string, name: string): string {
  return [
    `${scoutLabels.managedBy}=${managedByScout}`,
    `${scoutLabels.sourceCluster}=${settings.clusterName}`,
    `${scoutLabels.sourceNamespace}=${namespace}`,
    `${scoutLabels.sourceName}=${name}`,
  ].join(',');
}

/**
 * The stale-cleanup selector for one source, or undefined when nothing is to be deleted.
 * Reproducing #474: every other cluster's ARecords of this namespace/name
 * (`stale_arecord_label_selector`). Zone-scoped (PR #497): those of the source's zone only, and
 * none when no zone can be resolved. Own-cluster: none; a cluster rename then leaves its old records.
 */
export function staleSelector(settings: ScoutSettings, namespace: string, name: string, zone: string | undefined): string | undefined {
  const unscoped = [
    `${scoutLabels.managedBy}=${managedByScout}`,
    `${scoutLabels.sourceCluster}!=${settings.clusterName}`,
    `${scoutLabels.sourceNamespace}=${namespace}`,
    `${scoutLabels.sourceName}=${name}`,
  ].join(',');
  if (settings.reproduceUnscopedCleanup) return unscoped;
  if (settings.scopedCleanup === 'own-cluster' || zone === undefined) return undefined;
  return `${unscoped},${scoutLabels.zone}=${zone}`;
}

/** An ARecord as scout server-side applies it. */
export interface ScoutARecord {
  readonly apiVersion: string;
  readonly kind: 'ARecord';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  /** `ttl: null` when the source sets none: scout serialises `Option::None` (the CRD field is nullable). */
  readonly spec: { readonly name: string; readonly ipv4Addresses: readonly string[]; readonly ttl: number | null };
}

/** Builds the ARecord scout applies for one source host (`build_*_arecord`). */
export function buildARecord(settings: ScoutSettings, source: Pick<SourceView, 'namespace' | 'name'>, objectName: string, recordName: string, ips: readonly string[], ttl: number | undefined, zone: string): ScoutARecord {
  return {
    apiVersion: bindyApiVersion,
    kind: 'ARecord',
    metadata: {
      name: objectName,
      namespace: settings.targetNamespace,
      labels: {
        [scoutLabels.managedBy]: managedByScout,
        [scoutLabels.sourceCluster]: settings.clusterName,
        [scoutLabels.sourceNamespace]: source.namespace,
        [scoutLabels.sourceName]: source.name,
        [scoutLabels.zone]: zone,
      },
    },
    spec: { name: recordName, ipv4Addresses: [...ips], ttl: ttl ?? null },
  };
}

/** What scout does with a source on one reconcile. */
export type ScoutPlan =
  /** Nothing, and no requeue. */
  | { readonly action: 'ignore'; readonly reason: string }
  /** Add the finalizer and stop; its watch event brings the next reconcile. */
  | { readonly action: 'add-finalizer' }
  /** Nothing yet: requeue after scout's 30 s. */
  | { readonly action: 'wait'; readonly reason: string }
  /**
   * Delete the ARecords each selector lists, then remove the finalizer. `deleting`: the source is
   * being deleted (a failed deletion is retried until the grace period ends, then the finalizer
   * goes anyway); `opted-out`: the annotation was removed or the namespace no longer selected.
   */
  | { readonly action: 'release'; readonly why: 'deleting' | 'opted-out'; readonly own: string; readonly stale?: string }
  /** Apply these ARecords, then delete what `stale` lists; `skipped` says which Ingress rules gave none. */
  | { readonly action: 'apply'; readonly records: readonly ScoutARecord[]; readonly skipped: readonly string[]; readonly stale?: string };

/** What a reconcile knows besides the source: the namespace-selector answer and the zone store. */
export interface PlanInputs {
  /** The source's namespace matches `--namespace-selector` (true when none is set). */
  readonly namespaceEligible: boolean;
  /** DNSZones of the target namespace. */
  readonly zones: readonly ZoneView[];
}

/**
 * One reconcile of scout, as `reconcile` (Ingress) and `reconcile_service` do it, in their order:
 * excluded namespace → deletion → opt-in and namespace selector → (Service) LoadBalancer type →
 * finalizer → zone → zone gate → IPs → ARecords. Only Ingresses get the stale cleanup: the Service
 * reconciler has none, so #474 cannot hit LoadBalancer Services.
 */
export function planReconcile(source: SourceView, settings: ScoutSettings, inputs: PlanInputs): ScoutPlan {
  const keys = annotationKeys(settings.annotationPrefix);
  const { namespace, name, annotations } = source;
  if (settings.excludedNamespaces.includes(namespace)) return { action: 'ignore', reason: `namespace ${namespace} is excluded` };
  const hasFinalizer = source.finalizers.includes(scoutFinalizer);
  const own = ownSelector(settings, namespace, name);
  // PR #497 takes the zone for the deletion paths from the object being removed.
  const stale = source.kind === 'Ingress' ? staleSelector(settings, namespace, name, resolveZone(annotations, keys, settings.defaultZone)) : undefined;
  const release = (why: 'deleting' | 'opted-out'): ScoutPlan => ({ action: 'release', why, own, ...(stale === undefined ? {} : { stale }) });
  if (source.deletionTimestampMs !== undefined) {
    return hasFinalizer ? release('deleting') : { action: 'ignore', reason: 'being deleted without scout\'s finalizer' };
  }
  if (!isOptedIn(annotations, keys) || !inputs.namespaceEligible) {
    if (hasFinalizer) return release('opted-out');
    return { action: 'ignore', reason: inputs.namespaceEligible ? 'not opted in' : 'namespace not selected' };
  }
  // Checked after the opt-in and before the finalizer: a Service that stops being a LoadBalancer keeps its record.
  if (source.kind === 'Service' && source.serviceType !== 'LoadBalancer') return { action: 'ignore', reason: `not a LoadBalancer Service (type ${source.serviceType ?? 'ClusterIP'})` };
  if (!hasFinalizer) return { action: 'add-finalizer' };
  const zone = resolveZone(annotations, keys, settings.defaultZone);
  if (zone === undefined) return { action: 'wait', reason: 'no zone (no zone annotation, no default zone)' };
  const authz = authorizeZone(inputs.zones, zone, namespace);
  if (authz === 'not-found') return { action: 'wait', reason: `zone ${zone} not found in namespace ${settings.targetNamespace}` };
  if (authz === 'forbidden') return { action: 'wait', reason: `namespace ${namespace} not authorized for zone ${zone} (${allowZoneNamespacesAnnotation})` };
  const ips = resolveIps(annotations, keys, settings.defaultIps, source.loadBalancer);
  if (ips === undefined) return { action: 'wait', reason: 'no IP (no ip annotation, no default IPs, no load-balancer IP)' };
  const ttl = parseTtl(annotations[keys.ttl]);
  if (source.kind === 'Service') {
    const recordName = resolveRecordName(annotations, keys, `${name}.${zone}`, zone);
    if (!recordName.ok) return { action: 'wait', reason: recordName.reason };
    return { action: 'apply', records: [buildARecord(settings, source, arecordName(settings.clusterName, namespace, name), recordName.name, ips, ttl, zone)], skipped: [] };
  }
  const records: ScoutARecord[] = [];
  const skipped: string[] = [];
  source.hosts.forEach((host, i) => {
    if (host === undefined || host === '') {
      skipped.push(`rule ${i}: no host`);
      return;
    }
    const recordName = resolveRecordName(annotations, keys, host, zone);
    if (!recordName.ok) {
      skipped.push(`rule ${i}: ${recordName.reason}`);
      return;
    }
    records.push(buildARecord(settings, source, arecordName(settings.clusterName, namespace, name, i), recordName.name, ips, ttl, zone));
  });
  return { action: 'apply', records, skipped, ...(stale === undefined ? {} : { stale }) };
}

/** True once a source being deleted since `deletionMs` has used up scout's cleanup grace period. */
export function cleanupGraceExpired(deletionMs: number | undefined, nowMs: number, graceMs: number = cleanupGraceMs): boolean {
  return deletionMs !== undefined && nowMs - deletionMs >= graceMs;
}
