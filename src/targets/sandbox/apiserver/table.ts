/** @module Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for with `Accept: …;as=Table`, with the Name and Age columns. */
import type { KubeObject } from './store.js';

/** What a Table row carries in `object` (`includeObject` query parameter). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** True when the Accept header asks for a Table (kubectl get does; -o json does not). */
export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

/** Age as kubectl prints it (apimachinery's HumanDuration). */
export function humanAge(seconds: number): string {
  if (seconds < 0) return '0s';
  const s = Math.floor(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(s / 3600);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return h < 24 * 365 * 8 ? `${y}y${d % 365}d` : `${y}y`;
}

const columns = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  { name: 'Age', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
];

function row(o: KubeObject, include: IncludeObject, now: number): unknown {
  const age = humanAge((now - Date.parse(o.metadata.creationTimestamp)) / 1000);
  const object =
    include === 'None'
      ? undefined
      : include === 'Object'
        ? o
        : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return { cells: [o.metadata.name, age], ...(object === undefined ? {} : { object }) };
}

/** A Table of the objects; `resourceVersion`/`continue` as in the list it replaces. */
export function toTable(objects: readonly KubeObject[], meta: { resourceVersion?: string; continue?: string }, include: IncludeObject, now = Date.now()): unknown {
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta, columnDefinitions: columns, rows: objects.map((o) => row(o, include, now)) };
}
