/** @module Proof that an API object a fault made is gone (GET 404), and its deletion followed by that proof: what the API-object mechanisms (flow control, quota) revert and verify with. */
import type { ObjectKind } from '../model/object-kinds.js';
import type { KubeClient } from '../observe/kube-client.js';

/** Whether `kind` `namespace/name` (namespace null: cluster-scoped) is gone, with one line of evidence. */
export async function provenGone(client: KubeClient, kind: ObjectKind, namespace: string | null, name: string): Promise<{ gone: boolean; evidence: string }> {
  const what = `${kind} ${namespace === null ? '' : `${namespace}/`}${name}`;
  const g = await client.get(kind, namespace, name);
  const gone = g.ok && g.value === null;
  return { gone, evidence: gone ? `${what} gone (GET 404)` : `${what} ${g.ok ? 'STILL there' : `not read (${g.error.message})`}` };
}

/** Deletes the object (a 404 means it already was) and proves it gone; safe to repeat. */
export async function deleteProvenGone(client: KubeClient, kind: ObjectKind, namespace: string | null, name: string): Promise<{ gone: boolean; already: boolean; evidence: string }> {
  const d = await client.delete(kind, namespace ?? '', name);
  if (!d.ok && d.error.status !== 404) return { gone: false, already: false, evidence: `delete ${kind} ${namespace === null ? '' : `${namespace}/`}${name}: HTTP ${d.error.status} ${d.error.message}` };
  return { ...(await provenGone(client, kind, namespace, name)), already: !d.ok };
}
