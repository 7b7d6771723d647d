/**
 * @module bindy's scout, as a contract the tool relies on (TARGET.md; read from scout's source, see
 * docs/sandbox-scout.md): the annotations it reads on a source, and the name, labels and finalizer
 * of what it writes. The scout twin follows it; the discovery scenario finds scout's ARecords by it.
 */

/** Scout's default annotation prefix; another discovery controller may use its own. */
export const defaultAnnotationPrefix = 'bindy.firestoned.io/';
/** Finalizer scout puts on every source it publishes (`FINALIZER_SCOUT`). */
export const scoutFinalizer = 'bindy.firestoned.io/arecord-finalizer';
/** Field manager of scout's server-side applies (`PatchParams::apply("bindy-scout")`). */
export const scoutFieldManager = 'bindy-scout';
/** Annotation on a DNSZone letting sources of other namespaces publish into it (bindy's constants.rs). */
export const allowZoneNamespacesAnnotation = 'bindy.firestoned.io/allow-zone-namespaces';
/** Labels scout puts on every ARecord (fixed: DNSZone selectors and cleanup select on them). */
export const scoutLabels = {
  managedBy: 'bindy.firestoned.io/managed-by',
  sourceCluster: 'bindy.firestoned.io/source-cluster',
  sourceNamespace: 'bindy.firestoned.io/source-namespace',
  sourceName: 'bindy.firestoned.io/source-name',
  zone: 'bindy.firestoned.io/zone',
} as const;
/** Value of the managed-by label. */
export const managedByScout = 'scout';
/** Kubernetes' object name limit, to which scout cuts its ARecord names. */
export const maxNameLength = 253;

/** The annotation keys under a prefix. */
export interface AnnotationKeys {
  readonly scoutEnabled: string;
  /** Legacy opt-in: value `ARecord`. */
  readonly recordKind: string;
  readonly zone: string;
  readonly ip: string;
  readonly ttl: string;
  readonly recordName: string;
}

/** Scout's annotation keys under `prefix` (`bindy.firestoned.io/` gives scout's own). */
export function annotationKeys(prefix: string): AnnotationKeys {
  return {
    scoutEnabled: `${prefix}scout-enabled`,
    recordKind: `${prefix}recordKind`,
    zone: `${prefix}zone`,
    ip: `${prefix}ip`,
    ttl: `${prefix}ttl`,
    recordName: `${prefix}record-name`,
  };
}

/**
 * Scout's `sanitize_k8s_name`: lower-case, every run of characters outside `[a-z0-9]` becomes one
 * `-`, leading and trailing `-` stripped.
 */
export function sanitizeName(s: string): string {
  let out = '';
  let lastHyphen = false;
  for (const ch of s.toLowerCase()) {
    if (/^[a-z0-9]$/.test(ch)) {
      out += ch;
      lastHyphen = false;
    } else if (!lastHyphen) {
      out += '-';
      lastHyphen = true;
    }
  }
  return out.replace(/^-+|-+$/g, '');
}

/**
 * The ARecord's object name: `scout-<cluster>-<ns>-<name>` for a Service, `…-<rule index>` for an
 * Ingress, sanitised and then cut to 253 characters, with no second strip and no hash (so a cut
 * name may end in `-`, and two long sources may share a name, as in scout).
 */
export function arecordName(cluster: string, namespace: string, name: string, ruleIndex?: number): string {
  const raw = `scout-${cluster}-${namespace}-${name}${ruleIndex === undefined ? '' : `-${ruleIndex}`}`;
  return sanitizeName(raw).slice(0, maxNameLength);
}
