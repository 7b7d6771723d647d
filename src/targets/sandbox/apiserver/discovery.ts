/** @module Discovery documents (/api, /apis, APIResourceList per group version, /version) built from the served resources. */
import type { ResourceDefinition } from './resources.js';
import { hasDeleteCollection } from './routes.js';

/** The version the sandbox reports: a current minor, so kubectl's version-skew warning stays quiet. */
export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-bindy-sandbox',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'n/a (bindy-loadtest sandbox, Node.js)',
  compiler: 'n/a',
  platform: `${process.platform}/${process.arch}`,
} as const;

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** One group version and its resources. */
export interface GroupVersion {
  group: string;
  version: string;
  resources: ResourceDefinition[];
}

/** Groups the resources by group and version, core first, then groups in name order. */
export function groupVersions(resources: readonly ResourceDefinition[]): GroupVersion[] {
  const map = new Map<string, GroupVersion>();
  for (const r of resources) {
    const k = `${r.group}/${r.version}`;
    let gv = map.get(k);
    if (!gv) {
      gv = { group: r.group, version: r.version, resources: [] };
      map.set(k, gv);
    }
    gv.resources.push(r);
  }
  return [...map.values()].sort((a, b) => (a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)));
}

/** `/api`: the core API versions. */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(name: string, versions: string[]): unknown {
  const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** `/apis`: every named group. */
export function apiGroupList(resources: readonly ResourceDefinition[]): unknown {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions(resources)) {
    if (gv.group === '') continue;
    groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([n, v]) => apiGroup(n, v)) };
}

/** `/apis/<group>`: one group, or undefined when not served. */
export function apiGroupDoc(resources: readonly ResourceDefinition[], group: string): unknown {
  const versions = groupVersions(resources).filter((gv) => gv.group === group && group !== '').map((gv) => gv.version);
  return versions.length === 0 ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(group, versions) as object) };
}

/** `/api/v1` or `/apis/<group>/<version>`: the APIResourceList, with a `/status` entry per status subresource. */
export function apiResourceList(resources: readonly ResourceDefinition[], group: string, version: string): unknown {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const list: unknown[] = [];
  for (const r of rs) {
    // Namespaces and Services cannot be deleted as a collection on a real server either.
    const verbs = hasDeleteCollection(r) ? allVerbs : allVerbs.filter((v) => v !== 'deletecollection');
    list.push({
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs,
      ...(r.shortNames.length > 0 ? { shortNames: [...r.shortNames] } : {}),
      ...(r.categories && r.categories.length > 0 ? { categories: [...r.categories] } : {}),
    });
    if (r.statusSubresource) {
      list.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources: list };
}
