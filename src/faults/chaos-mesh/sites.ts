/**
 * @module Where each link and part of bindy is on a cluster (pure): which pods a fault selects,
 * by the labels TARGET.md and deploy/loadtest name (bindy's operator: its Deployment's labels in
 * its namespace; BIND9: `app.kubernetes.io/name=bind9` of the run's Bind9Cluster, the primaries),
 * and which side of a link Chaos Mesh can shape. NetworkChaos shapes a pod's outgoing packets,
 * filtered by the other side's pod IPs (or `externalTargets` IPs); it cannot filter by port, and a
 * packet sent to a Service's ClusterIP does not carry a pod IP until the node rewrites it (Chaos
 * Mesh issue #1227). So a link is shaped at its server's egress towards the client pods, where the
 * addresses are pod IPs whatever the client dialled, unless the fault must act towards the server.
 */

/** Pods a Chaos Mesh selector picks: namespaces, labels, and how many of the matches (`one` or `all`). */
export interface PodSelection {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mode: 'one' | 'all';
}

/**
 * A link on a cluster: the client side (pods, or anyone) and the server side (pods, or the API
 * server's addresses outside the pod network).
 */
export interface ClusterLinkSite {
  readonly site: 'link';
  readonly name: string;
  readonly client: PodSelection | 'anyone';
  readonly server: PodSelection | { readonly external: readonly string[] };
  /** What else the shaped packets carry (Chaos Mesh cannot filter by port), for the docs and the fault's text. */
  readonly alsoCarries?: string;
}

/** A part on a cluster: the pods it runs in, and its container when the fault acts on one container only. */
export interface ClusterPartSite {
  readonly site: 'part';
  readonly name: string;
  readonly pods: PodSelection;
  /** The container of the part (BIND9 pods: `bind9` is named, `api` is bindcar); absent: the whole pod (the operator). */
  readonly container?: string;
}

/** A link or a part on a cluster. */
export type ClusterSite = ClusterLinkSite | ClusterPartSite;

/** What the sites are made from: the operator found by the preflight, the run's namespace and Bind9Cluster, the API server's addresses. */
export interface ClusterSiteFacts {
  /** bindy's operator: its namespace and the labels its pods carry (its Deployment's selector). */
  readonly operator: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> } | null;
  /** The run's namespace: where the Bind9Cluster's BIND9 pods run. */
  readonly namespace: string;
  readonly clusterName: string;
  /** Addresses the operator reaches the API server at: the `kubernetes` Service's ClusterIP and its endpoints. */
  readonly apiServerAddresses: readonly string[];
  /**
   * The Bind9Cluster's secondary instances in server order (`secondary-0` first: by instance name, as
   * the DNS port-forwards name them), each with the labels its Service selects its pods by (null:
   * no Service found). Absent or empty: the cluster has none (or they were not read).
   */
  readonly secondaries?: readonly ({ readonly instance: string; readonly labels: Readonly<Record<string, string>> | null })[];
}

/** True for the parts that are a named (the primary's, `named`, or a secondary's, `named-secondary-<i>`) (pure). */
export function isNamedSiteName(name: string): boolean {
  return name === 'named' || /^named-secondary-(0|[1-9]\d*)$/.test(name);
}

/** A secondary's part (`named-secondary-<i>`, `sidecar-secondary-<i>`): one pod of that secondary instance, or why there is none (pure). */
function secondarySite(name: string, f: ClusterSiteFacts): ClusterSite | string | undefined {
  const m = /^(named|sidecar)-secondary-(0|[1-9]\d*)$/.exec(name);
  if (m === null) return undefined;
  const i = Number(m[2]);
  const all = f.secondaries ?? [];
  const s = all[i];
  if (s === undefined) return `Bind9Cluster ${f.clusterName} in ${f.namespace} has no secondary-${i} (${all.length === 0 ? 'no secondary instance' : `its secondaries: ${all.map((x, k) => `secondary-${k} = ${x.instance}`).join(', ')}`})`;
  if (s.labels === null) return `secondary-${i} (Bind9Instance ${s.instance}) has no Service in ${f.namespace} to find its pods by`;
  return { site: 'part', name, pods: { namespace: f.namespace, labels: s.labels, mode: 'one' }, container: m[1] === 'named' ? 'bind9' : 'api' };
}

/** Labels of the BIND9 pods of Bind9Cluster `clusterName` (deploy/loadtest/chaos/*.yaml select them the same way). */
export function bind9PodLabels(clusterName: string, role: 'primary' | 'secondary' = 'primary'): Record<string, string> {
  return { 'app.kubernetes.io/name': 'bind9', 'app.kubernetes.io/part-of': 'bindy', 'bindy.firestoned.io/cluster': clusterName, 'bindy.firestoned.io/role': role };
}

/** The links a cluster fault can act on, by name (the sandbox's names: one config runs on both targets). */
export const clusterLinkNames = ['operator-apiserver', 'operator-sidecar', 'operator-bind', 'client-bind'] as const;

/** The parts a cluster fault can act on (and each secondary's `named-secondary-<i>`, `sidecar-secondary-<i>`). */
export const clusterPartNames = ['operator', 'named', 'sidecar'] as const;

/**
 * The site `name` stands for on a cluster, or why there is none (pure). Every part and link of
 * BIND9 selects one primary pod of the run's Bind9Cluster for a kill (bindy's own suite kills "a
 * primary"), every one of them for a network fault (a zone's writes go to each).
 */
export function clusterSite(name: string, f: ClusterSiteFacts): ClusterSite | string {
  const secondary = secondarySite(name, f);
  if (secondary !== undefined) return secondary;
  const bind9 = (mode: 'one' | 'all'): PodSelection => ({ namespace: f.namespace, labels: bind9PodLabels(f.clusterName), mode });
  const operator = (): PodSelection | string => (f.operator === null ? 'bindy\'s operator was not found (no Deployment bindy-system/bindy nor labelled app=bindy)' : { namespace: f.operator.namespace, labels: f.operator.labels, mode: 'all' });
  switch (name) {
    case 'operator': {
      const pods = operator();
      return typeof pods === 'string' ? pods : { site: 'part', name, pods };
    }
    case 'named':
      return { site: 'part', name, pods: bind9('one'), container: 'bind9' };
    case 'sidecar':
      return { site: 'part', name, pods: bind9('one'), container: 'api' };
    case 'operator-apiserver': {
      const client = operator();
      if (typeof client === 'string') return client;
      if (f.apiServerAddresses.length === 0) return 'the API server\'s addresses are unknown (no ClusterIP on Service default/kubernetes and no endpoints readable)';
      return { site: 'link', name, client, server: { external: f.apiServerAddresses } };
    }
    case 'operator-sidecar':
    case 'operator-bind': {
      const client = operator();
      if (typeof client === 'string') return client;
      const other = name === 'operator-sidecar' ? 'the operator\'s RFC 2136 UPDATEs to named (operator-bind)' : 'the operator\'s calls to bindcar (operator-sidecar)';
      return { site: 'link', name, client, server: bind9('all'), alsoCarries: `${other}: named and bindcar share the pod's network` };
    }
    case 'client-bind':
      return { site: 'link', name, client: 'anyone', server: bind9('all'), alsoCarries: 'every packet the BIND9 pods send (bindcar\'s answers, NOTIFY and zone transfers too)' };
    case 'sidecar-bind':
      return 'bindcar reaches named over the pod\'s loopback, which NetworkChaos does not shape towards a peer (no mechanism on a cluster yet)';
    default:
      return `a cluster has no link or part ${JSON.stringify(name)} (links: ${clusterLinkNames.join(', ')}; parts: ${clusterPartNames.join(', ')}, named-secondary-<i>, sidecar-secondary-<i>)`;
  }
}

/** A label selector as text (`a=b,c=d`), keys sorted (pure). */
export function labelSelectorText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ''}`)
    .join(',');
}
