/**
 * @module What the twin's streaming pod subresources (portforward, exec) share, as kube-apiserver
 * proxies them to the kubelet: the pod an upgrade names (authenticated, or refused with a Status
 * before the upgrade), the refusal itself, and the end of a pod (deleted, or no longer Running),
 * which ends what streams to it as the end of its containers does on a node.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiStatusError, failure } from './status.js';
import { resourceKey, type Registry } from './registry.js';
import type { KubeObject } from './store.js';

/** Answers an upgrade the API server refuses with its Status (an ApiStatusError's, else a 500) and closes the socket. */
export function refuseUpgrade(socket: Duplex, e: unknown): void {
  const status = e instanceof ApiStatusError ? e.status : failure(500, 'InternalError', e instanceof Error ? e.message : String(e));
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The pod a subresource upgrade names (`path` captures namespace and name), after authenticating; throws the Status to refuse with. */
export function upgradedPod(registry: Registry, authenticate: (authorization: string | undefined) => void, req: IncomingMessage, path: RegExp): { url: URL; name: string; pod: KubeObject } {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  authenticate(req.headers.authorization);
  const m = path.exec(url.pathname);
  const namespace = decodeURIComponent(m?.[1] ?? '');
  const name = decodeURIComponent(m?.[2] ?? '');
  const def = registry.resource('', 'v1', 'pods');
  if (def === undefined) throw new ApiStatusError(failure(404, 'NotFound', 'the server could not find the requested resource'));
  return { url, name, pod: registry.get(def, namespace, name) };
}

/** Calls `ended` with the uid of every pod deleted or no longer Running from now on; returns the unwatch. */
export function watchPodEnds(registry: Registry, ended: (uid: string) => void): () => void {
  const def = registry.resource('', 'v1', 'pods');
  if (def === undefined) return () => undefined;
  const store = registry.store;
  return store.watch(resourceKey(def), store.rv, (e) => {
    const phase = (e.object as { status?: { phase?: unknown } }).status?.phase;
    if (e.type !== 'DELETED' && phase === 'Running') return;
    ended(e.object.metadata.uid ?? '');
  });
}
